// The local Sync stack for browser tests, started in the test process on a free loopback port.
import { startServer, type StartedServer } from '../../server/start.ts';
import { keyBundleFromKSync } from '../../src/sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, decryptPayload, encryptPayload } from '../../src/sync/crypto/records.ts';
import { deriveSyncKey } from '../../src/sync/crypto/syncKeys.ts';
import { hexToBytes } from '../../src/sync/crypto/encoding.ts';
import { DEMO_KB_HEX } from '../../server/identity/demo/fixtures.ts';
import type { AccessLogEntry } from '../../server/core/accessLog.ts';

export interface LocalStack {
  server: StartedServer;
  origin: string;
  /** Storage uids that hold data (the account's, once a client has synced). */
  uids(): string[];
  /** The storage uid of the demo account now (the one uid holding crypto/keys; it changes with a node reassignment). */
  demoUid(): string;
  /** Every request the stack answered, in the order they finished; `time` is when each arrived. */
  requests: AccessLogEntry[];
  /** Decrypted records of a collection of the demo account. */
  demoRecords(collection: string): Promise<Array<Record<string, unknown>>>;
  rawRecords(collection: string): Array<{ id: string; payload: string; modified: number }>;
  /** Writes cleartext records into the demo account as another device would (encrypted with its keys). */
  putDemoRecords(collection: string, records: Array<Record<string, unknown>>): Promise<void>;
  control(path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startLocalStack(): Promise<LocalStack> {
  const requests: AccessLogEntry[] = [];
  const server = await startServer({ port: 0, host: '127.0.0.1', demo: true, log: (entry) => requests.push(entry) });
  const uids = (): string[] => server.store.knownUids();
  const demoUid = (): string => {
    const withKeys = uids().filter((u) => server.ctx.storage.getRecords(u, 'crypto').length > 0);
    if (withKeys.length !== 1) throw new Error(`expected one account with keys, found ${withKeys.length}`);
    return withKeys[0]!;
  };
  const rawRecords = (collection: string) => server.ctx.storage.getRecords(demoUid(), collection);
  const demoBundle = async (collection: string) => {
    const root = keyBundleFromKSync(deriveSyncKey(hexToBytes(DEMO_KB_HEX)).kSync);
    const keys = await decryptCryptoKeys(rawRecords('crypto')[0]!.payload, root);
    return bundleForCollection(keys, collection);
  };
  return {
    server,
    origin: server.origin,
    uids,
    demoUid,
    requests,
    rawRecords,
    async demoRecords(collection) {
      const bundle = await demoBundle(collection);
      return Promise.all(rawRecords(collection).map(async (r) => (await decryptPayload(r.payload, bundle)) as Record<string, unknown>));
    },
    async putDemoRecords(collection, records) {
      const bundle = await demoBundle(collection);
      const bsos = await Promise.all(records.map(async (r) => ({ id: String(r['id']), payload: await encryptPayload(r, bundle) })));
      server.ctx.storage.putRecords(demoUid(), collection, bsos);
    },
    async control(path, body) {
      const res = await fetch(server.origin + path, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${path} → ${res.status} ${text}`);
      return JSON.parse(text) as unknown;
    },
    close: () => server.close(),
  };
}
