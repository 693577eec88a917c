// Sole owner of the `search` and `searchMeta` stores: the search index over other devices' tabs,
// synced history and bookmarks (one entry per item, listed under each of its words), and the state
// saying what it was built from. What goes in an entry is decided in src/search/; this module only
// reads and writes, each change in one transaction (a whole kind's, in a few), and never reads more
// than a query's key range.
import type { SearchEntry, SearchKind, SyncbridgeDB } from './schema.ts';

export type { SearchEntry, SearchKind };

/** What the index holds and from what (src/search/indexer.ts reads and writes it). */
export interface SearchIndexState {
  /** The indexer's format version: another value means the entries are rebuilt from scratch. */
  version: number;
  /**
   * Kinds the index holds, each with the mark of the source it was built from (the history
   * engine's last sync, for history); a kind not listed is not indexed.
   */
  kinds: Partial<Record<SearchKind, { mark: string | null }>>;
  /** Bookmark changes were noted and not yet written (a stopped worker loses them: rebuild bookmarks). */
  bookmarksPending: boolean;
}

const STATE = 'state';
/** A narrowest range of at most this many index entries is read whole; above, ranges are intersected by key first. */
export const READ_RANGE_UP_TO = 200;

/** The last code point: `word + HIGH` bounds every word starting with `word`. */
const HIGH = '\u{10FFFF}';

export function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, prefix + HIGH, false, false);
}

export class SearchStore {
  constructor(private readonly db: SyncbridgeDB) {}

  async state(): Promise<SearchIndexState | null> {
    return ((await this.db.get('searchMeta', STATE)) as SearchIndexState | undefined) ?? null;
  }

  async saveState(state: SearchIndexState): Promise<void> {
    await this.db.put('searchMeta', state, STATE);
  }

  /**
   * Entries having, for each of `prefixes`, a word that starts with it (the caller ranks them), at
   * most `limit`. Each prefix's key range is counted (index keys, no entry read). When the narrowest
   * range is small, or there is one prefix, that range's entries are read: the other prefixes are
   * checked in memory. When every range is large (two common words), the ranges' primary keys are
   * intersected instead, and only the entries in all of them are read.
   */
  async candidates(prefixes: readonly string[], limit: number): Promise<SearchEntry[]> {
    const distinct = [...new Set(prefixes.filter((p) => p !== ''))];
    if (distinct.length === 0) return [];
    const tx = this.db.transaction('search');
    const index = tx.store.index('byWord');
    let out: SearchEntry[];
    const counts = distinct.length > 1 ? await Promise.all(distinct.map((p) => index.count(prefixRange(p)))) : [0];
    const narrowest = counts.indexOf(Math.min(...counts));
    if (distinct.length > 1 && counts[narrowest] === 0) {
      out = [];
    } else if (distinct.length === 1 || counts[narrowest]! <= READ_RANGE_UP_TO) {
      out = await index.getAll(prefixRange(distinct[narrowest]!), limit);
    } else {
      const keySets = await Promise.all(distinct.map((p) => index.getAllKeys(prefixRange(p))));
      keySets.sort((a, b) => a.length - b.length);
      const others = keySets.slice(1).map((keys) => new Set(keys));
      const both = [...new Set(keySets[0])].filter((k) => others.every((set) => set.has(k))).slice(0, limit);
      out = (await Promise.all(both.map((k) => tx.store.get(k)))).filter((e): e is SearchEntry => e !== undefined);
    }
    await tx.done;
    // multiEntry: an entry with two words under the prefix ("mozilla", "mozillians") is listed twice.
    const seen = new Set<string>();
    return out.filter((e) => !seen.has(e.key) && seen.add(e.key));
  }

  /** Puts entries and removes keys in one transaction. */
  async update(put: readonly SearchEntry[], remove: readonly string[] = []): Promise<void> {
    if (put.length === 0 && remove.length === 0) return;
    const tx = this.db.transaction('search', 'readwrite');
    for (const key of remove) void tx.store.delete(key);
    for (const e of put) void tx.store.put(e);
    await tx.done;
  }

  /**
   * Makes `entries` the whole of one kind: others of that kind are removed, then the entries are
   * put `perTransaction` at a time. One transaction of 10,000 entries (a first sync's bookmarks)
   * held the database's one backend for a second or more, and every other read of the extension
   * waited (the popup's status among them). Cut part way, the caller's state still says the kind
   * is not built (or has changes pending), so it is rebuilt; until then a search finds part of it.
   * `between` runs before each transaction after the first (the indexer waits there while a sync runs).
   */
  async replaceKind(kind: SearchKind, entries: readonly SearchEntry[], perTransaction = 500, between?: () => Promise<void>): Promise<void> {
    const tx = this.db.transaction('search', 'readwrite');
    const keep = new Set(entries.map((e) => e.key));
    for (const key of await tx.store.index('byKind').getAllKeys(kind)) if (!keep.has(key)) void tx.store.delete(key);
    for (const e of entries.slice(0, perTransaction)) void tx.store.put(e);
    await tx.done;
    for (let i = perTransaction; i < entries.length; i += perTransaction) {
      await between?.();
      const more = this.db.transaction('search', 'readwrite');
      for (const e of entries.slice(i, i + perTransaction)) void more.store.put(e);
      await more.done;
    }
  }

  /**
   * Makes the entries `batches` yields the whole of one kind, as they come: put `perTransaction` at
   * a time, then the kind's other entries removed. Nothing is held but the batch being written and
   * the keys seen (the bookmarks' index is built from the browser a folder at a time). Until the
   * end, a search may find an entry that is gone; cut part way, the caller's state says to rebuild.
   * `between` runs before each transaction after the first.
   */
  async replaceKindFrom(kind: SearchKind, batches: AsyncIterable<readonly SearchEntry[]>, perTransaction = 500, between?: () => Promise<void>): Promise<void> {
    const seen = new Set<string>();
    let pending: SearchEntry[] = [];
    let written = 0;
    const write = async (): Promise<void> => {
      if (written++ > 0) await between?.();
      const tx = this.db.transaction('search', 'readwrite');
      for (const e of pending) void tx.store.put(e);
      pending = [];
      await tx.done;
    };
    for await (const batch of batches) {
      for (const e of batch) {
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        pending.push(e);
        if (pending.length >= perTransaction) await write();
      }
    }
    if (pending.length > 0) await write();
    if (written > 0) await between?.();
    const tx = this.db.transaction('search', 'readwrite');
    for (const key of await tx.store.index('byKind').getAllKeys(kind)) if (!seen.has(key as string)) void tx.store.delete(key);
    await tx.done;
  }

  /** The keys of one kind's entries (keys only: no entry is read). */
  async keysOfKind(kind: SearchKind): Promise<string[]> {
    return this.db.getAllKeysFromIndex('search', 'byKind', kind);
  }

  async count(): Promise<number> {
    return this.db.count('search');
  }

  /** Every entry; for tests and the bench's floor, never for a query. */
  async all(): Promise<SearchEntry[]> {
    return this.db.getAll('search');
  }

  /** Empties the index and its state (a rebuild starts from nothing). */
  async clear(): Promise<void> {
    await SearchStore.clearAll(this.db);
  }

  /** Sign-out: the index lists the account's data; it goes with it. */
  static async clearAll(db: SyncbridgeDB): Promise<void> {
    const tx = db.transaction(['search', 'searchMeta'], 'readwrite');
    void tx.objectStore('search').clear();
    void tx.objectStore('searchMeta').clear();
    await tx.done;
  }
}
