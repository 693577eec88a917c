// OAuth access and refresh tokens: 32 random bytes as hex, refresh tokens stored only as a hash.
import { randomBytes } from 'node:crypto';
import { hashRefreshToken } from '../accounts/auth.ts';
import type { AccessToken, IdentityState, RefreshToken } from '../state.ts';

/** Cap on access-token lifetime (FxA's oauthServer.expiration.accessToken is config; ours is a day). */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export function issueAccessToken(
  state: IdentityState,
  opts: { uid: string; clientId: string; scope: string[]; ttlSeconds: number; authAt: number },
): AccessToken {
  const now = state.ctx.now();
  const record: AccessToken = {
    token: randomBytes(32).toString('hex'),
    uid: opts.uid,
    clientId: opts.clientId,
    scope: opts.scope,
    createdAt: now,
    expiresAt: now + opts.ttlSeconds * 1000,
    authAt: opts.authAt,
  };
  state.accessTokens.set(record.token, record);
  return record;
}

export function issueRefreshToken(
  state: IdentityState,
  opts: { uid: string; clientId: string; scope: string[]; authAt: number },
): { token: string; record: RefreshToken } {
  const token = randomBytes(32).toString('hex');
  const now = state.ctx.now();
  const record: RefreshToken = { id: hashRefreshToken(token), uid: opts.uid, clientId: opts.clientId, scope: opts.scope, createdAt: now, authAt: opts.authAt, lastUsedAt: now };
  state.refreshTokens.set(record.id, record);
  return { token, record };
}

/** A live access token, or null when unknown or expired. */
export function findAccessToken(state: IdentityState, token: string): AccessToken | null {
  const record = state.accessTokens.get(token);
  if (!record) return null;
  if (record.expiresAt <= state.ctx.now()) return null;
  return record;
}

export function findRefreshToken(state: IdentityState, token: string): RefreshToken | null {
  if (!/^[0-9a-f]{64}$/.test(token)) return null;
  return state.refreshTokens.get(hashRefreshToken(token)) ?? null;
}

/** Revoking a refresh token also drops the device registered with it. */
export function revokeRefreshToken(state: IdentityState, record: RefreshToken): void {
  state.refreshTokens.delete(record.id);
  for (const [id, device] of state.devices) if (device.refreshTokenId === record.id) state.devices.delete(id);
}
