import { describe, expect, it, vi } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { MENU_GUID, MOBILE_GUID, ROOT_GUID, TOOLBAR_GUID, UNFILED_GUID, isValidGuid } from '../record.ts';
import { buildTreeFromLocal } from '../tree.ts';
import type { LocalItem } from '../tree.ts';
import { FakeBookmarksApi } from './fakeBookmarksApi.ts';
import { readLocalSnapshot } from './snapshot.ts';

async function idMap(): Promise<IdMapStore> {
  return new IdMapStore(await freshDatabase(), 'bookmarks');
}

function byTitle(items: readonly LocalItem[], title: string): LocalItem {
  const item = items.find((i) => i.title === title);
  if (!item) throw new Error(`no item ${title}`);
  return item;
}

describe('readLocalSnapshot, Chromium', () => {
  async function seeded(): Promise<FakeBookmarksApi> {
    const api = new FakeBookmarksApi('chromium');
    const news = await api.create({ parentId: '1', title: 'News' });
    await api.create({ parentId: news.id, title: 'Paper', url: 'https://paper.example/' });
    await api.create({ parentId: '1', title: 'Mail', url: 'https://mail.example/' });
    await api.create({ parentId: '2', title: 'Recent', url: 'place:sort=8' });
    return api;
  }

  it('lists the five roots, then items with their kinds, parents and indexes', async () => {
    const api = await seeded();
    const snap = await readLocalSnapshot(api, await idMap(), 'chromium');
    expect(snap.items.slice(0, 5).map((i) => [i.guid, i.parentGuid, i.index])).toEqual([
      [ROOT_GUID, null, 0], [MENU_GUID, ROOT_GUID, 0], [TOOLBAR_GUID, ROOT_GUID, 1], [UNFILED_GUID, ROOT_GUID, 2], [MOBILE_GUID, ROOT_GUID, 3],
    ]);
    const news = byTitle(snap.items, 'News');
    expect(news).toMatchObject({ kind: 'folder', parentGuid: TOOLBAR_GUID, index: 0, url: null });
    expect(byTitle(snap.items, 'Paper')).toMatchObject({ kind: 'bookmark', parentGuid: news.guid, index: 0, url: 'https://paper.example/' });
    expect(byTitle(snap.items, 'Mail')).toMatchObject({ parentGuid: TOOLBAR_GUID, index: 1 });
    expect(byTitle(snap.items, 'Recent')).toMatchObject({ kind: 'query', parentGuid: UNFILED_GUID, url: 'place:sort=8' });
    expect(news.dateAdded).toBeTypeOf('number');
    expect(news.lastModified).toBeTypeOf('number'); // dateGroupModified after a child was added
    for (const item of snap.items.slice(5)) expect(isValidGuid(item.guid)).toBe(true);
    expect(snap.localIdByGuid.get(TOOLBAR_GUID)).toBe('1');
    expect(snap.localIdByGuid.has(MENU_GUID)).toBe(false);
    const tree = buildTreeFromLocal(snap.items);
    expect(tree.problems).toEqual([]);
    expect(tree.nodes.get(TOOLBAR_GUID)?.children).toEqual([news.guid, byTitle(snap.items, 'Mail').guid]);
  });

  it('keeps GUIDs stable across reads and writes new pairings in one call', async () => {
    const api = await seeded();
    const map = await idMap();
    const pair = vi.spyOn(map, 'pair');
    const first = await readLocalSnapshot(api, map, 'chromium');
    const itemPairCalls = pair.mock.calls.filter((c) => c[0].some((p) => !p.syncId.endsWith('_')));
    expect(itemPairCalls).toHaveLength(1);
    expect(itemPairCalls[0]?.[0]).toHaveLength(4);
    pair.mockClear();
    const second = await readLocalSnapshot(api, map, 'chromium');
    expect(second.items.map((i) => i.guid)).toEqual(first.items.map((i) => i.guid));
    expect(pair.mock.calls.flatMap((c) => c[0])).toEqual([]);
    for (const [guid, localId] of first.localIdByGuid) {
      if (guid.endsWith('_')) continue;
      expect(await map.syncIdFor(localId)).toBe(guid);
    }
  });

  it('leaves stand-in folders and account roots out, without shifting indexes', async () => {
    const api = new FakeBookmarksApi('chromium', { accountRoots: true });
    const map = await idMap();
    const before = await api.create({ parentId: '2', title: 'Before', url: 'https://before/' });
    const first = await readLocalSnapshot(api, map, 'chromium');
    const menu = await first.roots.ensureRoot(MENU_GUID);
    await api.move(menu, { parentId: '2', index: 0 });
    await api.create({ parentId: menu, title: 'In menu', url: 'https://menu/' });
    await api.update(menu, { title: 'Renamed by the person' });
    await api.create({ parentId: '5', title: 'Account only', url: 'https://account/' });
    const snap = await readLocalSnapshot(api, map, 'chromium');
    expect(snap.items.some((i) => i.title === 'Renamed by the person')).toBe(false);
    expect(snap.items.some((i) => i.title === 'Account only')).toBe(false);
    expect(byTitle(snap.items, 'Before')).toMatchObject({ parentGuid: UNFILED_GUID, index: 0 });
    expect(byTitle(snap.items, 'In menu')).toMatchObject({ parentGuid: MENU_GUID, index: 0 });
    expect(snap.localIdByGuid.get(MENU_GUID)).toBe(menu);
    expect(snap.localIdByGuid.get(byTitle(snap.items, 'Before').guid)).toBe(before.id);
  });

  it('marks changed items (by GUID or browser id) as needing a merge', async () => {
    const api = await seeded();
    const map = await idMap();
    const first = await readLocalSnapshot(api, map, 'chromium');
    const mail = byTitle(first.items, 'Mail');
    const fresh = await api.create({ parentId: '1', title: 'Fresh', url: 'https://fresh/' });
    const snap = await readLocalSnapshot(api, map, 'chromium', { changed: new Set([mail.guid, fresh.id, '1']) });
    expect(snap.items.filter((i) => i.needsMerge).map((i) => i.title ?? i.guid).sort()).toEqual(['Fresh', 'Mail', TOOLBAR_GUID]);
  });
});

