// One sync of a signed-in account, browser-free: token → storage → account setup (meta/global,
// crypto/keys) → clients engine → data engines. The background supplies persistence and the
// browser-facing pieces; Node tests drive the same code against the local server.
import type { AccessTokenProvider, StoredAccount } from '../account/credentials.ts';
import { accountKeys } from '../account/credentials.ts';
import { registerDevice, updateDevice } from '../account/devices.ts';
import type { Logger } from '../log/logger.ts';
import { syncClients, type ClientCommandHandlers, type RemoteClient } from '../engines/clients/engine.ts';
import type { OurClientInfo } from '../engines/clients/record.ts';
import { keyBundleFromKSync } from './crypto/keyBundle.ts';
import { InvalidCredentialsError, NodeReassignedError } from './errors.ts';
import type { BackoffObserver } from './http/backoff.ts';
import type { FetchLike } from './http/request.ts';
import { runGlobalSetup } from './setup/globalSetup.ts';
import type { SyncStatePersistence } from './setup/globalState.ts';
import { StorageClient } from './storage/client.ts';
import { fetchSyncToken, type SyncToken } from './tokenserver/client.ts';
import { CachingTokenProvider } from './tokenserver/provider.ts';
import type { JobResult } from './scheduler.ts';
import type { SyncProgress } from '../shared/status.ts';
import type { MirrorStore } from '../db/mirrorStore.ts';
import { syncBookmarks, type BookmarkSafety, type LocalBookmarks } from '../engines/bookmarks/engine.ts';
import { BOOKMARKS_ENGINE_VERSION } from '../engines/bookmarks/record.ts';

/** Engines this client implements, in the order they sync (clients first, as Firefox). */
export const OUR_ENGINES = ['clients', 'bookmarks', 'history', 'tabs'] as const;

export interface ClientsLocalState {
  /** Our record id in the clients collection (stable for this install). */
  clientId: string;
  /** ms since epoch of our last upload of it. */
  lastUploadAt: number | null;
  /** The device name last registered with the account, to know when to update it. */
  registeredName: string | null;
  others: RemoteClient[];
}

export interface SyncRunPersistence extends SyncStatePersistence {
  pendingEngineChoices(): Promise<Partial<Record<string, boolean>>>;
  adoptAccountEngines(enabled: readonly string[], applied: Readonly<Record<string, boolean>>): Promise<void>;
  loadSyncToken(): Promise<SyncToken | null>;
  saveSyncToken(token: SyncToken | null): Promise<void>;
  loadClientsState(): Promise<ClientsLocalState>;
  saveClientsState(state: ClientsLocalState): Promise<void>;
}

export interface SyncRunInput {
  account: StoredAccount;
  accessTokens: AccessTokenProvider;
  /** Persists account changes made during the run (device id). */
  saveAccount(account: StoredAccount): Promise<void>;
  persistence: SyncRunPersistence;
  /** Our device name and details (name editable in the options page). */
  ourClient(clientId: string, fxaDeviceId: string | null): Promise<OurClientInfo>;
  commands: ClientCommandHandlers;
  log: Logger;
  onBackoff?: BackoffObserver;
  fetch?: FetchLike;
  now?: () => number;
  /** The bookmarks engine's browser side and stores; absent where bookmarks cannot sync. */
  bookmarks?: {
    local: LocalBookmarks;
    mirror: MirrorStore;
    safety: BookmarkSafety;
    refused?: { list(): Promise<string[]>; add(guids: readonly string[]): Promise<void> };
  };
  reportProgress?: (p: SyncProgress) => void;
}

