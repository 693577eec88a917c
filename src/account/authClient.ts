// FxA auth-server client for the password path (protocol.md §1): onepw stretching (v1, and v2
// when the account has it), login, session verification (emailed code or TOTP), key fetch.
// kB, unwrapBKey and the tokens are secrets: nothing here logs them.
import {
  deriveCredentialsV1,
  deriveCredentialsV2,
  bytesToHex,
  KeyBundleMacError,
  unwrapKeysBundle,
} from '../sync/crypto/index.ts';
import type { FxaCredentials } from '../sync/crypto/index.ts';
import type { ServerConfig } from './config.ts';
import { AccountError, isAccountError } from './errors.ts';
import type { FetchLike, TokenAuthMode, TransportOptions } from './http.ts';
import { joinUrl, requestJson, resolveTransport } from './http.ts';

export type VerificationMethod = 'email' | 'email-otp' | 'email-2fa' | 'email-captcha' | 'totp-2fa';

const VERIFICATION_METHODS: ReadonlySet<string> = new Set(['email', 'email-otp', 'email-2fa', 'email-captcha', 'totp-2fa']);

/** A signed-in (maybe not yet verified) FxA session. Functions below update it in place. */
export interface FxaSession {
  config: ServerConfig;
  authMode: TokenAuthMode;
  uid: string;
  /** The address the account was created with (after any errno-120 correction). */
  email: string;
  sessionToken: string;
  /** Single use; null once the keys were fetched. */
  keyFetchToken: string | null;
  /** 2 when the server answered `keyFetchTokenVersion2` (v2 key stretching). */
  keyFetchTokenVersion: 1 | 2;
  /** Unwraps kB from the key bundle; zeroed after fetchKeys. */
  unwrapBKey: Uint8Array;
  verified: boolean;
  verificationMethod: VerificationMethod | null;
  /** `signup` (account email unverified) or `login` (new session confirmation), when unverified. */
  verificationReason: string | null;
  /** Seconds, as the server reported it. */
  authAt: number | null;
}

export type PasswordSignInResult =
  | { state: 'verified'; session: FxaSession }
  | { state: 'needs-verification'; method: VerificationMethod; reason: string | null; session: FxaSession };

export interface PasswordSignInOptions extends TransportOptions {
  config: ServerConfig;
  email: string;
  password: string;
  /** What we ask FxA for when it wants the sign-in confirmed; a code is easier than a link here. */
  verificationMethod?: Exclude<VerificationMethod, 'totp-2fa'>;
  /** From the "unblock" email, after an errno 125 (see sendUnblockCode). */
  unblockCode?: string;
  /** Sent as `service`; FxA uses it for emails and metrics. */
  service?: string;
}

/** Options for calls on an existing session (its config and auth mode come from the session). */
export interface SessionCallOptions {
  fetch?: FetchLike;
  now?: () => number;
}

interface LoginResponse {
  uid?: unknown;
  sessionToken?: unknown;
  keyFetchToken?: unknown;
  keyFetchTokenVersion2?: unknown;
  verified?: unknown;
  verificationMethod?: unknown;
  verificationReason?: unknown;
  authAt?: unknown;
}

