// Sole owner of the `idMap` and `idMapJournal` stores: which browser id stands for which Sync GUID,
// per collection. Chromium's bookmark ids are small integers local to one profile; Sync needs
// stable 12-character GUIDs, so the pairing is kept here. Firefox's ids are Places GUIDs, but an
// extension cannot choose the GUID of an item it creates, so items Syncbridge creates there are
// paired too.
//
// The pairings are a log: every write appends one row to `idMapJournal` (a batch of pairings, or
// ids to forget), and the collection's whole map is held in memory once read (this module is its
// only writer). One `idMap` row per pairing, with its unique index on the browser id, cost 0.6 s
// of a 10,000-bookmark first sync's apply; folding a journal of those into it after the sync took
// more than ten seconds of IndexedDB's one backend, competing with the next sync and the search
// index (bench/bookmarks.bench.ts). `compact` rewrites the log as its net pairings, a few rows in
// one transaction, when it has grown. `idMap` holds what earlier versions wrote (a row per
// pairing): read as the start of the log, and emptied by the first compaction.
import type { IdMapJournalRow, IdMapping, SyncbridgeDB } from './schema.ts';

type Pair = { syncId: string; localId: string; dateAdded?: number | undefined };

/** The collection's map as the log leaves it, and where the log stands. */
interface Journal {
  bySync: Map<string, IdMapping>;
  byLocal: Map<string, string>;
  nextSeq: number;
  /** Log rows stored. */
  rows: number;
  /** `idMap` rows of the collection (written by earlier versions) not yet moved into the log. */
  legacy: number;
}

/** A compaction writes rows of this many pairings. */
const PAIRS_PER_ROW = 2000;
/** The log is compacted once it holds more rows than this (a first sync writes one per slice). */
const ROWS_BEFORE_COMPACTION = 16;

/** Per database and collection: the map once read, and the chain every write runs on. */
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

/** A pairing as a log row holds it. */
function rowPair(p: Pair): IdMapJournalRow['pairs'][number] {
  return { syncId: p.syncId, localId: p.localId, ...(p.dateAdded === undefined ? {} : { dateAdded: p.dateAdded }) };
}

/** One pairing: a GUID or browser id paired anew drops its old pairing (one browser id, one GUID). */
function notePair(j: Journal, collection: string, p: Pair): void {
  const oldSync = j.byLocal.get(p.localId);
  if (oldSync !== undefined && oldSync !== p.syncId) j.bySync.delete(oldSync);
  const old = j.bySync.get(p.syncId);
  if (old && old.localId !== p.localId) j.byLocal.delete(old.localId);
  j.bySync.set(p.syncId, { collection, ...rowPair(p) });
  j.byLocal.set(p.localId, p.syncId);
}

function noteRow(j: Journal, row: IdMapJournalRow): void {
  for (const localId of row.forgetLocal ?? []) {
    const syncId = j.byLocal.get(localId);
    if (syncId === undefined) continue;
    j.byLocal.delete(localId);
    j.bySync.delete(syncId);
  }
  for (const syncId of row.forgetSync ?? []) {
    const m = j.bySync.get(syncId);
    if (!m) continue;
    j.bySync.delete(syncId);
    j.byLocal.delete(m.localId);
  }
  for (const p of row.pairs) notePair(j, row.collection, p);
}

