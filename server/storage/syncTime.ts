// Sync timestamps: integer milliseconds quantised to 10 ms internally, rendered as seconds with
// exactly two decimals ("1700000000.10"), as syncstorage-rs's SyncTimestamp does.

/** Quantise a millisecond clock reading to a Sync timestamp (drops the last digit). */
export function toSyncMs(ms: number): number {
  const m = Math.floor(ms);
  return m - (m % 10);
}

/** "1700000000.10" — never float arithmetic, so the two decimals are exact. */
export function formatTs(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const cents = Math.floor((ms % 1000) / 10);
  return `${whole}.${String(cents).padStart(2, '0')}`;
}

/** Seconds number for APIs that want a number (StoredBso.modified). */
export function tsSeconds(ms: number): number {
  return Number(formatTs(ms));
}

const DECIMAL = /^[+]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a header/query timestamp the way syncstorage does (a non-negative decimal number of
 * seconds). Returns null when it is not one.
 */
export function parseTs(value: string): number | null {
  const v = value.trim();
  if (!DECIMAL.test(v)) return null;
  const seconds = Number(v);
  if (!Number.isFinite(seconds) || seconds < 0) return null;
  return toSyncMs(Math.floor(seconds * 1000 + 1e-6));
}
