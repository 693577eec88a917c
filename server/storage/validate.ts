// Request validation with syncstorage-rs's rules and outcomes
// (syncserver/src/web/extractors/*.rs): which inputs are 400s, which are per-record failures.
import { MAX_IDS, MAX_SORTINDEX, MAX_TTL, MIN_SORTINDEX } from './limits.ts';
import { parseTs } from './syncTime.ts';
import type { BsoQuery, Sort } from './store.ts';
import type { IncomingBso } from './model.ts';

export const BSO_ID_RE = /^[ -~]{1,64}$/;
export const COLLECTION_RE = /^[a-zA-Z0-9._-]{1,32}$/;
/** Content types storage accepts for bodies (ACCEPTED_CONTENT_TYPES). */
export const ACCEPTED_CONTENT_TYPES = ['application/json', 'text/plain', 'application/newlines'];
const KNOWN_BAD_PAYLOAD = /IV":\s*"AAAAAAAAAAAAAAAAAAAAAA=="/;
const TRUE_RE = /^true$/i;

export type Result<T> = { ok: true; value: T } | { ok: false };
const fail = { ok: false } as const;

export function isKnownBadCryptoPayload(payload: string | undefined): boolean {
  return payload !== undefined && KNOWN_BAD_PAYLOAD.test(payload);
}

/** First value of a query parameter, or undefined (serde's Query takes the first occurrence). */
function first(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  return v === null ? undefined : v;
}

function parseU(value: string, max: number): number | null {
  if (!/^\+?\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) && n <= max ? n : null;
}

export interface CollectionQuery extends BsoQuery {
  full: boolean;
}

/** BsoQueryParams: newer, older, sort, limit, offset, ids, full. Any bad value → 400. */
export function parseCollectionQuery(params: URLSearchParams): Result<CollectionQuery> {
  const q: CollectionQuery = { ids: [], sort: 'none', offset: 0, full: params.has('full') };
  const newer = first(params, 'newer');
  if (newer !== undefined) {
    const v = parseTs(newer);
    if (v === null) return fail;
    q.newer = v;
  }
  const older = first(params, 'older');
  if (older !== undefined) {
    const v = parseTs(older);
    if (v === null) return fail;
    q.older = v;
  }
  const sort = first(params, 'sort');
  if (sort !== undefined) {
    if (!['none', 'newest', 'oldest', 'index'].includes(sort)) return fail;
    q.sort = sort as Sort;
  }
  const limit = first(params, 'limit');
  if (limit !== undefined) {
    const v = parseU(limit, 0xffffffff);
    if (v === null) return fail;
    q.limit = v;
  }
  const offset = first(params, 'offset');
  if (offset !== undefined) {
    const v = parseU(offset, Number.MAX_SAFE_INTEGER);
    if (v === null) return fail;
    q.offset = v;
  }
  const ids = first(params, 'ids');
  if (ids !== undefined) {
    q.ids = ids.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (q.ids.length > MAX_IDS || !q.ids.every((id) => BSO_ID_RE.test(id))) return fail;
  }
  return { ok: true, value: q };
}

export type Precondition = { kind: 'none' } | { kind: 'modified-since' | 'unmodified-since'; ts: number };

/** X-If-Modified-Since / X-If-Unmodified-Since: both at once, negative or non-decimal → 400. */
export function parsePrecondition(headers: Record<string, string | string[] | undefined>): Result<Precondition> {
  const mod = headers['x-if-modified-since'];
  const unmod = headers['x-if-unmodified-since'];
  if (mod !== undefined && unmod !== undefined) return fail;
  const raw = mod ?? unmod;
  if (raw === undefined) return { ok: true, value: { kind: 'none' } };
  const ts = parseTs(Array.isArray(raw) ? (raw[0] ?? '') : raw);
  if (ts === null) return fail;
  return { ok: true, value: { kind: mod !== undefined ? 'modified-since' : 'unmodified-since', ts } };
}

/** Media type without parameters, lowercased; null when the header is missing or unparseable. */
export function mediaType(header: string | undefined): string | null {
  if (!header) return null;
  const t = header.split(';')[0]!.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(t) ? t : null;
}

/**
 * Reply format from Accept (syncstorage get_accepted): highest quality first; any-type → JSON; the
 * first supported type wins. text/plain is "supported" there but then rejected → 406.
 */
