// Server limits advertised by info/configuration. Defaults are syncstorage-rs's compiled-in
// values (syncstorage-settings/src/lib.rs); JSON key order follows its ServerLimits struct.
const MB = 1024 * 1024;

export interface StorageLimits {
  max_post_bytes: number;
  max_post_records: number;
  max_record_payload_bytes: number;
  max_request_bytes: number;
  max_total_bytes: number;
  max_total_records: number;
  max_quota_limit: number;
}

export const DEFAULT_LIMITS: Readonly<StorageLimits> = Object.freeze({
  max_post_bytes: Math.floor(2.5 * MB), // 2,621,440
  max_post_records: 100,
  max_record_payload_bytes: Math.floor(2.5 * MB),
  max_request_bytes: Math.floor(2.5 * MB) + 4 * 1024, // 2,625,536
  max_total_bytes: 100 * Math.floor(2.5 * MB), // 262,144,000
  max_total_records: 100 * 100, // 10,000
  max_quota_limit: 2 * 1000 * MB, // 2,097,152,000
});

export function limitsJson(l: StorageLimits): string {
  return JSON.stringify({
    max_post_bytes: l.max_post_bytes,
    max_post_records: l.max_post_records,
    max_record_payload_bytes: l.max_record_payload_bytes,
    max_request_bytes: l.max_request_bytes,
    max_total_bytes: l.max_total_bytes,
    max_total_records: l.max_total_records,
    max_quota_limit: l.max_quota_limit,
  });
}

/** Default TTL for records uploaded without one (syncstorage DEFAULT_BSO_TTL, seconds). */
export const DEFAULT_BSO_TTL = 2_100_000_000;
export const MAX_TTL = 999_999_999;
export const MAX_SORTINDEX = 999_999_999;
export const MIN_SORTINDEX = -999_999_999;
/** ids= may list at most this many ids (BATCH_MAX_IDS). */
export const MAX_IDS = 100;
/** Batch lifetime (BATCH_LIFETIME, 2 h). */
export const BATCH_LIFETIME_MS = 2 * 60 * 60 * 1000;
/** Default page size when no limit= is given (DEFAULT_MAX_TOTAL_RECORDS in the MySQL backend). */
export const DEFAULT_GET_LIMIT = 10_000;
