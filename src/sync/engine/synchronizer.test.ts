// The synchronizer, tested once and generically: a small "notes" engine (records {id, text}, an
// in-memory local side) driven through synchronize() against the real local Sync stack — a real
// account, token server, Hawk storage and collection keys on 127.0.0.1 (port 0). Every failure
// comes from the server's own rules or its fault switches; no response is hand-written here.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import type { Logger } from '../../log/logger.ts';
import { startHarness, type Harness } from '../../test-support/syncHarness.ts';
import type { StoredAccount } from '../../account/credentials.ts';
import { randomKeyBundle, type KeyBundle } from '../crypto/keyBundle.ts';
import { bundleForCollection, decryptPayload, encryptPayload, encryptPayloadString } from '../crypto/records.ts';
import { ConflictError, NetworkError, ServerBusyError } from '../errors.ts';
import type { CleartextRecord } from '../records/bso.ts';
import { StorageClient } from '../storage/client.ts';
import type { ServerTimestamp } from '../storage/types.ts';
import { fetchSyncToken } from '../tokenserver/client.ts';
import { CachingTokenProvider } from '../tokenserver/provider.ts';
import type { ApplyContext, EngineAssociation, EngineRunSummary, IncomingRecord, OutgoingRecord, SyncEngine } from './contract.ts';
import { EncryptedCollection, ServerCollection } from './serverCollection.ts';
import { synchronize, type SynchronizeInput, type SynchronizeResult } from './synchronizer.ts';

// ---- the test engine ----

interface Note {
  id: string;
  text: string;
}

interface LocalNote {
  text: string;
  /** Changed since it was last accepted by the server. */
  dirty: boolean;
  sortindex?: number;
}

/** A "notes" engine: its local side is a map; outgoing = local notes changed since their last upload. */
class NotesEngine implements SyncEngine<Note> {
  readonly version = 1;
  readonly local = new Map<string, LocalNote>();
  /** Ids of every stage() call, in order. */
  readonly stageCalls: string[][] = [];
  readonly applyCalls: Array<{ firstPass: boolean; collectionModified: ServerTimestamp }> = [];
  readonly outgoingCalls: string[][] = [];
  readonly uploadedCalls: Array<{ ids: string[]; modified: ServerTimestamp }> = [];
  readonly finished: ServerTimestamp[] = [];
  /** Makes the next finish() throw (a run cut after the upload, before finishing). */
  failNextFinish = false;
  private staged = new Map<string, IncomingRecord<Note>>();

  constructor(readonly collection: string) {}

  edit(id: string, text: string, sortindex?: number): void {
    this.local.set(id, { text, dirty: true, ...(sortindex === undefined ? {} : { sortindex }) });
  }

  dirtyIds(): string[] {
    return [...this.local].filter(([, n]) => n.dirty).map(([id]) => id).sort();
  }

  allStaged(): string[] {
    return this.stageCalls.flat();
  }

  parse(cleartext: CleartextRecord): Note | null {
    return typeof cleartext.text === 'string' ? { id: cleartext.id, text: cleartext.text } : null;
  }

  async reset(): Promise<void> {
    this.staged.clear();
  }

  async wipe(): Promise<void> {
    this.staged.clear();
    this.local.clear();
  }

  async begin(): Promise<void> {
    this.staged.clear();
  }

  async stage(records: readonly IncomingRecord<Note>[]): Promise<void> {
    this.stageCalls.push(records.map((r) => r.id));
    for (const r of records) this.staged.set(r.id, r);
  }

