// The storage model: users → collections → BSOs, with syncstorage's write semantics (MySQL
// backend, syncstorage-mysql/src/db/db_impl.rs). Routes validate input; this module only
// applies already-valid changes and answers queries.
import type { StorageBackend, StoredBso } from '../core/context.ts';
import { MAX_SORTINDEX, MAX_TTL, MIN_SORTINDEX, DEFAULT_GET_LIMIT } from './limits.ts';
import { newUser, type BsoRecord, type CollectionState, type IncomingBso, type UserState } from './model.ts';
import { StoragePersistence } from './persist.ts';
import { toSyncMs, tsSeconds } from './syncTime.ts';
import { BSO_ID_RE, COLLECTION_RE } from './validate.ts';

export type Sort = 'none' | 'newest' | 'oldest' | 'index';

export interface BsoQuery {
  ids: string[];
  newer?: number;
  older?: number;
  sort: Sort;
  limit?: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  nextOffset?: string;
}

export class SyncStore {
  private readonly users = new Map<string, UserState>();
  private readonly persistence: StoragePersistence | null;

  constructor(
    private readonly now: () => number,
    dataDir: string | null,
  ) {
    this.persistence = dataDir ? new StoragePersistence(dataDir) : null;
    if (this.persistence) for (const [uid, u] of this.persistence.loadAll()) this.users.set(uid, u);
  }

  /** Sync-quantised current time. */
  nowMs(): number {
    return toSyncMs(this.now());
  }

  user(uid: string): UserState {
    let u = this.users.get(uid);
    if (!u) {
      u = newUser();
      this.users.set(uid, u);
    }
    return u;
  }

  /** A fresh write timestamp, strictly greater than any earlier one for this user. */
  nextWriteTs(uid: string): number {
    const u = this.user(uid);
    const ts = Math.max(this.nowMs(), u.lastWrite + 10);
    u.lastWrite = ts;
    return ts;
  }

  /** Persist the user's snapshot (no-op without --data). Call after every successful write. */
  commit(uid: string): void {
    const u = this.users.get(uid);
    if (this.persistence && u) this.persistence.save(uid, u);
  }

  storageTs(uid: string): number {
    const u = this.users.get(uid);
    if (!u) return 0;
    let ts = u.tombstone;
    for (const c of u.collections.values()) ts = Math.max(ts, c.modified);
    return ts;
  }

  collection(uid: string, name: string): CollectionState | undefined {
    return this.users.get(uid)?.collections.get(name);
  }

  collectionTs(uid: string, name: string): number {
    return this.collection(uid, name)?.modified ?? 0;
  }

  /** Stored timestamp of one BSO, expired or not (as syncstorage's get_bso_timestamp); 0 if absent. */
  bsoTs(uid: string, coll: string, id: string): number {
    return this.collection(uid, coll)?.bsos.get(id)?.modified ?? 0;
  }

  isLive(b: BsoRecord, nowMs: number): boolean {
    return b.expiry === null || b.expiry > nowMs;
  }

  /** Creates the collection if needed and stamps it (syncstorage update_collection). */
  touch(uid: string, coll: string, ts: number): void {
    const u = this.user(uid);
    const c = u.collections.get(coll);
    if (c) c.modified = ts;
    else u.collections.set(coll, { modified: ts, bsos: new Map() });
  }

  /**
   * Upsert with syncstorage semantics: omitted fields keep their stored values; `modified` moves
   * only when payload or sortindex is given (a TTL-only update keeps it); new records get "".
   */
  putBso(uid: string, coll: string, input: IncomingBso, ts: number): void {
    this.touch(uid, coll, ts);
    const c = this.user(uid).collections.get(coll)!;
    const existing = c.bsos.get(input.id);
    const expiry = input.ttl !== undefined ? ts + input.ttl * 1000 : null;
    if (!existing) {
      const rec: BsoRecord = { id: input.id, payload: input.payload ?? '', modified: ts, expiry };
      if (input.sortindex !== undefined) rec.sortindex = input.sortindex;
      c.bsos.set(input.id, rec);
      return;
    }
    if (input.payload !== undefined) existing.payload = input.payload;
    if (input.sortindex !== undefined) existing.sortindex = input.sortindex;
    if (input.ttl !== undefined) existing.expiry = expiry;
    if (input.payload !== undefined || input.sortindex !== undefined) existing.modified = ts;
  }

  getBso(uid: string, coll: string, id: string): BsoRecord | undefined {
    const b = this.collection(uid, coll)?.bsos.get(id);
    return b && this.isLive(b, this.nowMs()) ? b : undefined;
  }

