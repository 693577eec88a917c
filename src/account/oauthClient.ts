// FxA OAuth: the fxa-credentials grant from a session token (Path A), scoped-key metadata, and the
// authorization-code + PKCE + keys_jwk web flow (Path B); refresh and revocation (protocol.md §2).
// The web flow never sees the password or kB: FxA hands us kSync inside keys_jwe.
import {
  OLDSYNC_SCOPE,
  base64UrlToBytes,
  createPkce,
  decryptKeysJwe,
  generateKeysJwk,
  JweError,
  keysJwkParam,
  parseKeyId,
  randomOAuthState,
} from '../sync/crypto/index.ts';
import type { ServerConfig } from './config.ts';
import { AccountError } from './errors.ts';
import type { TransportOptions } from './http.ts';
import { joinUrl, requestJson, resolveTransport } from './http.ts';

export { OLDSYNC_SCOPE };

/**
 * Lockwise Android's public client: what third-party Sync clients borrow, since FxA does not
 * register new ones (protocol.md §2.3, §2.5).
 */
export const DEFAULT_CLIENT_ID = 'e7ce535d93522896';
export const DEFAULT_REDIRECT_URI = 'https://lockbox.firefox.com/fxa/android-redirect.html';
/** The web flow also asks for `profile` so we can learn the account's uid and email. */
export const WEB_SIGN_IN_SCOPE = `profile ${OLDSYNC_SCOPE}`;

export interface AccessToken {
  token: string;
  /** ms since epoch, from `expires_in` and our clock. */
  expiresAt: number;
  scope: string;
}

export interface OAuthTokens {
  accessToken: AccessToken;
  /** Present when asked for offline access. */
  refreshToken: string | null;
  /** Seconds, as FxA reports it. */
  authAt: number | null;
}

interface TokenResponse {
  access_token?: unknown;
  refresh_token?: unknown;
  expires_in?: unknown;
  scope?: unknown;
  auth_at?: unknown;
  keys_jwe?: unknown;
}

function tokenEndpoint(config: ServerConfig): string {
  // The auth server's /v1/oauth/token serves every grant (and is the only one that takes a session token).
  return joinUrl(config.authUrl, '/oauth/token');
}

function parseTokens(res: TokenResponse, issuedAt: number, requestedScope: string): OAuthTokens {
  if (typeof res.access_token !== 'string' || res.access_token === '') {
    throw new AccountError('bad-response', { serverMessage: 'token response lacks access_token' });
  }
  const expiresIn = typeof res.expires_in === 'number' && res.expires_in > 0 ? res.expires_in : 3600;
  return {
    accessToken: {
      token: res.access_token,
      expiresAt: issuedAt + expiresIn * 1000,
      scope: typeof res.scope === 'string' ? res.scope : requestedScope,
    },
    refreshToken: typeof res.refresh_token === 'string' && res.refresh_token !== '' ? res.refresh_token : null,
    authAt: typeof res.auth_at === 'number' ? res.auth_at : null,
  };
}

export interface CredentialsGrantOptions extends TransportOptions {
  config: ServerConfig;
  sessionToken: string;
  clientId?: string;
  scope?: string;
  /** 'offline' (default) also returns a refresh token. */
  accessType?: 'online' | 'offline';
  /** Requested access-token lifetime in seconds (the server caps it). */
  ttl?: number;
}

/** `POST /v1/oauth/token` grant_type=fxa-credentials, authenticated with the (verified) session token. */
export async function fxaCredentialsGrant(opts: CredentialsGrantOptions): Promise<OAuthTokens> {
  const transport = resolveTransport(opts);
  const scope = opts.scope ?? OLDSYNC_SCOPE;
  const accessType = opts.accessType ?? 'offline';
  const body: Record<string, unknown> = {
    grant_type: 'fxa-credentials',
    client_id: opts.clientId ?? DEFAULT_CLIENT_ID,
    scope,
    access_type: accessType,
  };
  if (opts.ttl !== undefined) body.ttl = opts.ttl;
  const issuedAt = transport.now();
  const res = await requestJson<TokenResponse>(
    {
      method: 'POST',
      url: tokenEndpoint(opts.config),
      body,
      auth: { kind: 'fxa-token', token: opts.sessionToken, tokenKind: 'sessionToken' },
      errnoSpace: 'oauth',
    },
    transport,
  );
  const tokens = parseTokens(res, issuedAt, scope);
  if (accessType === 'offline' && tokens.refreshToken === null) {
    throw new AccountError('bad-response', { serverMessage: 'offline grant returned no refresh_token' });
  }
  return tokens;
}