  async apply(ctx: ApplyContext): Promise<OutgoingRecord[]> {
    this.applyCalls.push({ firstPass: ctx.firstPass, collectionModified: ctx.collectionModified });
    for (const { id, record } of this.staged.values()) {
      const mine = this.local.get(id);
      if (mine?.dirty) {
        // A local change wins; the server already holding the same text (an echo of an upload
        // whose answer we never saw) means there is nothing left to send.
        if (mine.text === record.text) mine.dirty = false;
        continue;
      }
      this.local.set(id, { text: record.text, dirty: false });
    }
    this.staged.clear();
    const out: OutgoingRecord[] = [];
    for (const [id, n] of this.local) {
      if (!n.dirty) continue;
      out.push({ cleartext: { id, text: n.text }, ...(n.sortindex === undefined ? {} : { sortindex: n.sortindex }) });
    }
    this.outgoingCalls.push(out.map((r) => r.cleartext.id));
    return out;
  }

  async uploaded(ids: readonly string[], modified: ServerTimestamp): Promise<void> {
    this.uploadedCalls.push({ ids: [...ids], modified });
    for (const id of ids) {
      const n = this.local.get(id);
      if (n) n.dirty = false;
    }
  }

  async finish(lastSync: ServerTimestamp): Promise<EngineRunSummary> {
    if (this.failNextFinish) {
      this.failNextFinish = false;
      throw new Error('run cut before finishing');
    }
    this.finished.push(lastSync);
    return { detail: `${this.local.size} notes` };
  }
}

// ---- the real stack ----

interface Req {
  method: string;
  /** Path under the storage endpoint ("storage/<coll>", "info/collections"), or the full path elsewhere. */
  path: string;
  query: URLSearchParams;
  /** HTTP status; 0 when the connection failed. */
  status: number;
  /** Ids in a POST body. */
  ids: string[];
}

let h: Harness;
let account: StoredAccount;
let uid: string;
let collectionNo = 0;

beforeAll(async () => {
  h = await startHarness();
  await h.createAccount('notes@example.com', 'correct horse');
  account = await h.signIn('notes@example.com', 'correct horse');
  await h.sync(); // meta/global and crypto/keys, as a real first sync leaves them
  uid = await h.storageUid();
});

afterAll(async () => {
  await h?.close();
});

beforeEach(async () => {
  await h.control('/__test__/faults/reset', {});
});

const silentLog: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => silentLog };

