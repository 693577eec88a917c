// The one place the Sync core touches the network: fetch with a timeout on every request
// (headers *and* body, so a connection cut mid-body is a NetworkError too), backoff headers
// reported on every response, and failures mapped to typed errors. Browser-free: injectable
// fetch and clock, nothing but standard globals.
import { BadResponseError, NetworkError, SyncCancelledError } from '../errors.ts';
import { backoffSignals, type BackoffObserver } from './backoff.ts';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface HttpRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Overrides the client's default timeout for this request. */
  timeoutMs?: number;
  /** Caller cancellation; an abort is rethrown as the signal's reason, not as a NetworkError. */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Whole body as text (already read within the timeout). */
  text: string;
  url: string;
}

export interface HttpClientOptions {
  fetch?: FetchLike;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** Local clock, ms since epoch. */
  now?: () => number;
  /** Told about every X-Weave-Backoff / X-Backoff / Retry-After seen on any response. */
  onBackoff?: BackoffObserver;
}

class Timeout {
  readonly name = 'Timeout';
}

export class HttpClient {
  readonly now: () => number;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly onBackoff: BackoffObserver | undefined;

  constructor(opts: HttpClientOptions = {}) {
    // Resolved per call so a test (or a polyfill) replacing globalThis.fetch later is honoured.
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = opts.now ?? Date.now;
    this.onBackoff = opts.onBackoff;
  }

  async request(req: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    const timeoutMs = req.timeoutMs ?? this.timeoutMs;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Timeout());
    }, timeoutMs);
    const onCallerAbort = (): void => controller.abort(req.signal?.reason);
    if (req.signal) {
      if (req.signal.aborted) controller.abort(req.signal.reason);
      else req.signal.addEventListener('abort', onCallerAbort, { once: true });
    }
    const what = `${req.method} ${redactUrl(req.url)}`;
    try {
      const init: RequestInit = {
        method: req.method,
        headers: req.headers ?? {},
        signal: controller.signal,
        // Never let an HTTP cache answer a conditional Sync request, never send cookies.
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'follow',
      };
      if (req.body !== undefined) init.body = req.body;
      const res = await this.fetchImpl(req.url, init);
      const text = await res.text();
      const out: HttpResponse = { status: res.status, headers: res.headers, text, url: req.url };
      this.reportBackoff(out);
      return out;
    } catch (e) {
      if (req.signal?.aborted && !timedOut) throw req.signal.reason;
      if (e instanceof SyncCancelledError) throw e; // the run was stopped: not a network failure
      if (timedOut) throw new NetworkError(`${what} timed out after ${timeoutMs} ms`, { timedOut: true, cause: e });
      throw new NetworkError(`${what} failed: ${describeCause(e)}`, { cause: e });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  private reportBackoff(res: HttpResponse): void {
    if (!this.onBackoff) return;
    for (const signal of backoffSignals(res.headers, res.status, res.url, this.now())) {
      try {
        this.onBackoff(signal);
      } catch {
        // An observer bug must not turn a good response into a failed request.
      }
    }
  }
}

function describeCause(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    if (cause instanceof Error) return `${e.message} (${cause.message})`;
    return e.message;
  }
  return String(e);
}

/** Query strings may carry ids; keep logs to the path. */
function redactUrl(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : `${url.slice(0, q)}?…`;
}

/** Parses a JSON body or throws BadResponseError (never a bare SyntaxError). */
export function parseJsonBody(res: HttpResponse, what: string): unknown {
  try {
    return JSON.parse(res.text) as unknown;
  } catch (e) {
    throw new BadResponseError(`${what}: response is not valid JSON (HTTP ${res.status})`, { status: res.status, cause: e });
  }
}

/** A JSON object body (not null, not an array), or BadResponseError. */
export function parseJsonObject(res: HttpResponse, what: string): Record<string, unknown> {
  const v = parseJsonBody(res, what);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new BadResponseError(`${what}: expected a JSON object (HTTP ${res.status})`, { status: res.status });
  }
  return v as Record<string, unknown>;
}