export interface ScopedKeyData {
  identifier: string;
  /** ms; part of the key id. */
  keyRotationTimestamp: number;
  keyRotationSecret: string;
}

export interface ScopedKeyDataOptions extends TransportOptions {
  config: ServerConfig;
  sessionToken: string;
  clientId?: string;
  scope?: string;
}

/** `POST /v1/account/scoped-key-data` → the oldsync key's rotation timestamp (for the kid). */
export async function getScopedKeyData(opts: ScopedKeyDataOptions): Promise<ScopedKeyData> {
  const scope = opts.scope ?? OLDSYNC_SCOPE;
  const res = await requestJson<Record<string, unknown>>(
    {
      method: 'POST',
      url: joinUrl(opts.config.authUrl, '/account/scoped-key-data'),
      body: { client_id: opts.clientId ?? DEFAULT_CLIENT_ID, scope },
      auth: { kind: 'fxa-token', token: opts.sessionToken, tokenKind: 'sessionToken' },
    },
    resolveTransport(opts),
  );
  const entry = res[OLDSYNC_SCOPE] as Record<string, unknown> | undefined;
  const ts = entry?.keyRotationTimestamp;
  if (typeof entry !== 'object' || entry === null || typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
    throw new AccountError('bad-response', { serverMessage: 'scoped-key-data lacks the oldsync keyRotationTimestamp' });
  }
  return {
    identifier: typeof entry.identifier === 'string' ? entry.identifier : OLDSYNC_SCOPE,
    keyRotationTimestamp: ts,
    keyRotationSecret: typeof entry.keyRotationSecret === 'string' ? entry.keyRotationSecret : '',
  };
}

export interface AuthorizationUrlOptions {
  config: ServerConfig;
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge: string;
  /** The public ECDH key (JWK) or the already-encoded `keys_jwk` value. */
  keysJwk: JsonWebKey | string;
  accessType?: 'online' | 'offline';
  /** Pre-fills the email field. */
  email?: string;
  /** `email` is what Firefox sends: start at the email-first page. */
  action?: string;
}

/** The `/authorization` URL on the accounts (content) server to open in a tab. */
export function buildAuthorizationUrl(opts: AuthorizationUrlOptions): string {
  const url = new URL(joinUrl(opts.config.accountsUrl, '/authorization'));
  const p = url.searchParams;
  p.set('client_id', opts.clientId);
  p.set('redirect_uri', opts.redirectUri);
  p.set('scope', opts.scope);
  p.set('state', opts.state);
  p.set('response_type', 'code');
  p.set('access_type', opts.accessType ?? 'offline');
  p.set('code_challenge_method', 'S256');
  p.set('code_challenge', opts.codeChallenge);
  p.set('keys_jwk', typeof opts.keysJwk === 'string' ? opts.keysJwk : keysJwkParam(opts.keysJwk));
  p.set('action', opts.action ?? 'email');
  if (opts.email) p.set('email', opts.email);
  return url.toString();
}

/**
 * Everything needed to finish a web sign-in. Structured-cloneable (the private key is a
 * non-extractable CryptoKey), so the background can keep it in IndexedDB across worker restarts.
 */
export interface PendingWebSignIn {
  url: string;
  state: string;
  pkceVerifier: string;
  privateKey: CryptoKey;
  clientId: string;
  redirectUri: string;
  scope: string;
  config: ServerConfig;
  /** ms since epoch. */
  startedAt: number;
}

export interface StartWebSignInOptions {
  config: ServerConfig;
  clientId?: string;
  redirectUri?: string;
  scope?: string;
  email?: string;
  now?: () => number;
}

