// Independent HTTP client for the storage tests: Hawk headers come from the extension's own
// signer (src/sync/crypto/hawk.ts), tokens straight from ctx.hawkTokens (the token server is
// another service). Not a test file itself.
import { hawkHeader } from '../../src/sync/crypto/hawk.ts';
import type { IssuedHawkCredentials } from '../core/context.ts';
import { startServer, type StartOptions, type StartedServer } from '../start.ts';

export interface CallOptions {
  body?: string | Buffer;
  contentType?: string | null;
  headers?: Record<string, string>;
  /** Override Hawk fields. */
  ts?: number;
  nonce?: string;
  credentials?: IssuedHawkCredentials;
  /** Sign a payload hash (optionally of a different body than sent). */
  hashPayload?: string;
  noAuth?: boolean;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
}

export async function startStorageOnly(opts: StartOptions = {}): Promise<StartedServer> {
  return startServer({ identity: false, ...opts });
}

export class TestClient {
  credentials: IssuedHawkCredentials;

  constructor(
    readonly server: StartedServer,
    readonly uid = '1',
    ttlSeconds = 3600,
  ) {
    this.credentials = this.issue(ttlSeconds);
  }

  issue(ttlSeconds = 3600): IssuedHawkCredentials {
    return this.server.ctx.hawkTokens.issue({ uid: this.uid, generation: this.server.ctx.nodes.currentGeneration(this.uid), ttlSeconds });
  }

  url(path: string): string {
    return `${this.server.origin}/storage/1.5/${this.uid}${path}`;
  }

  async call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
    const url = path.startsWith('http') ? path : this.url(path);
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const creds = opts.credentials ?? this.credentials;
    if (!opts.noAuth) {
      headers.authorization = hawkHeader({
        method,
        url,
        id: creds.id,
        key: creds.key,
        localtimeOffsetMs: this.server.clock.offsetMs,
        ...(opts.ts !== undefined ? { ts: opts.ts } : {}),
        ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
        ...(opts.hashPayload !== undefined ? { payload: opts.hashPayload, contentType: opts.contentType ?? 'application/json' } : {}),
      });
    }
    if (opts.body !== undefined && opts.contentType !== null) headers['content-type'] = opts.contentType ?? 'application/json';
    // A byte body (no implicit Content-Type) goes over as a plain Uint8Array view.
    const body = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : new Uint8Array(opts.body);
    const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  get(path: string, opts: CallOptions = {}): Promise<CallResult> {
    return this.call('GET', path, opts);
  }

  post(path: string, records: unknown, opts: CallOptions = {}): Promise<CallResult> {
    return this.call('POST', path, { body: JSON.stringify(records), ...opts });
  }

  put(path: string, bso: unknown, opts: CallOptions = {}): Promise<CallResult> {
    return this.call('PUT', path, { body: JSON.stringify(bso), ...opts });
  }

  delete(path: string, opts: CallOptions = {}): Promise<CallResult> {
    return this.call('DELETE', path, opts);
  }
}

export function json<T = unknown>(r: CallResult): T {
  return JSON.parse(r.text) as T;
}
