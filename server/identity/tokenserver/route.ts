// Token server `GET /token/1.0/sync/1.5`: OAuth bearer + X-KeyID in, Hawk credentials for the
// storage node out (mozilla-services/syncstorage-rs tokenserver; protocol.md §2.6).
import type { ServerRequest, ServerResponse } from '../../core/http.ts';
import { OLDSYNC_SCOPE } from '../accounts/auth.ts';
import { findAccessToken } from '../oauth/tokens.ts';
import type { IdentityState } from '../state.ts';
import { hmacSha256 } from '../util/kdf.ts';
import type { Route } from '../util/router.ts';
import { TokenserverRefusal, allocateUser, followNodeReassignment } from './users.ts';

/** syncstorage-rs default token duration (seconds). */
export const TOKEN_DURATION_SECONDS = 3600;
const CLIENT_STATE = /^[a-zA-Z0-9._-]{1,32}$/;

function tsJson(state: IdentityState, status: number, body: unknown): ServerResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'x-timestamp': String(Math.floor(state.ctx.now() / 1000)),
      'x-content-type-options': 'nosniff',
    },
    body: JSON.stringify(body),
  };
}

function tsError(state: IdentityState, status: number, statusName: string, location: string, name: string, description: string): ServerResponse {
  return tsJson(state, status, { status: statusName, errors: [{ location, name, description }] });
}

export function tokenserverRoutes(state: IdentityState): Route[] {
  async function getToken(req: ServerRequest): Promise<ServerResponse> {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.length === 0) return tsError(state, 401, 'error', 'body', '', 'Unauthorized');
    const space = header.indexOf(' ');
    if (space < 0) return tsError(state, 401, 'error', 'body', '', 'Unauthorized');
    if (header.slice(0, space).toLowerCase() !== 'bearer') return tsError(state, 401, 'error', 'body', '', 'Unsupported');
    const access = findAccessToken(state, header.slice(space + 1).trim());
    if (!access || !access.scope.includes(OLDSYNC_SCOPE) || !state.accounts.has(access.uid)) {
      return tsError(state, 401, 'invalid-credentials', 'body', '', 'Unauthorized');
    }

    const keyId = req.headers['x-keyid'];
    if (typeof keyId !== 'string') return tsError(state, 401, 'invalid-key-id', 'header', '', 'Missing X-KeyID header');
    const dash = keyId.indexOf('-');
    if (dash < 0) return tsError(state, 401, 'invalid-credentials', 'body', '', 'Unauthorized');
    const kcaText = keyId.slice(0, dash);
    const encodedState = keyId.slice(dash + 1);
    if (!/^[A-Za-z0-9_-]*$/.test(encodedState) || !/^-?\d+$/.test(kcaText)) {
      return tsError(state, 401, 'invalid-credentials', 'body', '', 'Unauthorized');
    }
    const clientState = Buffer.from(encodedState, 'base64url').toString('hex');
    const xcs = req.headers['x-client-state'];
    if (typeof xcs === 'string') {
      if (!CLIENT_STATE.test(xcs)) return tsError(state, 400, 'error', 'header', 'X-Client-State', 'Invalid client state value');
      if (xcs !== clientState) return tsError(state, 401, 'invalid-client-state', 'body', '', 'Unauthorized');
    }
    const kcaNumber = Number(kcaText);
    // The token server treats 0 like "absent" (convert_zero_to_none).
    const keysChangedAt = kcaNumber === 0 ? null : kcaNumber;

    let user;
    try {
      user = allocateUser(state, access.uid, clientState, keysChangedAt);
    } catch (err) {
      if (err instanceof TokenserverRefusal) return tsError(state, 401, err.status, err.location, err.errorName, err.description);
      throw err;
    }
    followNodeReassignment(user, (uid) => state.ctx.nodes.currentGeneration(uid));

    const requested = req.url.searchParams.get('duration');
    const parsed = requested === null ? NaN : Number(requested);
    const duration = Number.isInteger(parsed) && parsed >= 0 && parsed <= TOKEN_DURATION_SECONDS ? parsed : TOKEN_DURATION_SECONDS;
    const creds = state.ctx.hawkTokens.issue({
      uid: user.storageUid,
      generation: state.ctx.nodes.currentGeneration(user.storageUid),
      ttlSeconds: duration,
    });
    return tsJson(state, 200, {
      id: creds.id,
      key: creds.key,
      uid: Number(user.storageUid),
      api_endpoint: `${state.ctx.origin}/storage/1.5/${user.storageUid}`,
      duration,
      hashed_fxa_uid: hmacSha256(state.metricsSecret, access.uid).toString('hex').slice(0, 32),
      hashalg: 'sha256',
      node_type: 'spanner',
    });
  }

  return [{ method: 'GET', path: '/token/1.0/sync/1.5', handle: getToken }];
}
