// In-memory shapes of one user's storage (also the --data snapshot shape, via persist.ts).

export interface BsoRecord {
  id: string;
  payload: string;
  sortindex?: number;
  /** Sync ms (multiple of 10). */
  modified: number;
  /** ms since epoch after which the record is invisible; null = default TTL (never, in practice). */
  expiry: number | null;
}

/** A record as uploaded: absent fields keep the stored value (PUT semantics per item). */
export interface IncomingBso {
  id: string;
  payload?: string;
  sortindex?: number;
  ttl?: number;
}

export interface CollectionState {
  modified: number;
  bsos: Map<string, BsoRecord>;
}

export interface BatchState {
  id: string;
  collection: string;
  /** ms timestamp the id encodes; the batch expires BATCH_LIFETIME after it. */
  createdMs: number;
  items: Map<string, IncomingBso>;
  totalBytes: number;
}

export interface UserState {
  collections: Map<string, CollectionState>;
  /** Storage-level timestamp left behind by a collection delete (MySQL backend "tombstone"). */
  tombstone: number;
  /** Last write timestamp handed out; writes are strictly increasing per user. */
  lastWrite: number;
  batches: Map<string, BatchState>;
}

export function newUser(): UserState {
  return { collections: new Map(), tombstone: 0, lastWrite: 0, batches: new Map() };
}
