// The tabs engine: our open tabs go up as one record under our clients record id (so Firefox's
// Synced Tabs shows them under this browser), and other devices' records are kept for the popup.
// The collection is small (one record per device), so whenever it changed all of it is read, as
// Firefox does; when it did not, nothing is fetched and our record goes up only if our tabs changed.
import { t } from '../../i18n/i18n.ts';
import type { Logger } from '../../log/logger.ts';
import type { ApplyContext, EngineDescriptor, IncomingRecord, OutgoingRecord, SyncEngine } from '../../sync/engine/contract.ts';
import type { CleartextRecord } from '../../sync/records/bso.ts';
import type { ServerTimestamp } from '../../sync/storage/types.ts';
import type { LocalTabs } from './local/localTabs.ts';
import { TABS_REFRESH_MS, TABS_TTL_SECONDS, parseTabsRecord, serializeTabsRecord, type TabEntry, type TabsRecord } from './record.ts';

export const TABS_ENGINE: EngineDescriptor = { name: 'tabs', version: 1, label: t('engineTabs') };

/** Another client's tabs as last downloaded. */
export interface RemoteTabsClient {
  /** Its record id in `clients` (and in `tabs`). */
  clientId: string;
  clientName: string;
  tabs: TabEntry[];
  /** Server time of its tabs record, seconds. */
  modified: number;
}

export interface TabsLocalState {
  /** Our record as the server last accepted it. */
  uploaded: CleartextRecord | null;
  /**
   * What that upload was made from, as compared (before tabs were left out to fit the size limit,
   * selected tabs' lastUsed aside): our tabs "changed" only when this differs.
   */
  uploadedBasis?: string | null;
  uploadedAt: number | null;
  others: RemoteTabsClient[];
}

export const EMPTY_TABS_STATE: TabsLocalState = { uploaded: null, uploadedAt: null, others: [] };

export interface TabsStatePort {
  loadTabsState(): Promise<TabsLocalState>;
  saveTabsState(state: TabsLocalState): Promise<void>;
}

export interface TabsEngineDeps {
  local: LocalTabs;
  state: TabsStatePort;
  /** Our record id in `clients` and the name other devices show. */
  ourClient(): Promise<{ id: string; name: string }>;
  log: Logger;
  now: () => number;
}

export class TabsEngine implements SyncEngine<TabsRecord> {
  readonly collection = TABS_ENGINE.name;
  readonly version = TABS_ENGINE.version;
  readonly fetchAll = true;

  private state: TabsLocalState = EMPTY_TABS_STATE;
  private staged: Map<string, IncomingRecord<TabsRecord>> | null = null;
  private wanted: CleartextRecord | null = null;
  private wantedBasis: string | null = null;

  constructor(private readonly d: TabsEngineDeps) {}

  parse(cleartext: CleartextRecord): TabsRecord | null {
    return parseTabsRecord(cleartext);
  }

  async reset(): Promise<void> {
    await this.d.state.saveTabsState({ ...EMPTY_TABS_STATE });
  }

  /** Nothing local to replace: the tabs collection is read whole whenever it changes. */
  wipe(): Promise<void> {
    return this.reset();
  }

  async begin(): Promise<void> {
    this.state = await this.d.state.loadTabsState();
    this.staged = null;
    this.wanted = null;
  }

  async stage(records: readonly IncomingRecord<TabsRecord>[]): Promise<void> {
    this.staged ??= new Map();
    for (const r of records) this.staged.set(r.id, r);
  }

  async apply(ctx: ApplyContext): Promise<OutgoingRecord[]> {
    const ours = await this.d.ourClient();
    if (this.staged) {
      this.state.others = [...this.staged.values()]
        .filter((r) => r.id !== ours.id)
        .map((r) => ({ clientId: r.id, clientName: r.record.clientName, tabs: r.record.tabs, modified: Number(r.modified) }));
      // The server's copy of ours, if it lost it (a wipe) or another install wrote it, is not ours.
      const onServer = this.staged.get(ours.id);
      if (!onServer) {
        this.state.uploaded = null;
        this.state.uploadedBasis = null;
      }
    }
    const tabs = await this.d.local.list();
    let record = serializeTabsRecord({ id: ours.id, clientName: ours.name, tabs });
    const basis = comparisonBasis(ours.id, ours.name, tabs);
    const stale = this.state.uploadedAt === null || this.d.now() - this.state.uploadedAt > TABS_REFRESH_MS;
    if (!stale && this.state.uploaded !== null && this.state.uploadedBasis === basis) return [];
    // Too big for the server: the least recently used tabs go first (tabs are newest first).
    let kept = tabs.length;
    while (kept > 0 && !(await ctx.fits(record))) {
      kept = Math.floor(kept * 0.9);
      record = serializeTabsRecord({ id: ours.id, clientName: ours.name, tabs: tabs.slice(0, kept) });
    }
    if (kept < tabs.length) this.d.log.info('Left the least recently used tabs out of this browser’s tabs record to fit the server’s size limit', { kept, of: tabs.length });
    this.wanted = record;
    this.wantedBasis = basis;
    return [{ cleartext: record, ttl: TABS_TTL_SECONDS }];
  }

  async uploaded(ids: readonly string[], _modified: ServerTimestamp): Promise<void> {
    if (!this.wanted || !ids.includes(String(this.wanted.id))) return;
    this.state.uploaded = this.wanted;
    this.state.uploadedBasis = this.wantedBasis;
    this.state.uploadedAt = this.d.now();
  }

  async finish(): Promise<void> {
    await this.d.state.saveTabsState(this.state);
  }
}

/**
 * Our tabs as compared between syncs: every tab (also those left out to fit the size limit), with
 * the selected tabs' lastUsed left aside — Firefox reports "now" for them on every read, and a
 * switch of tabs still shows, in the lastUsed of the tab left behind.
 */
function comparisonBasis(id: string, name: string, tabs: readonly TabEntry[]): string {
  return JSON.stringify({ id, name, tabs: tabs.map((t) => (t.active ? { ...t, lastUsed: 0 } : t)) });
}
