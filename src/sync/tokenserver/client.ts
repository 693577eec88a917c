// Token server client: OAuth access token + X-KeyID in, Hawk credentials and the storage node out
// (protocol.md §2.6–2.7; syncstorage-rs tokenserver handlers.rs, app-services client/token.rs).
import { t } from '../../i18n/i18n.ts';
import {
  AuthError,
  BadResponseError,
  InvalidCredentialsError,
  InvalidGenerationError,
  ServerBusyError,
  StaleKeysError,
  UserActionNeededError,
} from '../errors.ts';
import { DEFAULT_RETRY_AFTER_MS, parseRetryAfter, type BackoffObserver } from '../http/backoff.ts';
import { HttpClient, parseJsonObject, type FetchLike, type HttpResponse } from '../http/request.ts';

export interface SyncToken {
  /** Hawk id, sent verbatim. */
  id: string;
  /** Hawk key: its UTF-8 bytes are the HMAC key (never base64-decode it). */
  key: string;
  /** Storage uid as a decimal string (u64 on the server; kept as text so it never rounds). */
  uid: string;
  /** Storage base URL, no trailing slash, e.g. https://sync-1.example/1.5/123. */
  apiEndpoint: string;
  /** Seconds the token server granted. */
  duration: number;
  hashedFxaUid: string;
  nodeType: string;
  /** Local clock (ms since epoch) after which the token should be refetched (duration minus a margin). */
  expiresAt: number;
  /** serverTime − localTime in ms from the token server's X-Timestamp; 0 when absent. */
  serverClockOffsetMs: number;
}

export interface FetchSyncTokenOptions {
  /** Full token endpoint, e.g. https://token.services.mozilla.com/1.0/sync/1.5. */
  tokenServerUrl: string;
  /** OAuth access token carrying the oldsync scope. */
  accessToken: string;
  /** X-KeyID: "<keyRotationTimestamp ms>-<b64url(kXCS)>". */
  keyId: string;
  /** Optional X-Client-State (hex kXCS); must match the key id if sent. */
  clientState?: string;
  /** Ask for a shorter token lifetime (seconds). */
  duration?: number;
  fetch?: FetchLike;
  /** Local clock, ms since epoch. */
  now?: () => number;
  timeoutMs?: number;
  onBackoff?: BackoffObserver;
  /** Refetch this long before the server-side expiry; default min(300 s, duration / 2). */
  safetyMarginSeconds?: number;
  signal?: AbortSignal;
}

const DEFAULT_MARGIN_SECONDS = 300;

/**
 * True for this computer: 127.0.0.0/8, [::1] and localhost. Takes a WHATWG URL `hostname`, which
 * is already lower-cased and has IPv4 in dotted-decimal form (so "127.1" arrives as "127.0.0.1").
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** https:, or http: to this computer: the only transports Syncbridge sends tokens and data over. */
export function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

/**
 * The token server (or the storage node it names) is plain http:// on another computer: sending the
 * access token or the Sync data there would let anyone on the way read or change it.
 */
export class InsecureServerError extends BadResponseError {
  override name = 'InsecureServerError';
  override readonly userMessage: string;

  constructor(what: 'token server' | 'storage server', url: URL) {
    super(`${what} ${url.origin} is plain http on another computer`, { status: null });
    this.userMessage =
      what === 'token server'
        ? t('errorInsecureTokenServer', url.origin)
        : t('errorInsecureStorageServer', url.origin);
  }
}

/** Token server error body: {"status": "...", "errors": [{location, name, description}]}. */
function errorStatus(res: HttpResponse): { status: string | null; description: string } {
  try {
    const body = JSON.parse(res.text) as unknown;
    if (typeof body === 'object' && body !== null) {
      const b = body as { status?: unknown; errors?: unknown };
      const first = Array.isArray(b.errors) ? (b.errors[0] as { description?: unknown } | undefined) : undefined;
      return {
        status: typeof b.status === 'string' ? b.status : null,
        description: typeof first?.description === 'string' ? first.description : '',
      };
    }
  } catch {
    // Non-JSON error bodies (proxies, maintenance pages) are classified by status alone.
  }
  return { status: null, description: '' };
}

