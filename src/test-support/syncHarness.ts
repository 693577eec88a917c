// Test harness for the sync core: the real local stack in-process (port 0), a fresh fake-indexeddb
// database, the real account controller and stores, and runSync wired the way the background wires
// it. Imported only by *.test.ts files.
import { startServer, type StartedServer, type StartOptions } from '../../server/start.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';
import { AccountController } from '../account/controller.ts';
import type { StoredAccount } from '../account/credentials.ts';
import { accountKeys } from '../account/credentials.ts';
import { AccountStore } from '../db/accountStore.ts';
import { MemorySessionArea } from '../account/pendingSignIn.ts';
import { MemorySignedInMarker } from '../account/signedInMarker.ts';
import { SyncStateStore } from '../db/syncStateStore.ts';
import { createLogHub } from '../log/logger.ts';
import type { LogEntry } from '../shared/logEntry.ts';
import { keyBundleFromKSync } from '../sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, decryptPayload, encryptPayload, type CollectionKeys } from '../sync/crypto/records.ts';
import { runSync, type AccountCommands } from '../accountSync/syncAccount.ts';
import { SWITCHABLE_ENGINES, engineSet } from '../engines/registry.ts';
import type { JobResult } from '../accountSync/scheduler.ts';
import type { BackoffObserver } from '../sync/http/backoff.ts';
import { freshDatabase } from './db.ts';
import type { SyncbridgeDB } from '../db/schema.ts';
import { SafetyStore } from '../db/safetyStore.ts';
import { forgetAccountData } from '../db/forgetAccount.ts';
import { MirrorStore } from '../db/mirrorStore.ts';
import { IdMapStore } from '../db/idMapStore.ts';
import { IdbChangeStore, IdbProgressStore, IdbWriteLog } from '../db/engineWorkStore.ts';
import { ChangeTracker } from '../engines/bookmarks/local/changeTracker.ts';
import type { FakeBookmarksApi } from '../engines/bookmarks/local/fakeBookmarksApi.ts';
import { SharedCreatedEvent } from '../engines/bookmarks/local/createdEvent.ts';
import { BrowserBookmarks } from '../engines/bookmarks/local/browserBookmarks.ts';
import { HistoryStore } from '../db/historyStore.ts';
import { IdbScanMark } from '../db/engineWorkStore.ts';
import type { FakeHistoryApi } from '../engines/history/local/fakeHistoryApi.ts';
import { BrowserHistory } from '../engines/history/local/browserHistory.ts';
import { HistoryChangeTracker } from '../engines/history/local/changeTracker.ts';
import type { FakeTabsApi } from '../engines/tabs/local/fakeTabsApi.ts';
import { BrowserTabs } from '../engines/tabs/local/localTabs.ts';

