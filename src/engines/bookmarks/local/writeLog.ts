// What this browser's bookmark file must show after our writes, to tell a browser that rolled
// back from a person's edit. Chromium saves its bookmarks at most every 2.5 s
// (BookmarkStorage::kSaveDelay): a crash, power cut or killed process in that window throws away
// the last writes, with no event, while our mirror and id map in IndexedDB already count them. Read
// as the person's doing, the difference would go to the account: items just applied deleted
// everywhere, items just deleted back as zombies, other devices' moves reverted.
//
// So every write a sync makes is logged with the state it leaves (per browser id), and the next
// snapshot checks it: the state is there (durable: forget it), the person changed the item since
// (an event was recorded: forget it, their change counts), or it is not there and nothing said so
// (rolled back: the merge takes the mirror's state for the item, and the sync puts it back).
// Firefox writes Places synchronously to its database, so only Chromium's side is checked.
import type { BrowserBookmarkNode } from './api.ts';
import type { OwnWrite } from './changeTracker.ts';
import { samePairedItem } from './idMap.ts';
import { sameUrl } from '../merge/sides.ts';

/** The state our writes left on one browser item. */
export interface WrittenState {
  guid: string;
  localId: string;
  /** The item's dateAdded (an id the browser reuses names another item). */
  dateAdded?: number;
  /** ms since the epoch of the last write. */
  at: number;
  removed: boolean;
  title?: string;
  url?: string;
  parentId?: string;
}

export interface WriteLogStore {
  load(): Promise<WrittenState[]>;
  /** Replaces the whole log. */
  save(entries: readonly WrittenState[]): Promise<void>;
  /** Adds or replaces these entries (per browser id), as an apply goes: a killed worker keeps them. */
  append(entries: readonly WrittenState[]): Promise<void>;
}

/** Entries older than this are taken as saved whatever the tree shows (the browser saved long ago). */
export const WRITE_LOG_MAX_AGE_MS = 24 * 3600 * 1000;
/**
 * A write the browser shows can still be lost until the browser has saved it: Chromium saves 2.5 s
 * after a change. Shown this long after the write, it is on disk (with a wide margin).
 */
export const SAVED_AFTER_MS = 15_000;

/** Folds one write into the log being built for a run. */
export function noteWrite(log: Map<string, WrittenState>, localId: string, write: OwnWrite, guid: string, at: number, dateAdded?: number): void {
  const entry: WrittenState = log.get(localId) ?? { guid, localId, at, removed: false, ...(dateAdded === undefined ? {} : { dateAdded }) };
  entry.at = at;
  entry.guid = guid;
  if (dateAdded !== undefined) entry.dateAdded = dateAdded;
  switch (write.kind) {
    case 'create':
    case 'update':
      entry.removed = false;
      if (write.title !== undefined) entry.title = write.title;
      if (write.url !== undefined) entry.url = write.url;
      if (write.kind === 'create' && write.parentId !== undefined) entry.parentId = write.parentId;
      break;
    case 'move':
      entry.parentId = write.parentId;
      break;
    case 'remove':
      entry.removed = true;
      break;
  }
  log.set(localId, entry);
}

export interface Rollback {
  /** GUIDs whose state from our writes is gone without an event: the mirror's state stands. */
  stale: Set<string>;
  /** Browser ids of items we removed that are back (same item, same dateAdded) → their GUIDs. */
  resurrected: Map<string, string>;
  /** Writes the browser shows but may not have saved yet: checked again next time. */
  unsettled: WrittenState[];
}

/**
 * Sorts the log against the browser's tree now. `changed` holds the keys (GUIDs or browser ids)
 * the change tracker recorded, `changedAt` when: an item the person touched after our write is
 * theirs, not a rollback.
 */
export function findRollback(
  entries: readonly WrittenState[], byId: ReadonlyMap<string, BrowserBookmarkNode>,
  changed: ReadonlySet<string>, changedAt: ReadonlyMap<string, number>, now: number,
): Rollback {
  const out: Rollback = { stale: new Set(), resurrected: new Map(), unsettled: [] };
  const touchedSince = (e: WrittenState): boolean => [e.localId, e.guid].some((k) => {
    const t = changedAt.get(k);
    return t !== undefined ? t >= e.at : changed.has(k);
  });
  for (const e of entries) {
    if (touchedSince(e) || now - e.at > WRITE_LOG_MAX_AGE_MS) continue;
    const node = byId.get(e.localId);
    const same = node !== undefined && samePairedItem(e, node);
    const shown = e.removed ? !same : same
      && !((e.title !== undefined && node.title !== e.title)
        || (e.url !== undefined && !sameUrl(node.url, e.url))
        || (e.parentId !== undefined && node.parentId !== e.parentId));
    if (shown) {
      if (now - e.at < SAVED_AFTER_MS) out.unsettled.push(e);
      continue;
    }
    if (e.removed) out.resurrected.set(e.localId, e.guid);
    else out.stale.add(e.guid);
  }
  return out;
}
