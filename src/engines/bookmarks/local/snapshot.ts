// Reads the browser's bookmarks as the merger's LocalItems, keyed by Sync GUIDs. Roots come first
// (the Places root, then menu, toolbar, unfiled, mobile, always all five so the tree builder has
// no missing roots; titles are left empty because root titles are the browser's, not the
// person's). Stand-in folders and ignored top-level folders are not items. A Chromium item gets
// its GUID from the id map or a new random one (all new pairings written in one `pair` call);
// a Firefox item's id is its GUID unless we created it (then the id map knows its Sync GUID).
// `index` is the position among the items listed here, so a stand-in in Other bookmarks does not
// shift its siblings. The API has no modification time for bookmarks; folders report
// dateGroupModified, and the merger falls back to dateAdded.
// Firefox's limits (record.ts) apply here, where browser items become what the sync carries:
// titles are read cut to MAX_TITLE_LENGTH (the browser keeps its whole title; the merge, the
// uploads and the mirror all see the same cut one, so nothing looks changed sync after sync), and
// a bookmark whose URL is longer than Firefox accepts is local-only: it is not an item (never
// uploaded, never listed in its folder's record, its absence never a deletion here) and is listed
// in `localOnly` instead. It gets no GUID for it; one it already had is kept.
import { ROOT_GUID, USER_ROOT_GUIDS, limitTitle, urlWithinFirefoxLimit } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { LocalItem } from '../tree.ts';
import type { BookmarksApi, BrowserBookmarkNode, BrowserFlavor } from './api.ts';
import { isFolderNode, isSeparatorNode } from './api.ts';
import { makeGuid } from '../../kit/guid.ts';
import { samePairedItem, type BookmarkIdMap } from './idMap.ts';
import { findRollback, type Rollback, type WrittenState } from './writeLog.ts';
import { resolveRoots } from './roots.ts';
import type { LocalRoots } from './roots.ts';

export interface LocalSnapshot {
  items: LocalItem[];
  /** Sync GUID → browser id, roots included (a stand-in not made yet is absent). */
  localIdByGuid: Map<string, string>;
  roots: LocalRoots;
  /** Bookmarks left out because Firefox would refuse their URL (longer than MAX_URL_LENGTH); `guid`
   *  when they had one (synced before, or a Firefox id). */
  localOnly: LocalOnlyItem[];
  /** Our last writes the browser no longer shows and nobody said why (writeLog.ts). */
  rollback: Rollback;
  /** How many entries the write log held (all still unsettled: an apply that writes nothing leaves the log as it is). */
  writeLogSize: number;
}

export interface LocalOnlyItem {
  localId: string;
  guid: string | null;
  urlLength: number;
}

/** Whether this browser item cannot be synced at all (Firefox refuses its URL). */
export function isLocalOnlyNode(node: BrowserBookmarkNode): boolean {
  return node.url !== undefined && !isFolderNode(node) && !isSeparatorNode(node) && !urlWithinFirefoxLimit(node.url);
}

export interface SnapshotOptions {
  /** GUIDs or browser ids the change tracker saw change; those items get `needsMerge`. */
  changed?: ReadonlySet<string>;
  /** When the change tracker saw each changed key (ms): the browser API has no modification time
   *  for bookmarks, and "newer wins" needs one. */
  changedAt?: ReadonlyMap<string, number>;
  /** GUID source, for tests. */
  makeGuid?: () => string;
  /** The state our last writes left (Chromium: checked for a rolled-back bookmark file); read alongside the tree. */
  writeLog?: readonly WrittenState[] | Promise<readonly WrittenState[]>;
  now?: () => number;
}

export function kindOf(node: BrowserBookmarkNode): BookmarkKind {
  if (isSeparatorNode(node)) return 'separator';
  if (isFolderNode(node)) return 'folder';
  return node.url?.startsWith('place:') ? 'query' : 'bookmark';
}

