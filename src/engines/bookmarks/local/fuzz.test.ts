// Seeded random rounds through the real merge: edit the browser and the server at random, merge,
// apply the operations (sometimes killed half-way and resumed), then check the browser holds the
// merged tree in the merged order and that a second merge finds nothing left to do.
import { describe, expect, it } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { mergeTrees } from '../merge/index.ts';
import { guidToRecordId, isRootGuid } from '../record.ts';
import type { BookmarkRecord } from '../record.ts';
import { buildTreeFromLocal, buildTreeFromRecords } from '../tree.ts';
import type { LocalItem } from '../tree.ts';
import type { BrowserBookmarkNode, BrowserFlavor } from './api.ts';
import { BrowserBookmarks } from './browserBookmarks.ts';
import { FakeBookmarksApi, SimulatedKill } from './fakeBookmarksApi.ts';
import { MemoryProgressStore } from './progress.ts';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toRecords(items: readonly LocalItem[]): BookmarkRecord[] {
  const children = new Map<string, Array<{ guid: string; index: number }>>();
  for (const i of items) {
    if (i.parentGuid === null) continue;
    const list = children.get(i.parentGuid) ?? [];
    list.push({ guid: i.guid, index: i.index });
    children.set(i.parentGuid, list);
  }
  const kids = (guid: string): string[] =>
    (children.get(guid) ?? []).sort((a, b) => a.index - b.index).map((c) => guidToRecordId(c.guid));
  return items.filter((i) => i.parentGuid !== null).map((i): BookmarkRecord => {
    const base = { id: guidToRecordId(i.guid), parentid: guidToRecordId(i.parentGuid as string) };
    if (i.kind === 'folder') return { ...base, type: 'folder', title: i.title ?? guidToRecordId(i.guid), children: kids(i.guid) };
    if (i.kind === 'separator') return { ...base, type: 'separator' };
    return { ...base, type: i.kind === 'query' ? 'query' : 'bookmark', title: i.title ?? '', bmkUri: i.url ?? '' };
  });
}

/** Random edits to server records, as another Firefox would make them. */
function editServer(records: BookmarkRecord[], r: () => number, n: number): BookmarkRecord[] {
  const byId = new Map(records.map((x) => [x.id, structuredClone(x)]));
  const folders = (): Array<BookmarkRecord & { children: string[] }> =>
    [...byId.values()].filter((x): x is BookmarkRecord & { type: 'folder'; children: string[] } => 'type' in x && x.type === 'folder');
  const pick = <T>(list: readonly T[]): T | undefined => list[Math.floor(r() * list.length)];
  const descendants = (id: string): Set<string> => {
    const out = new Set<string>([id]);
    const stack = [id];
    while (stack.length) {
      const x = byId.get(stack.pop() as string);
      for (const c of x && 'children' in x && Array.isArray(x.children) ? x.children as string[] : []) { out.add(c); stack.push(c); }
    }
    return out;
  };
  const tombstones: BookmarkRecord[] = [];
  for (let k = 0; k < n; k++) {
    const items = [...byId.values()].filter((x) => !isRootGuid(x.id) && !['menu', 'toolbar', 'unfiled', 'mobile'].includes(x.id));
    const what = r();
    if (what < 0.3 || items.length === 0) {
      const parent = pick(folders()) as BookmarkRecord & { children: string[] };
      const id = `srv${String(k).padStart(3, '0')}${Math.floor(r() * 1e6).toString(36).padStart(6, '0')}`.slice(0, 12);
      const kind = r();
      const rec: BookmarkRecord = kind < 0.2 ? { id, type: 'folder', parentid: parent.id, title: `SF${k}`, children: [] }
        : kind < 0.3 ? { id, type: 'separator', parentid: parent.id }
          : { id, type: 'bookmark', parentid: parent.id, title: `S${k}`, bmkUri: `https://s${k}.example/` };
      byId.set(id, rec);
      parent.children.splice(Math.floor(r() * (parent.children.length + 1)), 0, id);
    } else if (what < 0.55) {
      const item = pick(items) as BookmarkRecord & { parentid: string };
      const banned = descendants(item.id);
      const target = pick(folders().filter((f) => !banned.has(f.id)));
      if (!target) continue;
      const old = byId.get(item.parentid) as BookmarkRecord & { children: string[] };
      old.children = old.children.filter((c) => c !== item.id);
      target.children.splice(Math.floor(r() * (target.children.length + 1)), 0, item.id);
      item.parentid = target.id;
    } else if (what < 0.75) {
      const item = pick(items.filter((x) => 'title' in x)) as (BookmarkRecord & { title: string }) | undefined;
      if (item) item.title = `${item.title}*`;
    } else {
      const item = pick(items) as BookmarkRecord & { parentid: string };
      for (const id of descendants(item.id)) {
        byId.delete(id);
        tombstones.push({ id, deleted: true });
      }
      const old = byId.get(item.parentid) as BookmarkRecord & { children: string[] };
      old.children = old.children.filter((c) => c !== item.id);
    }
  }
  return [...byId.values(), ...tombstones];
}

