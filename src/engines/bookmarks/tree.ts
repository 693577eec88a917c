// The bookmark tree model the merger works on: nodes by GUID, each with one parent and an ordered
// child list. Trees are built from server records (remote side, mirror) or from a local snapshot,
// and building repairs what real data contains: orphans, items claimed by two folders, cycles and
// missing roots. The repairs are deterministic so that every client reaches the same tree.

import {
  FORBIDDEN_PARENT_IDS,
  FORBIDDEN_RECORD_IDS,
  ROOT_GUID,
  UNFILED_GUID,
  USER_ROOT_GUIDS,
  isRootGuid,
  isTombstone,
  recordIdToGuid,
} from './record.ts';
import type { BookmarkItem, BookmarkKind, BookmarkRecord } from './record.ts';

export interface BookmarkNode {
  readonly guid: string;
  readonly kind: BookmarkKind;
  /** Null only for the Places root. */
  readonly parentGuid: string | null;
  readonly children: readonly string[];
  readonly title: string;
  readonly url: string | null;
  /** Milliseconds since the epoch, when known. */
  readonly dateAdded: number | null;
  /** Last change in milliseconds, on the clock of the tree's side (local clock or server clock). */
  readonly modifiedMs: number | null;
  /**
   * The source says this item changed since the last sync (server: it arrived in this download).
   * The merge diffs against the mirror; on the server side a flagged record newer than the
   * mirror's copy also counts as touched when this browser deleted it (see `SideView.changed`).
   */
  readonly needsMerge: boolean;
  /** Remote and mirror trees: the record as stored on the server, unknown fields included. */
  readonly record?: BookmarkItem;
  /** Local tree only: kept from the mirror because this browser cannot show it. */
  readonly virtual?: boolean;
}

export type TreeProblemKind = 'orphan' | 'multipleParents' | 'parentMismatch' | 'cycle' | 'missingRoot'
  | 'forbidden' | 'duplicate' | 'missingChild';

export interface TreeProblem {
  kind: TreeProblemKind;
  guid: string;
}

export interface BookmarkTree {
  readonly nodes: ReadonlyMap<string, BookmarkNode>;
  /** GUIDs known deleted on this side (tombstones). */
  readonly deletions: ReadonlySet<string>;
  /** Items whose stored structure disagreed with the repaired tree; they need reuploading. */
  readonly diverged: ReadonlySet<string>;
  readonly problems: readonly TreeProblem[];
}

/** One server record with its BSO modified time (seconds). */
export interface RecordEntry {
  record: BookmarkRecord;
  modifiedS?: number;
  needsMerge?: boolean;
}

/** One item of the local snapshot, as the browser side reads it from `bookmarks.getTree()`. */
export interface LocalItem {
  guid: string;
  parentGuid: string | null;
  kind: BookmarkKind;
  title?: string | null;
  url?: string | null;
  index: number;
  dateAdded?: number | null;
  lastModified?: number | null;
  needsMerge?: boolean;
}

/** What both builders feed the shared repair step. */
interface RawItem {
  node: Omit<BookmarkNode, 'parentGuid' | 'children'>;
  parentHint: string | null;
  childrenHint: readonly string[];
  order: number;
}

function syntheticRoot(guid: string, order: number): RawItem {
  return {
    node: { guid, kind: 'folder', title: '', url: null, dateAdded: null, modifiedMs: null, needsMerge: false },
    parentHint: guid === ROOT_GUID ? null : ROOT_GUID,
    childrenHint: guid === ROOT_GUID ? USER_ROOT_GUIDS : [],
    order,
  };
}

function holdsChildren(kind: BookmarkKind): boolean {
  return kind === 'folder';
}

/**
 * Resolves parents and child order. A child listed by several folders goes to the one its own
 * parentid names, else to the most recently modified lister (first listed on ties); an item no
 * folder lists goes to its parentid folder (appended), else to unfiled. Cycles are cut at their
 * smallest GUID, which moves to unfiled.
 */
