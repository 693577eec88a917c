// OAuth token endpoint and revocation: `/v1/oauth/token` on the auth server (session-token aware) and
// the legacy OAuth-server paths `/v1/token`, `/v1/destroy` (mozilla/fxa lib/routes/oauth/token.js, destroy.js).
import { createHash } from 'node:crypto';
import type { ServerRequest } from '../../core/http.ts';
import { OLDSYNC_SCOPE, authenticateSession } from '../accounts/auth.ts';
import type { SessionAuth } from '../accounts/auth.ts';
import type { IdentityState } from '../state.ts';
import { errors, FxaError } from '../util/errors.ts';
import { optionalString, readJsonObject, readJsonOrForm, requireString } from '../util/respond.ts';
import type { Route } from '../util/router.ts';
import { ok } from '../util/router.ts';
import type { ClientRegistry, OAuthClient } from './clients.ts';
import { parseScope } from './clients.ts';
import { scopedKeyData } from './scoped-keys.ts';
import {
  MAX_ACCESS_TOKEN_TTL_SECONDS,
  findAccessToken,
  findRefreshToken,
  issueAccessToken,
  issueRefreshToken,
  revokeRefreshToken,
} from './tokens.ts';

export const CODE_LIFETIME_MS = 10 * 60 * 1000;

