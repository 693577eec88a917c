// The large-change safety for the ACCOUNT's bookmarks (the server side; the browser side is the
// local-deletion check in engine.ts). A merge that would delete many of the account's bookmarks —
// typically because this browser lost them (a crash that rolled its tree back, a profile restored
// from an old copy) and the merge reads their absence as deletions — waits for the person, who
// either approves it ("Delete them from my account") or keeps them ("Keep them in my account": they
// come back to this browser). Before any large deletion on the server a copy of the account's
// records is kept, and "Put back in my account" writes it back at the next sync.
//
// Browser-free helpers for the engine's safety block:
// - `emptiedRoots`: the user roots a merge would leave empty on the server;
// - `accountCopy`: the account's records (as cleartext, with their server times) for the copy;
// - `forgetLocalDeletions` ("keep"): the kept records leave the merge's common ancestor (the
//   mirror), so the merge reads them as the server's and creates them here instead of deleting
//   them there. Nothing this browser changed otherwise is undone;
// - `planAccountRestore` ("put back"): the saved records that are now deleted or missing on the
//   server join the server side of the merge as if another device had written them again (so they
//   come back to this browser too, and the mirror learns them); the engine uploads them. A record
//   the server holds (changed since or not) is never replaced; a folder that holds the server's
//   version only gets the restored children back in its list, where they were.
import { formatList, formatNumber, t, type MessageKey } from '../../i18n/i18n.ts';
import {
  FORBIDDEN_RECORD_IDS, USER_ROOT_GUIDS, guidToRecordId, isRootGuid, isTombstone, parseBookmarkRecord, recordIdToGuid,
  serializeBookmarkRecord, type BookmarkItem, type BookmarkRecord, type FolderRecord,
} from './record.ts';
import type { BookmarkTree, RecordEntry } from './tree.ts';

/** One record of the account copy: the cleartext as the server held it, and its server time (s). */
export interface AccountRecord {
  id: string;
  modified: number | null;
  cleartext: Record<string, unknown>;
}

/** The person's answers about the account's bookmarks, as one run reads them (`at`: when given, ms). */
export interface AccountDecisions {
  /** "Delete them from my account": up to this many deletions on the server are approved. */
  approvedRemoteDeletions: { count: number; at: number } | null;
  /** "Keep them in my account": these records stay on the server and come back to this browser. */
  keepRemote: { ids: string[]; at: number } | null;
  /** "Put back in my account": this copy is written back (records null: the copy is gone). */
  restore: { snapshotId: number; at: number; records: AccountRecord[] | null } | null;
}

export interface LargeRemoteDeletion {
  deletions: number;
  remoteItems: number;
  /** Record ids of the user roots the merge would leave empty on the server ('toolbar', …). */
  emptiedRoots: string[];
  /** Ids the merge would delete on the server (what "keep" keeps). */
  ids: string[];
}

/** What the engine needs from the safety store for the account (db/safetyStore.ts implements it). */
export interface AccountSafety {
  accountDecisions(): Promise<AccountDecisions>;
  askLargeRemoteDeletion(question: LargeRemoteDeletion): Promise<void>;
  /** Keeps a copy of the account's records (newest few; an identical newest copy is not repeated). */
  accountSnapshot(reason: string, records: readonly AccountRecord[]): Promise<void>;
  /** A sync that read these decisions completed: they are done. Answers given since stay. */
  accountDecisionsDone(seen: AccountDecisions): Promise<void>;
}

/** What the engine's safety block read and did in one run (a run applies again after a 412). */
export interface AccountRunState {
  /** The answers as the run read them first; finish() marks exactly these done. */
  decisions: AccountDecisions;
  /** Records the pass puts back (restored, and folders listing them again): they go up with the merge's uploads. */
  restoreIds: ReadonlySet<string>;
  /** The pass is running again with the answers laid over its inputs. */
  again: boolean;
  /** The copy of the account was saved in this run. */
  copied: boolean;
}