/** One collection and one client per test: a fresh engine, its association store, a request log. */
async function setup(name: string) {
  const collection = `t${++collectionNo}-${name}`;
  const engine = new NotesEngine(collection);
  const keys: KeyBundle = bundleForCollection(await h.collectionKeys(), collection);
  const requests: Req[] = [];
  const hooks: Array<{ pattern: RegExp; fn: () => Promise<void> }> = [];
  let tokenFetches = 0;
  const spyFetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const url = new URL(input);
    const storagePath = /^\/storage\/1\.5\/\d+\/(.*)$/.exec(url.pathname);
    const req: Req = {
      method: init?.method ?? 'GET',
      path: storagePath ? storagePath[1]! : url.pathname,
      query: url.searchParams,
      status: 0,
      ids: [],
    };
    if (req.method === 'POST' && typeof init?.body === 'string') {
      const body = JSON.parse(init.body) as unknown;
      if (Array.isArray(body)) req.ids = body.map((b: { id: string }) => b.id);
    }
    requests.push(req);
    const i = hooks.findIndex((hk) => hk.pattern.test(`${req.method} ${req.path}`));
    if (i >= 0) await hooks.splice(i, 1)[0]!.fn();
    const res = await fetch(input, init);
    req.status = res.status;
    return res;
  };
  const access = h.controller.accessTokens(account);
  const tokens = new CachingTokenProvider(async () => {
    tokenFetches++;
    return fetchSyncToken({
      tokenServerUrl: account.server.tokenServerUrl,
      keyId: account.keyId,
      accessToken: (await access.getAccessToken()).token,
      fetch: spyFetch,
    });
  });
  const storage = new StorageClient({ tokens, fetch: spyFetch });
  const saved: EngineAssociation[] = [];
  let association: EngineAssociation = { syncID: 'notes-sync-id', lastSync: '0' };

  const t = {
    collection,
    engine,
    keys,
    requests,
    saved,
    get association(): EngineAssociation {
      return association;
    },
    get tokenFetches(): number {
      return tokenFetches;
    },
    /** Runs `fn` once, just before the next request matching "METHOD path" (path under the storage endpoint). */
    beforeRequest(pattern: RegExp, fn: () => Promise<void>): void {
      hooks.push({ pattern, fn });
    },
    /** Requests to this collection (storage/<coll>), optionally of one method. */
    collectionRequests(method?: string): Req[] {
      return requests.filter((r) => r.path === `storage/${collection}` && (method === undefined || r.method === method));
    },
    /** info/collections' time for this collection, as a real sync would read it. */
    async infoModified(): Promise<ServerTimestamp | undefined> {
      const info = await storage.getInfoCollections();
      if (info.status !== 'ok') throw new Error('info/collections without a condition answered 304');
      return info.collections[collection];
    },
    /** One sync of the engine, wired as runSync wires it. */
    async sync(extra: Partial<Pick<SynchronizeInput<Note>, 'pageSize' | 'maxConflictRetries'>> = {}): Promise<SynchronizeResult> {
      return synchronize({
        engine,
        server: new EncryptedCollection(new ServerCollection(storage, collection), keys),
        association,
        saveAssociation: async (a) => {
          saved.push(a);
          association = a;
        },
        infoModified: await t.infoModified(),
        env: { log: silentLog },
        ...extra,
      });
    },
    /** Another device writes these notes (one write each, so each has its own server time). */
    async otherDevice(...notes: Array<Note | { id: string; payload: string }>): Promise<void> {
      for (const n of notes) {
        const payload = 'payload' in n ? n.payload : await encryptPayload(n, keys);
        h.server.ctx.storage.putRecords(uid, collection, [{ id: n.id, payload }]);
      }
    },
    /** The collection as the server holds it, decrypted. */
    async serverNotes(): Promise<Array<{ id: string; text: unknown; modified: number }>> {
      const out = [];
      for (const r of await h.serverRecords(collection)) {
        const clear = (await decryptPayload(r.payload, keys)) as { text?: unknown };
        out.push({ id: r.id, text: clear.text, modified: r.modified });
      }
      return out.sort((a, b) => a.id.localeCompare(b.id));
    },
    /** Arms a fault on this collection's URL only. */
    async fault(spec: Record<string, unknown> & { match?: Record<string, unknown> }): Promise<void> {
      await h.control('/__test__/faults', { ...spec, match: { ...spec.match, pathRegex: `/storage/${collection.replace(/[.-]/g, '\\$&')}$` } });
    },
  };
  return t;
}

