// What the account-level setup persists between runs (second seed, "Persistence").
import type { CollectionKeys } from '../crypto/records.ts';
import type { MetaGlobal } from './metaGlobal.ts';
import type { ServerTimestamp } from '../storage/types.ts';

export interface GlobalState {
  /** Cached meta/global and the server time it was last modified. */
  metaGlobal: MetaGlobal | null;
  metaModified: ServerTimestamp | null;
  /** Cached bulk keys (base64 pairs) and crypto/keys' server time. */
  keys: { default: [string, string]; collections: Record<string, [string, string]> } | null;
  keysModified: ServerTimestamp | null;
  /** Last info/collections seen (collection → modified seconds). */
  infoCollections: Record<string, ServerTimestamp> | null;
}

export const EMPTY_GLOBAL_STATE: GlobalState = {
  metaGlobal: null, metaModified: null, keys: null, keysModified: null, infoCollections: null,
};

/** Persistence port; the background implements it on IndexedDB (db/syncStateStore.ts). */
export interface GlobalStatePersistence {
  loadGlobal(): Promise<GlobalState>;
  saveGlobal(state: GlobalState): Promise<void>;
  /** Forget the cached setup and the Sync token (a reset, or the data moved to a new node). */
  resetGlobal(): Promise<void>;
}

export function keysToStored(k: CollectionKeys, toPair: (b: CollectionKeys['default']) => [string, string]): GlobalState['keys'] {
  const collections: Record<string, [string, string]> = {};
  for (const [name, bundle] of Object.entries(k.collections)) collections[name] = toPair(bundle);
  return { default: toPair(k.default), collections };
}