function pkceHash(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

function ttlParam(body: Record<string, unknown>): number {
  if (body.ttl === undefined) return MAX_ACCESS_TOKEN_TTL_SECONDS;
  const ttl = Number(body.ttl);
  if (!Number.isFinite(ttl) || ttl <= 0) throw errors.oauthInvalidRequestParameter('ttl');
  return Math.min(Math.floor(ttl), MAX_ACCESS_TOKEN_TTL_SECONDS);
}

export function oauthRoutes(state: IdentityState, clients: ClientRegistry): Route[] {
  const now = () => state.ctx.now();

  function clientOrThrow(body: Record<string, unknown>): OAuthClient {
    const clientId = requireString(body, 'client_id');
    const client = clients.get(clientId);
    if (!client) throw errors.oauthUnknownClient(clientId);
    return client;
  }

  function tokenResponse(opts: {
    uid: string;
    client: OAuthClient;
    scope: string[];
    ttl: number;
    authAt: number;
    offline: boolean;
    keysJwe?: string | null;
    includeAuthAt: boolean;
  }) {
    const access = issueAccessToken(state, { uid: opts.uid, clientId: opts.client.id, scope: opts.scope, ttlSeconds: opts.ttl, authAt: opts.authAt });
    const body: Record<string, unknown> = {
      access_token: access.token,
      token_type: 'bearer',
      scope: opts.scope.join(' '),
      expires_in: opts.ttl,
    };
    if (opts.includeAuthAt) body.auth_at = Math.floor(opts.authAt / 1000);
    if (opts.offline) {
      body.refresh_token = issueRefreshToken(state, { uid: opts.uid, clientId: opts.client.id, scope: opts.scope, authAt: opts.authAt }).token;
    }
    if (opts.keysJwe) body.keys_jwe = opts.keysJwe;
    return body;
  }

  function credentialsGrant(body: Record<string, unknown>, auth: SessionAuth | null) {
    if (!auth) throw errors.invalidToken();
    const client = clientOrThrow(body);
    if (!client.canGrant) throw errors.oauthInvalidGrantType();
    const scope = parseScope(requireString(body, 'scope'), client);
    const accessType = optionalString(body, 'access_type') ?? 'online';
    if (accessType !== 'online' && accessType !== 'offline') throw errors.oauthInvalidRequestParameter('access_type');
    // Key-bearing scopes need a verified session (grant.js validateRequestedGrant).
    const verified = auth.session.verified && auth.account.emailVerified;
    if (scope.includes(OLDSYNC_SCOPE) && !verified) throw errors.oauthInvalidAssertion();
    return tokenResponse({ uid: auth.account.uid, client, scope, ttl: ttlParam(body), authAt: auth.session.authAt, offline: accessType === 'offline', includeAuthAt: true });
  }

  function codeGrant(body: Record<string, unknown>) {
    const client = clientOrThrow(body);
    const code = requireString(body, 'code');
    const verifier = optionalString(body, 'code_verifier');
    if (verifier !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw errors.oauthInvalidRequestParameter('code_verifier');
    const record = state.codes.get(code);
    if (!record) throw errors.oauthUnknownCode(code);
    if (record.clientId !== client.id) throw errors.oauthMismatchCode(code, client.id);
    const expiresAt = record.createdAt + CODE_LIFETIME_MS;
    if (now() > expiresAt) throw errors.oauthExpiredCode(code, expiresAt);
    const hash = verifier === undefined ? undefined : pkceHash(verifier);
    if (record.codeChallenge) {
      if (!hash) throw errors.oauthMissingPkce();
      if (hash !== record.codeChallenge) throw errors.oauthMismatchCodeChallenge(hash);
    } else if (hash) {
      throw errors.oauthMismatchCodeChallenge(hash);
    }
    const redirectUri = optionalString(body, 'redirect_uri');
    if (redirectUri !== undefined && redirectUri !== record.redirectUri) throw errors.oauthIncorrectRedirect(redirectUri);
    state.codes.delete(code); // one-time use
    return tokenResponse({ uid: record.uid, client, scope: record.scope, ttl: ttlParam(body), authAt: record.authAt, offline: record.offline, keysJwe: record.keysJwe, includeAuthAt: true });
  }

  function refreshGrant(body: Record<string, unknown>) {
    const client = clientOrThrow(body);
    const record = findRefreshToken(state, requireString(body, 'refresh_token'));
    if (!record || record.clientId !== client.id) throw errors.oauthInvalidToken();
    let scope = record.scope;
    const requested = optionalString(body, 'scope');
    if (requested !== undefined) {
      const wanted = [...new Set(requested.split(/\s+/).filter((s) => s.length > 0))];
      const extra = wanted.filter((s) => !record.scope.includes(s));
      if (extra.length > 0) throw errors.oauthInvalidScopes(extra);
      scope = wanted;
    }
    scope = scope.filter((s) => s !== 'openid' && s !== 'https://identity.mozilla.com/tokens/session');
    record.lastUsedAt = now();
    return tokenResponse({ uid: record.uid, client, scope, ttl: ttlParam(body), authAt: record.authAt, offline: false, includeAuthAt: false });
  }

  function grant(body: Record<string, unknown>, auth: SessionAuth | null) {
    const grantType = optionalString(body, 'grant_type') ?? (body.code !== undefined ? 'authorization_code' : 'fxa-credentials');
    switch (grantType) {
      case 'fxa-credentials':
        return credentialsGrant(body, auth);
      case 'authorization_code':
        return codeGrant(body);
      case 'refresh_token':
        return refreshGrant(body);
      default:
        throw errors.oauthInvalidGrantType();
    }
  }

  async function authServerToken(req: ServerRequest) {
    const body = readJsonObject(req);
    const auth = req.headers.authorization ? authenticateSession(state, req) : null;
    try {
      return ok(state, grant(body, auth));
    } catch (err) {
      // The auth server maps the OAuth "invalid token" (108) to its own 401/110 (token.js).
      if (err instanceof FxaError && err.errno === 108 && err.status === 400) throw errors.invalidToken();
      throw err;
    }
  }

  async function oauthServerToken(req: ServerRequest) {
    const body = readJsonOrForm(req);
    if (body.grant_type === 'fxa-credentials') throw errors.oauthInvalidGrantType();
    return ok(state, grant(body, null));
  }

  /** Revokes one token; returns false when it is unknown. */
  function revoke(token: string, hint: string | undefined): boolean {
    const order = hint === 'refresh_token' ? ['refresh', 'access'] : ['access', 'refresh'];
    for (const kind of order) {
      if (kind === 'access' && state.accessTokens.delete(token)) return true;
      if (kind === 'refresh') {
        const record = findRefreshToken(state, token);
        if (record) {
          revokeRefreshToken(state, record);
          return true;
        }
      }
    }
    return false;
  }

  async function authServerDestroy(req: ServerRequest) {
    const body = readJsonObject(req);
    const clientId = optionalString(body, 'client_id');
    if (clientId !== undefined && !clients.get(clientId)) throw errors.unknownClientId(clientId);
    const token = requireString(body, 'token');
    revoke(token, optionalString(body, 'token_type_hint'));
    // RFC 7009: unknown tokens are silently accepted.
    return ok(state, {});
  }

  async function oauthServerDestroy(req: ServerRequest) {
    const body = readJsonOrForm(req);
    const access = optionalString(body, 'access_token') ?? optionalString(body, 'token');
    const refresh = optionalString(body, 'refresh_token');
    const found = access !== undefined ? state.accessTokens.delete(access) : refresh !== undefined ? revoke(refresh, 'refresh_token') : false;
    if (!found) throw errors.oauthInvalidToken();
    return ok(state, {});
  }

  async function scopedKeyDataRoute(req: ServerRequest) {
    const { session, account } = authenticateSession(state, req);
    const body = readJsonObject(req);
    const clientId = requireString(body, 'client_id');
    const client = clients.get(clientId);
    if (!client) throw errors.unknownClientId(clientId);
    const scope = parseScope(requireString(body, 'scope'), client);
    if (scope.includes(OLDSYNC_SCOPE) && !(session.verified && account.emailVerified)) throw errors.oauthInvalidAssertion();
    return ok(state, scopedKeyData(account, scope));
  }

  /** Resource-server token check (FxA's POST /v1/verify), handy for debugging clients. */
  async function verify(req: ServerRequest) {
    const body = readJsonObject(req);
    const record = findAccessToken(state, requireString(body, 'token'));
    if (!record) throw errors.oauthInvalidToken();
    return ok(state, { user: record.uid, client_id: record.clientId, scope: record.scope, generation: 0 });
  }

  return [
    { method: 'POST', path: '/v1/oauth/token', handle: authServerToken },
    { method: 'POST', path: '/v1/token', handle: oauthServerToken },
    { method: 'POST', path: '/v1/oauth/destroy', handle: authServerDestroy },
    { method: 'POST', path: '/v1/destroy', handle: oauthServerDestroy },
    { method: 'POST', path: '/v1/account/scoped-key-data', handle: scopedKeyDataRoute },
    { method: 'POST', path: '/v1/verify', handle: verify },
  ];
}
