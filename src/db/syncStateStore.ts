// Sole owner of the `syncState` store (and of clearing an engine's part of `mirror` on reset).
import { EMPTY_GLOBAL_STATE, type EngineState, type GlobalState } from '../sync/setup/globalState.ts';
import { newSyncId } from '../sync/setup/metaGlobal.ts';
import type { ClientsLocalState, SyncRunPersistence } from '../sync/syncRun.ts';
import type { SyncToken } from '../sync/tokenserver/client.ts';
import type { SyncbridgeDB } from './schema.ts';
import { SYNC_ENGINES, type EnginesView, type SyncEngineName } from '../shared/account.ts';

/** The person's engine choices: what they see, and which ones still have to reach meta/global. */
interface EngineChoices {
  engines: Record<SyncEngineName, boolean>;
  pending: Partial<Record<SyncEngineName, boolean>>;
}
const CHOICES = 'engineChoices';
const TOKEN = 'syncToken';
const CLIENTS = 'clients';
const DEFAULT_CHOICES: EngineChoices = { engines: { bookmarks: true, history: true, tabs: true }, pending: {} };

const GLOBAL = 'global';
const engineKey = (name: string): string => `engine:${name}`;
const EMPTY_ENGINE: EngineState = { syncID: null, lastSync: '0' };

export class SyncStateStore implements SyncRunPersistence {
  constructor(private readonly db: SyncbridgeDB) {}

  async loadGlobal(): Promise<GlobalState> {
    return { ...EMPTY_GLOBAL_STATE, ...((await this.db.get('syncState', GLOBAL)) as Partial<GlobalState> | undefined) };
  }

  async saveGlobal(state: GlobalState): Promise<void> {
    await this.db.put('syncState', state, GLOBAL);
  }

  async loadEngine(name: string): Promise<EngineState> {
    return { ...EMPTY_ENGINE, ...((await this.db.get('syncState', engineKey(name))) as Partial<EngineState> | undefined) };
  }

  async saveEngine(name: string, state: EngineState): Promise<void> {
    await this.db.put('syncState', state, engineKey(name));
  }

  /** Engine state and its mirror go together, in one transaction. */
  async resetEngine(name: string): Promise<void> {
    const tx = this.db.transaction(['syncState', 'mirror'], 'readwrite');
    await tx.objectStore('syncState').delete(engineKey(name));
    const mirror = tx.objectStore('mirror');
    let cursor = await mirror.index('byCollection').openKeyCursor(IDBKeyRange.only(name));
    while (cursor) {
      await mirror.delete(cursor.primaryKey);
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  /**
   * Clears account-level and engine state and the mirror (a reset or a new storage node). The
   * person's engine choices and this install's client id stay.
   */
  async resetAll(): Promise<void> {
    const tx = this.db.transaction(['syncState', 'mirror'], 'readwrite');
    const store = tx.objectStore('syncState');
    // Only this module's own keys: other owners keep theirs in this store too (the bookmarks
    // safety decisions, the record of local changes), and a reset is not a new account.
    for (const key of await store.getAllKeys()) {
      if (key === GLOBAL || key === TOKEN || key.startsWith('engine:')) await store.delete(key);
    }
    const clients = (await store.get(CLIENTS)) as ClientsLocalState | undefined;
    if (clients !== undefined) await store.put({ ...clients, lastUploadAt: null, others: [] }, CLIENTS);
    await tx.objectStore('mirror').clear();
    await tx.done;
  }

  async engineChoices(): Promise<EnginesView> {
    const c = await this.loadChoices();
    return { engines: c.engines, pending: SYNC_ENGINES.filter((e) => c.pending[e] !== undefined) };
  }

  /** Records a choice made on this device; it goes to meta/global with the next sync. */
  async chooseEngine(engine: SyncEngineName, enabled: boolean): Promise<EnginesView> {
    const c = await this.loadChoices();
    c.engines[engine] = enabled;
    c.pending[engine] = enabled;
    await this.db.put('syncState', c, CHOICES);
    return this.engineChoices();
  }

  async pendingEngineChoices(): Promise<Partial<Record<SyncEngineName, boolean>>> {
    return (await this.loadChoices()).pending;
  }

  /**
   * After setup: the account's state becomes ours, except choices made here since setup started
   * (those stay pending for the next sync).
   */
  async adoptAccountEngines(enabled: readonly string[], applied: Readonly<Record<string, boolean>>): Promise<void> {
    const tx = this.db.transaction('syncState', 'readwrite');
    const c = { ...DEFAULT_CHOICES, ...((await tx.store.get(CHOICES)) as EngineChoices | undefined) };
    for (const e of SYNC_ENGINES) {
      const pending = c.pending[e];
      if (pending !== undefined && applied[e] === pending) delete c.pending[e];
      c.engines[e] = c.pending[e] ?? enabled.includes(e);
    }
    await tx.store.put(c, CHOICES);
    await tx.done;
  }

  /** Sign-out: everything but this install's client id; a new account starts from its own engine state. */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction(['syncState', 'mirror'], 'readwrite');
    const store = tx.objectStore('syncState');
    const clients = (await store.get(CLIENTS)) as ClientsLocalState | undefined;
    await store.clear();
    if (clients !== undefined) await store.put({ clientId: clients.clientId, lastUploadAt: null, registeredName: null, others: [] }, CLIENTS);
    await tx.objectStore('mirror').clear();
    await tx.done;
  }

  async loadSyncToken(): Promise<SyncToken | null> {
    return ((await this.db.get('syncState', TOKEN)) as SyncToken | undefined) ?? null;
  }

  async saveSyncToken(token: SyncToken | null): Promise<void> {
    if (token) await this.db.put('syncState', token, TOKEN);
    else await this.db.delete('syncState', TOKEN);
  }

  /** Our clients-engine state; the client id is created once per install and kept. */
  async loadClientsState(): Promise<ClientsLocalState> {
    const tx = this.db.transaction('syncState', 'readwrite');
    let state = (await tx.store.get(CLIENTS)) as ClientsLocalState | undefined;
    if (!state) {
      state = { clientId: newSyncId(), lastUploadAt: null, registeredName: null, others: [] };
      await tx.store.put(state, CLIENTS);
    }
    await tx.done;
    return state;
  }

  async saveClientsState(state: ClientsLocalState): Promise<void> {
    await this.db.put('syncState', state, CLIENTS);
  }

  private async loadChoices(): Promise<EngineChoices> {
    const stored = (await this.db.get('syncState', CHOICES)) as EngineChoices | undefined;
    return stored ? { engines: { ...DEFAULT_CHOICES.engines, ...stored.engines }, pending: { ...stored.pending } } : structuredClone(DEFAULT_CHOICES);
  }
}
