// Server-side Hawk verification for FxA token-authenticated routes (protocol.md §1.1, §3).
// Self-hosted FxA validates MAC, timestamp, nonce and (when sent) payload hash; so do we.
import type { ServerRequest } from '../../core/http.ts';
import { hawkHashMatches, hawkMacMatches, type HawkAttributes } from '../../core/hawk.ts';
import { errors } from './errors.ts';

export type { HawkAttributes } from '../../core/hawk.ts';
export { parseHawkHeader } from '../../core/hawk.ts';

/** Hawk's default allowance between client and server clocks. */
export const HAWK_SKEW_SECONDS = 60;

/**
 * Verifies a parsed Hawk header against the token's request HMAC key. Throws FxA errors:
 * 109 bad MAC or payload hash, 111 stale timestamp (with serverTime), 115 replayed nonce.
 */
export function verifyHawk(
  req: ServerRequest,
  attrs: HawkAttributes,
  key: Buffer,
  nowMs: number,
  nonces: Map<string, number>,
): void {
  if (!hawkMacMatches(req, attrs, key)) throw errors.invalidSignature('Bad mac');
  if (!hawkHashMatches(req, attrs)) throw errors.invalidSignature('Bad payload hash');
  const nowSec = Math.floor(nowMs / 1000);
  const ts = Number(attrs.ts);
  if (!Number.isInteger(ts) || Math.abs(ts - nowSec) > HAWK_SKEW_SECONDS) throw errors.invalidTimestamp(nowSec);
  for (const [k, expiry] of nonces) if (expiry < nowMs) nonces.delete(k);
  const nonceKey = `${attrs.id}:${attrs.nonce}`;
  if (nonces.has(nonceKey)) throw errors.invalidNonce();
  nonces.set(nonceKey, nowMs + 2 * HAWK_SKEW_SECONDS * 1000);
}
