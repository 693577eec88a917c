// IndexedDB schema of the background. Each store has one owning module (named beside it);
// nothing else writes to it. Bump DB_VERSION and append a migration to change the schema:
// migrations run in order from the version a profile has to the newest, inside the upgrade
// transaction, so a profile is never left half-migrated.
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { LogEntry } from '../shared/logEntry.ts';

export const DB_NAME = 'syncbridge';

export interface LeaseRecord {
  name: string;
  owner: string;
  /** ms since epoch; a lease not renewed by then is free, so a killed worker cannot hold it forever. */
  expiresAt: number;
  acquiredAt: number;
}

/** A record as last seen on the server, per collection (filled by the engines). */
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
  /** Owner: account/ (issue 4): account identity and secrets; never sent to pages. */
  account: { key: string; value: unknown };
  /** Owner: sync/ state machine: per-collection syncID and last-sync time, cached meta/global, keys, info/collections. */
  syncState: { key: string; value: unknown };
  /** Owner: db/leaseLock.ts. */
  locks: { key: string; value: LeaseRecord };
  /** Owner: log/logStore.ts. Auto-increment keys keep insertion order. */
  log: { key: number; value: LogEntry; indexes: { byTime: number } };
  /** Owner: the engines, through sync/ (later issues). Key [collection, id]. */
  mirror: { key: [string, string]; value: MirrorRecord; indexes: { byCollection: string } };
  /** Owner: db/safetyStore.ts. Local trees saved before large changes, restorable from the options page. */
  snapshots: { key: number; value: LocalSnapshotRecord; indexes: { byTime: number } };
  /** Owner: db/idMapStore.ts. Sync GUID ↔ browser id, for browsers whose ids are not Sync GUIDs (Chromium). */
  idMap: { key: [string, string]; value: IdMapping; indexes: { byLocalId: [string, string] } };
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

export interface IdMapping {
  collection: string;
  syncId: string;
  localId: string;
}

export type SyncbridgeDB = IDBPDatabase<SyncbridgeSchema>;
type UpgradeTx = IDBPTransaction<SyncbridgeSchema, StoreNames<SyncbridgeSchema>[], 'versionchange'>;

/** migrations[i] upgrades a database from version i to version i + 1. */
export const MIGRATIONS: ReadonlyArray<(db: SyncbridgeDB, tx: UpgradeTx) => void> = [
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
];

export const DB_VERSION = MIGRATIONS.length;