export interface Harness {
  server: StartedServer;
  origin: string;
  accounts: AccountStore;
  /** The memory-only storage a password sign-in waits in (storage.session in the browser). */
  sessionArea: MemorySessionArea;
  /** The note outside IndexedDB that this browser is signed in (storage.local in the browser). */
  marker: MemorySignedInMarker;
  syncState: SyncStateStore;
  controller: AccountController;
  /** Method + path of every request the client made, in order. */
  requests: string[];
  /** Tabs opened by displayURI commands. */
  displayed: string[];
  /** Tabs the account controller opened (the web sign-in page) and closed. */
  openedTabs: string[];
  closedTabs: number[];
  logs: LogEntry[];
  createAccount(email: string, password: string): Promise<void>;
  signIn(email: string, password: string): Promise<StoredAccount>;
  /**
   * One sync; with `bookmarks` / `history`, those engines run against that (fake) browser. The
   * device is registered with its command keys (send tab) from the account store; `afterSync` runs
   * after a successful run (the background polls device commands there).
   */
  sync(opts?: {
    onBackoff?: BackoffObserver; bookmarks?: FakeBookmarksApi; history?: FakeHistoryApi; tabs?: FakeTabsApi; signal?: AbortSignal;
    afterSync?: (account: StoredAccount) => Promise<void>;
  }): Promise<JobResult>;
  /** The synced history pages store. */
  historyPages: HistoryStore;
  /** Resolves once the history change tracker of this fake browser has recorded every event so far. */
  historyChangesRecorded(api: FakeHistoryApi): Promise<void>;
  /** The person's "also add other devices' pages to this browser's history" (Chromium), for the next syncs. */
  setAddToBrowserHistory(on: boolean): void;
  db: SyncbridgeDB;
  safety: SafetyStore;
  mirror: MirrorStore;
  storageUid(): Promise<string>;
  /** Records of a collection as the server holds them (in-process read). */
  serverRecords(collection: string): Promise<Array<{ id: string; payload: string; modified: number }>>;
  /** The account's collection keys, read from the server with the account's kSync. */
  collectionKeys(): Promise<CollectionKeys>;
  decrypt(collection: string, payload: string): Promise<Record<string, unknown>>;
  /** Resolves once the change tracker of this fake browser has recorded every event so far. */
  localChangesRecorded(api: FakeBookmarksApi): Promise<void>;
  /** A collection's records as the server holds them, decrypted with the account's keys, by id. */
  decryptedRecords(collection: string): Promise<Map<string, Record<string, unknown>>>;
  /** Writes a record as another device would, encrypted with the account's keys. */
  putAsOtherDevice(collection: string, cleartext: Record<string, unknown>): Promise<void>;
  control(path: string, body: unknown): Promise<unknown>;
  /**
   * The demo account's Firefox desktop as a Send Tab peer (server/identity/demo/commands.ts): it
   * sends this browser a tab or a close-tabs request (encrypted for the bundle we published), and
   * shows what was sent to it, decrypted with its keys.
   */
  demoDevice: {
    sendTab(opts: { url: string; title?: string; target?: string; ttl?: number }): Promise<Array<{ target: string; index: number }>>;
    closeTabs(opts: { urls: string[]; target?: string; ttl?: number }): Promise<Array<{ target: string; index: number }>>;
    received(): Promise<Array<{ index: number; command: string; sender: string | null; payload: Record<string, unknown>; decrypted: unknown }>>;
  };
  /** Runs `fn` once, just before the client's next request matching `pattern` ("METHOD /path") is sent. */
  beforeRequest(pattern: RegExp, fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export async function startHarness(opts: { demo?: boolean; limits?: StartOptions['limits'] } = {}): Promise<Harness> {
  const server = await startServer({ port: 0, host: '127.0.0.1', demo: opts.demo ?? false, ...(opts.limits ? { limits: opts.limits } : {}) });
  const db = await freshDatabase();
  const sessionArea = new MemorySessionArea();
  const marker = new MemorySignedInMarker();
  const accounts = new AccountStore(db, sessionArea);
  const syncState = new SyncStateStore(db, SWITCHABLE_ENGINES);
  const safety = new SafetyStore(db);
  const logs: LogEntry[] = [];
  const log = createLogHub({ console: null, sink: { append: async (e) => void logs.push(...e) } }).logger;
  const requests: string[] = [];
  const displayed: string[] = [];
  const openedTabs: string[] = [];
  const closedTabs: number[] = [];
  const hooks: Array<{ pattern: RegExp; fn: () => Promise<void> }> = [];
  const spyFetch = async (input: string, init?: RequestInit): Promise<Response> => {
    const line = `${init?.method ?? 'GET'} ${new URL(input).pathname}`;
    requests.push(line);
    const i = hooks.findIndex((hk) => hk.pattern.test(line));
    if (i >= 0) await hooks.splice(i, 1)[0]!.fn();
    return fetch(input, init);
  };
  const controller = new AccountController({
    store: accounts, log,
    openTab: async (url) => openedTabs.push(url),
    closeTab: async (id) => void closedTabs.push(id),
    defaultDeviceName: async () => 'Chromium on Linux',
    // As the background: a sign-in back after lost data merges without asking (no sync started here).
    onSignedIn: async (_account, info) => {
      if (info?.returning) await safety.chooseFirstSync('merge');
    },
    onSignedOut: () => forgetAccountData(db, { syncState, safety }),
    marker,
    fetch: spyFetch,
  });
  await accounts.saveServer({ accountsUrl: server.origin, tokenServerUrl: null });
  const commands: AccountCommands = {
    logout: async () => void (await controller.signOut()),
    displayURI: async (uri) => void displayed.push(uri),
  };

  const control = async (path: string, body: unknown): Promise<unknown> => {
    const res = await fetch(server.origin + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} → ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const storageUid = async (): Promise<string> => {
    const token = await syncState.loadSyncToken();
    if (!token) throw new Error('no sync token yet: sync first');
    return token.uid;
  };
  const root = async () => {
    const account = await accounts.account();
    if (!account) throw new Error('not signed in');
    return keyBundleFromKSync(accountKeys(account).kSync);
  };
  const collectionKeys = async (): Promise<CollectionKeys> => {
    const [keys] = server.ctx.storage.getRecords(await storageUid(), 'crypto');
    if (!keys) throw new Error('no crypto/keys on the server');
    return decryptCryptoKeys(keys.payload, await root());
  };

  const mirror = new MirrorStore(db, 'bookmarks');
  // Per browser, its worker's side: a change the browser made without events (a crash, a seed)
  // happened while no worker ran, and a new one starts.
  const workers = new WeakMap<FakeBookmarksApi, { side: BrowserBookmarks; tracker: ChangeTracker; unheard: number }>();
  // The background's one onCreated subscription, which a bulk of the sync's creates switches off.
  const createdEvents = new WeakMap<FakeBookmarksApi, SharedCreatedEvent>();
  const browserSide = (api: FakeBookmarksApi): BrowserBookmarks => {
    const known = workers.get(api);
    if (known && known.unheard === api.unheardChanges) return known.side;
    known?.tracker.stop();
    // As the background wires it: the change tracker sees the browser's events (the person's
    // edits between syncs) and tells our own writes apart; no sync is requested by it here.
    const idMap = new IdMapStore(db, 'bookmarks');
    const changes = new IdbChangeStore(db, 'bookmarks');
    const createdEvent = createdEvents.get(api) ?? new SharedCreatedEvent(api.events.onCreated);
    createdEvents.set(api, createdEvent);
    const tracker = new ChangeTracker({ events: { ...api.events, onCreated: createdEvent }, idMap, store: changes, requestSync: () => undefined, timer: { set: () => null, clear: () => undefined } });
    void tracker.start();
    const side = new BrowserBookmarks({
      api, flavor: api.flavor, idMap, tracker, createdEvent,
      progress: new IdbProgressStore(db, 'bookmarks'), changes, writeLog: new IdbWriteLog(db, 'bookmarks'),
    });
    workers.set(api, { side, tracker, unheard: api.unheardChanges });
    return side;
  };

  const historyPages = new HistoryStore(db);
  const historySides = new WeakMap<FakeHistoryApi, { side: BrowserHistory; tracker: HistoryChangeTracker }>();
  let addToBrowserHistory = false;
  const historySide = (api: FakeHistoryApi): { side: BrowserHistory; tracker: HistoryChangeTracker } => {
    let s = historySides.get(api);
    if (!s) {
      const tracker = new HistoryChangeTracker({ events: api.events, store: new IdbChangeStore(db, 'history'), requestSync: () => undefined, timer: { set: () => null, clear: () => undefined } });
      void tracker.start();
      s = { side: new BrowserHistory({ api, flavor: api.flavor, tracker }), tracker };
      historySides.set(api, s);
    }
    return s;
  };

  return {
    db, safety, mirror, historyPages,
    historyChangesRecorded: async (api) => historySides.get(api)?.tracker.settled(),
    setAddToBrowserHistory: (on) => void (addToBrowserHistory = on),
    server, origin: server.origin, accounts, sessionArea, marker, syncState, controller, requests, displayed, openedTabs, closedTabs, logs,
    async createAccount(email, password) {
      await control('/__test__/accounts', { email, password, verified: true });
    },
    async signIn(email, password) {
      const view = await controller.passwordSignIn(email, password);
      if (view.state !== 'signed-in') throw new Error(`sign-in ended in state ${view.state}`);
      return (await accounts.account())!;
    },
    async sync(opts = {}) {
      const account = await accounts.account();
      if (!account) throw new Error('not signed in');
      // The engines' work for after the sync runs once it is over, as the background's timer does.
      const afterRun: Array<() => Promise<void>> = [];
      const ran = await runSync({
        account,
        accessTokens: controller.accessTokens(account),
        saveAccount: (a) => accounts.saveAccount(a),
        persistence: syncState,
        deviceName: () => controller.deviceName(),
        ourClient: async (id, fxaDeviceId) => ({ id, name: await controller.deviceName(), fxaDeviceId, os: 'Linux', application: 'Syncbridge', version: '0.1.0' }),
        commands,
        commandKeys: accounts,
        ...(opts.afterSync ? { afterSync: opts.afterSync } : {}),
        engines: engineSet({
          clients: syncState,
          ...(opts.bookmarks ? {
            bookmarks: {
              local: browserSide(opts.bookmarks), mirror, safety, afterRun: (task) => void afterRun.push(task),
              refused: new IdbChangeStore(db, 'bookmarks', Date.now, 'refused'),
              unreadable: new IdbChangeStore(db, 'bookmarks', Date.now, 'unreadable'),
            },
          } : {}),
          ...(opts.tabs ? { tabs: { local: new BrowserTabs({ api: opts.tabs }), state: syncState } } : {}),
          ...(opts.history ? {
            history: {
              local: historySide(opts.history).side, pages: historyPages, changes: new IdbChangeStore(db, 'history'),
              scanMark: new IdbScanMark(db, 'history'), addToBrowserHistory: async () => addToBrowserHistory,
            },
          } : {}),
        }),
        log,
        fetch: spyFetch,
        ...(opts.onBackoff ? { onBackoff: opts.onBackoff } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      }).finally(async () => {
        for (const task of afterRun) await task();
      });
      return ran;
    },
    storageUid,
    async serverRecords(collection) {
      return server.ctx.storage.getRecords(await storageUid(), collection);
    },
    collectionKeys,
    async decrypt(collection, payload) {
      return (await decryptPayload(payload, bundleForCollection(await collectionKeys(), collection))) as Record<string, unknown>;
    },
    async localChangesRecorded(api) {
      await workers.get(api)?.tracker.settled();
    },
    async decryptedRecords(collection) {
      const bundle = bundleForCollection(await collectionKeys(), collection);
      const out = new Map<string, Record<string, unknown>>();
      for (const r of server.ctx.storage.getRecords(await storageUid(), collection)) out.set(r.id, (await decryptPayload(r.payload, bundle)) as Record<string, unknown>);
      return out;
    },
    async putAsOtherDevice(collection, cleartext) {
      const payload = await encryptPayload(cleartext, bundleForCollection(await collectionKeys(), collection));
      server.ctx.storage.putRecords(await storageUid(), collection, [{ id: String(cleartext['id']), payload }]);
    },
    control,
    demoDevice: {
      async sendTab(o) {
        return ((await control('/__test__/demo/send-tab', o)) as { sent: Array<{ target: string; index: number }> }).sent;
      },
      async closeTabs(o) {
        return ((await control('/__test__/demo/close-tabs', o)) as { sent: Array<{ target: string; index: number }> }).sent;
      },
      async received() {
        const res = await fetch(`${server.origin}/__test__/demo/received`);
        if (!res.ok) throw new Error(`/__test__/demo/received → ${res.status} ${await res.text()}`);
        return ((await res.json()) as { commands: Awaited<ReturnType<Harness['demoDevice']['received']>> }).commands;
      },
    },
    beforeRequest(pattern, fn) {
      hooks.push({ pattern, fn });
    },
    close: () => server.close(),
  };
}

/** The demo account (Firefox's data) signed in and set up, as most engine tests start. */
export async function startDemoHarness(opts: { limits?: StartOptions['limits'] } = {}): Promise<Harness> {
  const h = await startHarness({ demo: true, ...opts });
  await h.signIn(DEMO_EMAIL, DEMO_PASSWORD);
  await h.sync(); // account setup and clients only, so tests can read the server's records
  return h;
}
