// The structural merge, in the manner of Firefox's dogear: walk both trees from the roots, match
// items by GUID (or by content for new items), and decide for each item which side's values and
// which side's child order to take, where it lives, and whether it survives a deletion on the
// other side. Changes are measured against the mirror, so "changed" means changed since last sync.

import { ROOT_GUID, UNFILED_GUID, USER_ROOT_GUIDS } from '../record.ts';
import type { BookmarkNode, BookmarkTree } from '../tree.ts';
import { walkTree } from '../tree.ts';
import { matchFolderChildren } from './dedupe.ts';
import type { FolderMatches } from './dedupe.ts';
import { kindGroup, sameUrl } from './sides.ts';
import type { SideView } from './sides.ts';

export type Side = 'local' | 'remote';

export interface MergedNode {
  /** The GUID both sides end with (the server's when a local item was deduped). */
  guid: string;
  local?: BookmarkNode;
  remote?: BookmarkNode;
  /**
   * Whose value each field takes: `title`, and `url` (with the kind). Fields are merged one by
   * one; the server record's other fields (tags, keyword, description, unknown ones) are the base
   * of every upload, since a browser cannot change them.
   */
  fields: FieldSides;
  children: MergedNode[];
}

export interface WalkCounts {
  dupes: number;
  remoteRevives: number;
  localRevives: number;
  localDeletes: number;
  remoteDeletes: number;
  rescued: number;
}

export interface FieldSides {
  title: Side;
  url: Side;
}

const LOCAL_FIELDS: FieldSides = { title: 'local', url: 'local' };
const REMOTE_FIELDS: FieldSides = { title: 'remote', url: 'remote' };

type StructureChange = 'unchanged' | 'moved' | 'deleted';
type Resolution = 'local' | 'remote' | 'unchanged';

const isUserRoot = (guid: string): boolean => USER_ROOT_GUIDS.includes(guid);
const isFolder = (node: BookmarkNode): boolean => kindGroup(node.kind) === 'folder';

export class TreeWalk {
  readonly merged = new Set<string>();
  readonly deleteLocally = new Set<string>();
  readonly deleteRemotely = new Set<string>();
  /** Local GUID → server GUID for deduped items. */
  readonly dupes = new Map<string, string>();
  readonly counts: WalkCounts = { dupes: 0, remoteRevives: 0, localRevives: 0, localDeletes: 0, remoteDeletes: 0, rescued: 0 };
  private readonly matchesByLocalParent = new Map<string, FolderMatches>();

  constructor(
    private readonly local: SideView,
    private readonly remote: SideView,
    private readonly mirror: BookmarkTree,
  ) {}

  run(): MergedNode {
    const root = this.twoWay(this.local.get(ROOT_GUID) as BookmarkNode, this.remote.get(ROOT_GUID) as BookmarkNode);
    for (const guid of this.local.tree.deletions) if (!this.mentions(guid)) this.deleteRemotely.add(guid);
    for (const guid of this.remote.tree.deletions) if (!this.mentions(guid)) this.deleteLocally.add(guid);
    this.rescueUnreached(root);
    return root;
  }

  private mentions(guid: string): boolean {
    return this.merged.has(guid) || this.deleteLocally.has(guid) || this.deleteRemotely.has(guid);
  }

  /** Never lose an item because the walk missed it: whatever is left goes to unfiled. */
  private rescueUnreached(root: MergedNode): void {
    const unfiled = root.children.find((c) => c.guid === UNFILED_GUID);
    if (!unfiled) return;
    for (const side of [this.remote, this.local]) {
      for (const node of walkTree(side.tree)) {
        if (this.mentions(node.guid) || node.virtual) continue;
        const other = (side === this.local ? this.remote : this.local).get(node.guid);
        const m = other === undefined
          ? side === this.local ? this.localOnly(node) : this.remoteOnly(node)
          : side === this.local ? this.twoWay(node, other) : this.twoWay(other, node);
        unfiled.children.push(m);
        this.counts.rescued++;
      }
    }
  }

  private localOnly(local: BookmarkNode): MergedNode {
    this.merged.add(local.guid);
    const merged: MergedNode = { guid: local.guid, local, fields: LOCAL_FIELDS, children: [] };
    for (const child of this.childrenOf(this.local, local)) this.mergeLocalChild(merged, local, undefined, child);
    return merged;
  }

  private remoteOnly(remote: BookmarkNode): MergedNode {
    this.merged.add(remote.guid);
    const merged: MergedNode = { guid: remote.guid, remote, fields: REMOTE_FIELDS, children: [] };
    for (const child of this.childrenOf(this.remote, remote)) this.mergeRemoteChild(merged, undefined, remote, child);
    return merged;
  }

  private childrenOf(side: SideView, node: BookmarkNode): BookmarkNode[] {
    return node.children.map((g) => side.get(g)).filter((n): n is BookmarkNode => n !== undefined);
  }

