// IndexedDB schema of the background. Each store has one owning module (named beside it);
// nothing else writes to it. Bump DB_VERSION and append a migration to change the schema:
// migrations run in order from the version a profile has to the newest, inside the upgrade
// transaction, so a profile is never left half-migrated. A migration that moves data returns a
// promise; the next one starts when it has settled, and a failure aborts the whole upgrade.
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { LogEntry } from '../shared/logEntry.ts';
import { mirrorBucketOf } from './mirrorStore.ts';

export const DB_NAME = 'syncbridge';

export interface LeaseRecord {
  name: string;
  owner: string;
  /** ms since epoch; a lease not renewed by then is free, so a killed worker cannot hold it forever. */
  expiresAt: number;
  acquiredAt: number;
}

/** A record as last seen on the server, per collection (filled by the engines). */
/** One row of a collection's mirror (see mirrorStore.ts): the records whose ids hash to it. */
export interface MirrorBucket {
  collection: string;
  /** "#<n>", the bucket number. */
  id: string;
  records: Record<string, { modified: string; cleartext: Record<string, unknown> }>;
}

export interface MirrorRecord {
  collection: string;
  id: string;
  /** Server modified time: the server's two-decimal seconds, as text. */
  modified: string;
  /** Decrypted cleartext as the server holds it, unknown fields included. */
  cleartext: Record<string, unknown>;
}

export interface SyncbridgeSchema extends DBSchema {
  /** Owner: db/settingsStore.ts. One record, key "settings". */
  settings: { key: string; value: unknown };
  /** Owner: db/statusStore.ts. One record, key "status": last run, backoff, last success. */
  status: { key: string; value: unknown };
  /**
   * Owner: account/ through db/accountStore.ts: account identity and secrets ("account"), the server
   * choice, a web sign-in in progress, the device name, the device command keys ("commandKeys") and
   * the last handled device command ("commandIndex"); never sent to pages.
   */
  account: { key: string; value: unknown };
  /**
   * Owner: db/syncStateStore.ts (for the sync/ state machine): cached meta/global, keys and
   * info/collections ("global"), the Sync token ("syncToken"), each engine's syncID and last-sync
   * time ("engine:<name>"), the person's engine choices ("engineChoices") and the clients and tabs engines'
   * state ("clients", "tabs"). Nothing else: engine work and decisions have their own stores (v4).
   */
  syncState: { key: string; value: unknown };
  /** Owner: db/leaseLock.ts. */
  locks: { key: string; value: LeaseRecord };
  /** Owner: log/logStore.ts. Auto-increment keys keep insertion order. */
  log: { key: number; value: LogEntry; indexes: { byTime: number } };
  /** Owner: db/mirrorStore.ts. Key [collection, "#<bucket>"] (one row per bucket of records, v6). */
  mirror: { key: [string, string]; value: MirrorBucket; indexes: { byCollection: string } };
  /** Owner: db/safetyStore.ts. Local trees saved before large changes, restorable from the options page. */
  snapshots: { key: number; value: LocalSnapshotRecord; indexes: { byTime: number } };
  /**
   * Owner: db/idMapStore.ts. Sync GUID ↔ browser id, one row per pairing, as Syncbridge kept them
   * until the log below replaced it: read as the log's start, emptied by its first compaction.
   */
  idMap: { key: [string, string]; value: IdMapping; indexes: { byLocalId: [string, string] } };
  /**
   * Owner: db/idMapStore.ts. Sync GUID ↔ browser id, for browsers whose ids are not Sync GUIDs
   * (Chromium): a log of batches of pairings and of ids to forget, in order, compacted now and then (v8).
   */
  idMapJournal: { key: [string, number]; value: IdMapJournalRow };
  /**
   * Owner: db/engineWorkStore.ts. Per-engine work between and during syncs: apply progress of a run
   * ("<engine>:apply:<runId>", a count), items changed here since the last sync ("<engine>:changed")
   * and items this browser refused to create ("<engine>:refused"), both as item key → time (ms).
   */
  engineWork: { key: string; value: unknown };
  /**
   * Owner: db/safetyStore.ts. The person's answers and pending questions per engine
   * ("bookmarks:decisions": first-sync choice, large deletion waiting for approval, synced before).
   */
  decisions: { key: string; value: unknown };
  /**
   * Owner: db/historyStore.ts. The history collection as the server holds it, one page per record
   * (with the visits this browser contributed marked): the history engine's mirror, and on Chromium,
   * which cannot add past visits to its own history, the place other devices' history is shown from.
   */
  history: { key: string; value: SyncedPage; indexes: { byUrl: string; byLastForeign: number } };
  /**
   * Owner: db/searchStore.ts. The search index over what is synced (other devices' tabs, synced
   * history, bookmarks), one entry per item; `byWord` lists each entry under every normalized word
   * of its title and address, so a query reads one key range instead of every entry.
   */
  search: { key: string; value: SearchEntry; indexes: { byWord: string; byKind: SearchKind } };
  /** Owner: db/searchStore.ts. What the index was built from ("state": format version, per-kind marks). */
  searchMeta: { key: string; value: unknown };
}