export async function startWebSignIn(opts: StartWebSignInOptions): Promise<PendingWebSignIn> {
  const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
  const redirectUri = opts.redirectUri ?? DEFAULT_REDIRECT_URI;
  const scope = opts.scope ?? WEB_SIGN_IN_SCOPE;
  const state = randomOAuthState();
  const pkce = await createPkce();
  const { publicJwk, privateKey } = await generateKeysJwk(false);
  const url = buildAuthorizationUrl({
    config: opts.config,
    clientId,
    redirectUri,
    scope,
    state,
    codeChallenge: pkce.challenge,
    keysJwk: publicJwk,
    ...(opts.email ? { email: opts.email } : {}),
  });
  return {
    url,
    state,
    pkceVerifier: pkce.verifier,
    privateKey,
    clientId,
    redirectUri,
    scope,
    config: opts.config,
    startedAt: (opts.now ?? Date.now)(),
  };
}

/** True when `url` is a navigation to the pending sign-in's redirect URI (for redirect capture). */
export function isRedirectFor(url: string, pending: Pick<PendingWebSignIn, 'redirectUri'>): boolean {
  try {
    const got = new URL(url);
    const want = new URL(pending.redirectUri);
    return got.origin === want.origin && got.pathname === want.pathname;
  } catch {
    return false;
  }
}

/**
 * True when `url` is the pending sign-in's redirect and carries its `state`: the answer to the
 * request we started, not a forged or stale one. Check before acting on a redirect in any way.
 */
export function redirectMatchesState(url: string, pending: Pick<PendingWebSignIn, 'redirectUri' | 'state'>): boolean {
  if (!isRedirectFor(url, pending)) return false;
  return constantTimeStringEqual(new URL(url).searchParams.get('state') ?? '', pending.state);
}

export interface WebSignInResult {
  /** 64 bytes: encKey | hmacKey of the Sync root key bundle. */
  kSync: Uint8Array;
  /** 16 bytes: SHA-256(kB)[0..16]; hex of it is X-Client-State. */
  kXCS: Uint8Array;
  /** X-KeyID: "<keyRotationTimestamp>-<b64url(kXCS)>". */
  keyId: string;
  accessToken: AccessToken;
  refreshToken: string;
  /** Access-token expiry (ms), same as accessToken.expiresAt. */
  expiresAt: number;
  authAt: number | null;
}

function constantTimeStringEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Finishes the web flow from the captured redirect URL: checks `state`, exchanges the code with the
 * PKCE verifier, decrypts keys_jwe with our private key.
 */
export async function completeWebSignIn(
  opts: TransportOptions & { redirectUrl: string; pending: PendingWebSignIn },
): Promise<WebSignInResult> {
  const { pending } = opts;
  let redirect: URL;
  try {
    redirect = new URL(opts.redirectUrl);
  } catch {
    throw new AccountError('bad-response', { serverMessage: 'redirect URL is not a URL' });
  }
  if (!isRedirectFor(opts.redirectUrl, pending)) {
    throw new AccountError('bad-response', { serverMessage: 'redirect URL does not match the redirect URI' });
  }
  const params = redirect.searchParams;
  // State first: only the answer to our own request may end it, even as a cancellation.
  const state = params.get('state') ?? '';
  if (!constantTimeStringEqual(state, pending.state)) throw new AccountError('state-mismatch');
  const error = params.get('error');
  if (error) throw new AccountError('sign-in-cancelled', { serverMessage: error });
  const code = params.get('code');
  if (!code) throw new AccountError('bad-response', { serverMessage: 'redirect has no code' });

  const transport = resolveTransport(opts);
  const issuedAt = transport.now();
  const res = await requestJson<TokenResponse>(
    {
      method: 'POST',
      url: tokenEndpoint(pending.config),
      body: { client_id: pending.clientId, grant_type: 'authorization_code', code, code_verifier: pending.pkceVerifier },
      errnoSpace: 'oauth',
    },
    transport,
  );
  const tokens = parseTokens(res, issuedAt, pending.scope);
  if (tokens.refreshToken === null) {
    throw new AccountError('bad-response', { serverMessage: 'code grant returned no refresh_token' });
  }
  if (typeof res.keys_jwe !== 'string') {
    throw new AccountError('bad-response', { serverMessage: 'code grant returned no keys_jwe' });
  }
  const keys = await decryptScopedKeys(res.keys_jwe, pending.privateKey);
  return {
    ...keys,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.accessToken.expiresAt,
    authAt: tokens.authAt,
  };
}