export async function runSync(input: SyncRunInput): Promise<JobResult> {
  const { persistence, log } = input;
  const now = input.now ?? Date.now;
  let account = input.account;

  // The Sync token is cached across runs until it expires (refetching it every time was a real bug).
  const tokens = new CachingTokenProvider(() => fetchToken(input), { now, initial: await persistence.loadSyncToken() });
  const storage = new StorageClient({
    tokens,
    now,
    ...(input.fetch ? { fetch: input.fetch } : {}),
    ...(input.onBackoff ? { onBackoff: input.onBackoff } : {}),
    onAlert: (alert) => log.warn('The Sync server sent an alert', { alert }),
  });

  try {
    const { kSync } = accountKeys(account);
    const root = keyBundleFromKSync(kSync);
    const setupInput = {
      storage, persistence, root, ourEngines: OUR_ENGINES, log,
      pendingEngineChoices: (await persistence.pendingEngineChoices()) as Record<string, boolean>,
    };
    let ready;
    try {
      ready = await runGlobalSetup(setupInput);
    } catch (e) {
      if (!(e instanceof NodeReassignedError)) throw e;
      // A new node holds none of our data: forget what we knew about the old one and set up again.
      log.info('Sync data moved to a new storage node; setting up there');
      await persistence.resetAll();
      ready = await runGlobalSetup(setupInput);
    }
    await persistence.adoptAccountEngines(ready.enabledEngines, ready.appliedChoices);

    const clientsState = await persistence.loadClientsState();
    const draft = await input.ourClient(clientsState.clientId, account.deviceId);
    account = await ensureDevice(input, account, clientsState, draft.name);
    const ours = { ...draft, fxaDeviceId: account.deviceId };
    const clients = await syncClients({
      storage, keys: ready.keys, ours,
      collectionModified: ready.info['clients'] ?? '0',
      lastUploadAt: clientsState.lastUploadAt,
      handlers: input.commands, log, now,
    });
    await persistence.saveClientsState({
      ...clientsState,
      lastUploadAt: clients.uploadedAt !== null ? now() : clientsState.lastUploadAt,
      others: clients.others,
    });

    const notes: string[] = [];
    const synced: string[] = [];
    if (input.bookmarks && ready.enabledEngines.includes('bookmarks')) {
      const meta = ready.meta.engines['bookmarks']!;
      if (meta.version > BOOKMARKS_ENGINE_VERSION) {
        log.warn('Bookmarks skipped: another device uses a newer bookmark format', { version: meta.version });
        notes.push('bookmarks skipped (newer format on the server; update Syncbridge)');
      } else {
        const r = await syncBookmarks({
          storage, keys: ready.keys, syncID: meta.syncID,
          state: {
            load: () => persistence.loadEngine('bookmarks'),
            save: (st) => persistence.saveEngine('bookmarks', st),
            reset: () => persistence.resetEngine('bookmarks'),
          },
          mirror: input.bookmarks.mirror, local: input.bookmarks.local, safety: input.bookmarks.safety,
          ...(input.bookmarks.refused ? { refused: input.bookmarks.refused } : {}),
          log, now,
          onProgress: (step, done, total) => input.reportProgress?.({ engine: 'bookmarks', step, done, total }),
        });
        synced.push('bookmarks');
        if (r.skippedRecords > 0) notes.push(`${r.skippedRecords} unreadable bookmark record${r.skippedRecords === 1 ? '' : 's'} skipped`);
      }
    }

    const devices = clients.others.length;
    return {
      outcome: 'success',
      message: `Synced ${synced.length ? synced.join(', ') : 'devices'} with your account (${devices} other device${devices === 1 ? '' : 's'})${notes.length ? `; ${notes.join('; ')}` : ''}.`,
    };
  } finally {
    await persistence.saveSyncToken(tokens.current);
  }
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

/**
 * Registers this browser as a device of the account (so Firefox lists it) when not yet done, or
 * renames it when the person changed the name. Records the registered name in `clientsState`,
 * which the caller saves. Failures are logged, not thrown: sync works without it, and the next
 * sync tries again.
 */
async function ensureDevice(input: SyncRunInput, account: StoredAccount, clientsState: ClientsLocalState, name: string): Promise<StoredAccount> {
  if (account.deviceId && clientsState.registeredName === name) return account;
  const common = { config: account.server, auth: { refreshToken: account.refreshToken }, ...(input.fetch ? { fetch: input.fetch } : {}) };
  try {
    if (account.deviceId) {
      await updateDevice({ ...common, id: account.deviceId, changes: { name } });
      clientsState.registeredName = name;
      return account;
    }
    const record = await registerDevice({ ...common, device: { name, type: 'desktop', availableCommands: {} } });
    const next = { ...account, deviceId: record.id };
    await input.saveAccount(next);
    clientsState.registeredName = name;
    input.log.info('Registered this browser as a device of the account');
    return next;
  } catch (e) {
    // Firefox may hide us from its device list until this succeeds.
    input.log.warn(account.deviceId ? 'Could not update the device name on the account' : 'Could not register this browser as a device; will retry next sync', { error: String(e) });
    return account;
  }
}
