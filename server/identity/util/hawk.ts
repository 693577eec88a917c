// Server-side Hawk verification for FxA token-authenticated routes (protocol.md §1.1, §3).
// Self-hosted FxA validates MAC, timestamp, nonce and (when sent) payload hash; so do we.
import type { ServerRequest } from '../../core/http.ts';
import { errors } from './errors.ts';
import { hmacSha256, safeEqual, sha256 } from './kdf.ts';

export interface HawkAttributes {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
}

const ALLOWED = new Set(['id', 'ts', 'nonce', 'hash', 'ext', 'mac', 'app', 'dlg']);
/** Hawk's default allowance between client and server clocks. */
export const HAWK_SKEW_SECONDS = 60;

export function parseHawkHeader(header: string): HawkAttributes | null {
  const match = /^Hawk\s+(.+)$/i.exec(header.trim());
  if (!match?.[1]) return null;
  const attrs: Record<string, string> = {};
  const re = /(\w+)="([^"\\]*)"\s*(?:,\s*|$)/g;
  let consumed = 0;
  for (let m = re.exec(match[1]); m; m = re.exec(match[1])) {
    const [, key, value] = m;
    if (!key || value === undefined || !ALLOWED.has(key) || key in attrs) return null;
    attrs[key] = value;
    consumed = re.lastIndex;
  }
  if (consumed !== match[1].length) return null;
  const { id, ts, nonce, mac, hash, ext } = attrs;
  if (!id || !ts || !nonce || !mac) return null;
  return { id, ts, nonce, mac, ...(hash !== undefined ? { hash } : {}), ...(ext !== undefined ? { ext } : {}) };
}

export function payloadHash(contentType: string, body: Buffer): string {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return sha256(Buffer.concat([Buffer.from(`hawk.1.payload\n${type}\n`), body, Buffer.from('\n')])).toString('base64');
}

export function normalizedString(req: ServerRequest, attrs: HawkAttributes): string {
  const host = req.url.hostname.toLowerCase();
  const port = req.url.port || (req.url.protocol === 'https:' ? '443' : '80');
  const ext = (attrs.ext ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return [
    'hawk.1.header',
    attrs.ts,
    attrs.nonce,
    req.method.toUpperCase(),
    req.url.pathname + req.url.search,
    host,
    port,
    attrs.hash ?? '',
    ext,
  ].join('\n') + '\n';
}

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
  const expected = hmacSha256(key, normalizedString(req, attrs));
  const given = Buffer.from(attrs.mac, 'base64');
  if (!safeEqual(expected, given)) throw errors.invalidSignature('Bad mac');
  if (attrs.hash !== undefined) {
    const computed = payloadHash(String(req.headers['content-type'] ?? ''), req.body);
    if (!safeEqual(Buffer.from(computed), Buffer.from(attrs.hash))) throw errors.invalidSignature('Bad payload hash');
  }
  const nowSec = Math.floor(nowMs / 1000);
  const ts = Number(attrs.ts);
  if (!Number.isInteger(ts) || Math.abs(ts - nowSec) > HAWK_SKEW_SECONDS) throw errors.invalidTimestamp(nowSec);
  for (const [k, expiry] of nonces) if (expiry < nowMs) nonces.delete(k);
  const nonceKey = `${attrs.id}:${attrs.nonce}`;
  if (nonces.has(nonceKey)) throw errors.invalidNonce();
  nonces.set(nonceKey, nowMs + 2 * HAWK_SKEW_SECONDS * 1000);
}