function assemble(raw: Map<string, RawItem>, problems: TreeProblem[], deletions: Set<string>): BookmarkTree {
  for (const [i, guid] of [ROOT_GUID, ...USER_ROOT_GUIDS].entries()) {
    if (!raw.has(guid)) {
      raw.set(guid, syntheticRoot(guid, -10 + i));
      if (guid !== ROOT_GUID) problems.push({ kind: 'missingRoot', guid });
    }
  }
  const items = [...raw.values()].sort((a, b) => a.order - b.order);
  const diverged = new Set<string>();
  const listers = new Map<string, string[]>();
  for (const item of items) {
    if (!holdsChildren(item.node.kind)) continue;
    const seen = new Set<string>();
    for (const child of item.childrenHint) {
      if (seen.has(child)) continue;
      seen.add(child);
      const target = raw.get(child);
      // Only the Places root holds the user roots, and it holds nothing else.
      const misplacedRoot = USER_ROOT_GUIDS.includes(child) !== (item.node.guid === ROOT_GUID);
      if (!target || child === ROOT_GUID || child === item.node.guid || misplacedRoot) {
        if (!target) problems.push({ kind: 'missingChild', guid: child });
        diverged.add(item.node.guid);
        continue;
      }
      const list = listers.get(child) ?? [];
      list.push(item.node.guid);
      listers.set(child, list);
    }
  }
  const parentOf = new Map<string, string>();
  for (const item of items) {
    const guid = item.node.guid;
    if (guid === ROOT_GUID) continue;
    if (USER_ROOT_GUIDS.includes(guid)) {
      parentOf.set(guid, ROOT_GUID);
      continue;
    }
    const byChildren = listers.get(guid) ?? [];
    let parent: string | undefined;
    if (item.parentHint !== null && byChildren.includes(item.parentHint)) parent = item.parentHint;
    else if (byChildren.length > 0) {
      parent = byChildren.reduce((best, g) =>
        (raw.get(g)?.node.modifiedMs ?? 0) > (raw.get(best)?.node.modifiedMs ?? 0) ? g : best);
      problems.push({ kind: byChildren.length > 1 ? 'multipleParents' : 'parentMismatch', guid });
    } else {
      const hinted = item.parentHint === null ? undefined : raw.get(item.parentHint);
      if (hinted && holdsChildren(hinted.node.kind) && hinted.node.guid !== ROOT_GUID && hinted.node.guid !== guid) {
        parent = hinted.node.guid;
        diverged.add(parent);
      } else {
        parent = UNFILED_GUID;
        problems.push({ kind: 'orphan', guid });
        diverged.add(UNFILED_GUID);
      }
    }
    if (parent !== item.parentHint) diverged.add(guid);
    for (const lister of byChildren) if (lister !== parent) diverged.add(lister);
    parentOf.set(guid, parent);
  }
  const childrenOf = new Map<string, string[]>();
  const listed = new Set<string>(); // children already in their parent's list (one parent each)
  for (const item of items) {
    if (!holdsChildren(item.node.kind)) continue;
    const list: string[] = [];
    for (const child of item.childrenHint) {
      if (parentOf.get(child) === item.node.guid && !listed.has(child)) {
        listed.add(child);
        list.push(child);
      }
    }
    childrenOf.set(item.node.guid, list);
  }
  for (const item of items) {
    const parent = parentOf.get(item.node.guid);
    if (parent === undefined) continue;
    const list = childrenOf.get(parent);
    if (list && !listed.has(item.node.guid)) {
      listed.add(item.node.guid);
      list.push(item.node.guid);
    }
  }
  childrenOf.set(ROOT_GUID, [...USER_ROOT_GUIDS]);
  breakCycles(items.map((i) => i.node.guid), parentOf, childrenOf, problems, diverged);

  const nodes = new Map<string, BookmarkNode>();
  for (const item of items) {
    const n = item.node;
    const guid = n.guid;
    // Field by field, not a spread of `n`: one object shape for every node (`record` undefined on
    // the local side), and spreading ten thousand nodes was a fifth of a 10,000-bookmark merge.
    nodes.set(guid, {
      guid, kind: n.kind, parentGuid: parentOf.get(guid) ?? null, children: childrenOf.get(guid) ?? [],
      title: n.title, url: n.url, dateAdded: n.dateAdded, modifiedMs: n.modifiedMs, needsMerge: n.needsMerge,
      record: n.record,
    });
    deletions.delete(guid);
  }
  for (const guid of deletions) if (isRootGuid(guid)) deletions.delete(guid);
  return { nodes, deletions, diverged, problems };
}

function breakCycles(
  guids: readonly string[],
  parentOf: Map<string, string>,
  childrenOf: Map<string, string[]>,
  problems: TreeProblem[],
  diverged: Set<string>,
): void {
  const reachable = new Set<string>();
  const mark = (start: string): void => {
    const stack = [start];
    while (stack.length > 0) {
      const g = stack.pop() as string;
      if (reachable.has(g)) continue;
      reachable.add(g);
      for (const c of childrenOf.get(g) ?? []) stack.push(c);
    }
  };
  mark(ROOT_GUID);
  // Only the unreached need an order (usually none): sorting every GUID cost more than the walk.
  for (const start of guids.filter((g) => !reachable.has(g)).sort()) {
    if (reachable.has(start)) continue;
    // Walk up until we revisit a node: everything from that node on is the cycle.
    const path: string[] = [];
    let cur: string | undefined = start;
    while (cur !== undefined && !path.includes(cur) && !reachable.has(cur)) {
      path.push(cur);
      cur = parentOf.get(cur);
    }
    if (cur === undefined || reachable.has(cur)) continue;
    const cycle = path.slice(path.indexOf(cur));
    const cut = [...cycle].sort()[0] as string;
    const oldParent = parentOf.get(cut);
    if (oldParent !== undefined) {
      const siblings = childrenOf.get(oldParent);
      if (siblings) siblings.splice(siblings.indexOf(cut), 1);
      diverged.add(oldParent);
    }
    parentOf.set(cut, UNFILED_GUID);
    childrenOf.get(UNFILED_GUID)?.push(cut);
    diverged.add(cut);
    diverged.add(UNFILED_GUID);
    problems.push({ kind: 'cycle', guid: cut });
    mark(cut);
  }
}

