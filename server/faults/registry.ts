// Armed fault switches. A fault matches requests by method / path prefix / path regex / query
// substring, lets `skip` matching requests through, then fires `count` times (omitted = until
// cleared) and disarms itself.
import type { ServerRequest } from '../core/http.ts';

export const FAULT_KINDS = [
  'error',
  'backoff',
  'delay',
  'drop',
  'malformedJson',
  'expireTokens',
  'reassign',
  'concurrentWrite',
  'staleWeaveTimestamp',
  'skewReject',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultMatch {
  method?: string;
  /** Path prefix, e.g. "/storage/1.5/1/storage/bookmarks". */
  path?: string;
  /** Regular expression tested against the path. */
  pathRegex?: string;
  /** Substring of the query string (without "?"), e.g. "batch=". */
  query?: string;
}

export interface FaultSpec {
  kind: FaultKind;
  match?: FaultMatch;
  /** Times to fire; omitted = every matching request until cleared. */
  count?: number;
  /** Matching requests to let through before the first firing (e.g. N-1 for "the Nth POST"). */
  skip?: number;
  /** error: status (default 503), Retry-After seconds (default 10 for 503), optional body. */
  status?: number;
  retryAfter?: number;
  body?: string;
  /** backoff: seconds and header name (default X-Weave-Backoff). */
  seconds?: number;
  header?: string;
  /** delay: milliseconds. */
  ms?: number;
  /** drop: 'before' = close without handling (nothing stored); 'after' = handle, then cut the response. */
  when?: 'before' | 'after';
  /** drop/after: response body bytes sent before the cut (default: half the body). */
  partialBytes?: number;
  /** expireTokens / reassign / concurrentWrite: target user (default: uid in the request path). */
  uid?: string;
  /** concurrentWrite: collection to bump (default: collection in the request path). */
  collection?: string;
  /** expireTokens: 'revoke' (401 everywhere, default) or 'expire' (info/collections still answers). */
  mode?: 'revoke' | 'expire';
  /** skewReject: add the Hawk spec's `WWW-Authenticate: Hawk ts, tsm, error="Stale timestamp"` (default false). */
  hawkTs?: boolean;
}

export interface ArmedFault extends FaultSpec {
  id: string;
  /** Matching requests seen so far. */
  seen: number;
  fired: number;
}

export class FaultSpecError extends Error {}

function check(spec: unknown): FaultSpec {
  if (typeof spec !== 'object' || spec === null) throw new FaultSpecError('fault must be a JSON object');
  const s = spec as FaultSpec;
  if (!FAULT_KINDS.includes(s.kind)) throw new FaultSpecError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  for (const k of ['count', 'skip', 'status', 'retryAfter', 'seconds', 'ms', 'partialBytes'] as const) {
    const v = s[k];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) throw new FaultSpecError(`${k} must be a non-negative integer`);
  }
  if (s.match?.pathRegex !== undefined) new RegExp(s.match.pathRegex);
  if (s.when !== undefined && s.when !== 'before' && s.when !== 'after') throw new FaultSpecError("when must be 'before' or 'after'");
  if (s.mode !== undefined && s.mode !== 'revoke' && s.mode !== 'expire') throw new FaultSpecError("mode must be 'revoke' or 'expire'");
  if (s.hawkTs !== undefined && typeof s.hawkTs !== 'boolean') throw new FaultSpecError('hawkTs must be a boolean');
  return s;
}

function matches(m: FaultMatch | undefined, req: ServerRequest): boolean {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== req.method) return false;
  const path = req.url.pathname;
  if (m.path && !path.startsWith(m.path)) return false;
  if (m.pathRegex && !new RegExp(m.pathRegex).test(path)) return false;
  if (m.query && !req.url.search.slice(1).includes(m.query)) return false;
  return true;
}

export class FaultRegistry {
  private faults: ArmedFault[] = [];
  private nextId = 1;

  arm(spec: unknown): ArmedFault {
    const armed: ArmedFault = { ...check(spec), id: String(this.nextId++), seen: 0, fired: 0 };
    this.faults.push(armed);
    return armed;
  }

  list(): ArmedFault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  /** Faults that fire for this request, in arming order; exhausted ones are disarmed. */
  take(req: ServerRequest): ArmedFault[] {
    const firing: ArmedFault[] = [];
    for (const f of this.faults) {
      if (!matches(f.match, req)) continue;
      f.seen++;
      if (f.seen <= (f.skip ?? 0)) continue;
      f.fired++;
      firing.push({ ...f });
    }
    this.faults = this.faults.filter((f) => f.count === undefined || f.fired < f.count);
    return firing;
  }
}