const ids = (n: number, prefix = 'n'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

// ---- the cases ----

describe('download', () => {
  test('skips the GET when info/collections shows the collection unchanged since lastSync; apply still runs', async () => {
    const t = await setup('skip');
    // The collection does not exist on the server yet: nothing to fetch, local notes go up.
    t.engine.edit('a', 'first');
    const r1 = await t.sync();
    expect(r1).toMatchObject({ fetched: false, downloaded: 0, uploaded: 1 });
    expect(t.collectionRequests('GET')).toHaveLength(0);
    expect(t.collectionRequests('POST')).toHaveLength(1);
    expect(t.association).toEqual({ syncID: 'notes-sync-id', lastSync: await t.infoModified() });

    // Nothing changed anywhere: no request for the collection at all, the association stays.
    t.requests.length = 0;
    const r2 = await t.sync();
    expect(r2).toMatchObject({ fetched: false, uploaded: 0, lastSync: r1.lastSync });
    expect(t.collectionRequests()).toHaveLength(0);
    expect(t.engine.applyCalls).toHaveLength(2);
    expect(t.saved.map((a) => a.lastSync)).toEqual([r1.lastSync, r1.lastSync]);

    // A local change while the server is unchanged: still no GET, but apply runs and it is uploaded.
    t.requests.length = 0;
    t.engine.edit('b', 'second');
    const r3 = await t.sync();
    expect(r3).toMatchObject({ fetched: false, uploaded: 1 });
    expect(t.collectionRequests('GET')).toHaveLength(0);
    expect(t.collectionRequests('POST').map((q) => q.ids)).toEqual([['b']]);
    expect(t.engine.outgoingCalls.at(-1)).toEqual(['b']);
    expect(t.association.lastSync).toBe(await t.infoModified());
    expect(Number(r3.lastSync)).toBeGreaterThan(Number(r1.lastSync));

    // Another device writes: now the collection is fetched, from lastSync on.
    t.requests.length = 0;
    await t.otherDevice({ id: 'c', text: 'from the phone' });
    const r4 = await t.sync();
    expect(r4).toMatchObject({ fetched: true, downloaded: 1, uploaded: 0 });
    expect(t.collectionRequests('GET').map((q) => q.query.get('newer'))).toEqual([r3.lastSync]);
    expect(t.engine.local.get('c')).toEqual({ text: 'from the phone', dirty: false });
    expect(t.association.lastSync).toBe(await t.infoModified());
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['a', 'b', 'c']);
  });

  test('pages: more records than pageSize all arrive, in newer= pages', async () => {
    const t = await setup('paging');
    const first = ids(10, 'p');
    await t.otherDevice(...first.map((id) => ({ id, text: `note ${id}` })));
    const r1 = await t.sync({ pageSize: 4 });
    expect(r1).toMatchObject({ fetched: true, downloaded: 10, skippedRecords: 0 });
    const gets = t.collectionRequests('GET');
    expect(gets).toHaveLength(3);
    for (const g of gets) {
      expect(g.query.get('limit')).toBe('4');
      expect(g.query.get('sort')).toBe('oldest');
      expect(Number(g.query.get('newer'))).toBe(0); // a first sync: everything newer than 0
    }
    expect(gets.map((g) => g.query.get('offset'))).toEqual([null, '4', '8']);
    // Pages are staged as they arrive, oldest first.
    expect(t.engine.stageCalls).toEqual([first.slice(0, 4), first.slice(4, 8), first.slice(8)]);
    expect([...t.engine.local.keys()].sort()).toEqual(first);
    expect(t.association.lastSync).toBe(await t.infoModified());

    // The next run asks only for what is newer than lastSync, still in pages.
    t.requests.length = 0;
    const more = ids(5, 'q');
    await t.otherDevice(...more.map((id) => ({ id, text: `note ${id}` })));
    const r2 = await t.sync({ pageSize: 4 });
    expect(r2.downloaded).toBe(5);
    const gets2 = t.collectionRequests('GET');
    expect(gets2).toHaveLength(2);
    for (const g of gets2) expect(g.query.get('newer')).toBe(r1.lastSync);
    expect(t.engine.stageCalls.slice(3)).toEqual([more.slice(0, 4), more.slice(4)]);
    expect(t.engine.local.size).toBe(15);
    expect(t.association.lastSync).toBe(await t.infoModified());
  });

  test('bad HMAC, unreadable payloads and records of the wrong shape are skipped and counted, never staged', async () => {
    const t = await setup('bad');
    await t.otherDevice(
      { id: 'good1', text: 'one' },
      { id: 'hmac', payload: await encryptPayload({ id: 'hmac', text: 'other keys' }, randomKeyBundle()) },
      { id: 'notjson', payload: 'this is not a Sync payload' },
      { id: 'garbled', payload: await encryptPayloadString('{"id":"garbled", "text": ', t.keys) },
      { id: 'shape', payload: await encryptPayload({ id: 'shape', title: 'no text field' }, t.keys) },
      { id: 'good2', text: 'two' },
    );
    const r = await t.sync({ pageSize: 2 });
    expect(r).toMatchObject({ fetched: true, downloaded: 2, skippedRecords: 4 });
    expect(r.notes).toContain(`4 unreadable ${t.collection} records skipped`);
    expect(t.engine.allStaged().sort()).toEqual(['good1', 'good2']);
    expect([...t.engine.local.keys()].sort()).toEqual(['good1', 'good2']);
    // The unreadable records are not retried forever: the association moves past them.
    expect(t.association.lastSync).toBe(await t.infoModified());
    expect(t.engine.finished).toEqual([t.association.lastSync]);
  });
});