interface CredentialsStatus {
  currentVersion?: unknown;
  clientSalt?: unknown;
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;

function transportFor(session: FxaSession, opts: SessionCallOptions) {
  return resolveTransport({ ...opts, authMode: session.authMode });
}

/**
 * Asks which password verifier the account uses. Returns the v2 client salt when the account has
 * one; null means "use v1" (including older servers without this endpoint).
 */
async function clientSaltV2(opts: PasswordSignInOptions, transport: ReturnType<typeof resolveTransport>): Promise<string | null> {
  let status: CredentialsStatus;
  try {
    status = await requestJson<CredentialsStatus>(
      { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/credentials/status'), body: { email: opts.email } },
      transport,
    );
  } catch (err) {
    // Servers from before v2 key stretching have no such route: fall back to v1.
    if (isAccountError(err, 'bad-response') && (err.status === 404 || err.status === 405)) return null;
    throw err;
  }
  if (status.currentVersion === 'v2' && typeof status.clientSalt === 'string' && status.clientSalt !== '') {
    return status.clientSalt;
  }
  return null;
}

function parseLogin(res: LoginResponse): Omit<FxaSession, 'config' | 'authMode' | 'email' | 'unwrapBKey' | 'keyFetchTokenVersion'> & {
  keyFetchTokenVersion: 1 | 2 | null;
} {
  const uid = typeof res.uid === 'string' ? res.uid.toLowerCase() : '';
  const sessionToken = typeof res.sessionToken === 'string' ? res.sessionToken.toLowerCase() : '';
  if (!HEX32.test(uid) || !HEX64.test(sessionToken)) {
    throw new AccountError('bad-response', { serverMessage: 'login response lacks uid/sessionToken' });
  }
  let keyFetchToken: string | null = null;
  let keyFetchTokenVersion: 1 | 2 | null = null;
  if (typeof res.keyFetchTokenVersion2 === 'string') {
    keyFetchToken = res.keyFetchTokenVersion2.toLowerCase();
    keyFetchTokenVersion = 2;
  } else if (typeof res.keyFetchToken === 'string') {
    keyFetchToken = res.keyFetchToken.toLowerCase();
    keyFetchTokenVersion = 1;
  }
  if (keyFetchToken === null || !HEX64.test(keyFetchToken)) {
    throw new AccountError('bad-response', { serverMessage: 'login response lacks a keyFetchToken' });
  }
  const method = typeof res.verificationMethod === 'string' && VERIFICATION_METHODS.has(res.verificationMethod)
    ? (res.verificationMethod as VerificationMethod)
    : null;
  return {
    uid,
    sessionToken,
    keyFetchToken,
    keyFetchTokenVersion,
    // Older servers omit `verified` on verified sessions.
    verified: res.verified !== false,
    verificationMethod: method,
    verificationReason: typeof res.verificationReason === 'string' ? res.verificationReason : null,
    authAt: typeof res.authAt === 'number' ? res.authAt : null,
  };
}

/**
 * Password sign-in: stretch the password, `POST /account/login?keys=true`, and report whether the
 * session must be confirmed first. Retries once with the server's address on errno 120.
 */
export async function passwordSignIn(opts: PasswordSignInOptions): Promise<PasswordSignInResult> {
  const transport = resolveTransport(opts);
  const typedEmail = opts.email.trim();
  const salt = await clientSaltV2({ ...opts, email: typedEmail }, transport);
  const v2: FxaCredentials | null = salt === null ? null : await deriveCredentialsV2(salt, opts.password);

  let loginEmail = typedEmail;
  let v1 = await deriveCredentialsV1(loginEmail, opts.password);
  for (let attempt = 0; ; attempt++) {
    const body: Record<string, unknown> = {
      email: loginEmail,
      authPW: bytesToHex((v2 ?? v1).authPW),
      service: opts.service ?? 'sync',
      verificationMethod: opts.verificationMethod ?? 'email-otp',
    };
    if (loginEmail !== typedEmail) body.originalLoginEmail = typedEmail;
    if (opts.unblockCode) body.unblockCode = opts.unblockCode.trim();
    let res: LoginResponse;
    try {
      res = await requestJson<LoginResponse>(
        { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/login?keys=true'), body, credentials: 'include' },
        transport,
      );
    } catch (err) {
      // The v1 salt is the address the account was created with; FxA tells us which (errno 120).
      if (attempt === 0 && isAccountError(err, 'email-case') && err.email && err.email !== loginEmail) {
        loginEmail = err.email;
        if (!v2) v1 = await deriveCredentialsV1(loginEmail, opts.password);
        continue;
      }
      throw err;
    }
    const parsed = parseLogin(res);
    const version = parsed.keyFetchTokenVersion ?? 1;
    const unwrapBKey = version === 2 && v2 ? v2.unwrapBKey : v1.unwrapBKey;
    const session: FxaSession = {
      ...parsed,
      keyFetchTokenVersion: version,
      config: opts.config,
      authMode: transport.authMode,
      email: loginEmail,
      unwrapBKey,
    };
    if (session.verified) return { state: 'verified', session };
    const method = session.verificationMethod ?? 'email';
    return { state: 'needs-verification', method, reason: session.verificationReason, session };
  }
}

/** Strips the spaces and dashes people type into codes. */
function cleanCode(code: string): string {
  return code.replace(/[\s-]/g, '');
}

/**
 * Confirms the session with the code the person received: TOTP for `totp-2fa`, the emailed code
 * otherwise. A wrong code throws AccountError('invalid-code') and leaves the session usable for
 * another try.
 */
export async function verifySession(session: FxaSession, code: string, opts: SessionCallOptions = {}): Promise<FxaSession> {
  const transport = transportFor(session, opts);
  const clean = cleanCode(code);
  if (!/^\d+$/.test(clean)) throw new AccountError('invalid-code', { serverMessage: 'code must be digits' });
  const auth = { kind: 'fxa-token', token: session.sessionToken, tokenKind: 'sessionToken' } as const;
  if (session.verificationMethod === 'totp-2fa') {
    const res = await requestJson<{ success?: unknown }>(
      { method: 'POST', url: joinUrl(session.config.authUrl, '/session/verify/totp'), body: { code: clean, service: 'sync' }, auth },
      transport,
    );
    if (res.success !== true) throw new AccountError('invalid-code');
  } else {
    await requestJson<unknown>(
      { method: 'POST', url: joinUrl(session.config.authUrl, '/session/verify_code'), body: { code: clean }, auth },
      transport,
    );
  }
  session.verified = true;
  return session;
}

/** Asks FxA to email the confirmation code again (not for TOTP). */
export async function resendCode(session: FxaSession, opts: SessionCallOptions = {}): Promise<void> {
  if (session.verificationMethod === 'totp-2fa') throw new AccountError('totp-required');
  await requestJson<unknown>(
    {
      method: 'POST',
      url: joinUrl(session.config.authUrl, '/session/resend_code'),
      body: {},
      auth: { kind: 'fxa-token', token: session.sessionToken, tokenKind: 'sessionToken' },
    },
    transportFor(session, opts),
  );
}

/** `GET /session/status`: whether the session was confirmed (e.g. by a link clicked elsewhere). */
export async function isSessionVerified(session: FxaSession, opts: SessionCallOptions = {}): Promise<boolean> {
  const res = await requestJson<{ state?: unknown }>(
    {
      method: 'GET',
      url: joinUrl(session.config.authUrl, '/session/status'),
      auth: { kind: 'fxa-token', token: session.sessionToken, tokenKind: 'sessionToken' },
    },
    transportFor(session, opts),
  );
  const verified = res.state === 'verified';
  if (verified) session.verified = true;
  return verified;
}

/** Emails an unblock code after a login was blocked (errno 125); pass it as `unblockCode`. */
export async function sendUnblockCode(opts: TransportOptions & { config: ServerConfig; email: string }): Promise<void> {
  await requestJson<unknown>(
    { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/login/send_unblock_code'), body: { email: opts.email.trim() } },
    resolveTransport(opts),
  );
}

/**
 * `GET /account/keys` with the keyFetchToken → kB. Call only once the session is verified: the
 * token is single use. Afterwards the session no longer holds the keyFetchToken or unwrapBKey.
 */
export async function fetchKeys(session: FxaSession, opts: SessionCallOptions = {}): Promise<{ kB: Uint8Array }> {
  const keyFetchToken = session.keyFetchToken;
  if (!keyFetchToken) throw new AccountError('session-expired', { serverMessage: 'keyFetchToken already used' });
  const res = await requestJson<{ bundle?: unknown }>(
    {
      method: 'GET',
      url: joinUrl(session.config.authUrl, '/account/keys'),
      auth: { kind: 'fxa-token', token: keyFetchToken, tokenKind: 'keyFetchToken' },
    },
    transportFor(session, opts),
  );
  if (typeof res.bundle !== 'string' || !/^[0-9a-fA-F]{192}$/.test(res.bundle)) {
    throw new AccountError('bad-response', { serverMessage: 'account/keys bundle missing or malformed' });
  }
  let kB: Uint8Array;
  try {
    kB = unwrapKeysBundle(keyFetchToken, res.bundle, session.unwrapBKey).kB;
  } catch (err) {
    if (err instanceof KeyBundleMacError) throw new AccountError('bad-response', { serverMessage: err.message, cause: err });
    throw err;
  }
  session.keyFetchToken = null;
  session.unwrapBKey.fill(0);
  return { kB };
}

/** `POST /session/destroy`; an already-gone session counts as destroyed. */
export async function destroySession(
  session: Pick<FxaSession, 'config' | 'authMode' | 'sessionToken'>,
  opts: SessionCallOptions = {},
): Promise<void> {
  try {
    await requestJson<unknown>(
      {
        method: 'POST',
        url: joinUrl(session.config.authUrl, '/session/destroy'),
        body: {},
        auth: { kind: 'fxa-token', token: session.sessionToken, tokenKind: 'sessionToken' },
      },
      resolveTransport({ ...opts, authMode: session.authMode }),
    );
  } catch (err) {
    if (isAccountError(err, 'session-expired')) return;
    throw err;
  }
}
