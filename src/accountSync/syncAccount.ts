// One sync of a signed-in account: token → storage → account setup (meta/global, crypto/keys) →
// device registration → every engine of the registry in order, each through the one synchronizer.
// Nothing here knows an engine by name: the registry supplies them, the per-collection state
// machine (sync/engine/collectionState.ts) decides what each does this run. Browser-free: the
// background supplies persistence and the browser-facing pieces; Node tests drive the same code
// against the local server.
import { formatList, t } from '../i18n/i18n.ts';
import { engineInSentence } from '../i18n/engineNames.ts';
import type { AccessTokenProvider, StoredAccount } from '../account/credentials.ts';
import { accountKeys } from '../account/credentials.ts';
import type { CommandKeyStore } from '../account/commandKeys.ts';
import type { Logger } from '../log/logger.ts';
import type { ClientCommandHandlers } from '../engines/clients/engine.ts';
import type { OurClientInfo } from '../engines/clients/record.ts';
import type { EngineSet } from '../engines/registry.ts';
import { keyBundleFromKSync } from '../sync/crypto/keyBundle.ts';
import { bundleForCollection } from '../sync/crypto/records.ts';
import { decideCollection } from '../sync/engine/collectionState.ts';
import type { AssociationStore, SyncEngine } from '../sync/engine/contract.ts';
import { EncryptedCollection, ServerCollection } from '../sync/engine/serverCollection.ts';
import { synchronize } from '../sync/engine/synchronizer.ts';
import { InvalidCredentialsError, NodeReassignedError, SyncCancelledError } from '../sync/errors.ts';
import type { BackoffObserver } from '../sync/http/backoff.ts';
import type { FetchLike } from '../sync/http/request.ts';
import { runGlobalSetup } from '../sync/setup/globalSetup.ts';
import type { GlobalStatePersistence } from '../sync/setup/globalState.ts';
import { StorageClient } from '../sync/storage/client.ts';
import { fetchSyncToken, type SyncToken } from '../sync/tokenserver/client.ts';
import { CachingTokenProvider } from '../sync/tokenserver/provider.ts';
import type { SyncProgress } from '../shared/status.ts';
import { ensureDevice } from './device.ts';
import type { JobResult } from './scheduler.ts';

export interface SyncRunPersistence extends GlobalStatePersistence {
  associations: AssociationStore;
  pendingEngineChoices(): Promise<Partial<Record<string, boolean>>>;
  adoptAccountEngines(enabled: readonly string[], applied: Readonly<Record<string, boolean>>): Promise<void>;
  loadSyncToken(): Promise<SyncToken | null>;
  saveSyncToken(token: SyncToken | null): Promise<void>;
}

/** Commands that act on the account rather than on an engine. */
export type AccountCommands = Pick<ClientCommandHandlers, 'logout' | 'displayURI'>;

export interface SyncRunInput {
  account: StoredAccount;
  accessTokens: AccessTokenProvider;
  /** Persists account changes made during the run (device id, registered name). */
  saveAccount(account: StoredAccount): Promise<void>;
  persistence: SyncRunPersistence;
  /** Our device name (editable in the options page) and the details of our clients record. */
  deviceName(): Promise<string>;
  ourClient(clientId: string, fxaDeviceId: string | null): Promise<OurClientInfo>;
  commands: AccountCommands;
  /** This device's command keys (send tab): published with the device registration (device.ts). */
  commandKeys?: CommandKeyStore;
  /**
   * After a successful run, with the account as saved (device registered): e.g. poll the device
   * commands other devices sent here. A failure is logged; the run stays a success.
   */
  afterSync?: (account: StoredAccount) => Promise<void>;
  /** This browser's engines (engines/registry.ts). */
  engines: EngineSet;
  log: Logger;
  onBackoff?: BackoffObserver;
  fetch?: FetchLike;
  now?: () => number;
  reportProgress?: (p: SyncProgress) => void;
  /** Aborted when the person signs out: the run stops at its next request. */
  signal?: AbortSignal;
}