/** The typed error for a non-200 token server answer (exported for the mapping tests). */
export function tokenServerError(res: HttpResponse, now: number): Error {
  const { status, description } = errorStatus(res);
  const what = `token server ${res.status}${status ? ` ${status}` : ''}${description ? `: ${description}` : ''}`;
  switch (res.status) {
    case 401:
      switch (status) {
        case 'invalid-credentials':
          return new InvalidCredentialsError(what);
        case 'invalid-client-state':
        case 'invalid-keysChangedAt':
          return new StaleKeysError(what, status);
        case 'invalid-generation':
          return new InvalidGenerationError(what);
        case 'invalid-key-id':
          return new AuthError(what, { reason: 'invalid-key-id' });
        default:
          return new AuthError(what, { reason: 'unauthorized' });
      }
    case 403:
      // syncstorage-rs answers new-users-disabled with 403 (docs say 401).
      if (status === 'new-users-disabled') return new UserActionNeededError(what, { reason: 'new-users-disabled' });
      return new AuthError(what, { reason: 'unauthorized', status: 403 });
    case 429:
    case 500:
    case 502:
    case 503:
    case 504: {
      const retry = parseRetryAfter(res.headers.get('retry-after'), now);
      return new ServerBusyError(what, {
        status: res.status,
        retryAfterMs: retry ?? (res.status === 503 ? DEFAULT_RETRY_AFTER_MS : null),
      });
    }
    default:
      return new BadResponseError(`unexpected ${what}`, { status: res.status });
  }
}

function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || v === '') throw new BadResponseError(`token server response lacks "${field}"`, { status: 200 });
  return v;
}

function parseToken(res: HttpResponse, localNow: number, marginSeconds: number | undefined): SyncToken {
  const body = parseJsonObject(res, 'token server');
  const id = requireString(body, 'id');
  const key = requireString(body, 'key');
  const apiEndpoint = requireString(body, 'api_endpoint').replace(/\/+$/, '');
  let endpointUrl: URL;
  try {
    endpointUrl = new URL(apiEndpoint);
  } catch {
    throw new BadResponseError('token server api_endpoint is not a URL', { status: 200 });
  }
  if (endpointUrl.protocol !== 'https:' && endpointUrl.protocol !== 'http:') {
    throw new BadResponseError('token server api_endpoint is not http(s)', { status: 200 });
  }
  if (!isSecureOrLoopback(endpointUrl)) throw new InsecureServerError('storage server', endpointUrl);
  const rawUid = body.uid;
  let uid: string;
  if (typeof rawUid === 'number' && Number.isInteger(rawUid) && rawUid >= 0) uid = String(rawUid);
  else if (typeof rawUid === 'string' && /^\d+$/.test(rawUid)) uid = rawUid;
  else throw new BadResponseError('token server uid is not a non-negative integer', { status: 200 });
  const duration = body.duration;
  if (typeof duration !== 'number' || !Number.isFinite(duration) || duration <= 0) {
    throw new BadResponseError('token server duration is not a positive number', { status: 200 });
  }
  const margin = Math.min(marginSeconds ?? DEFAULT_MARGIN_SECONDS, duration / 2);
  const xTimestamp = Number(res.headers.get('x-timestamp') ?? NaN);
  return {
    id,
    key,
    uid,
    apiEndpoint,
    duration,
    hashedFxaUid: typeof body.hashed_fxa_uid === 'string' ? body.hashed_fxa_uid : '',
    nodeType: typeof body.node_type === 'string' ? body.node_type : '',
    // Expiry from local now + duration: immune to a skewed local clock (app-services token.rs).
    expiresAt: localNow + Math.floor((duration - margin) * 1000),
    serverClockOffsetMs: Number.isFinite(xTimestamp) && xTimestamp > 0 ? xTimestamp * 1000 - localNow : 0,
  };
}

/** GET <tokenServerUrl> with Bearer + X-KeyID. Throws the typed errors of ../errors.ts. */
export async function fetchSyncToken(opts: FetchSyncTokenOptions): Promise<SyncToken> {
  const http = new HttpClient({
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    ...(opts.onBackoff ? { onBackoff: opts.onBackoff } : {}),
  });
  const url = new URL(opts.tokenServerUrl);
  // Checked here, at use, so a token server stored before this rule existed is refused too.
  if (!isSecureOrLoopback(url)) throw new InsecureServerError('token server', url);
  if (opts.duration !== undefined) url.searchParams.set('duration', String(Math.floor(opts.duration)));
  const headers: Record<string, string> = {
    Authorization: `Bearer ${opts.accessToken}`,
    'X-KeyID': opts.keyId,
    Accept: 'application/json',
  };
  if (opts.clientState !== undefined) headers['X-Client-State'] = opts.clientState;
  const res = await http.request({
    method: 'GET',
    url: url.toString(),
    headers,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const localNow = http.now();
  if (res.status !== 200) throw tokenServerError(res, localNow);
  return parseToken(res, localNow, opts.safetyMarginSeconds);
}

/** True when the token should be refetched before use. */
export function tokenExpired(token: SyncToken, nowMs: number): boolean {
  return nowMs >= token.expiresAt;
}