describe('upload', () => {
  test('records the server refuses per record are not reported as uploaded and go again next sync', async () => {
    const t = await setup('partial');
    t.engine.edit('ok1', 'fine');
    t.engine.edit('badidx', 'the server refuses its sortindex', 1_000_000_000); // > 999,999,999: "invalid bso"
    t.engine.edit('ok2', 'fine too');
    t.engine.edit('huge', 'x'.repeat(2_700_000)); // over max_record_payload_bytes: the client never sends it
    const r1 = await t.sync();
    expect(r1.uploaded).toBe(2);
    expect([...r1.failed].sort()).toEqual(['badidx', 'huge']);
    expect(t.collectionRequests('POST').map((q) => q.ids.sort())).toEqual([['badidx', 'ok1', 'ok2']]);
    expect(t.engine.uploadedCalls).toEqual([{ ids: ['ok1', 'ok2'], modified: r1.lastSync }]);
    expect(t.engine.dirtyIds()).toEqual(['badidx', 'huge']);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['ok1', 'ok2']);
    expect(t.association.lastSync).toBe(await t.infoModified());

    // Next sync: both go again (and are refused again for the same reasons).
    t.requests.length = 0;
    const r2 = await t.sync();
    expect(t.engine.outgoingCalls.at(-1)!.sort()).toEqual(['badidx', 'huge']);
    expect(t.collectionRequests('POST').map((q) => q.ids)).toEqual([['badidx']]);
    expect([...r2.failed].sort()).toEqual(['badidx', 'huge']);
    expect(r2.uploaded).toBe(0);
    expect(t.engine.uploadedCalls).toHaveLength(1);
    // The server stamps the collection even when it refuses every record; lastSync follows it, never runs ahead.
    expect(t.association.lastSync).toBe(await t.infoModified());

    // Once they are valid, they arrive.
    t.engine.edit('badidx', 'now with a valid sortindex', 5);
    t.engine.edit('huge', 'smaller now');
    const r3 = await t.sync();
    expect(r3).toMatchObject({ uploaded: 2, failed: [] });
    expect(t.engine.dirtyIds()).toEqual([]);
    expect((await t.serverNotes()).map((n) => [n.id, n.text])).toEqual([
      ['badidx', 'now with a valid sortindex'], ['huge', 'smaller now'], ['ok1', 'fine'], ['ok2', 'fine too'],
    ]);
    expect((await h.serverRecords(t.collection)).find((b) => b.id === 'badidx')).toMatchObject({ sortindex: 5 });
    expect(t.association.lastSync).toBe(await t.infoModified());
  });

  test('a 412 mid-upload refetches, re-stages, re-applies and uploads within the same run', async () => {
    const t = await setup('conflict');
    await t.otherDevice({ id: 'old', text: 'already there' });
    t.engine.edit('mine', 'written here');
    // Another device writes between our download and our upload.
    t.beforeRequest(new RegExp(`^POST storage/${t.collection}$`), () => t.otherDevice({ id: 'theirs', text: 'written there' }));
    const r = await t.sync();
    expect(r).toMatchObject({ conflicts: 1, fetched: true, downloaded: 2, uploaded: 1, failed: [] });
    expect(t.collectionRequests().map((q) => `${q.method} ${q.status}`)).toEqual(['GET 200', 'POST 412', 'GET 200', 'POST 200']);
    const [, refetch] = t.collectionRequests('GET');
    expect(refetch!.query.get('newer')).toBe(t.engine.applyCalls[0]!.collectionModified);
    expect(t.engine.stageCalls).toEqual([['old'], ['theirs']]);
    expect(t.engine.applyCalls.map((a) => a.firstPass)).toEqual([true, false]);
    expect(Number(t.engine.applyCalls[1]!.collectionModified)).toBeGreaterThan(Number(t.engine.applyCalls[0]!.collectionModified));
    expect(t.engine.local.get('theirs')).toEqual({ text: 'written there', dirty: false });
    expect(t.engine.dirtyIds()).toEqual([]);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['mine', 'old', 'theirs']);
    expect(t.saved).toEqual([{ syncID: 'notes-sync-id', lastSync: r.lastSync }]);
    expect(r.lastSync).toBe(await t.infoModified());
  });

  test('a permanent 412 ends in ConflictError after maxConflictRetries, without saving the association', async () => {
    const t = await setup('conflict-forever');
    t.engine.edit('mine', 'never lands');
    await t.fault({ kind: 'concurrentWrite', match: { method: 'POST' } });
    await expect(t.sync({ maxConflictRetries: 1 })).rejects.toBeInstanceOf(ConflictError);
    expect(t.collectionRequests('POST').map((q) => q.status)).toEqual([412, 412]);
    expect(t.engine.applyCalls.map((a) => a.firstPass)).toEqual([true, false]);
    expect(t.saved).toEqual([]);
    expect(t.engine.uploadedCalls).toEqual([]);
    expect(t.engine.finished).toEqual([]);
    expect(t.engine.dirtyIds()).toEqual(['mine']);
    expect(await t.serverNotes()).toEqual([]);
  });
});