export async function runSync(input: SyncRunInput): Promise<JobResult> {
  const { persistence, log } = input;
  const now = input.now ?? Date.now;
  let account = input.account;
  // Every request of the run (token server, accounts, storage) goes through this: once the run is
  // cancelled (sign-out), the next request stops it instead of reaching the server.
  const runFetch = cancellable(input.fetch ?? ((u, init) => fetch(u, init)), input.signal);
  const inputForToken = { ...input, fetch: runFetch };

  // The Sync token is cached across runs until it expires (refetching it every time was a real bug).
  const tokens = new CachingTokenProvider(() => fetchToken(inputForToken), { now, initial: await persistence.loadSyncToken() });
  const storage = new StorageClient({
    tokens,
    now,
    fetch: runFetch,
    ...(input.onBackoff ? { onBackoff: input.onBackoff } : {}),
    onAlert: (alert) => log.warn('The Sync server sent an alert', { alert }),
  });

  // The engines of this run, and the commands that reach any of them by name.
  let engines: SyncEngine[] = [];
  /** Engines on for this account and present here, once the setup has run. */
  let enabledNow = new Set<string>();
  const byName = (name: string): SyncEngine | undefined => engines.find((e) => e.collection === name);
  /** Association first, then the engine's server-derived state: a cut between the two only refetches. */
  /** Engines reset while they were syncing (a command read by that very engine): their association stays reset. */
  const resetMidRun = new Set<string>();
  let running: string | null = null;
  const resetEngine = async (name: string): Promise<void> => {
    if (name === running) resetMidRun.add(name);
    await persistence.associations.reset(name);
    await byName(name)?.reset();
  };
  const resetAll = async (): Promise<void> => {
    await persistence.resetGlobal();
    for (const d of input.engines.descriptors) await resetEngine(d.name);
  };
  const commands: ClientCommandHandlers = {
    ...input.commands,
    resetEngine,
    resetAll,
    wipeEngine: async (name) => {
      // An engine that is off here has nothing to replace; a wipe kept for later would replace
      // this browser's data without asking the day the person turns it on.
      if (!enabledNow.has(name)) {
        log.info('Ignored a wipeEngine command for an engine that is off on this browser', { engine: name });
        return;
      }
      if (name === running) resetMidRun.add(name);
      await persistence.associations.reset(name);
      await byName(name)?.wipe();
    },
  };
  engines = input.engines.create({
    log, now, commands,
    describeClient: async (clientId) => ({ ...(await input.ourClient(clientId, account.deviceId)), fxaDeviceId: account.deviceId }),
  });

  const syncOnce = async (): Promise<JobResult> => {
    // Engines that synced before start reading their local data now, while the setup's requests
    // and the engines before them run (the bookmarks tree of 10,000 is a few hundred ms).
    await Promise.all(engines.map(async (engine) => {
      if (engine.prepare && (await persistence.associations.load(engine.collection)).syncID !== null) engine.prepare();
    }));
    const { kSync } = accountKeys(account);
    const ready = await runGlobalSetup({
      storage, persistence, root: keyBundleFromKSync(kSync), log, resetEngine, resetAll,
      ourEngines: input.engines.descriptors,
      pendingEngineChoices: (await persistence.pendingEngineChoices()) as Record<string, boolean>,
    });
    await persistence.adoptAccountEngines(ready.enabledEngines, ready.appliedChoices);
    enabledNow = new Set(ready.enabledEngines.filter((name) => byName(name) !== undefined));

    account = await ensureDevice({
      account, name: await input.deviceName(), saveAccount: input.saveAccount, log, fetch: runFetch,
      ...(input.commandKeys ? { commandKeys: input.commandKeys } : {}),
    });

    const synced: string[] = [];
    const notes: string[] = [];
    const details: string[] = [];
    for (const engine of engines) {
      const name = engine.collection;
      const decision = decideCollection(engine, ready.meta, await persistence.associations.load(name));
      if (decision.action === 'off') continue;
      if (decision.action === 'skip') {
        log.warn('Engine skipped: another device uses a newer format', { engine: name, version: decision.serverVersion });
        notes.push(decision.message);
        continue;
      }
      if (decision.reset) {
        log.info('Engine was reset by another device (new syncID); it starts over', { engine: name });
        await resetEngine(name);
      }
      const { lastSync } = await persistence.associations.load(name);
      running = name;
      const r = await synchronize({
        engine,
        server: new EncryptedCollection(new ServerCollection(storage, name), bundleForCollection(ready.keys, name)),
        association: { syncID: decision.syncID, lastSync },
        // Reset by a command this engine read in this run: the next sync starts it over, as asked.
        saveAssociation: async (a) => {
          if (!resetMidRun.has(name)) await persistence.associations.save(name, a);
        },
        infoModified: ready.info[name],
        env: { log, progress: (e, step, done, total) => input.reportProgress?.({ engine: e, step, done, total }) },
      });
      running = null;
      if (input.engines.descriptors.find((d) => d.name === name)?.label !== undefined) synced.push(name);
      notes.push(...r.notes);
      if (r.detail) details.push(r.detail);
    }
    const what = synced.length ? formatList(synced.map(engineInSentence)) : engineInSentence('clients');
    const done = details.length ? t('statusSyncedDetails', what, details.join('; ')) : t('statusSynced', what);
    return { outcome: 'success', message: notes.length ? t('statusSyncedNotes', done, notes.join('; ')) : t('statusSyncedEnd', done) };
  };

  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await syncOnce();
        if (input.afterSync) {
          await input.afterSync(account).catch((e: unknown) => log.warn('After the sync: device commands could not be checked', { error: String(e) }));
        }
        return result;
      } catch (e) {
        // A new node holds none of our data, whether we learn it during setup or in the middle of
        // an engine: forget what we knew about the old one and sync again from the top, once.
        if (!(e instanceof NodeReassignedError) || attempt > 0) throw e;
        log.info('Sync data moved to a new storage node; setting up there');
        await resetAll();
      }
    }
  } finally {
    // A cancelled run belongs to an account that is being forgotten: do not store its token again.
    if (!input.signal?.aborted) await persistence.saveSyncToken(tokens.current);
  }
}

/** A fetch that refuses to start (and stops waiting) once `signal` is aborted, with SyncCancelledError. */
function cancellable(base: FetchLike, signal: AbortSignal | undefined): FetchLike {
  if (!signal) return base;
  return async (url, init) => {
    if (signal.aborted) throw new SyncCancelledError();
    try {
      return await base(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
    } catch (e) {
      if (signal.aborted) throw new SyncCancelledError();
      throw e;
    }
  };
}

/** OAuth access token → Sync token; a refused access token is refreshed and tried once more. */
async function fetchToken(input: SyncRunInput): Promise<SyncToken> {
  const { account } = input;
  const base = {
    tokenServerUrl: account.server.tokenServerUrl,
    keyId: account.keyId,
    ...(input.fetch ? { fetch: input.fetch } : {}),
    ...(input.onBackoff ? { onBackoff: input.onBackoff } : {}),
    ...(input.now ? { now: input.now } : {}),
  };
  const first = await input.accessTokens.getAccessToken();
  try {
    return await fetchSyncToken({ ...base, accessToken: first.token });
  } catch (e) {
    if (!(e instanceof InvalidCredentialsError)) throw e;
    const second = await input.accessTokens.tokenRejected(first.token);
    return fetchSyncToken({ ...base, accessToken: second.token });
  }
}