  private twoWay(local: BookmarkNode, remote: BookmarkNode): MergedNode {
    this.merged.add(remote.guid);
    this.merged.add(local.guid);
    const [fields, childSide] = this.resolveValue(local, remote);
    const merged: MergedNode = { guid: remote.guid, local, remote, fields, children: [] };
    const mergeLocal = (): void => {
      for (const child of this.childrenOf(this.local, local)) this.mergeLocalChild(merged, local, remote, child);
    };
    const mergeRemote = (): void => {
      for (const child of this.childrenOf(this.remote, remote)) this.mergeRemoteChild(merged, local, remote, child);
    };
    if (kindGroup(local.kind) !== kindGroup(remote.kind)) {
      // One GUID, two kinds: the server's item wins; the local folder's children (if any) are
      // left for the rescue pass, which keeps them in unfiled.
      mergeRemote();
    } else if (childSide === 'local') {
      mergeLocal();
      mergeRemote();
    } else {
      mergeRemote();
      mergeLocal();
    }
    return merged;
  }

  private newer(local: BookmarkNode, remote: BookmarkNode): Side {
    return this.local.age(local.guid) < this.remote.age(remote.guid) ? 'local' : 'remote';
  }

  /**
   * Whose value each field takes, and whose child order is the base (the other side's new
   * children are appended). The mirror is the common ancestor, so fields merge one by one: a
   * field changed on one side takes that side's value; changed on both, the newer edit, unless
   * both made the same change (then the server's spelling, so nothing goes up again). User roots
   * keep the server's values (their titles are Places internals); one GUID with two kinds is the
   * server's item. Order: the side whose child list changed; if both, the one that reordered (the
   * other only added or removed), else the newer.
   */
  private resolveValue(local: BookmarkNode, remote: BookmarkNode): [FieldSides, Side] {
    if (remote.guid === ROOT_GUID) return [LOCAL_FIELDS, 'local'];
    if (kindGroup(local.kind) !== kindGroup(remote.kind)) return [REMOTE_FIELDS, 'remote'];
    const order: Side = this.orderSide(local, remote) === 'local' ? 'local' : 'remote';
    if (isUserRoot(remote.guid)) return [REMOTE_FIELDS, order];
    const field = (localChanged: boolean, remoteChanged: boolean, same: boolean): Side => {
      if (localChanged && remoteChanged) return same ? 'remote' : this.newer(local, remote);
      return localChanged ? 'local' : 'remote';
    };
    const fields: FieldSides = {
      title: field(this.local.titleChanged(local.guid), this.remote.titleChanged(remote.guid), local.title === remote.title),
      url: field(this.local.urlChanged(local.guid), this.remote.urlChanged(remote.guid),
        sameUrl(local.url, remote.url)),
    };
    return [fields, order];
  }

  private orderSide(local: BookmarkNode, remote: BookmarkNode): Resolution {
    const ls = this.local.childrenChanged(local.guid);
    const rs = this.remote.childrenChanged(remote.guid);
    if (ls && rs) {
      const lr = this.local.reordered(local.guid);
      const rr = this.remote.reordered(remote.guid);
      return lr !== rr ? (lr ? 'local' : 'remote') : this.newer(local, remote);
    }
    return ls ? 'local' : rs ? 'remote' : 'unchanged';
  }

  /** Where a child that is in different folders on the two sides should live. */
  private resolveStructure(localParent: BookmarkNode, localChild: BookmarkNode,
    remoteParent: BookmarkNode, remoteChild: BookmarkNode): Resolution {
    if (isUserRoot(remoteChild.guid)) return 'local';
    // Same folder on both sides: the position follows the folder's chosen order.
    if (localParent.guid === remoteParent.guid) return this.orderSide(localParent, remoteParent);
    // What this browser cannot hold (put back from the mirror) it never moved: the server's place stands.
    if (localChild.virtual) return 'remote';
    const lc = this.local.childrenChanged(localParent.guid);
    const rc = this.remote.childrenChanged(remoteParent.guid);
    if (lc && rc) {
      const localAge = Math.min(this.local.age(localChild.guid), this.local.age(localParent.guid));
      const remoteAge = Math.min(this.remote.age(remoteChild.guid), this.remote.age(remoteParent.guid));
      return localAge < remoteAge ? 'local' : 'remote';
    }
    if (lc) return 'local';
    if (rc) return 'remote';
    return 'unchanged';
  }

  private mergeRemoteChild(merged: MergedNode, localParent: BookmarkNode | undefined,
    remoteParent: BookmarkNode, remoteChild: BookmarkNode): void {
    if (this.merged.has(remoteChild.guid)) return;
    if (this.localChangeOfRemote(merged, remoteParent, remoteChild) === 'deleted') return;
    const localChild = this.local.get(remoteChild.guid);
    if (localChild) {
      const localChildParent = this.local.get(localChild.parentGuid ?? '') as BookmarkNode;
      if (this.remote.isDeleted(localChildParent.guid)
        || this.resolveStructure(localChildParent, localChild, remoteParent, remoteChild) !== 'local') {
        merged.children.push(this.twoWay(localChild, remoteChild));
      }
      // Otherwise the newer local position wins; the child is merged under its local parent.
      return;
    }
    const match = localParent === undefined ? undefined : this.matchesFor(localParent, remoteParent).remoteToLocal.get(remoteChild.guid);
    if (match && !this.merged.has(match.guid)) {
      this.noteDupe(match.guid, remoteChild.guid);
      merged.children.push(this.twoWay(match, remoteChild));
    } else {
      merged.children.push(this.remoteOnly(remoteChild));
    }
  }

