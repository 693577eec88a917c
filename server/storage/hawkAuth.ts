// Hawk verification for storage requests, independent of the client code (node:crypto only).
// Checks, in order: header syntax, token signature (ctx.hawkTokens.lookup), MAC over
// ts/nonce/method/path+query/host/port/hash/ext, payload hash when the header carries one,
// timestamp skew, nonce replay, token expiry (not for info/collections, as syncstorage) and node
// generation. Every failure is a 401 with body 0; the caller adds X-Weave-Timestamp so a client
// can correct its clock.
import type { ServerContext } from '../core/context.ts';
import { hawkHashMatches, hawkMacMatches, parseHawkHeader } from '../core/hawk.ts';
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
    const attrs = parseHawkHeader(header);
    if (!attrs) return { ok: false, reason: 'malformed' };
    const token = this.ctx.hawkTokens.lookup(attrs.id);
    if (!token) return { ok: false, reason: 'bad-token' };

    if (!hawkMacMatches(req, attrs, Buffer.from(token.key, 'utf8'))) return { ok: false, reason: 'bad-mac' };
    if (!hawkHashMatches(req, attrs)) return { ok: false, reason: 'bad-hash' };

    const nowMs = this.ctx.now();
    if (Math.abs(Number(attrs.ts) * 1000 - nowMs) > this.options.skewSeconds * 1000) return { ok: false, reason: 'stale-ts' };
    if (!this.nonces.add(`${attrs.id}\n${attrs.ts}\n${attrs.nonce}`, nowMs)) return { ok: false, reason: 'replayed-nonce' };
    if (!opts.allowExpired && token.expiresAt <= nowMs) return { ok: false, reason: 'expired' };
    if (token.generation < this.ctx.nodes.currentGeneration(token.uid)) return { ok: false, reason: 'stale-generation' };
    return { ok: true, uid: token.uid };
  }
}
