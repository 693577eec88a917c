// Server-side Hawk (protocol.md §1.1, §3) shared by the accounts API and Sync storage: header
// parsing, the normalized string, MAC and payload-hash checks. Written on node:crypto, apart from
// the extension's client-side signer, so the two check each other in tests.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerRequest } from './http.ts';

export interface HawkAttributes {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
}

const ALLOWED = new Set(['id', 'ts', 'nonce', 'hash', 'ext', 'mac', 'app', 'dlg']);

/** Parses `Hawk id="…", ts="…", …`; null for anything malformed, repeated or unknown. */
export function parseHawkHeader(header: string): HawkAttributes | null {
  const match = /^Hawk\s+(.+)$/is.exec(header.trim());
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
  if (!id || !ts || !nonce || !mac || !/^\d+$/.test(ts)) return null;
  return { id, ts, nonce, mac, ...(hash !== undefined ? { hash } : {}), ...(ext !== undefined ? { ext } : {}) };
}

export function hawkPayloadHash(contentType: string, body: Buffer): string {
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return createHash('sha256').update(`hawk.1.payload\n${type}\n`, 'utf8').update(body).update('\n', 'utf8').digest('base64');
}

/** The request as the client signed it: the raw request target, lower-case host without IPv6 brackets. */
export function hawkNormalizedString(req: ServerRequest, attrs: HawkAttributes): string {
  const resource = req.rawTarget ?? req.url.pathname + req.url.search;
  const host = req.url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const port = req.url.port || (req.url.protocol === 'https:' ? '443' : '80');
  const ext = (attrs.ext ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return `hawk.1.header\n${attrs.ts}\n${attrs.nonce}\n${req.method.toUpperCase()}\n${resource}\n${host}\n${port}\n${attrs.hash ?? ''}\n${ext}\n`;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export function hawkMacMatches(req: ServerRequest, attrs: HawkAttributes, key: Buffer): boolean {
  const mac = createHmac('sha256', key).update(hawkNormalizedString(req, attrs), 'utf8').digest('base64');
  return safeEqual(mac, attrs.mac);
}

/** True when no hash was signed, or the signed hash is the body's. */
export function hawkHashMatches(req: ServerRequest, attrs: HawkAttributes): boolean {
  if (attrs.hash === undefined) return true;
  return safeEqual(hawkPayloadHash(String(req.headers['content-type'] ?? ''), req.body), attrs.hash);
}
