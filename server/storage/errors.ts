// syncstorage answers errors with a bare JSON integer, the legacy Sync 1.1 "Weave" error code
// (syncserver/src/error.rs WeaveError), and a status chosen per error kind.
import type { ServerResponse } from '../core/http.ts';

export const WEAVE = {
  UNKNOWN: 0,
  ILLEGAL_METHOD: 1,
  MALFORMED_JSON: 6,
  INVALID_WBO: 8,
  OVER_QUOTA: 14,
  SIZE_LIMIT_EXCEEDED: 17,
} as const;

export function weaveError(status: number, code: number = WEAVE.UNKNOWN, headers: Record<string, string> = {}): ServerResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: String(code) };
}

/** 400 with code 8: invalid BSO / unparseable body (what syncstorage-rs sends for both). */
export const invalidWbo = (): ServerResponse => weaveError(400, WEAVE.INVALID_WBO);
export const badRequest = (): ServerResponse => weaveError(400, WEAVE.UNKNOWN);
export const unauthorized = (): ServerResponse => weaveError(401, WEAVE.UNKNOWN);
export const notFound = (): ServerResponse => weaveError(404, WEAVE.UNKNOWN);
export const sizeLimitExceeded = (): ServerResponse => weaveError(400, WEAVE.SIZE_LIMIT_EXCEEDED);
/** actix answers a known resource with an unrouted method with an empty 405. */
export const methodNotAllowed = (): ServerResponse => ({ status: 405, body: '' });

/** Thrown inside request processing to short-circuit with a ready response. */
export class StorageHttpError extends Error {
  constructor(readonly response: ServerResponse) {
    super(`storage error ${response.status}`);
  }
}
