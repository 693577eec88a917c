// Sole owner of the `idMap` store: which browser id stands for which Sync GUID, per collection.
// Chromium's bookmark ids are small integers local to one profile; Sync needs stable 12-character
// GUIDs, so the pairing is kept here. Firefox's ids are Places GUIDs, but an extension cannot
// choose the GUID of an item it creates, so items Syncbridge creates there are paired too.
import type { IdMapping, SyncbridgeDB } from './schema.ts';

export class IdMapStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly collection: string,
  ) {}

  async all(): Promise<IdMapping[]> {
    const range = IDBKeyRange.bound([this.collection, ''], [this.collection, '\uffff']);
    return this.db.getAll('idMap', range);
  }

  async localIdFor(syncId: string): Promise<string | null> {
    return (await this.db.get('idMap', [this.collection, syncId]))?.localId ?? null;
  }

  /** The whole pairing for a GUID (with the item's dateAdded, when it was recorded). */
  async mappingFor(syncId: string): Promise<IdMapping | null> {
    return (await this.db.get('idMap', [this.collection, syncId])) ?? null;
  }

  async syncIdFor(localId: string): Promise<string | null> {
    return (await this.db.getFromIndex('idMap', 'byLocalId', [this.collection, localId]))?.syncId ?? null;
  }

  /** Records pairings in one transaction; a local id paired before is re-paired to the new GUID. */
  async pair(pairs: ReadonlyArray<{ syncId: string; localId: string; dateAdded?: number | undefined }>): Promise<void> {
    if (pairs.length === 0) return;
    // A local id paired twice in one call ends with its last pairing, as if paired one by one.
    const last = new Map<string, number>();
    pairs.forEach((p, i) => last.set(p.localId, i));
    const batch = pairs.filter((p, i) => last.get(p.localId) === i);
    // Mostly the local ids are new (items just created): plain puts, one request each. One that is
    // paired with another GUID already makes the unique index refuse the transaction; then it
    // is done again with a lookup per pair.
    if (!(await this.putAll(batch, false))) await this.putAll(batch, true);
  }

  /** False when the unique index refused a put (the transaction is then undone). */
  private async putAll(batch: ReadonlyArray<{ syncId: string; localId: string; dateAdded?: number | undefined }>, lookUp: boolean): Promise<boolean> {
    const tx = this.db.transaction('idMap', 'readwrite');
    const byLocal = tx.store.index('byLocalId');
    // Every lookup is asked at once (a first sync pairs hundreds per slice), then the writes follow
    // in order in the same transaction.
    let refused = false;
    const previous = lookUp ? await Promise.all(batch.map(({ localId }) => byLocal.getKey([this.collection, localId]))) : [];
    // Every stale pairing goes before any new one is written: deleting them in between could delete
    // a pairing this batch just wrote (two ids swapping GUIDs), and the unique index refuses a local
    // id held twice.
    batch.forEach(({ syncId }, i) => {
      const old = previous[i];
      if (old && old[1] !== syncId) tx.store.delete(old).catch(() => undefined);
    });
    batch.forEach(({ syncId, localId, dateAdded }) => {
      tx.store.put({ collection: this.collection, syncId, localId, ...(dateAdded === undefined ? {} : { dateAdded }) }).catch((e: unknown) => {
        if ((e as { name?: unknown } | null)?.name === 'ConstraintError') refused = true;
      });
    });
    try {
      await tx.done;
    } catch (e) {
      if (refused && !lookUp) return false;
      throw e;
    }
    return true;
  }

  async forgetLocal(localIds: readonly string[]): Promise<void> {
    const tx = this.db.transaction('idMap', 'readwrite');
    for (const localId of localIds) {
      const key = await tx.store.index('byLocalId').getKey([this.collection, localId]);
      if (key) await tx.store.delete(key);
    }
    await tx.done;
  }

  /** Forgets the pairings of these GUIDs (whatever browser ids they name). */
  async forgetSync(syncIds: readonly string[]): Promise<void> {
    if (syncIds.length === 0) return;
    const tx = this.db.transaction('idMap', 'readwrite');
    for (const syncId of syncIds) await tx.store.delete([this.collection, syncId]);
    await tx.done;
  }

  /** Forgets every collection's pairings (sign-out: a new account pairs this browser's items anew). */
  static async clearAll(db: SyncbridgeDB): Promise<void> {
    await db.clear('idMap');
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction('idMap', 'readwrite');
    let cursor = await tx.store.openCursor(IDBKeyRange.bound([this.collection, ''], [this.collection, '\uffff']));
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
    await tx.done;
  }
}
