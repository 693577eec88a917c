// Server-requested quiet periods (protocol.md §4.5, §2.6): X-Weave-Backoff (storage, any
// response), X-Backoff (token server) and Retry-After (503/409/429). Every response is inspected
// and each signal handed to an observer so the scheduler can persist "don't sync before".

export type BackoffSource = 'x-weave-backoff' | 'x-backoff' | 'retry-after';

export interface BackoffSignal {
  source: BackoffSource;
  /** How long to stay quiet, in ms. */
  delayMs: number;
  /** Local clock (ms since epoch) before which no further sync should start. */
  until: number;
  /** HTTP status of the response that carried it. */
  status: number;
  url: string;
}

export type BackoffObserver = (signal: BackoffSignal) => void;

/** app-services uses 10 s when a 503's Retry-After is missing or unparseable. */
export const DEFAULT_RETRY_AFTER_MS = 10_000;

/**
 * Seconds ("120", also "1.5") or an HTTP-date. Returns ms to wait (≥ 0), or null when absent or
 * unparseable. `nowMs` is the local clock used for the HTTP-date form.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const v = value.trim();
  if (v === '') return null;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (/^[A-Za-z]{3},/.test(v)) {
    const at = Date.parse(v);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  return null;
}

/** Backoff seconds header (X-Weave-Backoff / X-Backoff): non-negative number of seconds. */
function parseSeconds(value: string | null): number | null {
  if (value === null) return null;
  const v = value.trim();
  if (!/^\d+(\.\d+)?$/.test(v)) return null;
  return Math.round(Number(v) * 1000);
}

/** Every backoff signal in one response's headers. */
export function backoffSignals(headers: Headers, status: number, url: string, nowMs: number): BackoffSignal[] {
  const out: BackoffSignal[] = [];
  const add = (source: BackoffSource, delayMs: number | null): void => {
    if (delayMs !== null) out.push({ source, delayMs, until: nowMs + delayMs, status, url });
  };
  add('x-weave-backoff', parseSeconds(headers.get('x-weave-backoff')));
  add('x-backoff', parseSeconds(headers.get('x-backoff')));
  add('retry-after', parseRetryAfter(headers.get('retry-after'), nowMs));
  return out;
}

/**
 * Keeps the latest "quiet until" seen (app-services keeps the max of all signals). Pass
 * `tracker.observe` as a client's `onBackoff`; read `until` after a sync to persist it.
 */
export class BackoffTracker {
  private latest = 0;
  private readonly signals: BackoffSignal[] = [];

  readonly observe: BackoffObserver = (signal) => {
    this.signals.push(signal);
    if (signal.until > this.latest) this.latest = signal.until;
  };

  /** ms since epoch, or null when no signal was seen. */
  get until(): number | null {
    return this.latest > 0 ? this.latest : null;
  }

  /** True when a quiet period is still running at `nowMs`. */
  active(nowMs: number): boolean {
    return this.latest > nowMs;
  }

  get seen(): readonly BackoffSignal[] {
    return this.signals;
  }
}