export type SearchKind = 'tab' | 'history' | 'bookmark';

export interface SearchEntry {
  /** "<kind>:<source id>": a bookmark's browser id, a history page's GUID, a tab's device and position. */
  key: string;
  kind: SearchKind;
  url: string;
  title: string;
  /** The device a tab is open on; null for history and bookmarks. */
  device: string | null;
  /** ms: a tab's last use, a page's newest visit from another device, a bookmark's creation. */
  when: number;
  /** Distinct normalized words of the title and the address (src/search/tokenize.ts). */
  words: string[];
}

export interface SyncedPage {
  /** The page's Sync GUID (the record id). */
  id: string;
  url: string;
  title: string | null;
  /** The record's visits as the server holds them (objects whole, unknown fields kept). */
  visits: Array<Record<string, unknown>>;
  /** The record's top-level fields this client does not know. */
  extra: Record<string, unknown>;
  /** The BSO's server time; null while the server is not known to hold this version (not yet uploaded, or after a reset). */
  modified: string | null;
  /** µs dates of the visits this browser contributed. */
  own: number[];
  /** µs dates of visits Syncbridge added to this browser's history for the person (Chromium's "visited now"); never uploaded. */
  imported: number[];
  /** ms of the newest visit this browser did not contribute; 0 when every visit is ours. */
  lastForeign: number;
}

export interface LocalSnapshotRecord {
  id?: number;
  collection: string;
  /** ms since epoch */
  time: number;
  /** Why it was taken, in words for the person. */
  reason: string;
  /** The local items as the merger saw them (Sync GUIDs, parents, titles, URLs, order). */
  items: Array<Record<string, unknown>>;
}

export interface IdMapJournalRow {
  collection: string;
  /** Order of the rows: a later pairing of a GUID or browser id replaces an earlier one. */
  seq: number;
  pairs: Array<{ syncId: string; localId: string; dateAdded?: number }>;
  /** Pairings to forget, by browser id or by GUID, before this row's pairs. */
  forgetLocal?: string[];
  forgetSync?: string[];
}

export interface IdMapping {
  collection: string;
  syncId: string;
  localId: string;
  /**
   * The browser item's dateAdded when paired (it never changes for an item). Chromium restarts its
   * id counter from its last saved file after a crash, so an id can come back as another item:
   * a pairing whose item has another dateAdded is stale.
   */
  dateAdded?: number;
}

export type SyncbridgeDB = IDBPDatabase<SyncbridgeSchema>;
type UpgradeTx = IDBPTransaction<SyncbridgeSchema, StoreNames<SyncbridgeSchema>[], 'versionchange'>;

/**
 * Where version 4 moved the keys other modules had kept in `syncState`: 'engineWork', 'decisions',
 * or null for a key syncStateStore.ts owns (those stay).
 */