function forget(j: Journal): void {
  j.bySync.clear();
  j.byLocal.clear();
  j.rows = 0;
  j.legacy = 0;
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
      j = (async () => {
        const tx = this.db.transaction(['idMap', 'idMapJournal'], 'readonly');
        const [legacy, rows] = await Promise.all([tx.objectStore('idMap').getAll(this.range), tx.objectStore('idMapJournal').getAll(this.journalRange), tx.done]);
        const journal: Journal = { bySync: new Map(), byLocal: new Map(), nextSeq: 0, rows: rows.length, legacy: legacy.length };
        // The old store held one pairing per GUID and per browser id: it is the start of the log.
        for (const m of legacy) notePair(journal, this.collection, m);
        for (const row of rows) {
          noteRow(journal, row);
          journal.nextSeq = row.seq + 1;
        }
        return journal;
      })();
      // A failed read is tried again next time.
      j.catch(() => known.delete(this.collection));
      known.set(this.collection, j);
    }
    return j;
  }

  /** Runs a write after every write to this collection before it. */
  private serial<T>(write: () => Promise<T>): Promise<T> {
    const chains = perDb(writeChains, this.db);
    const run = (chains.get(this.collection) ?? Promise.resolve()).then(write);
    chains.set(this.collection, run.catch(() => undefined));
    return run;
  }

  async all(): Promise<IdMapping[]> {
    return [...(await this.journal()).bySync.values()];
  }

  async localIdFor(syncId: string): Promise<string | null> {
    return (await this.mappingFor(syncId))?.localId ?? null;
  }

  /** The whole pairing for a GUID (with the item's dateAdded, when it was recorded). */
  async mappingFor(syncId: string): Promise<IdMapping | null> {
    return (await this.journal()).bySync.get(syncId) ?? null;
  }

  async syncIdFor(localId: string): Promise<string | null> {
    return (await this.journal()).byLocal.get(localId) ?? null;
  }

  /**
   * Records pairings in one row; a browser id paired before is re-paired to the new GUID, a GUID
   * paired before moves to the new browser id, and within a batch the last pairing wins.
   */
  pair(pairs: readonly Pair[]): Promise<void> {
    if (pairs.length === 0) return Promise.resolve();
    return this.append({ pairs: pairs.map(rowPair) });
  }

  forgetLocal(localIds: readonly string[]): Promise<void> {
    if (localIds.length === 0) return Promise.resolve();
    return this.append({ pairs: [], forgetLocal: [...localIds] });
  }

  /** Forgets the pairings of these GUIDs (whatever browser ids they name). */
  forgetSync(syncIds: readonly string[]): Promise<void> {
    if (syncIds.length === 0) return Promise.resolve();
    return this.append({ pairs: [], forgetSync: [...syncIds] });
  }

  private append(change: Omit<IdMapJournalRow, 'collection' | 'seq'>): Promise<void> {
    return this.serial(async () => {
      const j = await this.journal();
      const row: IdMapJournalRow = { collection: this.collection, seq: j.nextSeq, ...change };
      await this.db.put('idMapJournal', row);
      // Only once stored: a read never sees a change that is not.
      j.nextSeq++;
      j.rows++;
      noteRow(j, row);
    });
  }

  /**
   * Rewrites the log as its net pairings once it has grown (after a sync; a first sync leaves a
   * row per slice), and moves what `idMap` held into it: one transaction, so a cut leaves either
   * the old log or the new one. 10,000 pairings are five rows.
   */
  compact(): Promise<void> {
    return this.serial(async () => {
      const j = await this.journal();
      if (j.rows <= ROWS_BEFORE_COMPACTION && j.legacy === 0) return;
      const pairs = [...j.bySync.values()].map(rowPair);
      const tx = this.db.transaction(['idMap', 'idMapJournal'], 'readwrite');
      const log = tx.objectStore('idMapJournal');
      const writes: Array<Promise<unknown>> = [tx.objectStore('idMap').delete(this.range), log.delete(this.journalRange)];
      let seq = 0;
      for (let i = 0; i < pairs.length; i += PAIRS_PER_ROW) {
        writes.push(log.put({ collection: this.collection, seq: seq++, pairs: pairs.slice(i, i + PAIRS_PER_ROW) }));
      }
      await Promise.all([...writes, tx.done]);
      j.rows = seq;
      j.nextSeq = seq;
      j.legacy = 0;
    });
  }

  /** Forgets every collection's pairings (sign-out: a new account pairs this browser's items anew). */
  static clearAll(db: SyncbridgeDB): Promise<void> {
    // After every write under way (a pairing stored after the clear would outlive the sign-out),
    // and before any asked for later.
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
      await Promise.all([tx.objectStore('idMap').delete(this.range), tx.objectStore('idMapJournal').delete(this.journalRange), tx.done]);
      forget(await this.journal());
    });
  }
}