describe('failures', () => {
  test('503 with Retry-After: the run throws ServerBusyError, the association does not move, the next run succeeds', async () => {
    const t = await setup('busy');
    await t.otherDevice({ id: 'theirs', text: 'from the phone' });
    t.engine.edit('mine', 'from here');
    await t.fault({ kind: 'error', status: 503, retryAfter: 30, count: 1, match: { method: 'POST' } });
    const err = await t.sync().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ServerBusyError);
    expect(err).toMatchObject({ status: 503, retryAfterMs: 30_000 });
    expect(t.saved).toEqual([]);
    expect(t.engine.uploadedCalls).toEqual([]);
    expect(t.engine.finished).toEqual([]);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['theirs']);

    const r = await t.sync();
    expect(r).toMatchObject({ fetched: true, uploaded: 1 });
    // The association had not moved, so the other device's record is downloaded again.
    expect(t.engine.stageCalls).toEqual([['theirs'], ['theirs']]);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['mine', 'theirs']);
    expect(t.saved).toEqual([{ syncID: 'notes-sync-id', lastSync: await t.infoModified() }]);
  });

  test('401 mid-run: a new token is fetched from the token server and the run completes', async () => {
    const t = await setup('auth');
    t.engine.edit('mine', 'from here');
    await t.fault({ kind: 'expireTokens', mode: 'revoke', count: 1, match: { method: 'POST' } });
    const r = await t.sync();
    expect(r).toMatchObject({ uploaded: 1, failed: [] });
    expect(t.collectionRequests('POST').map((q) => q.status)).toEqual([401, 200]);
    expect(t.tokenFetches).toBe(2);
    expect(t.requests.filter((q) => q.path.startsWith('/token/')).map((q) => q.status)).toEqual([200, 200]);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['mine']);
    expect(t.saved).toEqual([{ syncID: 'notes-sync-id', lastSync: await t.infoModified() }]);
  });

  test('a connection dropped mid-batch: nothing half-recorded; the next run stores every record exactly once', async () => {
    const t = await setup('drop');
    await t.otherDevice({ id: 'theirs', text: 'from the phone' });
    await t.sync();
    const before = t.association;
    const mine = ids(150); // max_post_records is 100: a batch of two POSTs
    for (const id of mine) t.engine.edit(id, `note ${id}`);
    t.requests.length = 0;
    await t.fault({ kind: 'drop', when: 'before', skip: 1, count: 1, match: { method: 'POST', query: 'batch=' } });
    await expect(t.sync()).rejects.toBeInstanceOf(NetworkError);
    const posts = t.collectionRequests('POST');
    expect(posts.map((q) => [q.query.get('batch'), q.query.get('commit'), q.status, q.ids.length])).toEqual([
      ['true', null, 202, 100],
      [expect.any(String), 'true', 0, 50],
    ]);
    expect(t.engine.uploadedCalls).toEqual([]);
    expect(t.engine.dirtyIds()).toEqual(mine);
    expect(t.association).toBe(before);
    expect(t.saved).toHaveLength(1);
    expect((await t.serverNotes()).map((n) => n.id)).toEqual(['theirs']);

    const r = await t.sync();
    expect(r).toMatchObject({ uploaded: 150, failed: [] });
    expect(t.engine.dirtyIds()).toEqual([]);
    const stored = await t.serverNotes();
    expect(stored.map((n) => n.id)).toEqual([...mine, 'theirs']);
    expect(stored.filter((n) => n.id !== 'theirs').every((n) => n.text === `note ${n.id}`)).toBe(true);
    expect(t.association).toEqual({ syncID: 'notes-sync-id', lastSync: await t.infoModified() });
  });

  test('a run cut after the batch commit (answer lost) repeats safely: no duplicates, the association ends right', async () => {
    const t = await setup('cut-commit');
    const mine = ids(150);
    for (const id of mine) t.engine.edit(id, `note ${id}`);
    await t.fault({ kind: 'drop', when: 'after', count: 1, match: { method: 'POST', query: 'commit=true' } });
    await expect(t.sync()).rejects.toBeInstanceOf(NetworkError);
    // The server committed; we never heard so. Nothing is recorded as uploaded, nothing saved.
    expect(t.engine.uploadedCalls).toEqual([]);
    expect(t.saved).toEqual([]);
    const committed = await t.serverNotes();
    expect(committed).toHaveLength(150);

    t.requests.length = 0;
    const r = await t.sync();
    // Our own records come back, the engine sees they are already there: nothing is sent twice.
    expect(r).toMatchObject({ fetched: true, downloaded: 150, uploaded: 0 });
    expect(t.collectionRequests('POST')).toEqual([]);
    expect(t.engine.dirtyIds()).toEqual([]);
    expect(t.engine.local.size).toBe(150);
    expect(await t.serverNotes()).toEqual(committed);
    expect(t.saved).toEqual([{ syncID: 'notes-sync-id', lastSync: await t.infoModified() }]);

    // And the run after that has nothing to do.
    t.requests.length = 0;
    expect(await t.sync()).toMatchObject({ fetched: false, uploaded: 0 });
    expect(t.collectionRequests()).toEqual([]);
  });

  test('a run cut after uploading and before finishing repeats safely', async () => {
    const t = await setup('cut-finish');
    await t.otherDevice({ id: 'theirs', text: 'from the phone' });
    for (const id of ['a', 'b', 'c']) t.engine.edit(id, `note ${id}`);
    t.engine.failNextFinish = true;
    await expect(t.sync()).rejects.toThrow('run cut before finishing');
    expect(t.engine.uploadedCalls).toHaveLength(1);
    expect(t.saved).toEqual([]);
    const afterFirst = await t.serverNotes();
    expect(afterFirst.map((n) => n.id)).toEqual(['a', 'b', 'c', 'theirs']);

    const r = await t.sync();
    expect(r).toMatchObject({ fetched: true, uploaded: 0 });
    expect(t.engine.allStaged().sort()).toEqual(['a', 'b', 'c', 'theirs', 'theirs']);
    expect(t.engine.local.size).toBe(4);
    expect(t.engine.dirtyIds()).toEqual([]);
    expect(await t.serverNotes()).toEqual(afterFirst);
    expect(t.saved).toEqual([{ syncID: 'notes-sync-id', lastSync: await t.infoModified() }]);
    expect(t.engine.finished).toEqual([t.association.lastSync]);
  });
});
