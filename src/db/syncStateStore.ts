// Sole owner of the `syncState` store: the cached account setup, the Sync token, each engine's
// association (syncID, last sync), the person's engine choices and the clients engine's state.
import { t } from '../i18n/i18n.ts';
import { EMPTY_GLOBAL_STATE, type GlobalState } from '../sync/setup/globalState.ts';
import { newSyncId } from '../sync/setup/metaGlobal.ts';
import type { AssociationStore, EngineAssociation } from '../sync/engine/contract.ts';
import type { SyncRunPersistence } from '../accountSync/syncAccount.ts';
import type { ClientsLocalState, ClientsStatePort } from '../engines/clients/engine.ts';
import { EMPTY_TABS_STATE, type TabsLocalState, type TabsStatePort } from '../engines/tabs/engine.ts';
import type { SyncToken } from '../sync/tokenserver/client.ts';
import type { SyncbridgeDB } from './schema.ts';
import type { EnginesView } from '../shared/account.ts';

/** The person's engine choices: what they see, and which ones still have to reach meta/global. */
interface EngineChoices {
  engines: Record<string, boolean>;
  pending: Record<string, boolean>;
}
const CHOICES = 'engineChoices';
const TOKEN = 'syncToken';
const CLIENTS = 'clients';
const TABS = 'tabs';
const GLOBAL = 'global';
const ENGINE_PREFIX = 'engine:';
const engineKey = (name: string): string => `${ENGINE_PREFIX}${name}`;
const EMPTY_ASSOCIATION: EngineAssociation = { syncID: null, lastSync: '0' };

export class SyncStateStore implements SyncRunPersistence, ClientsStatePort, TabsStatePort {
  /**
   * @param switchable the engines a person can turn on and off (engines/registry.ts), all on until
   * the account or the person says otherwise.
   */
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly switchable: ReadonlyArray<{ name: string; label: string }>,
  ) {}

  readonly associations: AssociationStore = {
    load: async (name) => ({ ...EMPTY_ASSOCIATION, ...((await this.db.get('syncState', engineKey(name))) as Partial<EngineAssociation> | undefined) }),
    save: async (name, a) => void (await this.db.put('syncState', a, engineKey(name))),
    reset: async (name) => void (await this.db.delete('syncState', engineKey(name))),
  };

  async loadGlobal(): Promise<GlobalState> {
    return { ...EMPTY_GLOBAL_STATE, ...((await this.db.get('syncState', GLOBAL)) as Partial<GlobalState> | undefined) };
  }

  async saveGlobal(state: GlobalState): Promise<void> {
    await this.db.put('syncState', state, GLOBAL);
  }

  /** Forgets the cached setup and token; engines are reset one by one by the account-level sync. */
  async resetGlobal(): Promise<void> {
    const tx = this.db.transaction('syncState', 'readwrite');
    await tx.store.delete(GLOBAL);
    await tx.store.delete(TOKEN);
    await tx.done;
  }

  async engineChoices(): Promise<EnginesView> {
    const c = await this.loadChoices();
    return {
      engines: this.switchable.map((e) => ({ name: e.name, label: e.label, enabled: c.engines[e.name] ?? true })),
      pending: this.switchable.map((e) => e.name).filter((e) => c.pending[e] !== undefined),
    };
  }

  /** Records a choice made on this device; it goes to meta/global with the next sync. */
  async chooseEngine(engine: string, enabled: boolean): Promise<EnginesView> {
    if (!this.switchable.some((e) => e.name === engine)) throw new Error(t('errorUnknownEngine', engine));
    const c = await this.loadChoices();
    c.engines[engine] = enabled;
    c.pending[engine] = enabled;
    await this.db.put('syncState', c, CHOICES);
    return this.engineChoices();
  }

  async pendingEngineChoices(): Promise<Partial<Record<string, boolean>>> {
    return (await this.loadChoices()).pending;
  }

  /**
   * After setup: the account's state becomes ours, except choices made here since setup started
   * (those stay pending for the next sync).
   */
  async adoptAccountEngines(enabled: readonly string[], applied: Readonly<Record<string, boolean>>): Promise<void> {
    const tx = this.db.transaction('syncState', 'readwrite');
    const c = this.withDefaults((await tx.store.get(CHOICES)) as EngineChoices | undefined);
    for (const { name: e } of this.switchable) {
      const pending = c.pending[e];
      if (pending !== undefined && applied[e] === pending) delete c.pending[e];
      c.engines[e] = c.pending[e] ?? enabled.includes(e);
    }
    await tx.store.put(c, CHOICES);
    await tx.done;
  }

  /** Sign-out: everything but this install's client id; a new account starts from its own engine state. */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction('syncState', 'readwrite');
    const clients = (await tx.store.get(CLIENTS)) as ClientsLocalState | undefined;
    await tx.store.clear();
    if (clients !== undefined) await tx.store.put({ clientId: clients.clientId, lastUploadAt: null, uploaded: null, others: [] } satisfies ClientsLocalState, CLIENTS);
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
      state = { clientId: newSyncId(), lastUploadAt: null, uploaded: null, others: [] };
      await tx.store.put(state, CLIENTS);
    }
    await tx.done;
    return state;
  }

  async saveClientsState(state: ClientsLocalState): Promise<void> {
    await this.db.put('syncState', state, CLIENTS);
  }

  /** The tabs engine's state: our record as uploaded and other devices' tabs. */
  async loadTabsState(): Promise<TabsLocalState> {
    return { ...EMPTY_TABS_STATE, ...((await this.db.get('syncState', TABS)) as Partial<TabsLocalState> | undefined) };
  }

  async saveTabsState(state: TabsLocalState): Promise<void> {
    await this.db.put('syncState', state, TABS);
  }

  private async loadChoices(): Promise<EngineChoices> {
    return this.withDefaults((await this.db.get('syncState', CHOICES)) as EngineChoices | undefined);
  }

  private withDefaults(stored: EngineChoices | undefined): EngineChoices {
    const engines: Record<string, boolean> = Object.fromEntries(this.switchable.map((e) => [e.name, true]));
    return { engines: { ...engines, ...stored?.engines }, pending: { ...stored?.pending } };
  }
}
