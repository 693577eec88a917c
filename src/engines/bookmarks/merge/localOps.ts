// Turns "the browser has tree A, it must have tree B" into browser operations that are valid to
// apply one at a time. Folders are filled in tree order, each child placed at its final index, so
// a parent always exists before its children and earlier siblings are already in place. An item
// only ever moves to a lower index within its own folder, which sidesteps Chromium's off-by-one
// for moves to a higher index in the same parent. Deletes run deepest first: items with nothing
// surviving inside go before everything else, folders that still hold survivors go last.

import { ROOT_GUID, UNFILED_GUID, isRootGuid } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { BookmarkTree } from '../tree.ts';
import { ancestorsOf, walkTree } from '../tree.ts';
import { kindGroup, sameUrl } from './sides.ts';
import type { Representability } from './sides.ts';
import { isUnsupportedItem } from './sides.ts';
import type { LocalOp } from './types.ts';

/** True when the browser can hold the merged item where it sits. */
export function isRepresentable(merged: BookmarkTree, guid: string, rep: Representability): boolean {
  const node = merged.nodes.get(guid);
  if (!node || isRootGuid(guid) || isUnsupportedItem(rep, node)) return false;
  return !ancestorsOf(merged, guid).some((a) => rep.unsupportedRoots.has(a));
}

interface Placed {
  parent: string;
  kind: BookmarkKind;
  title: string;
  url: string | null;
}

export function planLocalOps(
  local: BookmarkTree,
  merged: BookmarkTree,
  dupes: ReadonlyMap<string, string>,
  rep: Representability,
): LocalOp[] {
  const ops: LocalOp[] = [];
  // isRepresentable for every merged item in one walk, parents before children (asking it per
  // item walked up to the root each time, twice per item).
  const representable = new Set<string>();
  const underUnsupportedRoot = new Set<string>();
  for (const node of walkTree(merged)) {
    const parent = node.parentGuid;
    if (parent !== null && (underUnsupportedRoot.has(parent) || rep.unsupportedRoots.has(parent))) underUnsupportedRoot.add(node.guid);
    else if (!isRootGuid(node.guid) && !isUnsupportedItem(rep, node)) representable.add(node.guid);
  }
  const items = new Map<string, Placed>();
  const folders = new Map<string, string[]>();
  const depth = new Map<string, number>();
  for (const node of walkTree(local)) {
    const parentDepth = node.parentGuid === null ? -1 : depth.get(node.parentGuid) ?? 0;
    depth.set(node.guid, parentDepth + 1);
    items.set(node.guid, { parent: node.parentGuid ?? '', kind: node.kind, title: node.title, url: node.url });
    folders.set(node.guid, [...node.children]);
  }
  for (const [from, to] of dupes) {
    const item = items.get(from);
    if (!item) continue;
    ops.push({ type: 'changeGuid', from, to });
    items.delete(from);
    items.set(to, item);
    const siblings = folders.get(item.parent);
    if (siblings) siblings[siblings.indexOf(from)] = to;
    folders.set(to, folders.get(from) ?? []);
    folders.delete(from);
    for (const child of folders.get(to) ?? []) {
      const c = items.get(child);
      if (c) c.parent = to;
    }
    depth.set(to, depth.get(from) ?? 0);
  }
  const removeFrom = (guid: string, parent: string): void => {
    const list = folders.get(parent);
    const at = list ? list.indexOf(guid) : -1;
    if (list && at >= 0) list.splice(at, 1);
  };

  // Items that leave the browser. Those with nothing surviving inside go first, so they never
  // shift the indexes below; folders that still hold survivors go last, once emptied.
  const doomed = new Set([...items.keys()].filter((g) => !isRootGuid(g) && !representable.has(g)));
  const holdsSurvivor = new Set<string>();
  for (const guid of items.keys()) {
    if (doomed.has(guid) || isRootGuid(guid)) continue;
    for (let p = items.get(guid)?.parent; p !== undefined && doomed.has(p) && !holdsSurvivor.has(p); p = items.get(p)?.parent) {
      holdsSurvivor.add(p);
    }
  }
  const byDepth = (list: string[]): string[] =>
    list.sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || (a < b ? -1 : a > b ? 1 : 0));
  const deleteNow = (guid: string): void => {
    const item = items.get(guid) as Placed;
    ops.push({ type: 'delete', guid, kind: item.kind });
    removeFrom(guid, item.parent);
    items.delete(guid);
  };
  for (const guid of byDepth([...doomed].filter((g) => !holdsSurvivor.has(g)))) deleteNow(guid);

  for (const folder of walkTree(merged)) {
    if (folder.guid !== ROOT_GUID && !representable.has(folder.guid) && !isRootGuid(folder.guid)) continue;
    if (folder.guid === ROOT_GUID || kindGroup(folder.kind) !== 'folder' || !folders.has(folder.guid)) continue;
    const wanted = folder.children.filter((g) => representable.has(g));
    const current = folders.get(folder.guid) as string[];
    wanted.forEach((guid, index) => {
      const target = merged.nodes.get(guid);
      if (!target) return;
      let have = items.get(guid);
      if (have && kindGroup(have.kind) !== kindGroup(target.kind)) {
        // The browser cannot change an item's kind: replace it, parking any children in unfiled
        // until their own turn comes.
        const parked = folders.get(guid) ?? [];
        const unfiled = folders.get(UNFILED_GUID) ?? [];
        for (const child of [...parked]) {
          ops.push({ type: 'move', guid: child, parentGuid: UNFILED_GUID, index: unfiled.length });
          removeFrom(child, guid);
          unfiled.push(child);
          (items.get(child) as Placed).parent = UNFILED_GUID;
        }
        deleteNow(guid);
        have = undefined;
      }
      if (!have) {
        ops.push({ type: 'create', guid, parentGuid: folder.guid, index, kind: target.kind, title: target.title, url: target.url });
        items.set(guid, { parent: folder.guid, kind: target.kind, title: target.title, url: target.url });
        folders.set(guid, []);
        current.splice(index, 0, guid);
        return;
      }
      if (have.title !== target.title || (target.url !== null && !sameUrl(have.url, target.url))) {
        ops.push({ type: 'update', guid, title: target.title, url: target.url });
        have.title = target.title;
        have.url = target.url;
      }
      if (have.parent !== folder.guid || current[index] !== guid) {
        ops.push({ type: 'move', guid, parentGuid: folder.guid, index });
        removeFrom(guid, have.parent);
        current.splice(index, 0, guid);
        have.parent = folder.guid;
      }
    });
  }

  for (const guid of byDepth([...holdsSurvivor])) deleteNow(guid);
  return ops;
}
