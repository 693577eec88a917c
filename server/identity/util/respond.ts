// Response helpers: every FxA response carries a `Timestamp` header (server seconds), as Mozilla's does.
import type { ServerRequest, ServerResponse } from '../../core/http.ts';
import { FxaError, errors } from './errors.ts';

export function fxaJson(now: number, status: number, body: unknown, headers: Record<string, string> = {}): ServerResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-cache',
      timestamp: String(Math.floor(now / 1000)),
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

export function fxaErrorResponse(now: number, err: FxaError): ServerResponse {
  return fxaJson(now, err.status, err.body(), err.headers);
}

/** Parses a JSON object body; an empty body counts as `{}` (hapi treats a missing payload as null). */
export function readJsonObject(req: ServerRequest): Record<string, unknown> {
  if (req.body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw errors.invalidJson();
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.invalidJson();
  return value as Record<string, unknown>;
}

/** OAuth token endpoints also accept form bodies (RFC 6749 clients). */
export function readJsonOrForm(req: ServerRequest): Record<string, unknown> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(req.body.toString('utf8')));
  }
  return readJsonObject(req);
}

export function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (value === undefined || value === null) throw errors.missingParameter(key);
  if (typeof value !== 'string') throw errors.invalidParameter(key);
  return value;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw errors.invalidParameter(key);
  return value;
}