export function replyFormat(accept: string | undefined): 'json' | 'newlines' | null {
  if (!accept || accept.trim() === '') return 'json';
  const items = accept
    .split(',')
    .map((part, i) => {
      const [type = '', ...params] = part.split(';').map((s) => s.trim());
      const q = params.find((p) => /^q=/i.test(p));
      const quality = q ? Number(q.slice(2)) : 1;
      return { type: type.toLowerCase(), quality: Number.isFinite(quality) ? quality : 0, i };
    })
    .filter((x) => x.type !== '');
  if (items.length === 0) return 'json';
  items.sort((a, b) => b.quality - a.quality || a.i - b.i);
  for (const { type } of items) {
    if (type === '*/*') return 'json';
    if (ACCEPTED_CONTENT_TYPES.includes(type)) {
      if (type === 'application/json') return 'json';
      if (type === 'application/newlines') return 'newlines';
      return null;
    }
  }
  return null;
}

const ALLOWED_KEYS = new Set(['id', 'sortindex', 'payload', 'ttl', 'modified', 'collection']);

function isI32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}
function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

/**
 * One POSTed item (BatchBsoBody::from_raw_bso): returns the BSO, or the reason string syncstorage
 * puts in `failed`. The caller has already checked that `id` is a string.
 */
export function checkPostedBso(obj: Record<string, unknown>): { bso: IncomingBso } | { reason: string } {
  for (const key of Object.keys(obj)) if (!ALLOWED_KEYS.has(key)) return { reason: `unknown field ${key}` };
  const { id, sortindex, payload, ttl } = obj;
  if (typeof id !== 'string') return { reason: 'invalid json' };
  if (sortindex !== undefined && sortindex !== null && !isI32(sortindex)) return { reason: 'invalid json' };
  if (payload !== undefined && payload !== null && typeof payload !== 'string') return { reason: 'invalid json' };
  if (ttl !== undefined && ttl !== null && !isU32(ttl)) return { reason: 'invalid json' };
  const problems: string[] = [];
  if (!BSO_ID_RE.test(id)) problems.push('id: Invalid id');
  if (typeof sortindex === 'number' && (sortindex < MIN_SORTINDEX || sortindex > MAX_SORTINDEX)) problems.push('sortindex: invalid value');
  if (typeof ttl === 'number' && ttl > MAX_TTL) problems.push('ttl: Invalid TTL');
  if (problems.length) return { reason: `invalid bso: ${problems.join('\n')}` };
  const bso: IncomingBso = { id };
  if (typeof payload === 'string') bso.payload = payload;
  if (typeof sortindex === 'number') bso.sortindex = sortindex;
  if (typeof ttl === 'number') bso.ttl = ttl;
  return { bso };
}

/** PUT body (BsoBody, deny_unknown_fields): any problem is a 400 with code 8 → null here. */
export function checkPutBody(value: unknown): Omit<IncomingBso, 'id'> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (!ALLOWED_KEYS.has(key)) return null;
  const { id, sortindex, payload, ttl } = obj;
  if (id !== undefined && id !== null && (typeof id !== 'string' || !BSO_ID_RE.test(id))) return null;
  if (sortindex !== undefined && sortindex !== null && (!isI32(sortindex) || sortindex < MIN_SORTINDEX || sortindex > MAX_SORTINDEX)) return null;
  if (payload !== undefined && payload !== null && typeof payload !== 'string') return null;
  if (ttl !== undefined && ttl !== null && (!isU32(ttl) || ttl > MAX_TTL)) return null;
  const out: Omit<IncomingBso, 'id'> = {};
  if (typeof payload === 'string') out.payload = payload;
  if (typeof sortindex === 'number') out.sortindex = sortindex;
  if (typeof ttl === 'number') out.ttl = ttl;
  return out;
}

export interface BatchParams {
  /** undefined = no batch semantics requested. */
  batch?: { id: string | null; commit: boolean };
}

/** BatchRequestOpt minus the header checks: commit without batch, bad commit value → 400. */
export function parseBatchParams(params: URLSearchParams): Result<BatchParams> {
  const batch = first(params, 'batch');
  const commit = first(params, 'commit');
  if (batch === undefined && commit === undefined) return { ok: true, value: {} };
  if (batch === undefined) return fail;
  if (commit !== undefined && !TRUE_RE.test(commit)) return fail;
  const id = batch === '' || TRUE_RE.test(batch) ? null : batch;
  return { ok: true, value: { batch: { id, commit: commit !== undefined } } };
}
