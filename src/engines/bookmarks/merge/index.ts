// mergeTrees: the three-way bookmark merge (local, server, and the mirror of the last sync).
// See ../README.md for the model and the rules.

import { ROOT_GUID, isRootGuid } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { BookmarkNode, BookmarkTree } from '../tree.ts';
import { buildTreeFromRecords } from '../tree.ts';
import { planLocalOps } from './localOps.ts';
import { SideView, augmentLocal } from './sides.ts';
import type { Representability } from './sides.ts';
import { planUploads } from './uploads.ts';
import type { MergedItem } from './uploads.ts';
import { TreeWalk } from './walk.ts';
import type { MergedNode, Side } from './walk.ts';
import type { LocalOp, MergeInput, MergeResult, MergeStats } from './types.ts';

export type { LocalOp, MergeInput, MergeResult, MergeStats } from './types.ts';
export { isRepresentable } from './localOps.ts';

/** `servers` are consulted in order for the record an item already has on the server. */
function flatten(root: MergedNode, servers: readonly BookmarkTree[]): MergedItem[] {
  const out: MergedItem[] = [];
  const visit = (m: MergedNode, parentGuid: string): void => {
    const from = (side: Side): BookmarkNode => (side === 'local' ? m.local ?? m.remote : m.remote ?? m.local) as BookmarkNode;
    // Fields merge one by one; the kind goes with the URL (a query is a bookmark with a place: URL).
    const titleFrom = from(m.fields.title);
    const urlFrom = from(m.fields.url);
    const dates = [m.local?.dateAdded, m.remote?.dateAdded].filter((d): d is number => typeof d === 'number');
    out.push({
      guid: m.guid,
      kind: urlFrom.kind,
      parentGuid,
      children: m.children.map((c) => c.guid),
      title: titleFrom.title,
      url: urlFrom.url,
      dateAdded: dates.length > 0 ? Math.min(...dates) : null,
      base: m.remote?.record ?? servers.map((t) => t.nodes.get(m.guid)?.record).find((r) => r) ?? m.local?.record,
    });
    for (const child of m.children) visit(child, m.guid);
  };
  visit(root, '');
  return out;
}

function countItems(tree: BookmarkTree): number {
  let n = 0;
  for (const node of tree.nodes.values()) if (!isRootGuid(node.guid)) n++;
  return n;
}

function countOps(ops: readonly LocalOp[], type: LocalOp['type']): number {
  return ops.filter((op) => op.type === type).length;
}

/** Local → server GUID pairs a first-sync merge would dedupe. */
function pairsByContent(input: MergeInput, rep: Representability): ReadonlyMap<string, string> {
  const nothing = buildTreeFromRecords([]);
  const local = new SideView(augmentLocal(input.localView ?? input.local, nothing, rep), nothing, input.localTimeMs, false);
  const remote = new SideView(input.remote, nothing, input.remoteTimeS * 1000, true);
  const walk = new TreeWalk(local, remote, nothing);
  walk.run();
  return walk.dupes;
}

export function mergeTrees(input: MergeInput): MergeResult {
  const rep: Representability = {
    unsupportedKinds: new Set<BookmarkKind>([...(input.unsupportedKinds ?? []), 'livemark']),
    unsupportedRoots: new Set(input.unsupportedRoots ?? []),
    unsupportedGuids: new Set(input.unsupportedGuids ?? []),
  };
  const strategy = input.strategy ?? 'merge';
  // The one-sided strategies merge one side against nothing: the result is that side, and the
  // usual planners turn it into local operations and uploads. Keeping the local side still keeps
  // what this browser cannot show, taken from the server.
  const nothing = buildTreeFromRecords([]);
  const base = strategy === 'merge' ? input.mirror : nothing;
  // What this browser cannot show comes back from the mirror, or after a reset from what was carried.
  const known = input.carried && [...input.mirror.nodes.keys()].every(isRootGuid) ? input.carried : input.mirror;
  const augmented = strategy === 'takeRemote' ? nothing
    : augmentLocal(input.localView ?? input.local, strategy === 'keepLocal' ? input.remote : known, rep);
  const local = new SideView(augmented, base, input.localTimeMs, false);
  const remote = new SideView(strategy === 'keepLocal' ? nothing : input.remote, base, input.remoteTimeS * 1000, true);
  const walk = new TreeWalk(local, remote, base);
  const root = walk.run();
  // Taking the server's tree still keeps local items that match server items by content (they
  // take the server's GUID instead of being deleted and created again).
  const dupes = strategy === 'takeRemote' ? pairsByContent(input, rep) : walk.dupes;

  const items = flatten(root, [input.remote, input.mirror, ...(input.carried ? [input.carried] : [])]);
  const plan = planUploads(items, input.remote);
  const nodes = new Map<string, BookmarkNode>();
  for (const item of items) {
    const record = plan.records.get(item.guid);
    nodes.set(item.guid, {
      guid: item.guid,
      kind: item.kind,
      parentGuid: item.guid === ROOT_GUID ? null : item.parentGuid,
      children: item.children,
      title: item.title,
      url: item.url,
      dateAdded: item.dateAdded,
      modifiedMs: null,
      needsMerge: false,
      record,
    });
  }
  const merged: BookmarkTree = { nodes, deletions: new Set(), diverged: new Set(), problems: [] };
  const localOps = planLocalOps(input.local, merged, dupes, rep);

  const stats: MergeStats = {
    localItems: countItems(input.local),
    remoteItems: countItems(input.remote),
    mergedItems: countItems(merged),
    created: countOps(localOps, 'create'),
    updated: countOps(localOps, 'update'),
    moved: countOps(localOps, 'move'),
    deletionsLocal: countOps(localOps, 'delete'),
    uploaded: plan.uploads.length - plan.tombstones,
    createdRemote: plan.createdRemote,
    deletionsRemote: plan.tombstones,
    ...walk.counts,
  };
  return { merged, localOps, uploads: plan.uploads, serverRecords: plan.serverRecords, stats };
}
