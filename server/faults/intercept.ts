// Applies armed faults around the normal dispatch: actions and refusals before the handler,
// header/body/connection damage after it. Control routes under /__test__/ are never faulted.
import { createHmac } from 'node:crypto';
import { parseHawkHeader } from '../core/hawk.ts';
import type { ServerRequest, ServerResponse } from '../core/http.ts';
import type { Dispatch } from '../core/serve.ts';
import { concurrentWrite, expireTokens, reassignNode, storagePathParts, type FaultDeps } from './actions.ts';
import type { ArmedFault, FaultRegistry } from './registry.ts';
import { formatTs } from '../storage/syncTime.ts';

export interface FaultLayerOptions {
  /** Storage's Hawk window (seconds), so skewReject can tell a stale-timestamp 401 from the others. Default 60. */
  hawkSkewSeconds?: number;
}

function errorResponse(f: ArmedFault, req: ServerRequest, nowMs: number): ServerResponse {
  const status = f.status ?? 503;
  const storage = req.url.pathname.startsWith('/storage/');
  const headers: Record<string, string> = { 'content-type': 'application/json', date: new Date(nowMs).toUTCString() };
  const retryAfter = f.retryAfter ?? (status === 503 ? 10 : undefined);
  if (retryAfter !== undefined) headers['retry-after'] = String(retryAfter);
  if (storage) headers['x-weave-timestamp'] = formatTs(nowMs - (nowMs % 10));
  const body = f.body ?? (storage ? '0' : JSON.stringify({ code: status, errno: 201, error: 'Service Unavailable', message: 'Service unavailable (test fault)' }));
  return { status, headers, body };
}

function corrupt(body: string | Buffer | undefined): string {
  const text = body === undefined ? '' : body.toString();
  // Cut the JSON short and add a stray brace: never parseable, whatever the original was.
  return `${text.slice(0, Math.floor(text.length / 2))}{"truncated`;
}

/** The request's Hawk ts (seconds) when it lies outside the window, else null. */
function staleHawkTs(req: ServerRequest, nowMs: number, windowSeconds: number): { id: string; ts: number } | null {
  const header = req.headers.authorization;
  const attrs = typeof header === 'string' ? parseHawkHeader(header) : null;
  if (!attrs) return null;
  const ts = Number(attrs.ts);
  return Math.abs(ts * 1000 - nowMs) > windowSeconds * 1000 ? { id: attrs.id, ts } : null;
}

/**
 * skewReject: a storage 401 caused by a Hawk ts outside the window is answered with `status`
 * (default 403, as some deployments do), optionally with the Hawk spec's signed server time.
 */
function skewReject(f: ArmedFault, req: ServerRequest, out: ServerResponse, deps: FaultDeps, nowMs: number, windowSeconds: number): void {
  if (out.status !== 401 || !req.url.pathname.startsWith('/storage/')) return;
  const stale = staleHawkTs(req, nowMs, windowSeconds);
  if (!stale) return;
  out.status = f.status ?? 403;
  if (f.hawkTs) {
    const token = deps.tokens.lookup(stale.id);
    const serverTs = String(Math.floor(nowMs / 1000));
    if (token) {
      const tsm = createHmac('sha256', Buffer.from(token.key, 'utf8')).update(`hawk.1.ts\n${serverTs}\n`, 'utf8').digest('base64');
      out.headers!['www-authenticate'] = `Hawk ts="${serverTs}", tsm="${tsm}", error="Stale timestamp"`;
    }
  }
}

export function withFaults(registry: FaultRegistry, deps: FaultDeps, now: () => number, next: Dispatch, opts: FaultLayerOptions = {}): Dispatch {
  const windowSeconds = opts.hawkSkewSeconds ?? 60;
  return async (req) => {
    if (req.url.pathname.startsWith('/__test__/')) return next(req);
    const firing = registry.take(req);
    if (firing.length === 0) return next(req);
    const target = storagePathParts(req.url.pathname);
    let delayMs = 0;
    for (const f of firing) {
      const uid = f.uid ?? target.uid;
      switch (f.kind) {
        case 'expireTokens':
          if (uid) expireTokens(deps, uid, f.mode);
          break;
        case 'reassign':
          if (uid) reassignNode(deps, uid);
          break;
        case 'concurrentWrite': {
          const coll = f.collection ?? target.collection;
          if (uid && coll) concurrentWrite(deps, uid, coll);
          break;
        }
        case 'error':
          return errorResponse(f, req, now());
        case 'drop':
          if ((f.when ?? 'before') === 'before') return { status: 0, dropConnection: true };
          break;
        case 'delay':
          delayMs += f.ms ?? 0;
          break;
        default:
          break;
      }
    }
    const res = await next(req);
    const out: ServerResponse = { ...res, headers: { ...(res.headers ?? {}) } };
    if (delayMs > 0) out.delayMs = (out.delayMs ?? 0) + delayMs;
    for (const f of firing) {
      if (f.kind === 'backoff') out.headers![(f.header ?? 'X-Weave-Backoff').toLowerCase()] = String(f.seconds ?? 60);
      if (f.kind === 'malformedJson') out.body = corrupt(out.body);
      // go-syncstorage's weaveHandler: X-Weave-Timestamp is X-Last-Modified whenever there is one.
      if (f.kind === 'staleWeaveTimestamp' && out.headers!['x-last-modified'] !== undefined) {
        out.headers!['x-weave-timestamp'] = out.headers!['x-last-modified'];
      }
      if (f.kind === 'skewReject') skewReject(f, req, out, deps, now(), windowSeconds);
      if (f.kind === 'drop' && f.when === 'after') {
        const length = out.body === undefined ? 0 : Buffer.byteLength(out.body);
        out.dropConnection = true;
        out.partialBody = f.partialBytes ?? Math.floor(length / 2);
      }
    }
    return out;
  };
}
