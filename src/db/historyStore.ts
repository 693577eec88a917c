// Sole owner of the `history` store: the history collection as the server holds it, one entry per
// page record, with which visits this browser contributed. It is the history engine's mirror (a
// record we send back for a page starts from the server's version, unknown fields and all), the
// persistent URL ↔ GUID map (Chromium has no page GUIDs), and what "History from other devices"
// lists. Every write is one transaction, so a stopped worker never leaves half a sync here.
import type { SyncbridgeDB, SyncedPage } from './schema.ts';

export type { SyncedPage };

export class HistoryStore {
  constructor(private readonly db: SyncbridgeDB) {}

  async get(id: string): Promise<SyncedPage | null> {
    return (await this.db.get('history', id)) ?? null;
  }

  /** The pages of these ids, in one transaction (absent ids are left out). */
  async getMany(ids: Iterable<string>): Promise<Map<string, SyncedPage>> {
    const wanted = [...new Set(ids)];
    const tx = this.db.transaction('history');
    const out = new Map<string, SyncedPage>();
    // A first sync asks for thousands of ids in a store that holds few or none: one read of the
    // whole store is then much cheaper than a read per id.
    if (wanted.length >= (await tx.store.count())) {
      const set = new Set(wanted);
      for (const p of await tx.store.getAll()) if (set.has(p.id)) out.set(p.id, p);
    } else {
      await Promise.all(wanted.map(async (id) => {
        const p = await tx.store.get(id);
        if (p) out.set(id, p);
      }));
    }
    await tx.done;
    return out;
  }

  /** Every page recorded for each of these URLs (the server may hold a URL under more than one GUID). */
  async byUrls(urls: Iterable<string>): Promise<Map<string, SyncedPage[]>> {
    const wanted = [...new Set(urls)];
    const tx = this.db.transaction('history');
    const out = new Map<string, SyncedPage[]>();
    if (wanted.length >= (await tx.store.count())) {
      // As getMany: one read of the whole store (in id order, as the index lists a URL's pages).
      const set = new Set(wanted);
      for (const p of await tx.store.getAll()) {
        if (!set.has(p.url)) continue;
        const list = out.get(p.url);
        if (list) list.push(p);
        else out.set(p.url, [p]);
      }
    } else {
      const index = tx.store.index('byUrl');
      await Promise.all(wanted.map(async (url) => {
        const pages = await index.getAll(url);
        if (pages.length > 0) out.set(url, pages);
      }));
    }
    await tx.done;
    return out;
  }

  async all(): Promise<SyncedPage[]> {
    return this.db.getAll('history');
  }

  async count(): Promise<number> {
    return this.db.count('history');
  }

  /** Pages with visits from other devices, the most recently visited first. */
  async recentForeign(limit: number): Promise<SyncedPage[]> {
    const out: SyncedPage[] = [];
    const range = IDBKeyRange.lowerBound(0, true);
    let cursor = await this.db.transaction('history').store.index('byLastForeign').openCursor(range, 'prev');
    while (cursor && out.length < limit) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out;
  }

  /** Every page with visits from other devices, in one read of that index range (the search index's source). */
  async foreignPages(): Promise<SyncedPage[]> {
    return this.db.getAllFromIndex('history', 'byLastForeign', IDBKeyRange.lowerBound(0, true));
  }

  /** Stores pages and removes ids in one transaction. */
  async update(put: readonly SyncedPage[], remove: readonly string[] = []): Promise<void> {
    if (put.length === 0 && remove.length === 0) return;
    const tx = this.db.transaction('history', 'readwrite');
    for (const id of remove) void tx.store.delete(id);
    for (const p of put) void tx.store.put(p);
    await tx.done;
  }

  /**
   * The engine was reset (new node, new keys, another device's wipe): no page is known to be on the
   * server any more, so every one goes up again at the next sync; the pages themselves stay.
   */
  async markAllUnsynced(): Promise<void> {
    const tx = this.db.transaction('history', 'readwrite');
    for (let cursor = await tx.store.openCursor(); cursor; cursor = await cursor.continue()) {
      if (cursor.value.modified !== null) void cursor.update({ ...cursor.value, modified: null });
    }
    await tx.done;
  }

  /** Pages the server is not known to hold (created here and not yet accepted, or carried over a reset). */
  async unsynced(): Promise<SyncedPage[]> {
    return (await this.all()).filter((p) => p.modified === null);
  }

  async clear(): Promise<void> {
    await this.db.clear('history');
  }

  /** Sign-out: other devices' history belongs to the account signed out of. */
  static async clearAll(db: SyncbridgeDB): Promise<void> {
    await db.clear('history');
  }
}
