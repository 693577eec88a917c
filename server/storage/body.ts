// Parsing POST bodies into valid records and per-record failures (syncstorage BsoBodies and
// CollectionPostRequest): whole-body problems are 400s, per-record problems land in `failed`.
import type { ServerResponse } from '../core/http.ts';
import { invalidWbo, weaveError, WEAVE } from './errors.ts';
import type { StorageLimits } from './limits.ts';
import type { IncomingBso } from './model.ts';
import { ACCEPTED_CONTENT_TYPES, checkPostedBso, isKnownBadCryptoPayload, mediaType } from './validate.ts';

export interface ParsedPost {
  valid: IncomingBso[];
  failed: Map<string, string>;
}

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: ServerResponse };

/** 415 for a missing/unsupported Content-Type, 413 above max_request_bytes; else the media type. */
export function checkBodyEnvelope(headers: Record<string, string | string[] | undefined>, body: Buffer, limits: StorageLimits): BodyResult<string> {
  const raw = headers['content-type'];
  const type = mediaType(Array.isArray(raw) ? raw[0] : raw);
  if (type === null || !ACCEPTED_CONTENT_TYPES.includes(type)) return { ok: false, response: weaveError(415, WEAVE.UNKNOWN) };
  // syncstorage's own payload limit; production puts nginx in front with the same cap → 413.
  if (body.length > limits.max_request_bytes) return { ok: false, response: weaveError(413, WEAVE.UNKNOWN) };
  return { ok: true, value: type };
}

function parseItems(text: string, type: string): unknown[] | null {
  try {
    if (type === 'application/newlines') {
      const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
      if (lines.length && lines[lines.length - 1] === '') lines.pop();
      return lines.map((l) => JSON.parse(l) as unknown);
    }
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

export function parsePostBody(text: string, type: string, collection: string, limits: StorageLimits): BodyResult<ParsedPost> {
  const items = parseItems(text, type);
  if (items === null) return { ok: false, response: invalidWbo() };
  const valid: IncomingBso[] = [];
  const failed = new Map<string, string>();
  const seen = new Set<string>();
  let totalPayload = 0;
  for (const item of items) {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) return { ok: false, response: invalidWbo() };
    const obj = item as Record<string, unknown>;
    if (typeof obj.id !== 'string') return { ok: false, response: invalidWbo() };
    if (seen.has(obj.id)) return { ok: false, response: invalidWbo() };
    seen.add(obj.id);
    const checked = checkPostedBso(obj);
    if ('reason' in checked) {
      failed.set(obj.id, checked.reason);
      continue;
    }
    const size = Buffer.byteLength(checked.bso.payload ?? '', 'utf8');
    // The running total includes rejected records, exactly as syncstorage counts it.
    totalPayload += size;
    if (size <= limits.max_record_payload_bytes && totalPayload <= limits.max_post_bytes) valid.push(checked.bso);
    else failed.set(checked.bso.id, 'retry bytes');
  }
  if (collection === 'crypto' && valid.some((b) => isKnownBadCryptoPayload(b.payload))) return { ok: false, response: invalidWbo() };
  while (valid.length > limits.max_post_records) failed.set(valid.pop()!.id, 'retry bso');
  return { ok: true, value: { valid, failed } };
}

/** X-Weave-Records / -Bytes / -Total-Records / -Total-Bytes: non-integer → 400 0, over → 400 17. */
export function checkBatchHeaders(headers: Record<string, string | string[] | undefined>, limits: StorageLimits): ServerResponse | null {
  const checks: Array<[string, number]> = [
    ['x-weave-records', limits.max_post_records],
    ['x-weave-bytes', limits.max_post_bytes],
    ['x-weave-total-records', limits.max_total_records],
    ['x-weave-total-bytes', limits.max_total_bytes],
  ];
  for (const [name, limit] of checks) {
    const raw = headers[name];
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? (raw[0] ?? '') : raw;
    if (!/^\+?\d+$/.test(value) || Number(value) > 0xffffffff) return weaveError(400, WEAVE.UNKNOWN);
    if (Number(value) > limit) return weaveError(400, WEAVE.SIZE_LIMIT_EXCEEDED);
  }
  return null;
}
