// Sync 1.5 storage client (protocol.md §3–4): Hawk-signed requests with clock-skew correction,
// one transparent retry with a fresh token on 401, paged downloads with a consistency guard,
// batched uploads within the server's limits, typed errors. Browser-free.
//
// Timestamps are the server's two-decimal text (ServerTimestamp); local clock values are never
// used for newer= / X-If-* headers.
//
// The clock offset is learned only from headers that state the server's current time: the Hawk
// `WWW-Authenticate` ts of a rejection (checked against its tsm), `Timestamp`, and `Date` (what
// Firefox's HawkClient uses). Never from X-Weave-Timestamp: go-syncstorage sends the resource's
// X-Last-Modified there, which can be hours behind the server's clock.
import { hawkHeader, hawkMac } from '../crypto/hawk.ts';
import {
  AuthError,
  BadResponseError,
  ConflictError,
  NodeReassignedError,
  RecordError,
  ServerBusyError,
  ServerRefusedError,
  UserActionNeededError,
} from '../errors.ts';
import { DEFAULT_RETRY_AFTER_MS, parseRetryAfter, type BackoffObserver } from '../http/backoff.ts';
import { HttpClient, parseJsonBody, parseJsonObject, type FetchLike, type HttpResponse } from '../http/request.ts';
import type { SyncToken } from '../tokenserver/client.ts';
import type { TokenProvider } from '../tokenserver/provider.ts';
import {
  DEFAULT_SERVER_LIMITS,
  toServerTimestamp,
  type Bso,
  type OutgoingBso,
  type ServerLimits,
  type ServerTimestamp,
} from './types.ts';
import { planUpload } from './uploadPlan.ts';

export type { TokenProvider } from '../tokenserver/provider.ts';

export interface StorageClientOptions {
  tokens: TokenProvider;
  fetch?: FetchLike;
  /** Local clock, ms since epoch. */
  now?: () => number;
  /** Per-request timeout, ms. */
  timeoutMs?: number;
  /** Every X-Weave-Backoff / Retry-After seen, for the scheduler to persist. */
  onBackoff?: BackoffObserver;
  /** X-Weave-Alert values (soft-eol / hard-eol JSON or a log string). */
  onAlert?: (alert: string) => void;
}

export type InfoCollectionsResult =
  | { status: 'not-modified'; lastModified: ServerTimestamp | null }
  | { status: 'ok'; collections: Record<string, ServerTimestamp>; lastModified: ServerTimestamp | null };

export type SortOrder = 'newest' | 'oldest' | 'index';

export interface GetRecordsOptions {
  /** true → full BSOs; false → ids only. */
  full: boolean;
  /** Only records modified strictly after this server timestamp. */
  newer?: ServerTimestamp;
  older?: ServerTimestamp;
  /** Only these ids (sent in chunks of 100, the server's limit). */
  ids?: readonly string[];
  sort?: SortOrder;
  /** Page size; more pages are fetched with X-Weave-Next-Offset until none is left. */
  limit?: number;
  /** Guard for the first page too (later pages always use the first page's X-Last-Modified). */
  ifUnmodifiedSince?: ServerTimestamp;
  signal?: AbortSignal;
}

export interface RecordPage<T> {
  items: T[];
  /** The collection's X-Last-Modified when the page was served. */
  lastModified: ServerTimestamp | null;
}

export interface WriteOptions {
  /** The collection (or record) timestamp this write is based on; '0' = must not exist yet. */
  ifUnmodifiedSince: ServerTimestamp;
  signal?: AbortSignal;
}

export interface UploadOptions extends WriteOptions {
  /** Use these limits instead of asking info/configuration. */
  limits?: ServerLimits;
}

export interface UploadResult {
  /** Timestamp of the last commit; equals ifUnmodifiedSince when nothing was written. */
  lastModified: ServerTimestamp;
  success: string[];
  /** id → reason, for records the server refused, did not acknowledge, or that were too large to send. */
  failed: Record<string, string>;
  /** How many records were sent (success + server-refused). */
  sent: number;
  /** The same failures as typed errors (reason 'too-large' or 'rejected'), for counting and the UI. */
  failures: RecordError[];
}

