// Content matching ("deduping"): a local item that was never synced and a server item this browser
// has never seen, in folders already matched to each other, are the same item when they look the
// same. This is what makes a first sync of two browsers with the same bookmarks duplicate-free.

import { isRootGuid } from '../record.ts';
import type { BookmarkNode, BookmarkTree } from '../tree.ts';
import { kindGroup, normalizeUrl } from './sides.ts';
import type { SideView } from './sides.ts';

/** Bookmarks match on title and (normalized) URL, folders on title, separators on position. */
export function contentKey(node: BookmarkNode, index: number): string {
  const group = kindGroup(node.kind);
  if (group === 'bookmark') return `b\u0000${node.title}\u0000${normalizeUrl(node.url) ?? ''}`;
  if (group === 'folder') return `f\u0000${node.title}`;
  return `s\u0000${index}`;
}

export interface FolderMatches {
  localToRemote: Map<string, BookmarkNode>;
  remoteToLocal: Map<string, BookmarkNode>;
}

/** Pairs new children of a local folder with new children of its remote counterpart, in order. */
export function matchFolderChildren(
  localParent: BookmarkNode,
  remoteParent: BookmarkNode,
  local: SideView,
  remote: SideView,
  mirror: BookmarkTree,
): FolderMatches {
  const candidates = new Map<string, BookmarkNode[]>();
  localParent.children.forEach((guid, index) => {
    const node = local.get(guid);
    if (!node || node.virtual || isRootGuid(guid)) return;
    if (mirror.nodes.has(guid) || remote.has(guid) || remote.isDeleted(guid)) return;
    const key = contentKey(node, index);
    const list = candidates.get(key) ?? [];
    list.push(node);
    candidates.set(key, list);
  });
  const localToRemote = new Map<string, BookmarkNode>();
  const remoteToLocal = new Map<string, BookmarkNode>();
  remoteParent.children.forEach((guid, index) => {
    const node = remote.get(guid);
    if (!node || isRootGuid(guid)) return;
    if (mirror.nodes.has(guid) || local.has(guid) || local.isDeleted(guid)) return;
    const match = candidates.get(contentKey(node, index))?.shift();
    if (!match) return;
    localToRemote.set(match.guid, node);
    remoteToLocal.set(guid, match);
  });
  return { localToRemote, remoteToLocal };
}
