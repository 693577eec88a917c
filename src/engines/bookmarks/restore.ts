// Restoring a saved copy of the local tree: every item of the copy that is no longer in the browser
// is created again where it was (under its old parent when that still exists or is restored too,
// else in unfiled). Nothing present is touched, so restoring twice adds nothing the second time.
// The next sync uploads what was restored, as any local addition.
import { UNFILED_GUID, isRootGuid } from './record.ts';
import type { LocalBookmarks } from './engine.ts';
import type { LocalOp } from './merge/types.ts';
import type { LocalItem } from './tree.ts';

export function planRestore(saved: readonly LocalItem[], present: readonly LocalItem[], unsupported: ReadonlySet<string>): LocalOp[] {
  const here = new Set(present.map((i) => i.guid));
  const restored = new Set<string>();
  const children = new Map<string, LocalItem[]>();
  for (const item of saved) {
    const list = children.get(item.parentGuid ?? '') ?? [];
    list.push(item);
    children.set(item.parentGuid ?? '', list);
  }
  const ops: LocalOp[] = [];
  // Walk the saved tree from its roots so parents are created before their children.
  const visit = (parent: string): void => {
    const kids = [...(children.get(parent) ?? [])].sort((a, b) => a.index - b.index);
    for (const item of kids) {
      if (!isRootGuid(item.guid) && !here.has(item.guid) && !unsupported.has(item.kind)) {
        const parentGuid = here.has(parent) || restored.has(parent) || isRootGuid(parent) ? parent : UNFILED_GUID;
        const presentSiblings = present.filter((p) => p.parentGuid === parentGuid).length;
        ops.push({
          type: 'create', guid: item.guid, parentGuid,
          index: Math.min(item.index, presentSiblings + ops.filter((o) => o.type === 'create' && o.parentGuid === parentGuid).length),
          kind: item.kind, title: item.title ?? '', url: item.url ?? null,
        });
        restored.add(item.guid);
      }
      visit(item.guid);
    }
  };
  for (const root of saved.filter((i) => i.parentGuid === null)) visit(root.guid);
  return ops;
}

export async function restoreSnapshot(local: LocalBookmarks, saved: readonly LocalItem[]): Promise<number> {
  const present = await local.snapshot();
  const ops = planRestore(saved, present, new Set(local.unsupportedKinds));
  if (ops.length > 0) await local.apply(ops);
  return ops.length;
}