/** A 401/403 whose stated server time is this far from the Hawk ts we sent is treated as a clock-skew reject. */
const SKEW_REJECT_MS = 30_000;
/** Weave error code of syncstorage's quota error (a 400 or, on Spanner, a 403 with this body). */
const WEAVE_OVER_QUOTA = 14;
const MAX_IDS_PER_REQUEST = 100;
const COLLECTION_NAME = /^[a-zA-Z0-9._-]{1,32}$/;

function checkCollection(c: string): string {
  if (!COLLECTION_NAME.test(c)) throw new TypeError(`invalid collection name: ${c}`);
  return c;
}

function checkTs(ts: ServerTimestamp | number, what: string): ServerTimestamp {
  const t = toServerTimestamp(ts);
  if (t === null) throw new TypeError(`${what} is not a server timestamp: ${String(ts)}`);
  return t;
}

function query(params: Array<[string, string]>): string {
  return params.map(([k, v]) => (v === '' ? k : `${k}=${encodeURIComponent(v)}`)).join('&');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function parseBso(v: unknown, what: string): Bso {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new BadResponseError(`${what}: BSO is not an object`);
  const o = v as Record<string, unknown>;
  const modified = toServerTimestamp(o.modified);
  if (typeof o.id !== 'string' || typeof o.payload !== 'string' || modified === null) {
    throw new BadResponseError(`${what}: BSO lacks id/payload/modified`);
  }
  const bso: Bso = { id: o.id, modified, payload: o.payload };
  if (typeof o.sortindex === 'number') bso.sortindex = o.sortindex;
  return bso;
}

/** Weave error code in a 400 body (a bare JSON integer), or null. */
function weaveCode(res: HttpResponse): number | null {
  const t = res.text.trim();
  return /^\d+$/.test(t) ? Number(t) : null;
}

function lastModifiedOf(res: HttpResponse): ServerTimestamp | null {
  return toServerTimestamp(res.headers.get('x-last-modified'));
}

/** Attributes of a `WWW-Authenticate: Hawk ts="…", tsm="…", error="…"` challenge, or null. */
function hawkChallenge(header: string | null): Record<string, string> | null {
  const m = header === null ? null : /^\s*Hawk\b(.*)$/is.exec(header);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  for (const a of m[1]!.matchAll(/(\w+)="([^"\\]*)"/g)) attrs[a[1]!] = a[2]!;
  return attrs;
}

/**
 * The server's current time (ms) as this response states it, or null. The Hawk challenge ts counts
 * only with a tsm made with our key (Hawk spec: HMAC of "hawk.1.ts\n<ts>\n"). Date has one-second
 * resolution, so the middle of that second is taken.
 */
function statedServerTime(res: HttpResponse, key: string): number | null {
  const challenge = hawkChallenge(res.headers.get('www-authenticate'));
  if (challenge?.ts !== undefined && /^\d+$/.test(challenge.ts) && challenge.tsm !== undefined) {
    if (hawkMac(key, `hawk.1.ts\n${challenge.ts}\n`) === challenge.tsm) return Number(challenge.ts) * 1000;
  }
  const timestamp = res.headers.get('timestamp');
  if (timestamp !== null && /^\s*\d+(\.\d+)?\s*$/.test(timestamp) && Number(timestamp) > 0) return Number(timestamp) * 1000;
  const date = res.headers.get('date');
  const parsed = date !== null ? Date.parse(date) : NaN;
  if (Number.isFinite(parsed) && parsed > 0) return parsed + 500;
  return null;
}

export class StorageClient {
  private readonly http: HttpClient;
  private readonly tokens: TokenProvider;
  private readonly now: () => number;
  private readonly onAlert: ((alert: string) => void) | undefined;
  /** serverTime − localTime (ms) from the token server or a response's Date/Timestamp/Hawk ts; null until known. */
  private clockOffsetMs: number | null = null;
  private endpoint: string | null = null;
  private limitsCache: ServerLimits | null = null;

  constructor(opts: StorageClientOptions) {
    this.tokens = opts.tokens;
    this.now = opts.now ?? Date.now;
    this.onAlert = opts.onAlert;
    this.http = new HttpClient({
      now: this.now,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.onBackoff ? { onBackoff: opts.onBackoff } : {}),
    });
  }

  /** The clock correction in use (ms), for diagnostics and tests. */
  get serverClockOffsetMs(): number {
    return this.clockOffsetMs ?? 0;
  }

  /** The storage endpoint of the last token used, or null before the first request. */
  get apiEndpoint(): string | null {
    return this.endpoint;
  }

  // ---- info ----

  async getInfoCollections(opts: { ifModifiedSince?: ServerTimestamp; signal?: AbortSignal } = {}): Promise<InfoCollectionsResult> {
    const headers: Record<string, string> = {};
    if (opts.ifModifiedSince !== undefined) headers['X-If-Modified-Since'] = checkTs(opts.ifModifiedSince, 'ifModifiedSince');
    const res = await this.send({ method: 'GET', path: '/info/collections', headers, signal: opts.signal });
    if (res.status === 304) return { status: 'not-modified', lastModified: lastModifiedOf(res) };
    this.expect(res, [200], 'GET info/collections');
    const body = parseJsonObject(res, 'info/collections');
    const collections: Record<string, ServerTimestamp> = {};
    for (const [name, value] of Object.entries(body)) {
      const ts = toServerTimestamp(value);
      if (ts === null) throw new BadResponseError(`info/collections: bad timestamp for ${name}`, { status: 200 });
      collections[name] = ts;
    }
    return { status: 'ok', collections, lastModified: lastModifiedOf(res) };
  }

  /** Server limits; the documented defaults when the server has no info/configuration (404). */
  async getInfoConfiguration(opts: { signal?: AbortSignal } = {}): Promise<ServerLimits> {
    const res = await this.send({ method: 'GET', path: '/info/configuration', signal: opts.signal });
    if (res.status === 404) return { ...DEFAULT_SERVER_LIMITS };
    this.expect(res, [200], 'GET info/configuration');
    const body = parseJsonObject(res, 'info/configuration');
    const num = (field: string): number => {
      const v = body[field];
      return typeof v === 'number' && v > 0 ? v : Infinity;
    };
    const limits: ServerLimits = {
      maxRequestBytes: num('max_request_bytes'),
      maxPostRecords: num('max_post_records'),
      maxPostBytes: num('max_post_bytes'),
      maxTotalRecords: num('max_total_records'),
      maxTotalBytes: num('max_total_bytes'),
      maxRecordPayloadBytes: num('max_record_payload_bytes'),
    };
    this.limitsCache = limits;
    return limits;
  }

  /** The server's limits, asked once and then remembered (as uploads use them). */
  async limits(opts: { signal?: AbortSignal } = {}): Promise<ServerLimits> {
    return this.limitsCache ?? this.getInfoConfiguration(opts);
  }

  // ---- reads ----

  /** One BSO, or null when it does not exist. */
  async getRecord(collection: string, id: string, opts: { signal?: AbortSignal } = {}): Promise<Bso | null> {
    const path = `/storage/${checkCollection(collection)}/${encodeURIComponent(id)}`;
    const res = await this.send({ method: 'GET', path, signal: opts.signal });
    if (res.status === 404) return null;
    this.expect(res, [200], `GET ${collection}/${id}`);
    return parseBso(parseJsonBody(res, `${collection}/${id}`), `${collection}/${id}`);
  }

  /**
   * Pages through a collection. Every page after the first carries X-If-Unmodified-Since = the
   * first page's X-Last-Modified, so a concurrent writer surfaces as ConflictError (restart).
   */
  getRecords(collection: string, opts: GetRecordsOptions & { full: true }): AsyncGenerator<RecordPage<Bso>>;
  getRecords(collection: string, opts: GetRecordsOptions & { full: false }): AsyncGenerator<RecordPage<string>>;
  getRecords(collection: string, opts: GetRecordsOptions): AsyncGenerator<RecordPage<Bso | string>>;
  async *getRecords(collection: string, opts: GetRecordsOptions): AsyncGenerator<RecordPage<Bso | string>> {
    checkCollection(collection);
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1)) {
      // limit=0 makes the server answer an empty page with a next offset: an endless loop.
      throw new TypeError('limit must be a positive integer');
    }
    const base: Array<[string, string]> = [];
    if (opts.full) base.push(['full', '1']);
    if (opts.newer !== undefined) base.push(['newer', checkTs(opts.newer, 'newer')]);
    if (opts.older !== undefined) base.push(['older', checkTs(opts.older, 'older')]);
    if (opts.sort !== undefined) base.push(['sort', opts.sort]);
    if (opts.limit !== undefined) base.push(['limit', String(opts.limit)]);
    // ids are joined with literal commas; each id is percent-encoded on its own.
    const idGroups: Array<string | null> = opts.ids
      ? chunks(opts.ids, MAX_IDS_PER_REQUEST).map((g) => g.map(encodeURIComponent).join(','))
      : [null];
    if (opts.ids && opts.ids.length === 0) return;
    let guard: ServerTimestamp | null = opts.ifUnmodifiedSince !== undefined ? checkTs(opts.ifUnmodifiedSince, 'ifUnmodifiedSince') : null;
    const what = `GET storage/${collection}`;
    for (const ids of idGroups) {
      let offset: string | null = null;
      do {
        let q = query(base);
        if (ids !== null) q += `${q ? '&' : ''}ids=${ids}`;
        if (offset !== null) q += `${q ? '&' : ''}offset=${encodeURIComponent(offset)}`;
        const headers: Record<string, string> = { Accept: 'application/json' };
        if (guard !== null) headers['X-If-Unmodified-Since'] = guard;
        const res = await this.send({ method: 'GET', path: `/storage/${collection}`, query: q, headers, signal: opts.signal });
        this.expect(res, [200], what);
        const lastModified = lastModifiedOf(res);
        if (guard === null) guard = lastModified;
        const body = parseJsonBody(res, what);
        if (!Array.isArray(body)) throw new BadResponseError(`${what}: expected a JSON array`, { status: 200 });
        const items: Array<Bso | string> = opts.full
          ? body.map((b) => parseBso(b, what))
          : body.map((id) => {
              if (typeof id !== 'string') throw new BadResponseError(`${what}: id is not a string`, { status: 200 });
              return id;
            });
        const next = res.headers.get('x-weave-next-offset');
        offset = next !== null && next !== '' ? next : null;
        if (offset !== null && items.length === 0) {
          throw new BadResponseError(`${what}: empty page with a next offset`, { status: 200 });
        }
        yield { items, lastModified };
      } while (offset !== null);
    }
  }

  // ---- writes (every one carries X-If-Unmodified-Since) ----

  /** PUT one BSO; returns the new timestamp. ifUnmodifiedSince '0' = create only if absent. */
  async putRecord(collection: string, bso: OutgoingBso, opts: WriteOptions): Promise<ServerTimestamp> {
    const path = `/storage/${checkCollection(collection)}/${encodeURIComponent(bso.id)}`;
    const body: Record<string, unknown> = { payload: bso.payload };
    if (bso.sortindex !== undefined) body.sortindex = bso.sortindex;
    if (bso.ttl !== undefined) body.ttl = bso.ttl;
    const res = await this.send({
      method: 'PUT',
      path,
      headers: this.writeHeaders(opts, true),
      body: JSON.stringify(body),
      signal: opts.signal,
    });
    this.expect(res, [200], `PUT ${collection}/${bso.id}`);
    return this.writeTimestamp(res, `PUT ${collection}/${bso.id}`);
  }

  /** Deletes one BSO; returns the new timestamp, or null when it did not exist. */
  async deleteRecord(collection: string, id: string, opts: WriteOptions): Promise<ServerTimestamp | null> {
    const path = `/storage/${checkCollection(collection)}/${encodeURIComponent(id)}`;
    const res = await this.send({ method: 'DELETE', path, headers: this.writeHeaders(opts, false), signal: opts.signal });
    if (res.status === 404) return null;
    this.expect(res, [200], `DELETE ${collection}/${id}`);
    return this.writeTimestamp(res, `DELETE ${collection}/${id}`);
  }

  /** Deletes the whole collection; returns the server's timestamp for the delete. */
  async deleteCollection(collection: string, opts: WriteOptions): Promise<ServerTimestamp> {
    const res = await this.send({
      method: 'DELETE',
      path: `/storage/${checkCollection(collection)}`,
      headers: this.writeHeaders(opts, false),
      signal: opts.signal,
    });
    this.expect(res, [200], `DELETE ${collection}`);
    return this.writeTimestamp(res, `DELETE ${collection}`);
  }

  /**
   * Deletes these ids (in requests of ≤100). Each request after the first is guarded by the
   * timestamp the previous one produced. Returns the last timestamp.
   */
  async deleteRecords(collection: string, ids: readonly string[], opts: WriteOptions): Promise<ServerTimestamp> {
    checkCollection(collection);
    let since = checkTs(opts.ifUnmodifiedSince, 'ifUnmodifiedSince');
    for (const group of chunks(ids, MAX_IDS_PER_REQUEST)) {
      const res = await this.send({
        method: 'DELETE',
        path: `/storage/${collection}`,
        query: `ids=${group.map(encodeURIComponent).join(',')}`,
        headers: { 'X-If-Unmodified-Since': since },
        signal: opts.signal,
      });
      this.expect(res, [200], `DELETE ${collection}?ids`);
      since = this.writeTimestamp(res, `DELETE ${collection}?ids`);
    }
    return since;
  }

  /** Deletes every collection of the user (fresh start). */
  async deleteAll(opts: WriteOptions): Promise<ServerTimestamp | null> {
    const res = await this.send({ method: 'DELETE', path: '', headers: this.writeHeaders(opts, false), signal: opts.signal });
    this.expect(res, [200], 'DELETE storage');
    // The answer's body is null; X-Weave-Timestamp is the time of the wipe.
    return toServerTimestamp(res.headers.get('x-weave-timestamp')) ?? lastModifiedOf(res);
  }

  /**
   * Uploads records with as few requests as the limits allow, using the batch API when the server
   * has it. Records over the payload limit are reported in `failed` and never sent. A 412 on any
   * request throws ConflictError (nothing of the open batch is committed).
   */
  async uploadRecords(collection: string, records: readonly OutgoingBso[], opts: UploadOptions): Promise<UploadResult> {
    checkCollection(collection);
    let since = checkTs(opts.ifUnmodifiedSince, 'ifUnmodifiedSince');
    if (records.length === 0) return { lastModified: since, success: [], failed: {}, sent: 0, failures: [] };
    const limits = opts.limits ?? this.limitsCache ?? (await this.getInfoConfiguration({ ...(opts.signal ? { signal: opts.signal } : {}) }));
    const plan = planUpload(records, limits);
    const failed: Record<string, string> = Object.fromEntries(plan.tooLarge);
    const success: string[] = [];
    const acknowledged = new Set<string>();
    let sent = 0;
    const what = `POST storage/${collection}`;
    let batchingSupported = true;

    const post = async (body: string, batchParam: string | null): Promise<{ res: HttpResponse; parsed: Record<string, unknown> }> => {
      const res = await this.send({
        method: 'POST',
        path: `/storage/${collection}`,
        ...(batchParam !== null ? { query: batchParam } : {}),
        headers: { 'Content-Type': 'application/json', 'X-If-Unmodified-Since': since },
        body,
        signal: opts.signal,
      });
      this.expect(res, [200, 202], what);
      const parsed = parseJsonObject(res, what);
      for (const [id, reason] of this.failedOf(parsed, what)) {
        failed[id] = reason;
        acknowledged.add(id);
      }
      return { res, parsed };
    };
    /** Records the server reported as stored (only once committed). */
    const accept = (parsed: Record<string, unknown>): void => {
      const ok = parsed.success;
      if (ok === undefined) return;
      if (!Array.isArray(ok) || ok.some((x) => typeof x !== 'string')) throw new BadResponseError(`${what}: bad success list`, { status: 200 });
      for (const id of ok as string[]) {
        success.push(id);
        acknowledged.add(id);
      }
    };
    const committed = (res: HttpResponse, parsed: Record<string, unknown>): void => {
      const ts = toServerTimestamp(parsed.modified) ?? lastModifiedOf(res);
      if (ts === null) throw new BadResponseError(`${what}: commit without a timestamp`, { status: res.status });
      // Our own commit moved the collection on; later writes are based on it.
      since = ts;
    };

    for (const batch of plan.batches) {
      const posts = batch.posts;
      for (const p of posts) sent += p.records.length;
      if (posts.length === 1 || !batchingSupported) {
        // A single POST is committed on its own: no batch needed.
        for (const p of posts) {
          const { res, parsed } = await post(p.body, null);
          if (res.status !== 200) throw new BadResponseError(`${what}: ${res.status} for a non-batch POST`, { status: res.status });
          accept(parsed);
          committed(res, parsed);
        }
        continue;
      }
      const pending: Array<Record<string, unknown>> = [];
      const first = await post(posts[0]!.body, 'batch=true');
      if (first.res.status === 200) {
        // No batch id: this server commits every POST immediately.
        batchingSupported = false;
        accept(first.parsed);
        committed(first.res, first.parsed);
        for (const p of posts.slice(1)) {
          const { res, parsed } = await post(p.body, null);
          accept(parsed);
          committed(res, parsed);
        }
        continue;
      }
      const batchId = first.parsed.batch;
      if (typeof batchId !== 'string' || batchId === '') throw new BadResponseError(`${what}: 202 without a batch id`, { status: 202 });
      pending.push(first.parsed);
      for (let i = 1; i < posts.length; i++) {
        const last = i === posts.length - 1;
        const param = `batch=${encodeURIComponent(batchId)}${last ? '&commit=true' : ''}`;
        const { res, parsed } = await post(posts[i]!.body, param);
        if (!last && res.status !== 202) {
          // app-services treats a non-202 success inside an open batch as a server bug.
          throw new BadResponseError(`${what}: expected 202 inside batch, got ${res.status}`, { status: res.status });
        }
        if (last && res.status !== 200) throw new BadResponseError(`${what}: commit answered ${res.status}`, { status: res.status });
        pending.push(parsed);
        if (last) {
          for (const p of pending) accept(p);
          committed(res, parsed);
        }
      }
    }
    for (const batch of plan.batches) {
      for (const p of batch.posts) {
        for (const r of p.records) if (!acknowledged.has(r.id)) failed[r.id] = 'not acknowledged by the server';
      }
    }
    const failures = Object.entries(failed).map(
      ([id, why]) =>
        new RecordError(`upload of ${collection}/${id} failed: ${why}`, { recordId: id, reason: plan.tooLarge.has(id) ? 'too-large' : 'rejected' }),
    );
    return { lastModified: since, success, failed, sent, failures };
  }

  // ---- plumbing ----

  private failedOf(parsed: Record<string, unknown>, what: string): Array<[string, string]> {
    const f = parsed.failed;
    if (f === undefined) return [];
    if (typeof f !== 'object' || f === null || Array.isArray(f)) throw new BadResponseError(`${what}: bad failed map`, { status: 200 });
    return Object.entries(f as Record<string, unknown>).map(([id, why]) => [id, typeof why === 'string' ? why : JSON.stringify(why)]);
  }

  private writeHeaders(opts: WriteOptions, json: boolean): Record<string, string> {
    const h: Record<string, string> = { 'X-If-Unmodified-Since': checkTs(opts.ifUnmodifiedSince, 'ifUnmodifiedSince') };
    if (json) h['Content-Type'] = 'application/json';
    return h;
  }

  /** New timestamp of a write: the body ({"modified": ts} or a bare ts), else X-Last-Modified. */
  private writeTimestamp(res: HttpResponse, what: string): ServerTimestamp {
    let fromBody: ServerTimestamp | null = null;
    try {
      const v = JSON.parse(res.text) as unknown;
      fromBody =
        typeof v === 'object' && v !== null && !Array.isArray(v)
          ? toServerTimestamp((v as { modified?: unknown }).modified)
          : toServerTimestamp(v);
    } catch {
      fromBody = null;
    }
    const ts = fromBody ?? lastModifiedOf(res);
    if (ts === null) throw new BadResponseError(`${what}: no timestamp in the response`, { status: res.status });
    return ts;
  }

  /** Throws the typed error for any status not in `ok`. */
  private expect(res: HttpResponse, ok: number[], what: string): void {
    if (ok.includes(res.status)) return;
    throw this.errorFor(res, what);
  }

  private errorFor(res: HttpResponse, what: string): Error {
    const s = res.status;
    const msg = `${what}: HTTP ${s}`;
    const code = weaveCode(res);
    if (s === 400) {
      if (code === WEAVE_OVER_QUOTA) return new UserActionNeededError(`${msg} (over quota)`, { reason: 'over-quota' });
      if (code === 16) return new UserActionNeededError(`${msg} (client upgrade required)`, { reason: 'client-upgrade' });
      return new BadResponseError(`${msg}${code !== null ? ` code ${code}` : ''}`, { status: s, code });
    }
    if (s === 401) return new AuthError(msg, { reason: 'storage-unauthorized' });
    if (s === 403) {
      // Quota is enforced as 403 on Spanner, with the Weave code 14 as the body (syncserver error.rs
      // weave_error_code). Any other 403 (a proxy, a ban, a skew reject that stayed) is a refusal.
      if (code === WEAVE_OVER_QUOTA) return new UserActionNeededError(`${msg} (over quota)`, { reason: 'over-quota' });
      return new ServerRefusedError(`${msg} (forbidden${code !== null ? `, code ${code}` : ''})`, { status: s, code });
    }
    if (s === 412) return new ConflictError(`${msg} (modified since)`, { lastModified: lastModifiedOf(res) });
    if (s === 409 || s === 429 || s === 500 || s === 502 || s === 503 || s === 504) {
      const retry = parseRetryAfter(res.headers.get('retry-after'), this.now());
      return new ServerBusyError(msg, {
        status: s,
        retryAfterMs: retry ?? (s === 503 || s === 409 ? DEFAULT_RETRY_AFTER_MS : null),
      });
    }
    if (s === 513) {
      return new UserActionNeededError(`${msg} (service decommissioned)`, { reason: 'service-ended' });
    }
    return new BadResponseError(`unexpected ${msg}`, { status: s, code });
  }

  private async currentToken(): Promise<SyncToken> {
    const token = await this.tokens.getToken();
    if (this.clockOffsetMs === null && token.serverClockOffsetMs) this.clockOffsetMs = token.serverClockOffsetMs;
    if (this.endpoint !== null && this.endpoint !== token.apiEndpoint) {
      const previous = this.endpoint;
      // Report once, then carry on against the new node (the caller resets its sync state).
      this.endpoint = token.apiEndpoint;
      this.limitsCache = null;
      throw new NodeReassignedError(previous, token.apiEndpoint);
    }
    this.endpoint = token.apiEndpoint;
    return token;
  }

  /** Updates the offset from the response's statement of the server's time; returns that time (ms) or null. */
  private learnClock(res: HttpResponse, token: SyncToken, receivedAt: number): number | null {
    const serverMs = statedServerTime(res, token.key);
    if (serverMs === null) return null;
    this.clockOffsetMs = serverMs - receivedAt;
    return serverMs;
  }

  private reportAlert(res: HttpResponse): void {
    const alert = res.headers.get('x-weave-alert');
    if (alert && this.onAlert) {
      try {
        this.onAlert(alert);
      } catch {
        // Observer bugs never fail a request.
      }
    }
  }

  /**
   * Signs and sends one request. On a 401 or 403 (some deployments refuse a stale Hawk ts with
   * 403): if the server's stated time is far from the ts we signed with, retry once with the
   * corrected clock. A remaining 401 drops the token and retries once with a fresh one (a different
   * api_endpoint means node reassignment); a second 401 is an AuthError.
   */
  private async send(req: {
    method: string;
    path: string;
    query?: string;
    headers?: Record<string, string>;
    body?: string;
    signal?: AbortSignal | undefined;
  }): Promise<HttpResponse> {
    let token = await this.currentToken();
    let skewRetried = false;
    let tokenRetried = false;
    for (;;) {
      const url = `${token.apiEndpoint}${req.path}${req.query ? `?${req.query}` : ''}`;
      const offset = this.clockOffsetMs ?? 0;
      const signedTsMs = this.now() + offset;
      const authorization = hawkHeader({
        method: req.method,
        url,
        id: token.id,
        key: token.key,
        ts: Math.floor(signedTsMs / 1000),
      });
      const res = await this.http.request({
        method: req.method,
        url,
        headers: { ...(req.headers ?? {}), Authorization: authorization },
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const serverMs = this.learnClock(res, token, this.now());
      this.reportAlert(res);
      const refused = res.status === 401 || (res.status === 403 && weaveCode(res) !== WEAVE_OVER_QUOTA);
      if (refused && !skewRetried && serverMs !== null && Math.abs(serverMs - signedTsMs) > SKEW_REJECT_MS) {
        skewRetried = true;
        continue;
      }
      if (res.status !== 401) return res;
      if (tokenRetried) throw new AuthError(`${req.method} ${req.path || '/'}: 401 with a fresh token`, { reason: 'storage-unauthorized' });
      tokenRetried = true;
      await this.tokens.invalidate();
      token = await this.currentToken();
    }
  }
}

