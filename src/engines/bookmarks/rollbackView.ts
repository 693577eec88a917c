// The local side as the merge should judge it after the browser lost the sync's own last writes
// (local/writeLog.ts): items whose state from our writes is gone are put back where the mirror
// has them, and items we removed that came back are left out. Everything else is the browser's
// tree as read. Browser-free: items in, items out.
import { isRootGuid } from './record.ts';
import type { BookmarkTree, LocalItem } from './tree.ts';

export function rollbackView(
  items: readonly LocalItem[], mirror: BookmarkTree, stale: ReadonlySet<string>, resurrected: ReadonlySet<string>,
): LocalItem[] {
  if (stale.size === 0 && resurrected.size === 0) return [...items];
  const keep = items.filter((i) => isRootGuid(i.guid) || (!stale.has(i.guid) && !resurrected.has(i.guid)));
  const byGuid = new Map(keep.map((i) => [i.guid, i]));
  const children = new Map<string, string[]>();
  for (const i of [...keep].sort((a, b) => a.index - b.index)) {
    if (i.parentGuid === null) continue;
    const list = children.get(i.parentGuid) ?? [];
    list.push(i.guid);
    children.set(i.parentGuid, list);
  }
  // Put the stale items back as the mirror has them, parents before children, each after the
  // nearest sibling before it that is present.
  const order: string[] = [];
  const visit = (guid: string): void => {
    for (const c of mirror.nodes.get(guid)?.children ?? []) {
      if (stale.has(c)) order.push(c);
      visit(c);
    }
  };
  visit('root________');
  for (const guid of order) {
    const m = mirror.nodes.get(guid);
    if (!m || m.parentGuid === null || (!byGuid.has(m.parentGuid) && !isRootGuid(m.parentGuid))) continue;
    const list = children.get(m.parentGuid) ?? [];
    const siblings = mirror.nodes.get(m.parentGuid)?.children ?? [];
    let at = 0;
    for (let k = siblings.indexOf(guid) - 1; k >= 0; k--) {
      const pos = list.indexOf(siblings[k] as string);
      if (pos >= 0) {
        at = pos + 1;
        break;
      }
    }
    list.splice(at, 0, guid);
    children.set(m.parentGuid, list);
    const item: LocalItem = {
      guid, parentGuid: m.parentGuid, kind: m.kind, title: m.title, url: m.url, index: 0,
      dateAdded: m.dateAdded, lastModified: null, needsMerge: false,
    };
    byGuid.set(guid, item);
  }
  const out: LocalItem[] = [];
  for (const i of keep) if (i.parentGuid === null) out.push(i);
  for (const [parent, list] of children) {
    list.forEach((guid, index) => {
      const i = byGuid.get(guid);
      if (i) out.push({ ...i, parentGuid: parent, index });
    });
  }
  return out;
}