/** Random edits in the browser, as the person would make them. */
async function editBrowser(api: FakeBookmarksApi, r: () => number, n: number): Promise<void> {
  for (let k = 0; k < n; k++) {
    const all: Array<{ id: string; folder: boolean; parentId?: string }> = [];
    const walk = (nodes: readonly BrowserBookmarkNode[]): void => {
      for (const x of nodes) {
        all.push({ id: x.id, folder: x.url === undefined && x.type !== 'separator', ...(x.parentId ? { parentId: x.parentId } : {}) });
        walk(x.children ?? []);
      }
    };
    walk((await api.getTree())[0]?.children ?? []);
    const folders = all.filter((x) => x.folder && !(api.flavor === 'chromium' && x.id === '0'));
    const editable = all.filter((x) => x.parentId !== undefined && x.parentId !== api.rootId);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
    const what = r();
    try {
      if (what < 0.4 || editable.length === 0) {
        const parent = pick(folders);
        const count = (await api.getChildren(parent.id)).length;
        await api.create({ parentId: parent.id, index: Math.floor(r() * (count + 1)), title: `L${k}`, ...(r() < 0.2 ? {} : { url: `https://l${k}.example/` }) });
      } else if (what < 0.65) {
        const item = pick(editable);
        const target = pick(folders);
        const count = (await api.getChildren(target.id)).length;
        await api.move(item.id, { parentId: target.id, index: Math.floor(r() * count) });
      } else if (what < 0.8) {
        const item = pick(editable);
        await api.update(item.id, { title: `L${k}!` });
      } else {
        await api.removeTree(pick(editable).id);
      }
    } catch {
      // Moves into a descendant, edits of separators: refused like the browser would; fine.
    }
  }
}

async function round(flavor: BrowserFlavor, seed: number): Promise<void> {
  const r = rng(seed);
  const api = new FakeBookmarksApi(flavor);
  await editBrowser(api, r, 30);
  const idMap = new IdMapStore(await freshDatabase(), 'bookmarks');
  const local = new BrowserBookmarks({ api, idMap, flavor, progress: new MemoryProgressStore(), sliceSize: 3 });
  const merge = async (remote: BookmarkRecord[], mirror: BookmarkRecord[]) => mergeTrees({
    local: buildTreeFromLocal(await local.snapshot()),
    remote: buildTreeFromRecords(remote.map((record) => ({ record, modifiedS: 50 }))),
    mirror: buildTreeFromRecords(mirror.map((record) => ({ record, modifiedS: 50 }))),
    localTimeMs: Date.now(),
    remoteTimeS: 100,
    unsupportedKinds: local.unsupportedKinds,
    unsupportedRoots: local.unsupportedRoots,
  });
  // The last sync left server = mirror = this browser.
  const mirror = toRecords(await local.snapshot()).filter((x) => flavor === 'firefox' || !('type' in x && x.type === 'separator'));
  await editBrowser(api, r, 10);
  const remote = editServer(mirror, r, 15);
  const result = await merge(remote, mirror);
  const label = `${flavor} seed ${seed}`;
  if (r() < 0.5 && result.localOps.length > 1) {
    api.killAfter(Math.floor(r() * result.localOps.length), r() < 0.5 ? 'before' : 'after');
    await expect(local.apply(result.localOps), label).rejects.toBeInstanceOf(SimulatedKill);
  }
  await local.apply(result.localOps);
  expect(local.lastReport?.skipped.filter((s) => s.reason !== 'unsupported-kind'), label).toEqual([]);
  const after = buildTreeFromLocal(await local.snapshot());
  for (const node of after.nodes.values()) {
    const wanted = result.merged.nodes.get(node.guid)?.children
      .filter((g) => !local.unsupportedKinds.includes(result.merged.nodes.get(g)?.kind ?? 'bookmark'));
    expect(node.children, `${label}: children of ${node.guid}`).toEqual(wanted);
    expect(node.title, `${label}: title of ${node.guid}`).toBe(isRootGuid(node.guid) ? '' : result.merged.nodes.get(node.guid)?.title);
  }
  const again = await merge(result.serverRecords, result.serverRecords);
  expect(again.localOps, label).toEqual([]);
}

describe('browser side + merge, random rounds', () => {
  for (const flavor of ['chromium', 'firefox'] as const) {
    it(`${flavor}: the browser ends up holding the merged tree`, async () => {
      for (let seed = 1; seed <= 60; seed++) await round(flavor, seed);
    });
  }
});