/** The account side of a safety store, when it has one. */
export function accountSafetyOf(safety: object): AccountSafety | null {
  const s = safety as Partial<AccountSafety>;
  return typeof s.accountDecisions === 'function' && typeof s.askLargeRemoteDeletion === 'function' &&
    typeof s.accountSnapshot === 'function' && typeof s.accountDecisionsDone === 'function' ? (s as AccountSafety) : null;
}

const ROOT_NAMES: Readonly<Record<string, MessageKey>> = {
  menu: 'bookmarksRootMenu', toolbar: 'bookmarksRootToolbar', unfiled: 'bookmarksRootUnfiled', mobile: 'bookmarksRootMobile',
};

/** A user root's name for the person ('toolbar' → 'Bookmarks Toolbar'). */
export function rootName(id: string): string {
  const key = ROOT_NAMES[id];
  return key ? t(key) : id;
}

/** The user roots that hold items on the server but none after the merge (record ids). */
export function emptiedRoots(remote: BookmarkTree, merged: BookmarkTree): string[] {
  return USER_ROOT_GUIDS.filter((guid) => (remote.nodes.get(guid)?.children.length ?? 0) > 0 && (merged.nodes.get(guid)?.children.length ?? 0) === 0)
    .map(guidToRecordId);
}

/** The person's words for a large deletion on the server. */
export function describeLargeRemoteDeletion(q: Pick<LargeRemoteDeletion, 'deletions' | 'remoteItems' | 'emptiedRoots'>): string {
  const [deletions, items] = [formatNumber(q.deletions), formatNumber(q.remoteItems)];
  return q.emptiedRoots.length === 0
    ? t('bookmarksLargeRemoteDeletion', deletions, items)
    : t('bookmarksLargeRemoteDeletionRoots', deletions, items, formatList(q.emptiedRoots.map(rootName)));
}

/** The account's records as the server holds them: no tombstones, nothing unreadable, nothing Firefox refuses. */
export function accountCopy(entries: readonly RecordEntry[], unreadable: ReadonlySet<string>): AccountRecord[] {
  return entries
    .filter((e) => !isTombstone(e.record) && !unreadable.has(e.record.id) && !FORBIDDEN_RECORD_IDS.includes(e.record.id))
    .map((e) => ({ id: e.record.id, modified: e.modifiedS ?? null, cleartext: serializeBookmarkRecord(e.record) }));
}

const isFolderish = (r: BookmarkRecord | undefined): r is FolderRecord =>
  r !== undefined && !isTombstone(r) && (r.type === 'folder' || r.type === 'livemark');

/**
 * "Keep them in my account": the merge inputs for which the kept records are the server's items
 * this browser does not have yet, rather than items deleted here. The server side (mirror overlaid
 * with incoming) stays exactly what it was: the records taken out of the mirror, and the mirror's
 * folders that listed them, join the incoming records as the server holds them.
 * Null when there is nothing to keep (already gone from the server, or never in the mirror).
 */
export function forgetLocalDeletions(
  keepIds: readonly string[],
  mirrorEntries: readonly RecordEntry[],
  incoming: ReadonlyMap<string, RecordEntry>,
  remoteEntries: readonly RecordEntry[],
): { mirrorEntries: RecordEntry[]; incoming: Map<string, RecordEntry>; kept: number } | null {
  const live = new Map(remoteEntries.filter((e) => !isTombstone(e.record)).map((e) => [e.record.id, e]));
  const inMirror = new Set(mirrorEntries.map((e) => e.record.id));
  const keep = new Set(keepIds.filter((id) => live.has(id) && inMirror.has(id) && !isRootGuid(recordIdToGuid(id))));
  if (keep.size === 0) return null;
  const nextIncoming = new Map(incoming);
  const nextMirror: RecordEntry[] = [];
  for (const e of mirrorEntries) {
    const { id } = e.record;
    if (keep.has(id)) {
      if (!nextIncoming.has(id)) nextIncoming.set(id, live.get(id) as RecordEntry);
      continue;
    }
    if (isFolderish(e.record) && e.record.children.some((c) => keep.has(c))) {
      nextMirror.push({ ...e, record: { ...e.record, children: e.record.children.filter((c) => !keep.has(c)) } });
      if (!nextIncoming.has(id)) nextIncoming.set(id, live.get(id) ?? e);
      continue;
    }
    nextMirror.push(e);
  }
  return { mirrorEntries: nextMirror, incoming: nextIncoming, kept: keep.size };
}

