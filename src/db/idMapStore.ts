// Sole owner of the `idMap` and `idMapJournal` stores: which browser id stands for which Sync GUID,
// per collection. Chromium's bookmark ids are small integers local to one profile; Sync needs
// stable 12-character GUIDs, so the pairing is kept here. Firefox's ids are Places GUIDs, but an
// extension cannot choose the GUID of an item it creates, so items Syncbridge creates there are
// paired too.
//
// A first sync pairs every item it creates. One `idMap` row per pairing, with its unique index on
// the browser id, cost 0.6 s of a 10,000-bookmark first sync's apply, competing with the creates
// for the browser process (bench/bookmarks.bench.ts). So `pairInBulk` appends a batch as one row of
// the journal (and so does `pair` while the journal holds rows), and `compact` folds the journal
// into `idMap` after the sync, a row at a time (and before any other write, so the stores change
// in the order the calls were made). Reads see both: the journal of a collection is held in
// memory once read (this module is its only writer), and a pairing there replaces what `idMap`
// says of the same GUID or browser id.
import type { IdMapJournalRow, IdMapping, SyncbridgeDB } from './schema.ts';

type Pair = { syncId: string; localId: string; dateAdded?: number | undefined };

/**
 * The journal of one collection: the net effect of its rows, in order. null marks a GUID or
 * browser id the journal unpaired (paired anew elsewhere): what `idMap` says of it is stale.
 */
interface Journal {
  bySync: Map<string, IdMapping | null>;
  byLocal: Map<string, string | null>;
  nextSeq: number;
  /** Rows stored and not folded yet. */
  rows: number;
}

/** Per database and collection: the journal once read, and the chain every write runs on. */
const journals = new WeakMap<SyncbridgeDB, Map<string, Promise<Journal>>>();
const writeChains = new WeakMap<SyncbridgeDB, Map<string, Promise<unknown>>>();

function perDb<V>(map: WeakMap<SyncbridgeDB, Map<string, V>>, db: SyncbridgeDB): Map<string, V> {
  let m = map.get(db);
  if (!m) {
    m = new Map();
    map.set(db, m);
  }
  return m;
}

/** Applies one pairing to the journal's view: a GUID or browser id paired anew drops its old pairing. */
function notePair(j: Journal, collection: string, p: Pair): void {
  const oldSync = j.byLocal.get(p.localId);
  if (typeof oldSync === 'string' && oldSync !== p.syncId) j.bySync.set(oldSync, null);
  const old = j.bySync.get(p.syncId);
  if (old && old.localId !== p.localId) j.byLocal.set(old.localId, null);
  j.bySync.set(p.syncId, { collection, syncId: p.syncId, localId: p.localId, ...(p.dateAdded === undefined ? {} : { dateAdded: p.dateAdded }) });
  j.byLocal.set(p.localId, p.syncId);
}

function forget(j: Journal): void {
  j.bySync.clear();
  j.byLocal.clear();
  j.rows = 0;
}

