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
import { deepFreeze } from '../shared/deepFreeze.ts';
import type { MirrorBucket, MirrorRecord, SyncbridgeDB, SyncbridgeSchema } from './schema.ts';

export const MIRROR_BUCKETS = 128;

/** The row a record id belongs in (FNV-1a: cheap, and spreads ids evenly). */
export function mirrorBucketOf(id: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return `#${(h >>> 0) % MIRROR_BUCKETS}`;
}

type MirrorWriteStore = IDBPObjectStore<SyncbridgeSchema, ['mirror'], 'mirror', 'readwrite'>;

/** What a row holds: the records of its ids. */
type BucketRecords = MirrorBucket['records'];

/**
 * One collection's rows as last read or written, kept while the worker lives: a sync of one change
 * otherwise reads back and deserializes ten thousand records it wrote itself (a fifth of a second).
 * This module is the store's only writer, so the copy is the store's content; `generation` moves
 * with every write, and a read that a write overtook does not become the copy.
 */
interface CachedCollection {
  rows: Map<string, BucketRecords> | null;
  /** `all()`'s answer until the next write: the same array, so callers can tell nothing changed. */
  list: readonly MirrorRecord[] | null;
  generation: number;
}

const cacheByDb = new WeakMap<SyncbridgeDB, Map<string, CachedCollection>>();

function cacheOf(db: SyncbridgeDB, collection: string): CachedCollection {
  let byCollection = cacheByDb.get(db);
  if (!byCollection) cacheByDb.set(db, (byCollection = new Map()));
  let c = byCollection.get(collection);
  if (!c) byCollection.set(collection, (c = { rows: null, list: null, generation: 0 }));
  return c;
}

/** Records are shared by every reader of the copy, so they are frozen. */
function frozenRecords(records: BucketRecords): BucketRecords {
  for (const r of Object.values(records)) deepFreeze(r);
  return records;
}

export class MirrorStore {
  constructor(
    private readonly db: SyncbridgeDB,
    readonly collection: string,
  ) {}

  /** The collection's records; the same (frozen) array on every call until the mirror changes. */
  async all(): Promise<readonly MirrorRecord[]> {
    return this.listOf(this.collection);
  }

  async get(id: string): Promise<MirrorRecord | null> {
    const r = (await this.rowsOf(this.collection)).get(mirrorBucketOf(id))?.[id];
    return r ? { collection: this.collection, id, modified: r.modified, cleartext: r.cleartext } : null;
  }

  async count(): Promise<number> {
    let n = 0;
    for (const records of (await this.rowsOf(this.collection)).values()) n += Object.keys(records).length;
    return n;
  }

  private async rowsOf(collection: string): Promise<Map<string, BucketRecords>> {
    const c = cacheOf(this.db, collection);
    if (c.rows) return c.rows;
    const generation = c.generation;
    const read = await this.db.getAllFromIndex('mirror', 'byCollection', collection);
    const rows = new Map(read.map((row) => [row.id, frozenRecords(row.records)]));
    if (c.generation === generation) c.rows = rows;
    return rows;
  }

  private async listOf(collection: string): Promise<readonly MirrorRecord[]> {
    const c = cacheOf(this.db, collection);
    if (c.list) return c.list;
    const generation = c.generation;
    const rows = await this.rowsOf(collection);
    const out: MirrorRecord[] = [];
    for (const records of rows.values()) {
      for (const [id, r] of Object.entries(records)) out.push(Object.freeze({ collection, id, modified: r.modified, cleartext: r.cleartext }));
    }
    Object.freeze(out);
    if (c.generation === generation) c.list = out;
    return out;
  }

  /** A write begins: the copy is dropped now (a read still in flight must not restore it). */
  private static invalidate(db: SyncbridgeDB, collection: string): void {
    const c = cacheOf(db, collection);
    c.generation++;
    c.rows = null;
    c.list = null;
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
    // The copy held before the write, to carry forward once the write is committed.
    const cache = cacheOf(this.db, this.collection);
    const before = cache.rows;
    MirrorStore.invalidate(this.db, this.collection);
    const generation = cache.generation;
    const tx = this.db.transaction('mirror', 'readwrite');
    const buckets = [...changes.keys()];
    const rows = await Promise.all(buckets.map((b) => tx.store.get([this.collection, b])));
    const written = new Map<string, BucketRecords | null>();
    buckets.forEach((bucket, i) => {
      const records = { ...(rows[i]?.records ?? {}) };
      // In order, so a put and a removal of one id in one call end as the later says (puts come first).
      for (const c of changes.get(bucket) ?? []) {
        if (c.record) records[c.id] = c.record;
        else delete records[c.id];
      }
      const empty = Object.keys(records).length === 0;
      if (empty) void tx.store.delete([this.collection, bucket]);
      else void tx.store.put({ collection: this.collection, id: bucket, records });
      written.set(bucket, empty ? null : records);
    });
    await tx.done;
    // Committed: the copy is the old one with these rows replaced, unless another write came since.
    if (before && cache.generation === generation) {
      const rowsAfter = new Map(before);
      for (const [bucket, records] of written) {
        if (records) rowsAfter.set(bucket, frozenRecords(records));
        else rowsAfter.delete(bucket);
      }
      cache.rows = rowsAfter;
    }
  }

  /** Forgets this collection's records (and any carried over). */
  async clear(): Promise<void> {
    MirrorStore.invalidate(this.db, this.collection);
    MirrorStore.invalidate(this.db, this.carriedKey);
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
    MirrorStore.invalidate(this.db, this.collection);
    MirrorStore.invalidate(this.db, this.carriedKey);
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
  async carried(): Promise<readonly MirrorRecord[]> {
    return this.listOf(this.carriedKey);
  }

  /** A sync completed after the reset: what was carried is on the server again (or was merged away). */
  async dropCarried(): Promise<void> {
    MirrorStore.invalidate(this.db, this.carriedKey);
    const tx = this.db.transaction('mirror', 'readwrite');
    await deleteCollection(tx.store, this.carriedKey);
    await tx.done;
  }

  private get carriedKey(): string {
    return `${this.collection}#carried`;
  }

  /** Forgets every collection's records (sign-out, or the account's data moved to a new node). */
  static async clearAll(db: SyncbridgeDB): Promise<void> {
    const byCollection = cacheByDb.get(db);
    for (const collection of byCollection?.keys() ?? []) MirrorStore.invalidate(db, collection);
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
