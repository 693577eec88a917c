// Sync 1.5 storage endpoints under /storage/1.5/{uid}, following syncstorage-rs's handlers,
// extractor order and response shapes (syncserver/src/web/{handlers,transaction}.rs).
import type { Handler, ServerRequest, ServerResponse } from '../core/http.ts';
import { Batches, decodeBatchId } from './batches.ts';
import { checkBatchHeaders, checkBodyEnvelope, parsePostBody, type ParsedPost } from './body.ts';
import { badRequest, invalidWbo, methodNotAllowed, notFound, sizeLimitExceeded, unauthorized, weaveError, WEAVE } from './errors.ts';
import type { HawkVerifier } from './hawkAuth.ts';
import { arrayJson, batchAcceptedJson, batchCommitJson, bsoJson, objectJson, postResultJson, rustFloat } from './json.ts';
import { limitsJson, type StorageLimits } from './limits.ts';
import type { SyncStore } from './store.ts';
import { formatTs, parseTs } from './syncTime.ts';
import {
  BSO_ID_RE,
  COLLECTION_RE,
  checkPutBody,
  isKnownBadCryptoPayload,
  parseBatchParams,
  parseCollectionQuery,
  parsePrecondition,
  replyFormat,
  type CollectionQuery,
  type Precondition,
} from './validate.ts';

export const STORAGE_ROOT = '/storage/1.5';

export interface StorageRouteOptions {
  limits: StorageLimits;
  /** Reject batch appends/commits beyond max_total_records / max_total_bytes (syncstorage-rs does not). */
  enforceBatchTotals: boolean;
}

type Route =
  | { kind: 'root' | 'storage' | 'info'; name?: string }
  | { kind: 'collection'; collection: string }
  | { kind: 'bso'; collection: string; id: string };

const INFO = new Set(['collections', 'collection_counts', 'collection_usage', 'quota', 'configuration']);
const JSON_TYPE = { 'content-type': 'application/json' };

function decodeSegment(seg: string): string | null {
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

/** Maps the path after /storage/1.5/{uid} to a route, a 404, or a 400 (bad BSO id). */
function matchRoute(sub: string): Route | ServerResponse {
  if (sub === '') return { kind: 'root' };
  if (sub === '/storage') return { kind: 'storage' };
  const info = /^\/info\/([a-z_]+)$/.exec(sub);
  if (info && INFO.has(info[1]!)) return { kind: 'info', name: info[1]! };
  const m = /^\/storage\/([^/]+)(?:\/([^/]+))?$/.exec(sub);
  if (!m) return notFound();
  const collection = decodeSegment(m[1]!);
  if (collection === null || !COLLECTION_RE.test(collection)) return notFound();
  if (m[2] === undefined) return { kind: 'collection', collection };
  // Length is judged on the decoded id (an id with spaces is longer once percent-encoded): too long
  // is no route (404); the wrong characters are a bad request (400).
  const id = decodeSegment(m[2]);
  if (id !== null && id.length > 64) return notFound();
  if (id === null || !BSO_ID_RE.test(id)) return badRequest();
  return { kind: 'bso', collection, id };
}

const ALLOWED: Record<Route['kind'], string[]> = {
  root: ['DELETE'],
  storage: ['DELETE'],
  info: ['GET'],
  collection: ['GET', 'POST', 'DELETE'],
  bso: ['GET', 'PUT', 'DELETE'],
};

function emptyWithTs(status: number, ts: number): ServerResponse {
  return { status, headers: { 'x-last-modified': formatTs(ts) }, body: '' };
}

/** 304 / 412 from X-If-Modified-Since / X-If-Unmodified-Since against the resource timestamp. */
function preconditionFails(pc: Precondition, resourceTs: number): ServerResponse | null {
  if (pc.kind === 'modified-since' && resourceTs <= pc.ts) return emptyWithTs(304, resourceTs);
  if (pc.kind === 'unmodified-since' && resourceTs > pc.ts) return emptyWithTs(412, resourceTs);
  return null;
}

function ok(body: string, lastModified: number, extra: Record<string, string> = {}, status = 200): ServerResponse {
  return { status, headers: { ...JSON_TYPE, 'x-last-modified': formatTs(lastModified), ...extra }, body };
}

function sameUid(a: string, b: string): boolean {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return false;
  }
}