export class IdMapStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly collection: string,
  ) {}

  private get range(): IDBKeyRange {
    return IDBKeyRange.bound([this.collection, ''], [this.collection, '\uffff']);
  }

  private get journalRange(): IDBKeyRange {
    return IDBKeyRange.bound([this.collection, -Infinity], [this.collection, Infinity]);
  }

  private journal(): Promise<Journal> {
    const known = perDb(journals, this.db);
    let j = known.get(this.collection);
    if (!j) {
      j = this.db.getAll('idMapJournal', this.journalRange).then((rows) => {
        const journal: Journal = { bySync: new Map(), byLocal: new Map(), nextSeq: 0, rows: rows.length };
        for (const row of rows) {
          for (const p of row.pairs) notePair(journal, this.collection, p);
          journal.nextSeq = row.seq + 1;
        }
        return journal;
      });
      // A failed read is tried again next time.
      j.catch(() => known.delete(this.collection));
      known.set(this.collection, j);
    }
    return j;
  }

  /** Runs a write after every write to this collection before it (each may fold the journal first). */
  private serial<T>(write: () => Promise<T>): Promise<T> {
    const chains = perDb(writeChains, this.db);
    const run = (chains.get(this.collection) ?? Promise.resolve()).then(write);
    chains.set(this.collection, run.catch(() => undefined));
    return run;
  }

  /** An `idMap` row, unless the journal paired (or unpaired) its GUID or its browser id since. */
  private current(row: IdMapping | undefined, j: Journal): IdMapping | null {
    if (!row || j.bySync.has(row.syncId)) return null;
    return !j.byLocal.has(row.localId) || j.byLocal.get(row.localId) === row.syncId ? row : null;
  }

  async all(): Promise<IdMapping[]> {
    const j = await this.journal();
    const rows = await this.db.getAll('idMap', this.range);
    if (j.bySync.size === 0 && j.byLocal.size === 0) return rows;
    const out = rows.filter((r) => this.current(r, j) !== null);
    for (const m of j.bySync.values()) if (m) out.push(m);
    return out;
  }

  async localIdFor(syncId: string): Promise<string | null> {
    return (await this.mappingFor(syncId))?.localId ?? null;
  }

  /** The whole pairing for a GUID (with the item's dateAdded, when it was recorded). */
  async mappingFor(syncId: string): Promise<IdMapping | null> {
    const j = await this.journal();
    if (j.bySync.has(syncId)) return j.bySync.get(syncId) ?? null;
    return this.current(await this.db.get('idMap', [this.collection, syncId]), j);
  }

  async syncIdFor(localId: string): Promise<string | null> {
    const j = await this.journal();
    if (j.byLocal.has(localId)) return j.byLocal.get(localId) ?? null;
    return this.current(await this.db.getFromIndex('idMap', 'byLocalId', [this.collection, localId]), j)?.syncId ?? null;
  }

  /**
   * Records many pairings of items just created, cheaply: one journal row (see the header). They
   * are read back at once, as `pair` would leave them, and folded into `idMap` by `compact`.
   */
  pairInBulk(pairs: readonly Pair[]): Promise<void> {
    if (pairs.length === 0) return Promise.resolve();
    return this.serial(async () => this.journalize(await this.journal(), pairs));
  }

  private async journalize(j: Journal, pairs: readonly Pair[]): Promise<void> {
    const row: IdMapJournalRow = {
      collection: this.collection, seq: j.nextSeq,
      pairs: pairs.map((p) => ({ syncId: p.syncId, localId: p.localId, ...(p.dateAdded === undefined ? {} : { dateAdded: p.dateAdded }) })),
    };
    await this.db.put('idMapJournal', row);
    // Only once stored: a read never sees a pairing that is not.
    j.nextSeq++;
    j.rows++;
    for (const p of row.pairs) notePair(j, this.collection, p);
  }

  /**
   * Folds the journal into `idMap` after a sync, one row per turn of the write chain: a write asked
   * for meanwhile (the next sync's pairing of a new bookmark) waits for one row, not for the
   * whole fold (it joins the journal, which is folded after it).
   */
  compact(): Promise<void> {
    return this.serial(async () => this.foldRow(await this.journal())).then((more) => (more ? this.compact() : undefined));
  }

  /**
   * Folds the journal in a row at a time, as `pair` would have written each (a row is a slice's
   * pairings, about 200): one transaction of 10,000 puts held the database's one backend for a
   * second and made every other read and write of the extension wait (the sync's own last steps,
   * the popup's status). Cut anywhere, the rows not deleted yet are folded again next time: a row
   * written again over its own result changes nothing. Reads see the whole journal over `idMap`
   * until the end, which is right while `idMap` is part way: the journal's pairings win.
   */
  private async fold(): Promise<void> {
    const j = await this.journal();
    while (await this.foldRow(j));
  }

  /** Folds the journal's oldest row into `idMap`; true while rows are left. */
  private async foldRow(j: Journal): Promise<boolean> {
    if (j.rows === 0) return false;
    const [row] = await this.db.getAll('idMapJournal', this.journalRange, 1);
    if (row) {
      await this.pairNow(row.pairs);
      await this.db.delete('idMapJournal', [this.collection, row.seq]);
      j.rows--;
    }
    // Everything is in `idMap` now: the overlay has nothing left to say.
    if (!row || j.rows === 0) forget(j);
    return j.rows > 0;
  }

  /**
   * Records pairings in one transaction; a local id paired before is re-paired to the new GUID.
   * While the journal holds rows (a first sync's apply) they join it: folding it here would put
   * the whole apply's pairings into `idMap` in the middle of the apply (a root's stand-in folder
   * made after 10,000 creates cost 1 s of it).
   */
  pair(pairs: readonly Pair[]): Promise<void> {
    if (pairs.length === 0) return Promise.resolve();
    return this.serial(async () => {
      const j = await this.journal();
      if (j.rows > 0) await this.journalize(j, pairs);
      else await this.pairNow(pairs);
    });
  }

  private async pairNow(pairs: readonly Pair[]): Promise<void> {
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
  private async putAll(batch: readonly Pair[], lookUp: boolean): Promise<boolean> {
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

  forgetLocal(localIds: readonly string[]): Promise<void> {
    return this.serial(async () => {
      await this.fold();
      const tx = this.db.transaction('idMap', 'readwrite');
      for (const localId of localIds) {
        const key = await tx.store.index('byLocalId').getKey([this.collection, localId]);
        if (key) await tx.store.delete(key);
      }
      await tx.done;
    });
  }

  /** Forgets the pairings of these GUIDs (whatever browser ids they name). */
  forgetSync(syncIds: readonly string[]): Promise<void> {
    if (syncIds.length === 0) return Promise.resolve();
    return this.serial(async () => {
      await this.fold();
      const tx = this.db.transaction('idMap', 'readwrite');
      for (const syncId of syncIds) await tx.store.delete([this.collection, syncId]);
      await tx.done;
    });
  }

  /** Forgets every collection's pairings (sign-out: a new account pairs this browser's items anew). */
  static clearAll(db: SyncbridgeDB): Promise<void> {
    // After every write under way (a fold after the sync writes a row's pairings after reading
    // it: cleared in between, they would outlive the sign-out), and before any asked for later.
    const chains = perDb(writeChains, db);
    const run = Promise.all([...chains.values()]).then(async () => {
      const tx = db.transaction(['idMap', 'idMapJournal'], 'readwrite');
      await Promise.all([tx.objectStore('idMap').clear(), tx.objectStore('idMapJournal').clear(), tx.done]);
      for (const j of journals.get(db)?.values() ?? []) {
        const journal = await j.catch(() => null);
        if (journal) forget(journal);
      }
    });
    for (const collection of chains.keys()) chains.set(collection, run.catch(() => undefined));
    return run;
  }

  clear(): Promise<void> {
    return this.serial(async () => {
      const tx = this.db.transaction(['idMap', 'idMapJournal'], 'readwrite');
      const store = tx.objectStore('idMap');
      let cursor = await store.openCursor(this.range);
      while (cursor) {
        await cursor.delete();
        cursor = await cursor.continue();
      }
      await tx.objectStore('idMapJournal').delete(this.journalRange);
      await tx.done;
      forget(await this.journal());
    });
  }
}