/** `items` put back into `current` after the nearest preceding sibling they had in `saved`. */
function insertWhereTheyWere(current: readonly string[], saved: readonly string[], items: readonly string[]): string[] {
  const out = [...current];
  const wanted = new Set(items);
  const order = saved.filter((id) => wanted.has(id));
  for (const id of items) if (!order.includes(id)) order.push(id);
  for (const id of order) {
    if (out.includes(id)) continue;
    const at = saved.indexOf(id);
    let pos = at < 0 ? out.length : 0;
    for (let j = at - 1; j >= 0; j--) {
      const k = out.indexOf(saved[j] as string);
      if (k >= 0) {
        pos = k + 1;
        break;
      }
    }
    out.splice(pos, 0, id);
  }
  return out;
}

/**
 * "Put back in my account": the records to lay over the server side of the merge — the saved
 * records that are deleted or missing on the server now, and the live folders that get them back
 * in their child lists. Null when the server holds every record of the copy.
 */
export function planAccountRestore(
  saved: readonly AccountRecord[],
  remoteEntries: readonly RecordEntry[],
  unreadable: ReadonlySet<string>,
  timeS: number,
): { entries: RecordEntry[]; ids: Set<string> } | null {
  const server = new Map(remoteEntries.map((e) => [e.record.id, e.record]));
  const isLive = (id: string): boolean => {
    const r = server.get(id);
    return r !== undefined && !isTombstone(r);
  };
  const savedById = new Map<string, BookmarkItem>();
  for (const s of saved) {
    const r = parseBookmarkRecord(s.cleartext);
    if (r && !isTombstone(r) && r.id === s.id && !FORBIDDEN_RECORD_IDS.includes(r.id)) savedById.set(r.id, r);
  }
  const restore = new Map<string, BookmarkItem>();
  for (const [id, r] of savedById) if (!isLive(id) && !unreadable.has(id)) restore.set(id, r);
  if (restore.size === 0) return null;

  // Where each restored item goes: its saved folder, restored or live; else Other Bookmarks.
  const kidsOf = new Map<string, string[]>();
  for (const [id, r] of restore) {
    if (isRootGuid(recordIdToGuid(id))) continue;
    let parent = r.parentid ?? '';
    const restoredParent = isFolderish(restore.get(parent));
    const liveParent = isLive(parent) && isFolderish(server.get(parent));
    if (!restoredParent && !liveParent) {
      parent = 'unfiled';
      restore.set(id, { ...r, parentid: 'unfiled', parentName: '' });
    }
    kidsOf.set(parent, [...(kidsOf.get(parent) ?? []), id]);
  }
  const entries: RecordEntry[] = [];
  const entry = (record: BookmarkRecord): RecordEntry => ({ record, modifiedS: timeS, needsMerge: true });
  for (const [id, r] of restore) {
    // A restored folder lists what comes back with it, in its saved order (a child the server
    // holds elsewhere now stays where it is).
    entries.push(entry(isFolderish(r) ? { ...r, children: insertWhereTheyWere([], r.children, kidsOf.get(id) ?? []) } : r));
  }
  for (const [parent, kids] of kidsOf) {
    if (restore.has(parent)) continue;
    const current = server.get(parent);
    if (!isFolderish(current)) continue; // Other Bookmarks without a record: the tree puts them there anyway
    const saved = savedById.get(parent);
    const children = insertWhereTheyWere(current.children, isFolderish(saved) ? saved.children : [], kids);
    entries.push(entry({ ...current, children }));
  }
  return { entries, ids: new Set(entries.map((e) => e.record.id)) };
}
