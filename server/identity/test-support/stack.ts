// Test helpers for the identity suites: the real stack (server/start.ts) on port 0, plus a small
// FxA client built on the independent client crypto in src/sync/crypto.
import {
  bearerForToken,
  deriveCredentialsV1,
  deriveCredentialsV2,
  bytesToHex,
  unwrapKeysBundle,
} from '../../../src/sync/crypto/index.ts';
import type { FxaCredentials } from '../../../src/sync/crypto/index.ts';
import { startServer } from '../../start.ts';
import type { StartedServer } from '../../start.ts';
import type { IdentityServiceInternals } from '../index.ts';

export interface Stack {
  server: StartedServer;
  origin: string;
  identity: IdentityServiceInternals;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  if (!server.identity) throw new Error('identity service not mounted');
  return { server, origin: server.origin, identity: server.identity as IdentityServiceInternals, close: () => server.close() };
}

export interface Reply<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function call<T = Record<string, unknown>>(
  origin: string,
  method: string,
  path: string,
  opts: { json?: unknown; headers?: Record<string, string>; form?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let body: string | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(opts.form).toString();
  }
  const res = await fetch(origin + path, { method, headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export const session = (token: string) => ({ authorization: bearerForToken(token, 'sessionToken') });
export const keyFetch = (token: string) => ({ authorization: bearerForToken(token, 'keyFetchToken') });

/** Fields of an FxA error body (present only on failures). */
export interface FxaErrorBody {
  code?: number;
  errno?: number;
  error?: string;
  message?: string;
  email?: string;
  retryAfter?: number;
}

export interface LoginResult extends FxaErrorBody {
  uid: string;
  sessionToken: string;
  keyFetchToken?: string;
  keyFetchTokenVersion2?: string;
  verified: boolean;
  verificationMethod?: string;
  verificationReason?: string;
  authAt: number;
}

/** Logs in as a v1 client would; returns the derived credentials too. */
export async function loginV1(origin: string, email: string, password: string, extra: Record<string, unknown> = {}) {
  const creds = await deriveCredentialsV1(email, password);
  const reply = await call<LoginResult>(origin, 'POST', '/v1/account/login?keys=true', {
    json: { email, authPW: bytesToHex(creds.authPW), reason: 'login', service: 'sync', ...extra },
  });
  return { reply, creds };
}

export async function fetchKB(origin: string, keyFetchToken: string, creds: FxaCredentials): Promise<Uint8Array> {
  const reply = await call<{ bundle: string }>(origin, 'GET', '/v1/account/keys', { headers: keyFetch(keyFetchToken) });
  if (reply.status !== 200) throw new Error(`keys failed: ${reply.status} ${reply.text}`);
  return unwrapKeysBundle(keyFetchToken, reply.body.bundle, creds.unwrapBKey).kB;
}

export { deriveCredentialsV2 };
