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

  async started(runId: string): Promise<boolean> {
    return (await this.db.getKey('engineWork', this.key(runId))) !== undefined;
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
 * The state the sync's last writes left in the browser (engines/bookmarks/local/writeLog.ts), as
 * chunks under "<engine>:written:#<seq>": a first sync writes ten thousand entries, and one record
 * per entry cost a second of IndexedDB puts. A later chunk's entry for a browser id replaces an
 * earlier one's. (Entries stored one per id under "<engine>:written:<id>" by earlier versions are
 * read as the oldest chunk.)
 */
export class IdbWriteLog implements WriteLogStore {
  static readonly CHUNK = 1000;

  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private get prefix(): string {
    return `${this.engine}:written:`;
  }

  private get range(): IDBKeyRange {
    return IDBKeyRange.bound(this.prefix, `${this.prefix}\uffff`);
  }

  private chunkKey(seq: number): string {
    return `${this.prefix}#${String(seq).padStart(12, '0')}`;
  }

  async load(): Promise<WrittenState[]> {
    const tx = this.db.transaction('engineWork', 'readonly');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(this.range), tx.store.getAll(this.range)]);
    const byId = new Map<string, WrittenState>();
    const chunks: Array<[string, WrittenState[]]> = [];
    values.forEach((v, i) => {
      if (Array.isArray(v)) chunks.push([String(keys[i]), v as WrittenState[]]);
      else byId.set((v as WrittenState).localId, v as WrittenState);
    });
    chunks.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, entries] of chunks) for (const e of entries) byId.set(e.localId, e);
    return [...byId.values()];
  }

  async save(entries: readonly WrittenState[]): Promise<void> {
    const tx = this.db.transaction('engineWork', 'readwrite');
    void tx.store.delete(this.range);
    for (let i = 0; i < entries.length; i += IdbWriteLog.CHUNK) {
      void tx.store.put(entries.slice(i, i + IdbWriteLog.CHUNK), this.chunkKey(i / IdbWriteLog.CHUNK + 1));
    }
    await tx.done;
  }

  async append(entries: readonly WrittenState[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.db.transaction('engineWork', 'readwrite');
    const last = await tx.store.openKeyCursor(IDBKeyRange.bound(`${this.prefix}#`, `${this.prefix}#\uffff`), 'prev');
    let seq = last ? Number(String(last.key).slice(this.prefix.length + 1)) + 1 : 1;
    for (let i = 0; i < entries.length; i += IdbWriteLog.CHUNK) void tx.store.put(entries.slice(i, i + IdbWriteLog.CHUNK), this.chunkKey(seq++));
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