  private mergeLocalChild(merged: MergedNode, localParent: BookmarkNode,
    remoteParent: BookmarkNode | undefined, localChild: BookmarkNode): void {
    if (this.merged.has(localChild.guid)) return;
    if (this.remoteChangeOfLocal(merged, localParent, localChild) === 'deleted') return;
    const remoteChild = this.remote.get(localChild.guid);
    if (remoteChild) {
      const remoteChildParent = this.remote.get(remoteChild.parentGuid ?? '') as BookmarkNode;
      if (this.local.isDeleted(remoteChildParent.guid)
        || this.resolveStructure(localParent, localChild, remoteChildParent, remoteChild) === 'local') {
        merged.children.push(this.twoWay(localChild, remoteChild));
      }
      // Otherwise the remote position wins; the child is merged under its remote parent.
      return;
    }
    const match = remoteParent === undefined ? undefined : this.matchesFor(localParent, remoteParent).localToRemote.get(localChild.guid);
    if (match && !this.merged.has(match.guid)) {
      this.noteDupe(localChild.guid, match.guid);
      merged.children.push(this.twoWay(localChild, match));
    } else {
      merged.children.push(this.localOnly(localChild));
    }
  }

  private noteDupe(localGuid: string, remoteGuid: string): void {
    this.dupes.set(localGuid, remoteGuid);
    this.counts.dupes++;
  }

  private matchesFor(localParent: BookmarkNode, remoteParent: BookmarkNode): FolderMatches {
    let m = this.matchesByLocalParent.get(localParent.guid);
    if (!m) {
      m = matchFolderChildren(localParent, remoteParent, this.local, this.remote, this.mirror);
      this.matchesByLocalParent.set(localParent.guid, m);
    }
    return m;
  }

  /**
   * Was this remote item moved or deleted locally? A local deletion loses to a remote edit of a
   * non-folder (revive); a deleted folder stays deleted but its surviving remote descendants move
   * up into `merged`.
   */
  private localChangeOfRemote(merged: MergedNode, remoteParent: BookmarkNode, remoteNode: BookmarkNode): StructureChange {
    if (isUserRoot(remoteNode.guid)) return 'unchanged';
    if (!this.local.isDeleted(remoteNode.guid)) {
      const localNode = this.local.get(remoteNode.guid);
      return localNode && localNode.parentGuid !== remoteParent.guid ? 'moved' : 'unchanged';
    }
    if (this.remote.changed(remoteNode.guid)) {
      if (!isFolder(remoteNode)) {
        this.counts.remoteRevives++;
        return 'unchanged';
      }
      this.counts.localDeletes++;
    }
    this.deleteRemotely.add(remoteNode.guid);
    if (isFolder(remoteNode)) this.relocateRemoteOrphans(merged, remoteNode);
    return 'deleted';
  }

  private remoteChangeOfLocal(merged: MergedNode, localParent: BookmarkNode, localNode: BookmarkNode): StructureChange {
    if (isUserRoot(localNode.guid)) return 'unchanged';
    if (!this.remote.isDeleted(localNode.guid)) {
      const remoteNode = this.remote.get(localNode.guid);
      return remoteNode && remoteNode.parentGuid !== localParent.guid ? 'moved' : 'unchanged';
    }
    if (this.local.changed(localNode.guid)) {
      if (!isFolder(localNode)) {
        this.counts.localRevives++;
        return 'unchanged';
      }
      this.counts.remoteDeletes++;
    }
    this.deleteLocally.add(localNode.guid);
    if (isFolder(localNode)) this.relocateLocalOrphans(merged, localNode);
    return 'deleted';
  }

  private relocateRemoteOrphans(merged: MergedNode, remoteFolder: BookmarkNode): void {
    for (const child of this.childrenOf(this.remote, remoteFolder)) {
      if (this.merged.has(child.guid)) continue;
      if (this.localChangeOfRemote(merged, remoteFolder, child) !== 'unchanged') continue;
      const localChild = this.local.get(child.guid);
      merged.children.push(localChild ? this.twoWay(localChild, child) : this.remoteOnly(child));
    }
  }

  private relocateLocalOrphans(merged: MergedNode, localFolder: BookmarkNode): void {
    for (const child of this.childrenOf(this.local, localFolder)) {
      if (this.merged.has(child.guid)) continue;
      if (this.remoteChangeOfLocal(merged, localFolder, child) !== 'unchanged') continue;
      const remoteChild = this.remote.get(child.guid);
      merged.children.push(remoteChild ? this.twoWay(child, remoteChild) : this.localOnly(child));
    }
  }
}
