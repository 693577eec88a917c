// Sole owner of the `mirror` store's contents for one collection: the records as last seen on the
// server (decrypted, unknown fields included). It is the common ancestor of three-way merges and
// keeps what this browser cannot show (separators, queries, tags…) so it is written back unchanged.
// Resetting the engine clears it (after its association, so a cut between the two only refetches).
//
// The records are kept in MIRROR_BUCKETS rows per collection (key [collection, "#<n>"], a record
// in the row its id hashes to), not one row each: a first sync stores ten thousand records, and
// ten thousand puts cost seconds where a hundred cost a tenth of that; a sync that changes one
// record rewrites one row of about a hundred. (Schema version 6 moved the earlier one-row-per-record
// layout into rows.)
import type { IDBPObjectStore } from 'idb';
import type { MirrorBucket, MirrorRecord, SyncbridgeDB, SyncbridgeSchema } from './schema.ts';

export const MIRROR_BUCKETS = 128;

/** The row a record id belongs in (FNV-1a: cheap, and spreads ids evenly). */
export function mirrorBucketOf(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return `#${(h >>> 0) % MIRROR_BUCKETS}`;
}

type MirrorWriteStore = IDBPObjectStore<SyncbridgeSchema, ['mirror'], 'mirror', 'readwrite'>;

function recordsOf(rows: readonly MirrorBucket[]): MirrorRecord[] {
  const out: MirrorRecord[] = [];
  for (const row of rows) {
    for (const [id, r] of Object.entries(row.records)) out.push({ collection: row.collection, id, modified: r.modified, cleartext: r.cleartext });
  }
  return out;
}

export class MirrorStore {
  constructor(
    private readonly db: SyncbridgeDB,
    readonly collection: string,
  ) {}

  async all(): Promise<MirrorRecord[]> {
    return recordsOf(await this.db.getAllFromIndex('mirror', 'byCollection', this.collection));
  }

  async get(id: string): Promise<MirrorRecord | null> {
    const r = (await this.db.get('mirror', [this.collection, mirrorBucketOf(id)]))?.records[id];
    return r ? { collection: this.collection, id, modified: r.modified, cleartext: r.cleartext } : null;
  }

  async count(): Promise<number> {
    const rows = await this.db.getAllFromIndex('mirror', 'byCollection', this.collection);
    return rows.reduce((n, row) => n + Object.keys(row.records).length, 0);
  }

  /** Stores records and removes ids in one transaction, so the mirror never holds half a sync. */
  async update(put: ReadonlyArray<{ id: string; modified: string; cleartext: Record<string, unknown> }>, remove: readonly string[] = []): Promise<void> {
    if (put.length === 0 && remove.length === 0) return;
    const changes = new Map<string, Array<{ id: string; record: MirrorBucket['records'][string] | null }>>();
    const add = (id: string, record: MirrorBucket['records'][string] | null): void => {
      const bucket = mirrorBucketOf(id);
      const list = changes.get(bucket) ?? [];
      list.push({ id, record });
      changes.set(bucket, list);
    };
    for (const r of put) add(r.id, { modified: r.modified, cleartext: r.cleartext });
    for (const id of remove) add(id, null);
    const tx = this.db.transaction('mirror', 'readwrite');
    const buckets = [...changes.keys()];
    const rows = await Promise.all(buckets.map((b) => tx.store.get([this.collection, b])));
    buckets.forEach((bucket, i) => {
      const records = { ...(rows[i]?.records ?? {}) };
      // In order, so a put and a removal of one id in one call end as the later says (puts come first).
      for (const c of changes.get(bucket) ?? []) {
        if (c.record) records[c.id] = c.record;
        else delete records[c.id];
      }
      if (Object.keys(records).length === 0) void tx.store.delete([this.collection, bucket]);
      else void tx.store.put({ collection: this.collection, id: bucket, records });
    });
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
    const rows = await tx.store.index('byCollection').getAll(IDBKeyRange.only(this.collection));
    const carried = await Promise.all(rows.map((row) => tx.store.get([this.carriedKey, row.id])));
    rows.forEach((row, i) => {
      void tx.store.put({ collection: this.carriedKey, id: row.id, records: { ...(carried[i]?.records ?? {}), ...row.records } });
      void tx.store.delete([this.collection, row.id]);
    });
    await tx.done;
  }

  /** Records carried over from before the last reset. */
  async carried(): Promise<MirrorRecord[]> {
    return recordsOf(await this.db.getAllFromIndex('mirror', 'byCollection', this.carriedKey));
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

/** Deletes one collection's rows inside the caller's transaction. */
async function deleteCollection(store: MirrorWriteStore, collection: string): Promise<void> {
  let cursor = await store.index('byCollection').openKeyCursor(IDBKeyRange.only(collection));
  while (cursor) {
    void store.delete(cursor.primaryKey);
    cursor = await cursor.continue();
  }
}
