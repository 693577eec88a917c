// Hawk verification for storage requests, independent of the client code (node:crypto only).
// Checks, in order: header syntax, token signature (ctx.hawkTokens.lookup), MAC over
// ts/nonce/method/path+query/host/port/hash/ext, payload hash when the header carries one,
// timestamp skew, nonce replay, token expiry (not for info/collections, as syncstorage) and node
// generation. Every failure is a 401 with body 0; the caller adds X-Weave-Timestamp so a client
// can correct its clock.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ServerContext } from '../core/context.ts';
import type { ServerRequest } from '../core/http.ts';

export interface HawkOptions {
  /** Allowed |client ts − server time|, seconds. syncstorage-rs allows 52 weeks; the default here is 60. */
  skewSeconds: number;
}

export type HawkFailure =
  | 'missing'
  | 'malformed'
  | 'bad-token'
  | 'bad-mac'
  | 'bad-hash'
  | 'stale-ts'
  | 'replayed-nonce'
  | 'expired'
  | 'stale-generation';

export type HawkResult = { ok: true; uid: string } | { ok: false; reason: HawkFailure };

interface HawkAttrs {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
}

function parseHeader(header: string): HawkAttrs | null {
  const m = /^Hawk\s+(.+)$/s.exec(header);
  if (!m) return null;
  const attrs = new Map<string, string>();
  const re = /\s*([a-z]+)="([^"\\]*)"\s*(,|$)/gy;
  const rest = m[1]!;
  let pos = 0;
  for (;;) {
    re.lastIndex = pos;
    const a = re.exec(rest);
    if (!a) break;
    if (attrs.has(a[1]!)) return null;
    attrs.set(a[1]!, a[2]!);
    pos = re.lastIndex;
    if (a[3] === '') break;
  }
  if (rest.slice(pos).trim() !== '') return null;
  const id = attrs.get('id');
  const ts = attrs.get('ts');
  const nonce = attrs.get('nonce');
  const mac = attrs.get('mac');
  if (!id || !ts || !nonce || !mac || !/^\d+$/.test(ts)) return null;
  const out: HawkAttrs = { id, ts, nonce, mac };
  const hash = attrs.get('hash');
  const ext = attrs.get('ext');
  if (hash !== undefined) out.hash = hash;
  if (ext !== undefined) out.ext = ext;
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** Remembers recent (id, ts, nonce) triples for the skew window to reject replays. */
class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastPrune = 0;

  constructor(private readonly windowMs: () => number) {}

  /** true if new (and remembers it), false if seen before. */
  add(key: string, nowMs: number): boolean {
    if (nowMs - this.lastPrune > 10_000) {
      const cutoff = nowMs - 2 * this.windowMs();
      for (const [k, at] of this.seen) if (at < cutoff) this.seen.delete(k);
      this.lastPrune = nowMs;
    }
    if (this.seen.has(key)) return false;
    this.seen.set(key, nowMs);
    return true;
  }
}

export class HawkVerifier {
  private readonly nonces: NonceCache;

  constructor(
    private readonly ctx: ServerContext,
    readonly options: HawkOptions,
  ) {
    this.nonces = new NonceCache(() => this.options.skewSeconds * 1000);
  }

  verify(req: ServerRequest, opts: { allowExpired: boolean }): HawkResult {
    const header = req.headers.authorization;
    if (!header) return { ok: false, reason: 'missing' };
    const attrs = parseHeader(header);
    if (!attrs) return { ok: false, reason: 'malformed' };
    const token = this.ctx.hawkTokens.lookup(attrs.id);
    if (!token) return { ok: false, reason: 'bad-token' };

    const resource = req.rawTarget ?? req.url.pathname + req.url.search;
    const host = req.url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    const port = req.url.port || (req.url.protocol === 'https:' ? '443' : '80');
    const ext = (attrs.ext ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
    const normalized = `hawk.1.header\n${attrs.ts}\n${attrs.nonce}\n${req.method.toUpperCase()}\n${resource}\n${host}\n${port}\n${attrs.hash ?? ''}\n${ext}\n`;
    const mac = createHmac('sha256', Buffer.from(token.key, 'utf8')).update(normalized, 'utf8').digest('base64');
    if (!safeEqual(mac, attrs.mac)) return { ok: false, reason: 'bad-mac' };

    if (attrs.hash !== undefined) {
      const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const h = createHash('sha256');
      h.update(`hawk.1.payload\n${ctype}\n`, 'utf8');
      h.update(req.body);
      h.update('\n', 'utf8');
      if (!safeEqual(h.digest('base64'), attrs.hash)) return { ok: false, reason: 'bad-hash' };
    }

    const nowMs = this.ctx.now();
    if (Math.abs(Number(attrs.ts) * 1000 - nowMs) > this.options.skewSeconds * 1000) return { ok: false, reason: 'stale-ts' };
    if (!this.nonces.add(`${attrs.id}\n${attrs.ts}\n${attrs.nonce}`, nowMs)) return { ok: false, reason: 'replayed-nonce' };
    if (!opts.allowExpired && token.expiresAt <= nowMs) return { ok: false, reason: 'expired' };
    if (token.generation < this.ctx.nodes.currentGeneration(token.uid)) return { ok: false, reason: 'stale-generation' };
    return { ok: true, uid: token.uid };
  }
}
