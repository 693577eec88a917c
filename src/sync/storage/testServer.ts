// Test support (not a test file): the real local Sync stack on port 0, a token provider that mints
// Hawk credentials through the server's own issuer, and the HTTP fault/control API.
import { startServer } from '../../../server/main.ts';
import type { AccessLogEntry } from '../../../server/core/accessLog.ts';
import type { StorageLimits } from '../../../server/storage/limits.ts';
import type { SyncToken } from '../tokenserver/client.ts';
import type { TokenProvider } from '../tokenserver/provider.ts';

export type StartedServer = Awaited<ReturnType<typeof startServer>>;

export interface TestStack {
  server: StartedServer;
  origin: string;
  /** Every request the server saw, in order. */
  log: AccessLogEntry[];
  close(): Promise<void>;
}

export async function startStorageStack(opts: { limits?: Partial<StorageLimits>; identity?: boolean } = {}): Promise<TestStack> {
  const log: AccessLogEntry[] = [];
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    identity: opts.identity ?? false,
    log: (e) => log.push(e),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
  return { server, origin: server.origin, log, close: () => server.close() };
}

/** Mints tokens with ctx.hawkTokens for `uid`, counting mints and invalidations. */
export class MintingTokenProvider implements TokenProvider {
  minted = 0;
  invalidations = 0;
  private token: SyncToken | null = null;

  constructor(
    private readonly server: StartedServer,
    public uid: string,
    private readonly ttlSeconds = 3600,
  ) {}

  async getToken(): Promise<SyncToken> {
    if (this.token) return this.token;
    const { ctx } = this.server;
    const creds = ctx.hawkTokens.issue({ uid: this.uid, generation: ctx.nodes.currentGeneration(this.uid), ttlSeconds: this.ttlSeconds });
    this.minted++;
    this.token = {
      id: creds.id,
      key: creds.key,
      uid: this.uid,
      apiEndpoint: `${this.server.origin}/storage/1.5/${this.uid}`,
      duration: this.ttlSeconds,
      hashedFxaUid: '',
      nodeType: 'test',
      expiresAt: Date.now() + this.ttlSeconds * 1000,
      serverClockOffsetMs: 0,
    };
    return this.token;
  }

  invalidate(): void {
    this.invalidations++;
    this.token = null;
  }
}

/** POST a JSON body to the test control API; throws unless 2xx. */
export async function control(origin: string, path: string, body: unknown = {}): Promise<Record<string, unknown>> {
  const res = await fetch(`${origin}/__test__/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Arms one fault (server/faults/registry.ts FaultSpec). */
export function armFault(origin: string, spec: Record<string, unknown>): Promise<Record<string, unknown>> {
  return control(origin, 'faults', spec);
}

/** What the server stores for one collection (via the control API). */
export async function storedRecords(origin: string, uid: string, collection: string): Promise<{ modified: number; records: Array<{ id: string; modified: number; payload: string }> }> {
  const res = await fetch(`${origin}/__test__/storage/${uid}/${collection}`);
  if (!res.ok) throw new Error(`storage inspect: ${res.status}`);
  return (await res.json()) as { modified: number; records: Array<{ id: string; modified: number; payload: string }> };
}

let nextUid = 1000 + Math.floor(Math.random() * 1000);
/** A fresh storage uid per test, so tests sharing one server never see each other's data. */
export function freshUid(): string {
  return String(nextUid++);
}
