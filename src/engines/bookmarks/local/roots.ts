// Which browser folder stands for each Firefox root. Firefox: every root is itself. Chromium:
// toolbar = Bookmarks bar, unfiled = Other bookmarks, mobile = Chromium's mobile root when the API
// shows it (only while it holds something, e.g. from Chrome Sync), and the menu, which Chromium
// lacks, is a folder "Bookmarks Menu" inside Other bookmarks. Without a visible mobile root,
// mobile is a folder "Mobile Bookmarks" there too. Those two stand-in folders are made only when
// something has to go in them, and are remembered in the id map, so the person may rename or move
// them. Sync never moves, renames or deletes a root or a stand-in. If the person deletes a
// stand-in, that root is "lost": it is not made again and the engine must treat it as a root this
// browser does not have (its server content stays as it is), because reading it as an empty root
// would delete everything in it from every Firefox. `resumeRootSync` undoes that. A stand-in gone
// without the person having removed it (the browser lost it in a crash before saving it, and may
// hand its id to another folder) is not lost: it is made again when something has to go in it.
//
// Chromium 134+ may show two folders of one type (one in the Google account, one on this device)
// or none. We prefer the one on this device (`syncing: false`), then the lowest id, and remember
// the choice so that a later flip of `syncing` does not move the sync to other folders.
import { t } from '../../../i18n/i18n.ts';
import { MENU_GUID, MOBILE_GUID, ROOT_GUID, TOOLBAR_GUID, UNFILED_GUID, USER_ROOT_GUIDS } from '../record.ts';
import type { BookmarksApi, BrowserBookmarkNode, BrowserFlavor, ChromiumFolderType } from './api.ts';
import { isFolderNode } from './api.ts';
import { samePairedItem, type BookmarkIdMap } from './idMap.ts';

// Named as Firefox names these folders in the browser's language.
export const MENU_STAND_IN_TITLE = t('bookmarksRootMenu');
export const MOBILE_STAND_IN_TITLE = t('bookmarksRootMobile');

const STAND_IN_TITLES: Readonly<Record<string, string>> = {
  [MENU_GUID]: MENU_STAND_IN_TITLE,
  [MOBILE_GUID]: MOBILE_STAND_IN_TITLE,
};
/** The English names too: a stand-in made before the browser's language changed is still found. */
const ENGLISH_STAND_IN_TITLES: Readonly<Record<string, string>> = {
  [MENU_GUID]: 'Bookmarks Menu',
  [MOBILE_GUID]: 'Mobile Bookmarks',
};

export interface LocalRoots {
  readonly flavor: BrowserFlavor;
  /** Browser id of the Places root ('0' in Chromium). */
  readonly placesRootId: string;
  /** Browser id for a root GUID; null while its stand-in folder does not exist. */
  localIdFor(rootGuid: string): string | null;
  /** Root GUID for a browser id, when that id is a root or a stand-in. */
  rootGuidFor(localId: string): string | null;
  isStandIn(localId: string): boolean;
  /** Roots and stand-ins: never moved, renamed or deleted by sync, never ordinary items. */
  isProtected(localId: string): boolean;
  /** Top-level browser folders sync leaves alone (the second set of roots, managed bookmarks). */
  readonly ignoredLocalIds: ReadonlySet<string>;
  /** Roots whose remembered folder the person deleted: not synced on this browser until
   *  `resumeRootSync`. Pass them to the merger as unsupported roots. */
  readonly lostRoots: readonly string[];
  /** The browser id for a root, creating its stand-in folder first if needed. */
  ensureRoot(rootGuid: string, onCreated?: (localId: string) => void): Promise<string>;
}

/** The folder of a type sync uses among the top-level ones: on this device first, then oldest. */
export function chooseChromiumRoot(top: readonly BrowserBookmarkNode[], type: ChromiumFolderType): BrowserBookmarkNode | null {
  const candidates = top.filter((n) => n.folderType === type);
  candidates.sort((a, b) => Number(a.syncing === true) - Number(b.syncing === true) || Number(a.id) - Number(b.id));
  return candidates[0] ?? null;
}

