// The one contract every engine implements (first seed: Repository → Middleware → Synchronizer).
// An engine is the local repository: it parses its records, stages what came from the server,
// merges and applies, and says what to send. Everything that is the same for every collection —
// skipping an unchanged collection, paged `newer=` downloads, decryption and HMAC checks, batched
// uploads with X-If-Unmodified-Since, 412 re-merges, the server's per-record `failed` list, the
// per-collection association — belongs to the synchronizer (synchronizer.ts). Engines never see
// key bundles: records reach them decrypted and leave them as cleartext.
import type { Logger } from '../../log/logger.ts';
import type { CleartextRecord } from '../records/bso.ts';
import type { ServerTimestamp } from '../storage/types.ts';

/** Where an engine stands with the server's collection (second seed, "Persistence"). */
export interface EngineAssociation {
  /** The engine's syncID in meta/global we are associated with; null = not yet: a first sync. */
  syncID: string | null;
  /** Server time up to which the collection has been downloaded and merged; '0' = nothing yet. */
  lastSync: ServerTimestamp;
}

/** A record from the server, decrypted and parsed into the engine's type. */
export interface IncomingRecord<R> {
  id: string;
  /** The BSO's server time. */
  modified: ServerTimestamp;
  record: R;
}

/** A record for the server, as cleartext; the middleware encrypts it. */
export interface OutgoingRecord {
  cleartext: CleartextRecord;
  sortindex?: number;
  /** Seconds until the server drops it. */
  ttl?: number;
}

export type ProgressStep = 'download' | 'merge' | 'apply' | 'upload';

export interface ApplyContext {
  /** The collection's server time as this run knows it (the base of the upload's X-If-Unmodified-Since). */
  collectionModified: ServerTimestamp;
  /** True on the first apply of a run; false when it is repeated after a 412 with more records staged. */
  firstPass: boolean;
  progress(step: ProgressStep, done: number, total: number): void;
  /** Whether a record, once encrypted, is within the server's record size limit (max_record_payload_bytes). */
  fits(cleartext: CleartextRecord): Promise<boolean>;
}

/** What an engine reports about its run, for the log and the status line. */
export interface EngineRunSummary {
  /** Human words to add to the status line ("2 bookmark changes not accepted…"), if any. */
  notes?: string[];
  /** A short fact the status line shows in parentheses ("2 other devices"). */
  detail?: string;
}

export interface SyncEngine<R = unknown> {
  /** The collection on the server (also the engine's name in meta/global). */
  readonly collection: string;
  /** The record format version this engine writes; meta/global's higher version means "skip". */
  readonly version: number;
  /** Download the whole collection whenever it changed (clients), not only what is newer. */
  readonly fetchAll?: boolean;

  /** Cleartext → the engine's record; null for one it cannot read (skipped and counted, never acted on). */
  parse(cleartext: CleartextRecord): R | null;

  /** Forget everything learned from the server (mirror, staged records); keep local data. */
  reset(): Promise<void>;
  /** The `wipeEngine` command: the next sync replaces this engine's local data with the server's. */
  wipe(): Promise<void>;

  /**
   * A run of an engine that synced before is about to start its account setup: start reading
   * local data that does not depend on the server (the setup and the engines before this one take
   * a few hundred milliseconds of requests). Returns at once; begin or apply use what it started.
   * Not called on a first sync, and the engine may still turn out to be off or skipped this run.
   */
  prepare?(): void;
  /** A run starts; the association is already checked against meta/global. */
  begin?(association: EngineAssociation): Promise<void>;
  /**
   * Records of the collection this client could not read in this run (HMAC, decryption, format).
   * They stay on the server exactly as they are; an engine that restructures (bookmark folders)
   * must keep them where they are listed.
   */
  unreadable?(ids: readonly string[]): Promise<void>;
  /** Records downloaded in this run, page by page (may be called again after a 412). */
  stage(records: readonly IncomingRecord<R>[]): Promise<void>;
  /** Merges what is staged with local data, applies the result here and returns what to upload. */
  apply(ctx: ApplyContext): Promise<OutgoingRecord[]>;
  /**
   * The server refused these records: they are not stored, and the engine sends them again next
   * sync. Returned records go up at once, in the same run, to keep what the server holds
   * consistent without them (a folder must not list a child the server lacks).
   */
  refused?(ids: readonly string[]): Promise<OutgoingRecord[]>;
  /** The server accepted these records at `modified` (records it refused are never listed). */
  uploaded(ids: readonly string[], modified: ServerTimestamp): Promise<void>;
  /** The run is complete up to `lastSync`; the synchronizer saves the association after this. */
  finish(lastSync: ServerTimestamp): Promise<EngineRunSummary | void>;
}

/** An engine the registry knows: its name and version even where it cannot run (for meta/global and the UI). */
export interface EngineDescriptor {
  name: string;
  version: number;
  /** The label of the person's on/off switch; engines without one are always on (clients). */
  label?: string;
}

/** Port to the persisted associations (the background keeps them in IndexedDB, db/syncStateStore.ts). */
export interface AssociationStore {
  load(collection: string): Promise<EngineAssociation>;
  save(collection: string, association: EngineAssociation): Promise<void>;
  /** Forget the association: the engine syncs from scratch next time. */
  reset(collection: string): Promise<void>;
}

export interface SynchronizerEnv {
  log: Logger;
  progress?: (engine: string, step: ProgressStep, done: number, total: number) => void;
}
