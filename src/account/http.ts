// JSON-over-HTTP helper shared by the account modules: one place that turns network failures,
// anti-bot walls, non-JSON answers and FxA error bodies into AccountError (protocol.md §1.1, §10 #1).
// Browser-free: only the fetch it is given.
import { bearerForToken, deriveTokenParts, hawkHeader } from '../sync/crypto/index.ts';
import type { FxaTokenKind } from '../sync/crypto/index.ts';
import { AccountError, errorFromFxaResponse, FXA_ERRNO } from './errors.ts';
import type { ErrnoSpace, FxaErrorBody } from './errors.ts';
import { requireSecureRequestUrl } from './secureUrl.ts';

/** The subset of `fetch` we use; inject a wrapper in tests or to add logging. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** ms since epoch; injectable so expiry logic can be tested without waiting. */
export type Clock = () => number;

/**
 * How FxA token-protected requests are authenticated. `bearer` (typed `Bearer fxs_…`) is what
 * Mozilla's servers expect today; `hawk` is for older self-hosted servers that still check Hawk.
 */
export type TokenAuthMode = 'bearer' | 'hawk';

export interface TransportOptions {
  fetch?: FetchLike;
  now?: Clock;
  authMode?: TokenAuthMode;
}

export type RequestAuth =
  | { kind: 'fxa-token'; token: string; tokenKind: FxaTokenKind }
  /** An opaque bearer (OAuth refresh or access token). */
  | { kind: 'bearer'; token: string };

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  body?: unknown;
  auth?: RequestAuth;
  /** Which errno numbering the endpoint speaks. Default 'auth'. */
  errnoSpace?: ErrnoSpace;
  /**
   * 'include' sends the browser's cookies for the FxA host: Mozilla's own client does this on
   * login so a solved anti-bot challenge cookie comes along (protocol.md §10 #1).
   */
  credentials?: RequestCredentials;
}

export function defaultFetch(): FetchLike {
  const f = globalThis.fetch;
  if (typeof f !== 'function') throw new Error('no global fetch; pass one in');
  return f.bind(globalThis);
}

export function resolveTransport(opts: TransportOptions): Required<TransportOptions> {
  return { fetch: opts.fetch ?? defaultFetch(), now: opts.now ?? Date.now, authMode: opts.authMode ?? 'bearer' };
}

/** Joins a base URL (with or without trailing slash) and a path starting with "/". */
export function joinUrl(base: string, path: string): string {
  return base.replace(/\/+$/, '') + path;
}

function authorizationHeader(
  req: JsonRequest,
  bodyText: string | undefined,
  transport: Required<TransportOptions>,
  localtimeOffsetMs: number,
): string | undefined {
  const auth = req.auth;
  if (!auth) return undefined;
  if (auth.kind === 'bearer') return `Bearer ${auth.token}`;
  if (transport.authMode === 'bearer') return bearerForToken(auth.token, auth.tokenKind);
  const parts = deriveTokenParts(auth.token, auth.tokenKind);
  return hawkHeader({
    method: req.method,
    url: req.url,
    id: parts.tokenId,
    key: parts.reqHMACkey,
    // Self-hosted servers that validate Hawk also check the payload hash when one is sent.
    ...(bodyText !== undefined ? { payload: bodyText, contentType: 'application/json' } : {}),
    ts: Math.floor((transport.now() + localtimeOffsetMs) / 1000),
  });
}

async function readText(res: Response): Promise<string> {
  try {
    return await res.text();
  } catch (cause) {
    throw new AccountError('server-unreachable', { status: res.status, cause });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Sends one JSON request and returns the parsed JSON body of a 2xx answer; everything else becomes
 * an AccountError. In Hawk mode a 401 errno 111 (clock skew) is retried once with the server's time.
 */
export async function requestJson<T>(req: JsonRequest, transport: Required<TransportOptions>): Promise<T> {
  // Before anything is sent: tokens, passwords' derived keys and codes never go over plain http://.
  requireSecureRequestUrl(req.url);
  let offsetMs = 0;
  for (let attempt = 0; ; attempt++) {
    const bodyText = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bodyText !== undefined) headers['content-type'] = 'application/json';
    const authz = authorizationHeader(req, bodyText, transport, offsetMs);
    if (authz) headers.authorization = authz;

    let res: Response;
    try {
      res = await transport.fetch(req.url, {
        method: req.method,
        headers,
        ...(bodyText !== undefined ? { body: bodyText } : {}),
        ...(req.credentials ? { credentials: req.credentials } : {}),
      });
    } catch (cause) {
      throw new AccountError('server-unreachable', { cause, serverMessage: cause instanceof Error ? cause.message : String(cause) });
    }
    const text = await readText(res);
    const parsed = parseJson(text);
    if (res.ok) {
      if (parsed === undefined) throw new AccountError('bad-response', { status: res.status, serverMessage: 'response is not JSON' });
      return parsed as T;
    }
    const isObject = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
    if (!isObject) {
      // Fastly's anti-bot wall answers 406 with an empty body; the official client maps 406/429
      // non-JSON answers to "blocked"/"throttled" (fxa-auth-client lib/client.ts).
      if (res.status === 406) throw new AccountError('bot-challenge', { status: 406 });
      const retryAfter = Number(res.headers.get('retry-after'));
      const extra = Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {};
      if (res.status === 429) throw new AccountError('throttled', { status: 429, ...extra });
      if (res.status >= 500) throw new AccountError('server-error', { status: res.status, ...extra });
      throw new AccountError('bad-response', { status: res.status, serverMessage: 'error response is not JSON' });
    }
    const body = parsed as FxaErrorBody & { serverTime?: unknown };
    if (
      attempt === 0 &&
      transport.authMode === 'hawk' &&
      req.auth?.kind === 'fxa-token' &&
      body.errno === FXA_ERRNO.INVALID_TIMESTAMP &&
      typeof body.serverTime === 'number'
    ) {
      offsetMs = body.serverTime * 1000 - transport.now();
      continue;
    }
    throw errorFromFxaResponse(res.status, body, req.errnoSpace ?? 'auth', res.headers.get('retry-after'));
  }
}