/** Builds the server-side tree (remote or mirror) from records; tombstones become deletions. */
export function buildTreeFromRecords(entries: readonly RecordEntry[]): BookmarkTree {
  const raw = new Map<string, RawItem>();
  const deletions = new Set<string>();
  const problems: TreeProblem[] = [];
  entries.forEach((entry, order) => {
    const { record } = entry;
    const guid = recordIdToGuid(record.id);
    if (isTombstone(record)) {
      deletions.add(guid);
      return;
    }
    if (FORBIDDEN_RECORD_IDS.includes(record.id) || FORBIDDEN_PARENT_IDS.includes(record.parentid ?? '')) {
      problems.push({ kind: 'forbidden', guid });
      return;
    }
    if (raw.has(guid)) {
      problems.push({ kind: 'duplicate', guid });
      return;
    }
    const isFolderish = record.type === 'folder' || record.type === 'livemark';
    raw.set(guid, {
      node: {
        guid,
        kind: isRootGuid(guid) ? 'folder' : record.type,
        title: record.type === 'separator' ? '' : record.title,
        url: record.type === 'bookmark' || record.type === 'query' ? record.bmkUri : null,
        dateAdded: record.dateAdded ?? null,
        modifiedMs: entry.modifiedS === undefined ? null : Math.round(entry.modifiedS * 1000),
        needsMerge: entry.needsMerge ?? false,
        record,
      },
      parentHint: record.parentid === undefined ? null : recordIdToGuid(record.parentid),
      childrenHint: isFolderish ? record.children.map(recordIdToGuid) : [],
      order,
    });
  });
  return assemble(raw, problems, deletions);
}

/** Builds the local tree from the browser snapshot; children are ordered by `index`. */
export function buildTreeFromLocal(items: readonly LocalItem[], deleted: Iterable<string> = []): BookmarkTree {
  const raw = new Map<string, RawItem>();
  const problems: TreeProblem[] = [];
  const byParent = new Map<string, Array<{ guid: string; index: number; order: number }>>();
  items.forEach((item, order) => {
    if (raw.has(item.guid)) {
      problems.push({ kind: 'duplicate', guid: item.guid });
      return;
    }
    raw.set(item.guid, {
      node: {
        guid: item.guid,
        kind: isRootGuid(item.guid) ? 'folder' : item.kind,
        title: item.title ?? '',
        url: item.kind === 'bookmark' || item.kind === 'query' ? item.url ?? '' : null,
        dateAdded: item.dateAdded ?? null,
        modifiedMs: item.lastModified ?? item.dateAdded ?? null,
        needsMerge: item.needsMerge ?? false,
      },
      parentHint: item.guid === ROOT_GUID ? null : item.parentGuid,
      childrenHint: [],
      order,
    });
    if (item.parentGuid !== null) {
      const list = byParent.get(item.parentGuid) ?? [];
      list.push({ guid: item.guid, index: item.index, order });
      byParent.set(item.parentGuid, list);
    }
  });
  for (const [parent, list] of byParent) {
    const p = raw.get(parent);
    if (!p) continue;
    list.sort((a, b) => a.index - b.index || a.order - b.order);
    p.childrenHint = list.map((c) => c.guid);
  }
  return assemble(raw, problems, new Set(deleted));
}

/** The server state after applying `incoming` on top of the `mirror` records, by record id. */
export function overlayRecords(mirror: readonly RecordEntry[], incoming: readonly RecordEntry[]): RecordEntry[] {
  const byId = new Map<string, RecordEntry>();
  for (const e of mirror) byId.set(e.record.id, e);
  for (const e of incoming) byId.set(e.record.id, e);
  return [...byId.values()];
}

/** GUIDs from `guid` up to the Places root, nearest first (excluding `guid`). */
export function ancestorsOf(tree: BookmarkTree, guid: string): string[] {
  const out: string[] = [];
  let cur = tree.nodes.get(guid)?.parentGuid ?? null;
  while (cur !== null && !out.includes(cur)) {
    out.push(cur);
    cur = tree.nodes.get(cur)?.parentGuid ?? null;
  }
  return out;
}

/** Depth-first, parents before children, in child order. */
export function* walkTree(tree: BookmarkTree, from = ROOT_GUID): Generator<BookmarkNode> {
  const stack = [from];
  while (stack.length > 0) {
    const node = tree.nodes.get(stack.pop() as string);
    if (!node) continue;
    yield node;
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i] as string);
  }
}