export async function readLocalSnapshot(
  api: BookmarksApi,
  idMap: BookmarkIdMap,
  flavor: BrowserFlavor,
  options: SnapshotOptions = {},
): Promise<LocalSnapshot> {
  const [tree, writeLog] = await Promise.all([api.getTree(), options.writeLog]);
  const changed = options.changed ?? new Set<string>();
  const roots = await resolveRoots(api, idMap, flavor, tree, {
    // The change tracker records a removed stand-in under its root GUID (or its id).
    personRemoved: (guid, localId) => changed.has(guid) || changed.has(localId),
  });
  const newGuid = options.makeGuid ?? makeGuid;

  const byId = new Map<string, BrowserBookmarkNode>();
  const index = (n: BrowserBookmarkNode): void => {
    byId.set(n.id, n);
    for (const c of n.children ?? []) index(c);
  };
  for (const n of tree) index(n);

  const rollback: Rollback = flavor === 'chromium' && writeLog
    ? findRollback(writeLog, byId, changed, options.changedAt ?? new Map(), (options.now ?? Date.now)())
    : { stale: new Set(), resurrected: new Map(), unsettled: [] };
  // Pairings whose id now names another item (Chromium reuses ids after a crash) are not used.
  // (Pairings made before dateAdded was kept are trusted: filling it in now could bless a reused id.)
  const known = new Map<string, string>();
  for (const m of await idMap.all()) {
    const node = byId.get(m.localId);
    if (node && !samePairedItem(m, node)) continue;
    known.set(m.localId, m.syncId);
  }
  // An item we removed that the browser brought back is the same item: it keeps its GUID (and the
  // merge removes it again) instead of going up as a new bookmark.
  for (const [localId, guid] of rollback.resurrected) known.set(localId, guid);

  const items: LocalItem[] = [];
  const localIdByGuid = new Map<string, string>();
  const used = new Set<string>();
  const newPairs: Array<{ syncId: string; localId: string; dateAdded?: number | undefined }> = [];
  const localOnly: LocalOnlyItem[] = [];

  const rootNode = (guid: string): BrowserBookmarkNode | undefined => {
    const id = roots.localIdFor(guid);
    return id === null ? undefined : byId.get(id);
  };
  [ROOT_GUID, ...USER_ROOT_GUIDS].forEach((guid, i) => {
    const node = rootNode(guid);
    used.add(guid);
    if (node) localIdByGuid.set(guid, node.id);
    items.push({
      guid,
      parentGuid: guid === ROOT_GUID ? null : ROOT_GUID,
      kind: 'folder',
      title: null,
      url: null,
      index: guid === ROOT_GUID ? 0 : i - 1,
      dateAdded: node?.dateAdded ?? null,
      lastModified: node?.dateGroupModified ?? null,
      needsMerge: node !== undefined && (changed.has(guid) || changed.has(node.id)),
    });
  });

  const guidFor = (node: BrowserBookmarkNode): string => {
    let guid = known.get(node.id) ?? (flavor === 'firefox' ? node.id : undefined);
    if (guid === undefined || used.has(guid)) {
      // Unmapped Chromium item, or a clash (two items claiming one GUID): give it a new one.
      do guid = newGuid(); while (used.has(guid));
      newPairs.push({ syncId: guid, localId: node.id, dateAdded: node.dateAdded });
    } else if (rollback.resurrected.get(node.id) === guid) {
      newPairs.push({ syncId: guid, localId: node.id, dateAdded: node.dateAdded });
    }
    used.add(guid);
    return guid;
  };

  const stack: Array<{ node: BrowserBookmarkNode; parentGuid: string; index: number }> = [];
  const pushChildren = (folder: BrowserBookmarkNode, parentGuid: string): void => {
    const kids = (folder.children ?? []).filter((c) => {
      if (roots.isProtected(c.id) || c.unmodifiable !== undefined) return false;
      if (!isLocalOnlyNode(c)) return true;
      const guid = known.get(c.id) ?? (flavor === 'firefox' ? c.id : null);
      if (guid !== null) used.add(guid);
      localOnly.push({ localId: c.id, guid, urlLength: (c.url as string).length });
      return false;
    });
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i] as BrowserBookmarkNode, parentGuid, index: i });
  };
  for (const guid of [...USER_ROOT_GUIDS].reverse()) {
    const node = rootNode(guid);
    if (node) pushChildren(node, guid);
  }
  while (stack.length > 0) {
    const { node, parentGuid, index: position } = stack.pop() as (typeof stack)[number];
    const guid = guidFor(node);
    const kind = kindOf(node);
    localIdByGuid.set(guid, node.id);
    items.push({
      guid,
      parentGuid,
      kind,
      title: kind === 'separator' ? null : limitTitle(node.title),
      url: kind === 'bookmark' || kind === 'query' ? node.url ?? '' : null,
      index: position,
      dateAdded: node.dateAdded ?? null,
      lastModified: latest(kind === 'folder' ? node.dateGroupModified ?? null : null, options.changedAt?.get(guid), options.changedAt?.get(node.id)),
      needsMerge: changed.has(guid) || changed.has(node.id),
    });
    if (kind === 'folder') pushChildren(node, guid);
  }
  await idMap.pair(newPairs);
  return { items, localIdByGuid, roots, localOnly, rollback, writeLogSize: writeLog?.length ?? 0 };
}

/** The latest of three times, any of them unknown (no array per item: this runs for every bookmark). */
function latest(a: number | null | undefined, b: number | null | undefined, c: number | null | undefined): number | null {
  let out: number | null = null;
  if (typeof a === 'number') out = a;
  if (typeof b === 'number' && (out === null || b > out)) out = b;
  if (typeof c === 'number' && (out === null || c > out)) out = c;
  return out;
}