  /** Live records matching the query, sorted and paged like syncstorage (numeric offsets). */
  query(uid: string, coll: string, q: BsoQuery): BsoRecord[] {
    const c = this.collection(uid, coll);
    if (!c) return [];
    const now = this.nowMs();
    const idSet = q.ids.length ? new Set(q.ids) : null;
    const rows = [...c.bsos.values()].filter(
      (b) =>
        this.isLive(b, now) &&
        (q.newer === undefined || b.modified > q.newer) &&
        (q.older === undefined || b.modified < q.older) &&
        (!idSet || idSet.has(b.id)),
    );
    const byId = (a: BsoRecord, b: BsoRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    switch (q.sort) {
      case 'newest':
        rows.sort((a, b) => b.modified - a.modified || -byId(a, b));
        break;
      case 'oldest':
        rows.sort((a, b) => a.modified - b.modified || byId(a, b));
        break;
      case 'index':
        // Highest sortindex first; records without one last (MySQL DESC puts NULLs last).
        rows.sort((a, b) => (b.sortindex ?? -Infinity) - (a.sortindex ?? -Infinity) || byId(a, b));
        break;
      default:
        // No ORDER BY in syncstorage: MySQL returns primary-key (id) order.
        rows.sort(byId);
    }
    return rows;
  }

  /**
   * Applies limit/offset. `full` mirrors a syncstorage quirk: limit=0 on a full listing answers an
   * empty page with X-Weave-Next-Offset "0", while an id listing answers no offset.
   */
  page<T>(rows: T[], q: BsoQuery, full: boolean): Page<T> {
    const limit = q.limit ?? DEFAULT_GET_LIMIT;
    const slice = rows.slice(q.offset, limit > 0 ? q.offset + limit + 1 : q.offset);
    if (limit > 0 && slice.length > limit) {
      slice.pop();
      return { items: slice, nextOffset: String(limit + q.offset) };
    }
    if (limit === 0 && full) return { items: [], nextOffset: '0' };
    return { items: slice };
  }

  /** false when there was no live record to delete. */
  deleteBso(uid: string, coll: string, id: string, ts: number): boolean {
    const c = this.collection(uid, coll);
    const b = c?.bsos.get(id);
    if (!c || !b || !this.isLive(b, this.nowMs())) return false;
    c.bsos.delete(id);
    this.touch(uid, coll, ts);
    return true;
  }

  /** null when the collection does not exist. */
  deleteBsos(uid: string, coll: string, ids: string[], ts: number): number | null {
    const c = this.collection(uid, coll);
    if (!c) return null;
    for (const id of ids) c.bsos.delete(id);
    this.touch(uid, coll, ts);
    return ts;
  }

  /** Removes the collection and leaves a storage-level tombstone; false if it did not exist. */
  deleteCollection(uid: string, coll: string, ts: number): boolean {
    const u = this.users.get(uid);
    if (!u || !u.collections.has(coll)) return false;
    u.collections.delete(coll);
    for (const [id, b] of u.batches) if (b.collection === coll) u.batches.delete(id);
    u.tombstone = ts;
    return true;
  }

  /** Whole-user wipe (DELETE /storage, node reassignment). */
  deleteAll(uid: string): void {
    const u = this.users.get(uid);
    if (!u) return;
    // Keep lastWrite so timestamps stay monotonic for this user even after a wipe.
    const lastWrite = u.lastWrite;
    this.users.set(uid, { ...newUser(), lastWrite });
    if (this.persistence) this.persistence.remove(uid);
  }

  /** Forget every user (control API reset). */
  reset(): void {
    for (const uid of [...this.users.keys()]) this.deleteAll(uid);
  }

  collectionTimestamps(uid: string): Array<[string, number]> {
    const u = this.users.get(uid);
    return u ? [...u.collections].map(([name, c]) => [name, c.modified]) : [];
  }

  /** Live record count and payload bytes per non-empty collection. */
  usage(uid: string): Array<{ name: string; count: number; bytes: number }> {
    const u = this.users.get(uid);
    if (!u) return [];
    const now = this.nowMs();
    const out: Array<{ name: string; count: number; bytes: number }> = [];
    for (const [name, c] of u.collections) {
      let count = 0;
      let bytes = 0;
      for (const b of c.bsos.values()) {
        if (!this.isLive(b, now)) continue;
        count++;
        bytes += Buffer.byteLength(b.payload, 'utf8');
      }
      if (count > 0) out.push({ name, count, bytes });
    }
    return out;
  }

  knownUids(): string[] {
    return [...this.users.keys()];
  }

  /** In-process access with the HTTP API's validation rules (ctx.storage). */
  backend(): StorageBackend {
    return {
      putRecords: (uid, collection, records) => {
        if (!COLLECTION_RE.test(collection)) throw new Error(`invalid collection name: ${collection}`);
        for (const r of records) {
          if (!BSO_ID_RE.test(r.id)) throw new Error(`invalid BSO id: ${JSON.stringify(r.id)}`);
          if (r.sortindex !== undefined && (!Number.isInteger(r.sortindex) || r.sortindex < MIN_SORTINDEX || r.sortindex > MAX_SORTINDEX)) {
            throw new Error(`invalid sortindex for ${r.id}`);
          }
          if (r.ttl !== undefined && (!Number.isInteger(r.ttl) || r.ttl < 0 || r.ttl > MAX_TTL)) throw new Error(`invalid ttl for ${r.id}`);
        }
        const ts = this.nextWriteTs(uid);
        for (const r of records) this.putBso(uid, collection, r, ts);
        this.touch(uid, collection, ts);
        this.commit(uid);
        return { modified: tsSeconds(ts) };
      },
      getRecords: (uid, collection) =>
        this.query(uid, collection, { ids: [], sort: 'oldest', offset: 0 }).map((b) => {
          const out: StoredBso = { id: b.id, payload: b.payload, modified: tsSeconds(b.modified) };
          if (b.sortindex !== undefined) out.sortindex = b.sortindex;
          if (b.expiry !== null) out.expiresAt = b.expiry;
          return out;
        }),
      deleteCollection: (uid, collection) => {
        const ts = this.nextWriteTs(uid);
        this.deleteCollection(uid, collection, ts);
        this.commit(uid);
      },
      deleteAll: (uid) => this.deleteAll(uid),
    };
  }
}
