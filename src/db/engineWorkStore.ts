// Sole owner of the `engineWork` store: small pieces of per-engine work state — how far a run of
// local operations got (so a killed worker resumes instead of repeating them), the set of locally
// changed items noticed between syncs, the items this browser refused to create, and the state the
// sync's last writes left (to recognise a browser that rolled back after a crash). The sets are
// read-modify-write inside one transaction.
import type { ChangeStore } from '../engines/kit/changeTracker.ts';
import type { ProgressStore } from '../engines/bookmarks/local/progress.ts';
import type { WriteLogStore, WrittenState } from '../engines/bookmarks/local/writeLog.ts';
import type { SyncbridgeDB } from './schema.ts';

export class IdbProgressStore implements ProgressStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private key(runId: string): string {
    return `${this.engine}:apply:${runId}`;
  }

  async get(runId: string): Promise<number> {
    return ((await this.db.get('engineWork', this.key(runId))) as number | undefined) ?? 0;
  }

  async set(runId: string, done: number): Promise<void> {
    await this.db.put('engineWork', done, this.key(runId));
  }

  async clear(runId: string): Promise<void> {
    await this.db.delete('engineWork', this.key(runId));
  }

  async clearAll(): Promise<void> {
    const prefix = `${this.engine}:apply:`;
    await this.db.delete('engineWork', IDBKeyRange.bound(prefix, `${prefix}\uffff`));
  }
}

/**
 * The state the sync's last writes left in the browser (engines/bookmarks/local/writeLog.ts): one
 * entry per browser id under "<engine>:written:<id>", so an apply can add a slice's writes cheaply.
 */
export class IdbWriteLog implements WriteLogStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private get range(): IDBKeyRange {
    const prefix = `${this.engine}:written:`;
    return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
  }

  async load(): Promise<WrittenState[]> {
    return (await this.db.getAll('engineWork', this.range)) as WrittenState[];
  }

  async save(entries: readonly WrittenState[]): Promise<void> {
    const tx = this.db.transaction('engineWork', 'readwrite');
    void tx.store.delete(this.range);
    for (const e of entries) void tx.store.put(e, `${this.engine}:written:${e.localId}`);
    await tx.done;
  }

  async append(entries: readonly WrittenState[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.db.transaction('engineWork', 'readwrite');
    for (const e of entries) void tx.store.put(e, `${this.engine}:written:${e.localId}`);
    await tx.done;
  }
}

export class IdbChangeStore implements ChangeStore {
  /**
   * `set` names the set: 'changed' (items changed here since the last sync), 'unreadable' (server
   * records this client could not read, kept in their folders) or 'refused' (items this
   * browser would not create; the merge keeps them on the server where they are).
   */
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
    private readonly now: () => number = Date.now,
    private readonly set: 'changed' | 'refused' | 'unreadable' = 'changed',
  ) {}

  /**
   * Sign-out: forgets the engine work of every engine (changed and refused items, apply progress);
   * it belongs to the account signed out of.
   */
  static async forgetAll(db: SyncbridgeDB): Promise<void> {
    await db.clear('engineWork');
  }

  private get key(): string {
    return `${this.engine}:${this.set}`;
  }

  /** Stored as key → time of the last change seen (ms). */
  private async update(fn: (keys: Map<string, number>) => void): Promise<void> {
    const tx = this.db.transaction('engineWork', 'readwrite');
    const keys = new Map(Object.entries(((await tx.store.get(this.key)) as Record<string, number> | undefined) ?? {}));
    fn(keys);
    await tx.store.put(Object.fromEntries(keys), this.key);
    await tx.done;
  }

  add(keys: readonly string[]): Promise<void> {
    const t = this.now();
    // Strictly later than the key's earlier record, so "changed again since the sync read it" holds
    // even within one millisecond.
    return this.update((map) => keys.forEach((k) => map.set(k, Math.max(t, (map.get(k) ?? 0) + 1))));
  }

  async list(): Promise<string[]> {
    return [...(await this.times()).keys()];
  }

  async times(): Promise<Map<string, number>> {
    return new Map(Object.entries(((await this.db.get('engineWork', this.key)) as Record<string, number> | undefined) ?? {}));
  }

  remove(keys: readonly string[], seen?: ReadonlyMap<string, number>): Promise<void> {
    return this.update((map) => keys.forEach((k) => {
      const at = map.get(k);
      const when = seen?.get(k);
      // Changed again after the sync read it: the person's newer edit still has to go up.
      if (at !== undefined && when !== undefined && at > when) return;
      map.delete(k);
    }));
  }
}

/** How far an engine's last scan of the browser reached (ms), under "<engine>:scannedTo". */
export class IdbScanMark {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private get key(): string {
    return `${this.engine}:scannedTo`;
  }

  async get(): Promise<number | null> {
    const v = await this.db.get('engineWork', this.key);
    return typeof v === 'number' ? v : null;
  }

  async set(ms: number): Promise<void> {
    await this.db.put('engineWork', ms, this.key);
  }

  async clear(): Promise<void> {
    await this.db.delete('engineWork', this.key);
  }
}