describe('readLocalSnapshot, Firefox', () => {
  it('uses Firefox ids as GUIDs, maps items we created, keeps separators', async () => {
    const api = new FakeBookmarksApi('firefox');
    const map = await idMap();
    const a = await api.create({ parentId: 'toolbar_____', title: 'A', url: 'https://a/' });
    await api.create({ parentId: 'toolbar_____', type: 'separator' });
    const ours = await api.create({ parentId: 'menu________', title: 'Synced', type: 'folder' });
    await map.pair([{ syncId: 'remoteGuid01', localId: ours.id }]);
    const pair = vi.spyOn(map, 'pair');
    const snap = await readLocalSnapshot(api, map, 'firefox');
    expect(pair.mock.calls.flatMap((c) => c[0])).toEqual([]);
    expect(snap.items.slice(0, 5).map((i) => i.guid)).toEqual([ROOT_GUID, MENU_GUID, TOOLBAR_GUID, UNFILED_GUID, MOBILE_GUID]);
    expect(byTitle(snap.items, 'A')).toMatchObject({ guid: a.id, parentGuid: TOOLBAR_GUID, index: 0 });
    expect(snap.items.find((i) => i.kind === 'separator')).toMatchObject({ parentGuid: TOOLBAR_GUID, index: 1, url: null, title: null });
    expect(byTitle(snap.items, 'Synced')).toMatchObject({ guid: 'remoteGuid01', parentGuid: MENU_GUID });
    expect(snap.localIdByGuid.get('remoteGuid01')).toBe(ours.id);
    expect(buildTreeFromLocal(snap.items).problems).toEqual([]);
  });
});

describe('readLocalSnapshot, Firefox’s limits (issue 9.1)', () => {
  it('issue 9.1: a 3 MB title is read at Firefox’s 4096-character limit, so it becomes a record Firefox accepts', async () => {
    const api = new FakeBookmarksApi('chromium');
    const huge = 'T'.repeat(3 * 1024 * 1024);
    await api.create({ parentId: '1', title: huge, url: 'https://long-title.example/' });
    const folder = await api.create({ parentId: '1', title: huge });
    await api.create({ parentId: folder.id, title: 'Inside', url: 'https://inside.example/' });
    const snap = await readLocalSnapshot(api, await idMap(), 'chromium');
    const long = snap.items.filter((i) => i.title?.startsWith('T'));
    expect(long.map((i) => [i.kind, i.title?.length])).toEqual([['bookmark', 4096], ['folder', 4096]]);
  });

  it('issue 9.1: a bookmark whose URL is longer than Firefox accepts stays local-only: not an item, listed as local-only', async () => {
    for (const flavor of ['chromium', 'firefox'] as const) {
      const api = new FakeBookmarksApi(flavor);
      const bar = flavor === 'chromium' ? '1' : 'toolbar_____';
      const before = await api.create({ parentId: bar, title: 'Before', url: 'https://before.example/' });
      const long = await api.create({ parentId: bar, title: 'Huge data URL', url: `https://huge.example/?${'x'.repeat(70_000)}` });
      await api.create({ parentId: bar, title: 'After', url: 'https://after.example/' });
      const map = await idMap();
      const snap = await readLocalSnapshot(api, map, flavor);
      expect(snap.items.some((i) => i.title === 'Huge data URL')).toBe(false);
      expect(byTitle(snap.items, 'Before')).toMatchObject({ index: 0 });
      expect(byTitle(snap.items, 'After')).toMatchObject({ index: 1 });
      expect(snap.localOnly).toEqual([{ localId: long.id, guid: flavor === 'firefox' ? long.id : null, urlLength: long.url!.length }]);
      expect([...snap.localIdByGuid.values()]).not.toContain(long.id);
      expect(await map.syncIdFor(long.id)).toBeNull(); // no GUID made for something that is not synced
      expect(buildTreeFromLocal(snap.items).problems).toEqual([]);
      void before;
    }
  });

  it('issue 9.1: a synced bookmark whose URL grew past the limit keeps its GUID in the local-only list', async () => {
    const api = new FakeBookmarksApi('chromium');
    const map = await idMap();
    const item = await api.create({ parentId: '1', title: 'Grows', url: 'https://grows.example/' });
    const first = await readLocalSnapshot(api, map, 'chromium');
    const guid = byTitle(first.items, 'Grows').guid;
    await api.update(item.id, { url: `https://grows.example/?${'x'.repeat(70_000)}` });
    const snap = await readLocalSnapshot(api, map, 'chromium');
    expect(snap.items.some((i) => i.guid === guid)).toBe(false);
    expect(snap.localOnly).toMatchObject([{ localId: item.id, guid }]);
  });
});