class RootMap implements LocalRoots {
  private readonly byGuid = new Map<string, string>();
  private readonly byLocal = new Map<string, string>();
  private readonly standIns = new Set<string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    readonly flavor: BrowserFlavor,
    readonly placesRootId: string,
    readonly ignoredLocalIds: ReadonlySet<string>,
    readonly lostRoots: readonly string[],
    private readonly api: BookmarksApi,
    private readonly idMap: BookmarkIdMap,
  ) {}

  set(guid: string, localId: string, standIn: boolean): void {
    this.byGuid.set(guid, localId);
    this.byLocal.set(localId, guid);
    if (standIn) this.standIns.add(localId);
  }

  localIdFor(rootGuid: string): string | null {
    return this.byGuid.get(rootGuid) ?? null;
  }

  rootGuidFor(localId: string): string | null {
    return this.byLocal.get(localId) ?? null;
  }

  isStandIn(localId: string): boolean {
    return this.standIns.has(localId);
  }

  isProtected(localId: string): boolean {
    return this.byLocal.has(localId) || this.ignoredLocalIds.has(localId);
  }

  ensureRoot(rootGuid: string, onCreated?: (localId: string) => void): Promise<string> {
    const known = this.byGuid.get(rootGuid);
    if (known !== undefined) return Promise.resolve(known);
    let p = this.pending.get(rootGuid);
    if (!p) {
      p = this.createStandIn(rootGuid, onCreated).finally(() => this.pending.delete(rootGuid));
      this.pending.set(rootGuid, p);
    }
    return p;
  }

  private async createStandIn(rootGuid: string, onCreated?: (localId: string) => void): Promise<string> {
    const title = STAND_IN_TITLES[rootGuid];
    const other = this.byGuid.get(UNFILED_GUID);
    if (title === undefined || other === undefined || this.lostRoots.includes(rootGuid)) {
      throw new Error(t('errorNoRootFolder', rootGuid));
    }
    // A stand-in made just before the worker died may be there without its pairing: reuse it.
    const existing = await findStandIn(await this.api.getChildren(other), rootGuid, this.idMap);
    const made = existing === undefined ? await this.api.create({ parentId: other, title }) : null;
    const id = existing?.id ?? (made as BrowserBookmarkNode).id;
    if (made) onCreated?.(id);
    await this.idMap.pair([{ syncId: rootGuid, localId: id, dateAdded: (existing ?? made)?.dateAdded }]);
    this.set(rootGuid, id, true);
    return id;
  }
}

/** A folder in Other bookmarks with the stand-in's title that nothing else claims. */
async function findStandIn(
  inOther: readonly BrowserBookmarkNode[],
  rootGuid: string,
  idMap: BookmarkIdMap,
): Promise<BrowserBookmarkNode | undefined> {
  for (const n of inOther) {
    if (!isFolderNode(n) || (n.title !== STAND_IN_TITLES[rootGuid] && n.title !== ENGLISH_STAND_IN_TITLES[rootGuid])) continue;
    const owner = await idMap.syncIdFor(n.id);
    if (owner === null || owner === rootGuid) return n;
  }
  return undefined;
}

/** What tells a stand-in the person removed from one the browser lost (the change tracker's record). */
export interface RootEvidence {
  personRemoved(rootGuid: string, localId: string): boolean;
}

