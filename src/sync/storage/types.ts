// Sync 1.5 storage shapes (protocol.md §4.4, §4.6) and the timestamp convention.

/**
 * A server timestamp: seconds with exactly two decimals, kept as the server's text
 * ("1700000000.10"). Never do float arithmetic on it; compare with compareServerTs.
 */
export type ServerTimestamp = string;

/** A BSO as the server returns it. */
export interface Bso {
  id: string;
  modified: ServerTimestamp;
  /** Opaque to storage; for Sync records the JSON of {ciphertext, IV, hmac}. */
  payload: string;
  sortindex?: number;
}

/** A BSO to write. `ttl` is write-only (seconds). */
export interface OutgoingBso {
  id: string;
  payload: string;
  sortindex?: number;
  ttl?: number;
}

/** info/configuration; a limit the server does not advertise is Infinity (= no limit). */
export interface ServerLimits {
  maxRequestBytes: number;
  maxPostRecords: number;
  maxPostBytes: number;
  maxTotalRecords: number;
  maxTotalBytes: number;
  maxRecordPayloadBytes: number;
}

/** Used when info/configuration is 404 (app-services client/request.rs defaults). */
export const DEFAULT_SERVER_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxRequestBytes: 260 * 1024,
  maxPostRecords: Infinity,
  maxPostBytes: Infinity,
  maxTotalRecords: Infinity,
  maxTotalBytes: Infinity,
  maxRecordPayloadBytes: 256 * 1024,
});

const TS_TEXT = /^\d+(\.\d{1,2})?$/;

/**
 * Normalises a timestamp from JSON (number) or a header (text) to the two-decimal text form.
 * Numbers below 1e11 round-trip exactly through toFixed(2) (the float error is far below 0.005).
 * Returns null when the value is not a non-negative decimal.
 */
export function toServerTimestamp(v: unknown): ServerTimestamp | null {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? v.toFixed(2) : null;
  if (typeof v === 'string') {
    const t = v.trim();
    if (!TS_TEXT.test(t)) return null;
    const [whole, frac = ''] = t.split('.');
    return `${whole}.${frac.padEnd(2, '0')}`;
  }
  return null;
}

/** Compares two timestamps exactly (as integer hundredths). */
export function compareServerTs(a: ServerTimestamp, b: ServerTimestamp): number {
  const ca = centis(a);
  const cb = centis(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}

function centis(ts: ServerTimestamp): bigint {
  const n = toServerTimestamp(ts);
  if (n === null) throw new TypeError(`not a server timestamp: ${ts}`);
  return BigInt(n.replace('.', ''));
}