function v4StoreFor(key: IDBValidKey): 'engineWork' | 'decisions' | null {
  if (typeof key !== 'string' || key.startsWith('engine:')) return null; // engine:<name> is an association
  if (key === 'bookmarks:decisions') return 'decisions';
  if (/^[^:]+:(changed|refused)$/.test(key) || /^[^:]+:apply:./.test(key)) return 'engineWork';
  return null;
}

/**
 * migrations[i] upgrades a database from version i to version i + 1. A step that reads or moves
 * data returns a promise and must only wait on requests of `tx` (anything else would let the
 * upgrade transaction commit early).
 */
export const MIGRATIONS: ReadonlyArray<(db: SyncbridgeDB, tx: UpgradeTx) => void | Promise<void>> = [
  // 0 → 1: the initial schema.
  (db) => {
    db.createObjectStore('settings');
    db.createObjectStore('status');
    db.createObjectStore('account');
    db.createObjectStore('syncState');
    db.createObjectStore('locks', { keyPath: 'name' });
    const log = db.createObjectStore('log', { autoIncrement: true });
    log.createIndex('byTime', 'time');
    const mirror = db.createObjectStore('mirror', { keyPath: ['collection', 'id'] });
    mirror.createIndex('byCollection', 'collection');
  },
  // 1 → 2: the id map for engines whose browser ids differ from Sync GUIDs.
  (db) => {
    const idMap = db.createObjectStore('idMap', { keyPath: ['collection', 'syncId'] });
    idMap.createIndex('byLocalId', ['collection', 'localId'], { unique: true });
  },
  // 2 → 3: snapshots of the local tree taken before large changes.
  (db) => {
    const snapshots = db.createObjectStore('snapshots', { keyPath: 'id', autoIncrement: true });
    snapshots.createIndex('byTime', 'time');
  },
  // 3 → 4: one owner per store. Engine work (apply progress, changed and refused items) and the
  // bookmark decisions leave `syncState` for stores of their own, values and keys unchanged.
  async (db, tx) => {
    db.createObjectStore('engineWork');
    db.createObjectStore('decisions');
    const syncState = tx.objectStore('syncState');
    for (let cursor = await syncState.openCursor(); cursor; cursor = await cursor.continue()) {
      const target = v4StoreFor(cursor.key);
      if (!target) continue;
      await tx.objectStore(target).put(cursor.value, cursor.key as string);
      await cursor.delete();
    }
  },
  // 4 → 5: the history engine's synced pages.
  (db) => {
    const history = db.createObjectStore('history', { keyPath: 'id' });
    history.createIndex('byUrl', 'url');
    history.createIndex('byLastForeign', 'lastForeign');
  },
  // 5 → 6: the mirror's records move from one row each into one row per bucket (mirrorStore.ts).
  async (_db, tx) => {
    const store = tx.objectStore('mirror');
    const rows = (await store.getAll()) as unknown as MirrorRecord[];
    await store.clear();
    const buckets = new Map<string, MirrorBucket>();
    for (const r of rows) {
      const key = `${r.collection}\u0000${mirrorBucketOf(r.id)}`;
      const bucket = buckets.get(key) ?? { collection: r.collection, id: mirrorBucketOf(r.id), records: {} };
      bucket.records[r.id] = { modified: r.modified, cleartext: r.cleartext };
      buckets.set(key, bucket);
    }
    for (const b of buckets.values()) await store.put(b);
  },
  // 6 → 7: the search index. It starts empty; the background builds it from the other stores
  // and the browser's bookmarks when it finds no index state (src/search/indexer.ts).
  (db) => {
    const search = db.createObjectStore('search', { keyPath: 'key' });
    search.createIndex('byWord', 'words', { multiEntry: true });
    search.createIndex('byKind', 'kind');
    db.createObjectStore('searchMeta');
  },
  // 7 → 8: the id map's journal of bulk pairings (idMapStore.ts). It starts empty.
  (db) => {
    db.createObjectStore('idMapJournal', { keyPath: ['collection', 'seq'] });
  },
];

export const DB_VERSION = MIGRATIONS.length;
