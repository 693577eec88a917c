// Inputs and outputs of the bookmark tree merge.

import type { BookmarkKind, BookmarkRecord } from '../record.ts';
import type { BookmarkTree } from '../tree.ts';

export interface MergeInput {
  /** The browser's tree now (`buildTreeFromLocal`): the local operations are planned against it. */
  local: BookmarkTree;
  /**
   * The local side as the merge judges it, when it is not the browser's tree as read: after the
   * browser lost the sync's own last writes (a crash within its save delay), the items concerned
   * are put back here as the mirror has them, so the merge neither deletes nor reverts them on the
   * server, while `local` stays the real tree and the operations restore them.
   */
  localView?: BookmarkTree;
  /** The server's tree now: mirror records overlaid with incoming ones (`buildTreeFromRecords`). */
  remote: BookmarkTree;
  /** The server's tree as of the last sync; an empty tree on a first sync. */
  mirror: BookmarkTree;
  /**
   * After a reset (new node, new keys, another device's wipe) the mirror is empty, but the old one
   * still knows what this browser cannot show: it is put back into the local side from here, and
   * its records lend their unknown fields (tags, keywords…) to the uploads.
   */
  carried?: BookmarkTree;
  /** Local clock now (ms); local ages are measured against it. */
  localTimeMs: number;
  /** Server clock now (s, from X-Weave-Timestamp); remote ages are measured against it. */
  remoteTimeS: number;
  /** Kinds this browser cannot create (Chromium: separator, query, livemark). Livemarks always. */
  unsupportedKinds?: readonly BookmarkKind[];
  /** User roots this browser does not have (Chromium: the menu); their subtrees stay as on the server. */
  unsupportedRoots?: readonly string[];
  /** Items this browser refused to create before; they stay on the server where they are. */
  unsupportedGuids?: readonly string[];
  /**
   * First-sync choice. `merge` (default): three-way merge. `takeRemote`: make this browser look
   * like the server. `keepLocal`: make the server look like this browser, except for what this
   * browser cannot show, which stays.
   */
  strategy?: 'merge' | 'takeRemote' | 'keepLocal';
}

export type LocalOp =
  /** A new local item turned out to be the same as a server item: it takes the server's GUID. */
  | { type: 'changeGuid'; from: string; to: string }
  | { type: 'create'; guid: string; parentGuid: string; index: number; kind: BookmarkKind; title: string; url: string | null }
  | { type: 'update'; guid: string; title: string; url: string | null }
  /** `index` is the final position in the new parent. */
  | { type: 'move'; guid: string; parentGuid: string; index: number }
  /** Deletes run deepest first, so a folder is empty when its turn comes. */
  | { type: 'delete'; guid: string; kind: BookmarkKind };

export interface MergeStats {
  /** Items (roots excluded) on each side before the merge, and in the result. */
  localItems: number;
  remoteItems: number;
  mergedItems: number;
  /** Local operations. */
  created: number;
  updated: number;
  moved: number;
  deletionsLocal: number;
  /** Server changes. */
  uploaded: number;
  createdRemote: number;
  deletionsRemote: number;
  /** New local items matched to new server items by content. */
  dupes: number;
  /** A remote change to a non-folder won over a local deletion. */
  remoteRevives: number;
  /** A local change to a non-folder won over a remote deletion. */
  localRevives: number;
  /** A local folder deletion won over remote changes (new descendants moved up). */
  localDeletes: number;
  /** A remote folder deletion won over local changes (new descendants moved up). */
  remoteDeletes: number;
  /** Items the walk did not reach, kept by moving them to unfiled (a safety net; should be 0). */
  rescued: number;
}

export interface MergeResult {
  /** The tree both sides will hold. Nodes carry the server record where one exists. */
  merged: BookmarkTree;
  /** What to do to the local browser, in an order that is valid to apply one by one. */
  localOps: LocalOp[];
  /** Records to upload: changed items, every folder whose children changed, then tombstones. */
  uploads: BookmarkRecord[];
  /** The server's whole bookmark collection after the upload (the next mirror). */
  serverRecords: BookmarkRecord[];
  stats: MergeStats;
}