/**
 * Adds X-Weave-Timestamp = max(request time, X-Last-Modified), as syncstorage's middleware does, and
 * a Date from the stack's own clock (node:http would stamp the host's clock, which the clock fault
 * does not move; a real server's Date is its own clock).
 */
function stampWeaveTimestamp(res: ServerResponse, nowMs: number): ServerResponse {
  const lm = res.headers?.['x-last-modified'];
  const lmMs = lm !== undefined ? parseTs(lm) : null;
  const ts = Math.max(nowMs, lmMs ?? 0);
  return { ...res, headers: { date: new Date(nowMs).toUTCString(), ...(res.headers ?? {}), 'x-weave-timestamp': formatTs(ts) } };
}

export function createStorageRoutes(store: SyncStore, hawk: HawkVerifier, opts: StorageRouteOptions): Handler {
  const batches = new Batches(store);
  const { limits } = opts;

  function header(req: ServerRequest, name: string): string | undefined {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  }

  function getCollection(req: ServerRequest, uid: string, coll: string, q: CollectionQuery, pc: Precondition): ServerResponse {
    const format = replyFormat(header(req, 'accept'));
    if (format === null) return weaveError(406, WEAVE.UNKNOWN);
    const resourceTs = store.collectionTs(uid, coll);
    const failed = preconditionFails(pc, resourceTs);
    if (failed) return failed;
    const rows = store.query(uid, coll, q);
    const page = store.page(rows, q, q.full);
    const items = q.full ? page.items.map(bsoJson) : page.items.map((b) => JSON.stringify(b.id));
    const extra: Record<string, string> = { 'x-weave-records': String(items.length) };
    if (page.nextOffset !== undefined) extra['x-weave-next-offset'] = page.nextOffset;
    if (format === 'newlines') {
      // serde_json never emits raw newlines inside a value, so one value per line is safe.
      const body = items.map((s) => `${s}\n`).join('');
      return { status: 200, headers: { 'content-type': 'application/newlines', 'x-last-modified': formatTs(resourceTs), ...extra }, body };
    }
    return ok(arrayJson(items), resourceTs, extra);
  }

  function batchTooBig(records: number, bytes: number): boolean {
    return opts.enforceBatchTotals && (records > limits.max_total_records || bytes > limits.max_total_bytes);
  }

  function postCollection(req: ServerRequest, uid: string, coll: string): ServerResponse {
    const envelope = checkBodyEnvelope(req.headers, req.body, limits);
    if (!envelope.ok) return envelope.response;
    const parsed = parsePostBody(req.body.toString('utf8'), envelope.value, coll, limits);
    if (!parsed.ok) return parsed.response;
    const headerProblem = checkBatchHeaders(req.headers, limits);
    if (headerProblem) return headerProblem;
    const batchParams = parseBatchParams(req.url.searchParams);
    if (!batchParams.ok) return badRequest();
    const batch = batchParams.value.batch;
    if (batch?.id != null && decodeBatchId(batch.id) === null) return badRequest();
    const pc = parsePrecondition(req.headers);
    if (!pc.ok) return badRequest();
    const resourceTs = store.collectionTs(uid, coll);
    const failed = preconditionFails(pc.value, resourceTs);
    if (failed) return failed;
    const { valid, failed: rejected } = parsed.value;
    if (batch && !(batch.id === null && batch.commit)) return postBatch(uid, coll, batch, parsed.value, resourceTs);
    const ts = store.nextWriteTs(uid);
    for (const b of valid) store.putBso(uid, coll, b, ts);
    store.touch(uid, coll, ts);
    store.commit(uid);
    return ok(postResultJson(ts, valid.map((b) => b.id), rejected), ts);
  }

  function postBatch(uid: string, coll: string, batch: { id: string | null; commit: boolean }, parsed: ParsedPost, resourceTs: number): ServerResponse {
    const { valid, failed } = parsed;
    const success = valid.map((b) => b.id);
    const existing = batch.id === null ? null : batches.find(uid, coll, batch.id);
    if (batch.id !== null && !existing) return badRequest();
    const target = existing ?? batches.create(uid, coll, store.nowMs());
    const projected = batches.projected(target, valid);
    if (batchTooBig(projected.records, projected.bytes)) {
      // Nothing is kept on error: a batch created by this very request goes away again.
      if (!existing) store.user(uid).batches.delete(target.id);
      return sizeLimitExceeded();
    }
    if (!batch.commit) {
      batches.append(target, valid);
      return ok(batchAcceptedJson(target.id, success, failed), resourceTs, {}, 202);
    }
    const ts = store.nextWriteTs(uid);
    batches.commit(uid, target, ts);
    // Records sent with the commit request itself are written after the batch (syncstorage order).
    for (const b of valid) store.putBso(uid, coll, b, ts);
    store.touch(uid, coll, ts);
    store.commit(uid);
    return ok(batchCommitJson(ts, success, failed), ts);
  }

  function putBso(req: ServerRequest, uid: string, coll: string, id: string): ServerResponse {
    const envelope = checkBodyEnvelope(req.headers, req.body, limits);
    if (!envelope.ok) return envelope.response;
    // actix's Json extractor takes application/json and text/plain only.
    if (envelope.value === 'application/newlines') return invalidWbo();
    let value: unknown;
    try {
      value = JSON.parse(req.body.toString('utf8'));
    } catch {
      return invalidWbo();
    }
    const body = checkPutBody(value);
    if (!body) return invalidWbo();
    if (Buffer.byteLength(body.payload ?? '', 'utf8') > limits.max_record_payload_bytes) return invalidWbo();
    if (coll === 'crypto' && isKnownBadCryptoPayload(body.payload)) return invalidWbo();
    const pc = parsePrecondition(req.headers);
    if (!pc.ok) return badRequest();
    const failed = preconditionFails(pc.value, store.bsoTs(uid, coll, id));
    if (failed) return failed;
    const ts = store.nextWriteTs(uid);
    store.putBso(uid, coll, { id, ...body }, ts);
    store.commit(uid);
    return ok(formatTs(ts), ts);
  }

  function handleBso(req: ServerRequest, uid: string, coll: string, id: string, pc: Precondition): ServerResponse {
    const resourceTs = store.bsoTs(uid, coll, id);
    const failed = preconditionFails(pc, resourceTs);
    if (failed) return failed;
    if (req.method === 'GET') {
      const b = store.getBso(uid, coll, id);
      return b ? ok(bsoJson(b), resourceTs) : notFound();
    }
    const ts = store.nextWriteTs(uid);
    if (!store.deleteBso(uid, coll, id, ts)) return notFound();
    store.commit(uid);
    return ok(`{"modified":${formatTs(ts)}}`, resourceTs);
  }

  function deleteCollection(uid: string, coll: string, q: CollectionQuery, pc: Precondition): ServerResponse {
    const resourceTs = store.collectionTs(uid, coll);
    const failed = preconditionFails(pc, resourceTs);
    if (failed) return failed;
    const ts = store.nextWriteTs(uid);
    if (q.ids.length > 0) {
      const done = store.deleteBsos(uid, coll, q.ids, ts) ?? store.storageTs(uid);
      store.commit(uid);
      return ok(formatTs(done), done);
    }
    store.deleteCollection(uid, coll, ts);
    store.commit(uid);
    // X-Last-Modified is the collection's timestamp from before the delete, as syncstorage sends.
    return ok(formatTs(store.storageTs(uid)), resourceTs);
  }

  function info(name: string, uid: string, pc: Precondition): ServerResponse {
    const resourceTs = store.storageTs(uid);
    const failed = preconditionFails(pc, resourceTs);
    if (failed) return failed;
    switch (name) {
      case 'collections': {
        const entries = store.collectionTimestamps(uid);
        return ok(objectJson(entries.map(([n, ts]) => [n, formatTs(ts)])), resourceTs, { 'x-weave-records': String(entries.length) });
      }
      case 'collection_counts': {
        const usage = store.usage(uid);
        return ok(objectJson(usage.map((u) => [u.name, String(u.count)])), resourceTs, { 'x-weave-records': String(usage.length) });
      }
      case 'collection_usage': {
        const usage = store.usage(uid);
        return ok(objectJson(usage.map((u) => [u.name, rustFloat(u.bytes / 1024)])), resourceTs, { 'x-weave-records': String(usage.length) });
      }
      default: {
        const total = store.usage(uid).reduce((sum, u) => sum + u.bytes, 0);
        return ok(`[${rustFloat(total / 1024)},null]`, resourceTs);
      }
    }
  }

  function route(req: ServerRequest): ServerResponse {
    const rest = req.url.pathname.slice(STORAGE_ROOT.length);
    const m = /^\/([0-9]{1,10})(\/.*)?$/.exec(rest);
    if (!m) return notFound();
    const pathUid = m[1]!;
    const matched = matchRoute(m[2] ?? '');
    if (!('kind' in matched)) return matched;
    const r = matched;
    if (!ALLOWED[r.kind].includes(req.method)) return methodNotAllowed();
    if (r.kind === 'info' && r.name === 'configuration') {
      // No auth and no preconditions: syncstorage serves this from static state.
      return { status: 200, headers: { ...JSON_TYPE, 'x-last-modified': '0.00' }, body: limitsJson(limits) };
    }
    // iOS-era "ts:n" offsets get a 412 before anything else, to break client loops.
    if (r.kind === 'collection' && req.method === 'GET' && (req.url.searchParams.get('offset') ?? '').includes(':')) {
      return { status: 412, body: '' };
    }
    const auth = hawk.verify(req, { allowExpired: r.kind === 'info' && r.name === 'collections' });
    if (!auth.ok) return unauthorized();
    if (!sameUid(auth.uid, pathUid)) return badRequest();
    const uid = auth.uid;

    let q: CollectionQuery | null = null;
    if (r.kind === 'collection' || r.kind === 'bso') {
      const parsed = parseCollectionQuery(req.url.searchParams);
      if (!parsed.ok) return badRequest();
      q = parsed.value;
    }
    if (r.kind === 'collection' && req.method === 'POST') return postCollection(req, uid, r.collection);
    if (r.kind === 'bso' && req.method === 'PUT') return putBso(req, uid, r.collection, r.id);
    if (r.kind === 'collection' && req.method === 'GET' && replyFormat(header(req, 'accept')) === null) return weaveError(406, WEAVE.UNKNOWN);

    const pc = parsePrecondition(req.headers);
    if (!pc.ok) return badRequest();
    switch (r.kind) {
      case 'info':
        return info(r.name!, uid, pc.value);
      case 'collection':
        return req.method === 'GET' ? getCollection(req, uid, r.collection, q!, pc.value) : deleteCollection(uid, r.collection, q!, pc.value);
      case 'bso':
        return handleBso(req, uid, r.collection, r.id, pc.value);
      default: {
        const resourceTs = store.storageTs(uid);
        const failed = preconditionFails(pc.value, resourceTs);
        if (failed) return failed;
        store.deleteAll(uid);
        return ok('null', resourceTs);
      }
    }
  }

  return async (req) => {
    const path = req.url.pathname;
    if (path !== STORAGE_ROOT && !path.startsWith(`${STORAGE_ROOT}/`)) return null;
    const nowMs = store.nowMs();
    return stampWeaveTimestamp(route(req), nowMs);
  };
}