async function decryptScopedKeys(
  jwe: string,
  privateKey: CryptoKey,
): Promise<{ kSync: Uint8Array; kXCS: Uint8Array; keyId: string }> {
  let scoped;
  try {
    scoped = await decryptKeysJwe(jwe, privateKey);
  } catch (err) {
    if (err instanceof JweError) throw new AccountError('bad-response', { serverMessage: err.message, cause: err });
    throw err;
  }
  const key = scoped[OLDSYNC_SCOPE];
  if (!key || key.kty !== 'oct') throw new AccountError('bad-response', { serverMessage: 'keys_jwe has no oldsync key' });
  let kSync: Uint8Array;
  let kXCS: Uint8Array;
  try {
    kSync = base64UrlToBytes(key.k);
    kXCS = parseKeyId(key.kid).kXCS;
  } catch (cause) {
    throw new AccountError('bad-response', { serverMessage: 'oldsync key or kid malformed', cause });
  }
  if (kSync.length !== 64 || kXCS.length !== 16) {
    throw new AccountError('bad-response', { serverMessage: 'oldsync key has the wrong size' });
  }
  return { kSync, kXCS, keyId: key.kid };
}

export interface RefreshOptions extends TransportOptions {
  config: ServerConfig;
  refreshToken: string;
  clientId?: string;
  /** Narrow the scope (it can only shrink); default: everything the refresh token has. */
  scope?: string;
  ttl?: number;
}

/** grant_type=refresh_token → a new access token. A revoked/unknown refresh token → 'invalid-grant'. */
export async function refreshAccessToken(opts: RefreshOptions): Promise<AccessToken> {
  const transport = resolveTransport(opts);
  const body: Record<string, unknown> = {
    grant_type: 'refresh_token',
    client_id: opts.clientId ?? DEFAULT_CLIENT_ID,
    refresh_token: opts.refreshToken,
  };
  if (opts.scope !== undefined) body.scope = opts.scope;
  if (opts.ttl !== undefined) body.ttl = opts.ttl;
  const issuedAt = transport.now();
  const res = await requestJson<TokenResponse>(
    { method: 'POST', url: tokenEndpoint(opts.config), body, errnoSpace: 'oauth' },
    transport,
  );
  return parseTokens(res, issuedAt, opts.scope ?? OLDSYNC_SCOPE).accessToken;
}

/** `POST /v1/oauth/destroy` for a refresh token (also drops the device registered with it). */
export async function destroyRefreshToken(
  opts: TransportOptions & { config: ServerConfig; refreshToken: string; clientId?: string },
): Promise<void> {
  await requestJson<unknown>(
    {
      method: 'POST',
      url: joinUrl(opts.config.authUrl, '/oauth/destroy'),
      body: { client_id: opts.clientId ?? DEFAULT_CLIENT_ID, token: opts.refreshToken, token_type_hint: 'refresh_token' },
      errnoSpace: 'oauth',
    },
    resolveTransport(opts),
  );
}

/** `GET <profile>/profile` with an access token that has the `profile` scope. */
export async function fetchProfile(
  opts: TransportOptions & { config: ServerConfig; accessToken: string },
): Promise<{ uid: string; email: string }> {
  const res = await requestJson<{ uid?: unknown; email?: unknown }>(
    { method: 'GET', url: joinUrl(opts.config.profileUrl, '/profile'), auth: { kind: 'bearer', token: opts.accessToken } },
    resolveTransport(opts),
  );
  if (typeof res.uid !== 'string' || typeof res.email !== 'string') {
    throw new AccountError('bad-response', { serverMessage: 'profile lacks uid/email' });
  }
  return { uid: res.uid, email: res.email };
}
