// Immediate test actions shared by the control API and armed faults.
import type { NodeAssignments } from '../core/context.ts';
import type { LocalHawkTokens, RevocationMode } from '../core/hawkTokens.ts';
import type { SyncStore } from '../storage/store.ts';
import { tsSeconds } from '../storage/syncTime.ts';

export interface FaultDeps {
  store: SyncStore;
  tokens: LocalHawkTokens;
  nodes: NodeAssignments;
}

export function expireTokens(deps: FaultDeps, uid: string, mode: RevocationMode = 'revoke'): void {
  deps.tokens.revokeAll(uid, mode);
}

/** Moves the user to a "new node": older tokens get 401 and the storage is empty. */
export function reassignNode(deps: FaultDeps, uid: string): number {
  deps.nodes.reassign(uid);
  return deps.nodes.currentGeneration(uid);
}

/** Another client wrote: the collection's timestamp moves on, so a stale X-If-Unmodified-Since gets 412. */
export function concurrentWrite(deps: FaultDeps, uid: string, collection: string): number {
  const ts = deps.store.nextWriteTs(uid);
  deps.store.touch(uid, collection, ts);
  deps.store.commit(uid);
  return tsSeconds(ts);
}

/** uid and collection named in a storage path (/storage/1.5/{uid}/storage/{collection}/…). */
export function storagePathParts(path: string): { uid?: string; collection?: string } {
  const m = /^\/storage\/1\.5\/(\d+)(?:\/storage\/([^/]+))?/.exec(path);
  if (!m) return {};
  const out: { uid?: string; collection?: string } = { uid: m[1]! };
  if (m[2] !== undefined) {
    try {
      out.collection = decodeURIComponent(m[2]);
    } catch {
      // A badly encoded name matches no real collection; leave it unset.
    }
  }
  return out;
}
