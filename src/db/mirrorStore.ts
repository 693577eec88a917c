// Sole owner of the `mirror` store's contents for one collection: the records as last seen on the
// server (decrypted, unknown fields included). It is the common ancestor of three-way merges and
// keeps what this browser cannot show (separators, queries, tags…) so it is written back unchanged.
// Resetting the engine clears it (after its association, so a cut between the two only refetches).
import type { IDBPObjectStore } from 'idb';
import type { MirrorRecord, SyncbridgeDB, SyncbridgeSchema } from './schema.ts';

export class MirrorStore {
  constructor(
    private readonly db: SyncbridgeDB,
    readonly collection: string,
  ) {}

  async all(): Promise<MirrorRecord[]> {
    return this.db.getAllFromIndex('mirror', 'byCollection', this.collection);
  }

  async get(id: string): Promise<MirrorRecord | null> {
    return (await this.db.get('mirror', [this.collection, id])) ?? null;
  }

  async count(): Promise<number> {
    return this.db.countFromIndex('mirror', 'byCollection', this.collection);
  }

  /** Stores records and removes ids in one transaction, so the mirror never holds half a sync. */
  async update(put: ReadonlyArray<{ id: string; modified: string; cleartext: Record<string, unknown> }>, remove: readonly string[] = []): Promise<void> {
    const tx = this.db.transaction('mirror', 'readwrite');
    for (const r of put) void tx.store.put({ collection: this.collection, id: r.id, modified: r.modified, cleartext: r.cleartext });
    for (const id of remove) void tx.store.delete([this.collection, id]);
    await tx.done;
  }

  /** Forgets this collection's records (and any carried over). */
  async clear(): Promise<void> {
    const tx = this.db.transaction('mirror', 'readwrite');
    await deleteCollection(tx.store, this.collection);
    await deleteCollection(tx.store, this.carriedKey);
    await tx.done;
  }

  /**
   * The engine was reset (new node, new keys, another device's wipe): the mirror stops being the
   * server's state, but it is this browser's only copy of what it cannot show (separators, queries,
   * tags…). Its records are carried over, in one transaction, until a sync has put them back;
   * records carried from an earlier reset stay unless the mirror has a newer copy.
   */
  async carryOver(): Promise<void> {
    const tx = this.db.transaction('mirror', 'readwrite');
    let cursor = await tx.store.index('byCollection').openCursor(IDBKeyRange.only(this.collection));
    while (cursor) {
      const r = cursor.value;
      void tx.store.put({ ...r, collection: this.carriedKey });
      void cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  /** Records carried over from before the last reset. */
  async carried(): Promise<MirrorRecord[]> {
    return this.db.getAllFromIndex('mirror', 'byCollection', this.carriedKey);
  }

  /** A sync completed after the reset: what was carried is on the server again (or was merged away). */
  async dropCarried(): Promise<void> {
    const tx = this.db.transaction('mirror', 'readwrite');
    await deleteCollection(tx.store, this.carriedKey);
    await tx.done;
  }

  private get carriedKey(): string {
    return `${this.collection}#carried`;
  }

  /** Forgets every collection's records (sign-out, or the account's data moved to a new node). */
  static async clearAll(db: SyncbridgeDB): Promise<void> {
    await db.clear('mirror');
  }
}

type MirrorWriteStore = IDBPObjectStore<SyncbridgeSchema, ['mirror'], 'mirror', 'readwrite'>;

/** Deletes one collection's records inside the caller's transaction. */
async function deleteCollection(store: MirrorWriteStore, collection: string): Promise<void> {
  let cursor = await store.index('byCollection').openKeyCursor(IDBKeyRange.only(collection));
  while (cursor) {
    void store.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
}