/** Maps the roots from `tree` (read again when not given); remembers Chromium's choices. */
export async function resolveRoots(
  api: BookmarksApi,
  idMap: BookmarkIdMap,
  flavor: BrowserFlavor,
  tree?: readonly BrowserBookmarkNode[],
  /** Without it, a missing stand-in counts as removed by the person. */
  evidence?: RootEvidence,
): Promise<LocalRoots> {
  const root = (tree ?? (await api.getTree()))[0];
  if (!root) throw new Error(t('errorNoBookmarksTree'));
  const top = root.children ?? [];
  if (flavor === 'firefox') {
    const map = new RootMap(flavor, root.id, new Set(), [], api, idMap);
    map.set(ROOT_GUID, root.id, false);
    for (const guid of USER_ROOT_GUIDS) if (top.some((n) => n.id === guid)) map.set(guid, guid, false);
    return map;
  }

  const folders = new Map<string, BrowserBookmarkNode>();
  const stack = [...top];
  while (stack.length > 0) {
    const n = stack.pop() as BrowserBookmarkNode;
    if (!isFolderNode(n)) continue;
    folders.set(n.id, n);
    if (n.children) stack.push(...n.children);
  }
  const remembered = new Map<string, string>();
  const rememberedDate = new Map<string, number | undefined>();
  for (const guid of USER_ROOT_GUIDS) {
    const m = await idMap.mappingFor(guid);
    if (m !== null) {
      remembered.set(guid, m.localId);
      rememberedDate.set(guid, m.dateAdded);
    }
  }
  const chosen = new Map<string, { id: string; standIn: boolean }>();
  const pickTop = (guid: string, type: ChromiumFolderType): void => {
    const old = remembered.get(guid);
    const keep = old === undefined ? undefined : top.find((n) => n.id === old && n.folderType === type);
    const node = keep ?? chooseChromiumRoot(top, type);
    if (node) chosen.set(guid, { id: node.id, standIn: false });
  };
  pickTop(TOOLBAR_GUID, 'bookmarks-bar');
  pickTop(UNFILED_GUID, 'other');

  const other = chosen.get(UNFILED_GUID)?.id;
  const inOther = other === undefined ? [] : folders.get(other)?.children ?? [];
  const lost: string[] = [];
  const forget: string[] = [];
  for (const guid of [MENU_GUID, MOBILE_GUID]) {
    const old = remembered.get(guid);
    let oldNode = old === undefined ? undefined : folders.get(old);
    // An id the browser handed to another folder since (after a crash) is not the stand-in.
    if (oldNode && !samePairedItem({ dateAdded: rememberedDate.get(guid) }, oldNode)) oldNode = undefined;
    if (old !== undefined && !oldNode) {
      if (!evidence || evidence.personRemoved(guid, old)) {
        lost.push(guid);
        continue;
      }
      // Gone without the person removing it: the browser lost it. Made again when needed.
      forget.push(guid);
      remembered.delete(guid);
    }
    const usable = oldNode && (oldNode.folderType === undefined || oldNode.folderType === 'mobile');
    if (oldNode && usable) {
      chosen.set(guid, { id: oldNode.id, standIn: oldNode.folderType === undefined });
      continue;
    }
    const mobileRoot = guid === MOBILE_GUID ? chooseChromiumRoot(top, 'mobile') : null;
    if (mobileRoot) {
      chosen.set(guid, { id: mobileRoot.id, standIn: false });
      continue;
    }
    const adopted = await findStandIn(inOther, guid, idMap);
    if (adopted !== undefined) chosen.set(guid, { id: adopted.id, standIn: true });
  }
  await idMap.forgetSync(forget);

  const chosenIds = new Set([...chosen.values()].map((c) => c.id));
  const ignored = new Set(top.filter((n) => !chosenIds.has(n.id)).map((n) => n.id));
  const map = new RootMap(flavor, root.id, ignored, lost, api, idMap);
  map.set(ROOT_GUID, root.id, false);
  const pairs: Array<{ syncId: string; localId: string; dateAdded?: number | undefined }> = [];
  for (const [guid, { id, standIn }] of chosen) {
    map.set(guid, id, standIn);
    if (remembered.get(guid) !== id) pairs.push({ syncId: guid, localId: id, dateAdded: folders.get(id)?.dateAdded });
  }
  await idMap.pair(pairs);
  return map;
}

/** Syncs a lost root again: its stand-in folder is made anew when something has to go in it. */
export async function resumeRootSync(idMap: BookmarkIdMap, rootGuid: string): Promise<void> {
  const old = await idMap.localIdFor(rootGuid);
  if (old !== null) await idMap.forgetLocal([old]);
}
