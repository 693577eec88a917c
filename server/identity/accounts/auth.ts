// Authenticating FxA token-protected requests: typed bearer (`Bearer fxs_…`/`fxk_…`), Hawk with the
// token's request HMAC key, and oldsync-scoped OAuth refresh tokens on device routes (protocol.md §1.1).
import type { ServerRequest } from '../../core/http.ts';
import type { Account, IdentityState, KeyFetchToken, RefreshToken, SessionToken } from '../state.ts';
import { errors } from '../util/errors.ts';
import { parseHawkHeader, verifyHawk } from '../util/hawk.ts';
import { sha256 } from '../util/kdf.ts';

export const OLDSYNC_SCOPE = 'https://identity.mozilla.com/apps/oldsync';

interface TokenWithKey {
  uid: string;
  reqHMACkey: Buffer;
}

function authorizationHeader(req: ServerRequest): string | null {
  const value = req.headers.authorization;
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function tokenFromHeader<T extends TokenWithKey>(
  state: IdentityState,
  req: ServerRequest,
  header: string,
  prefix: string,
  store: Map<string, T>,
): T | null {
  const bearer = new RegExp(`^Bearer ${prefix}_([0-9a-f]{64})$`).exec(header);
  if (bearer?.[1]) {
    return store.get(bearer[1]) ?? null;
  }
  if (/^Hawk\s/i.test(header)) {
    const attrs = parseHawkHeader(header);
    if (!attrs) throw errors.invalidToken('Invalid authentication token: Bad header format');
    const token = store.get(attrs.id);
    if (!token) return null;
    verifyHawk(req, attrs, token.reqHMACkey, state.ctx.now(), state.hawkNonces);
    return token;
  }
  throw errors.invalidToken('Invalid authentication token: Unsupported authorization scheme');
}

function accountFor(state: IdentityState, uid: string): Account {
  const account = state.accounts.get(uid);
  if (!account) throw errors.invalidToken('The authentication token could not be found');
  return account;
}

export interface SessionAuth {
  session: SessionToken;
  account: Account;
}

export function authenticateSession(state: IdentityState, req: ServerRequest): SessionAuth {
  const header = authorizationHeader(req);
  if (!header) throw errors.invalidToken('Invalid authentication token: Missing authentication');
  const session = tokenFromHeader(state, req, header, 'fxs', state.sessions);
  if (!session) throw errors.invalidToken('The authentication token could not be found');
  session.lastAccessTime = state.ctx.now();
  return { session, account: accountFor(state, session.uid) };
}

export function authenticateKeyFetch(state: IdentityState, req: ServerRequest): { token: KeyFetchToken; account: Account } {
  const header = authorizationHeader(req);
  if (!header) throw errors.invalidToken('Invalid authentication token: Missing authentication');
  const token = tokenFromHeader(state, req, header, 'fxk', state.keyFetchTokens);
  if (!token) throw errors.invalidToken('The authentication token could not be found');
  return { token, account: accountFor(state, token.uid) };
}

export type DeviceCaller =
  | { kind: 'session'; session: SessionToken; account: Account }
  | { kind: 'refresh'; refresh: RefreshToken; account: Account };

/** Device routes accept a session token or an OAuth refresh token carrying the oldsync scope. */
export function authenticateDeviceCaller(state: IdentityState, req: ServerRequest): DeviceCaller {
  const header = authorizationHeader(req);
  if (!header) throw errors.invalidToken('Invalid authentication token: Missing authentication');
  const refresh = /^Bearer ([0-9a-f]{64})$/.exec(header);
  if (refresh?.[1]) {
    const record = state.refreshTokens.get(hashRefreshToken(refresh[1]));
    if (!record) throw errors.invalidToken();
    if (!record.scope.includes(OLDSYNC_SCOPE)) throw errors.oauthInvalidScopes(record.scope);
    record.lastUsedAt = state.ctx.now();
    return { kind: 'refresh', refresh: record, account: accountFor(state, record.uid) };
  }
  return { kind: 'session', ...authenticateSession(state, req) };
}

export function hashRefreshToken(token: string): string {
  return sha256(Buffer.from(token, 'hex')).toString('hex');
}
