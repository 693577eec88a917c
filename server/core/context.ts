// The contract between the services of the local stack (accounts, OAuth, token server, storage,
// fault switches, demo seeding). Each service owns its own state; they meet only here.

export interface IssuedHawkCredentials {
  id: string;
  key: string;
}

export interface HawkTokenInfo {
  key: string;
  /** Sync storage uid (decimal string) the token grants access to. */
  uid: string;
  /** Node generation the token was minted for; a reassigned node rejects older generations. */
  generation: number;
  /** ms since epoch. */
  expiresAt: number;
}

/** Mints and checks the token server's Hawk credentials; storage verifies requests against it. */
export interface HawkTokenIssuer {
  issue(opts: { uid: string; generation: number; ttlSeconds: number }): IssuedHawkCredentials;
  lookup(id: string): HawkTokenInfo | null;
}

/** A BSO as stored: payload is the opaque (encrypted) string the client uploaded. */
export interface StoredBso {
  id: string;
  payload: string;
  sortindex?: number;
  /** Seconds with two decimals, as the server assigned it. */
  modified: number;
  /** ms since epoch; undefined = no TTL. */
  expiresAt?: number;
}

/** In-process access to storage for the demo seeder and tests; same rules as the HTTP API. */
export interface StorageBackend {
  putRecords(
    uid: string,
    collection: string,
    records: Array<{ id: string; payload: string; sortindex?: number; ttl?: number }>,
  ): { modified: number };
  getRecords(uid: string, collection: string): StoredBso[];
  /** As another client's DELETE of the collection would. */
  deleteCollection(uid: string, collection: string): void;
  deleteAll(uid: string): void;
}

/** Per-user node assignment kept by the token server, read by storage to reject stale tokens. */
export interface NodeAssignments {
  currentGeneration(uid: string): number;
  /** Fault switch: move the user to a new node; storage answers 401 to older tokens and holds no data there. */
  reassign(uid: string): void;
}

export interface ServerContext {
  /** Origin the stack serves, e.g. http://127.0.0.1:8400 (no trailing slash). */
  origin: string;
  /** Directory to persist state into, or null for memory only. */
  dataDir: string | null;
  hawkTokens: HawkTokenIssuer;
  nodes: NodeAssignments;
  storage: StorageBackend;
  /** Server clock in ms; tests may skew it. */
  now(): number;
}
