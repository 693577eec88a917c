import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { SearchStore } from '../db/searchStore.ts';
import { FakeBookmarksApi } from '../engines/bookmarks/local/fakeBookmarksApi.ts';
import { ROOT_ID, type BrowserFlavor } from '../engines/bookmarks/local/api.ts';
import type { SyncedPage } from '../db/schema.ts';
import { SharedCreatedEvent } from '../engines/bookmarks/local/createdEvent.ts';
import { BrowserBookmarks, QUIET_CREATES } from '../engines/bookmarks/local/browserBookmarks.ts';
import { MemoryProgressStore } from '../engines/bookmarks/local/progress.ts';
import { IdMapStore } from '../db/idMapStore.ts';
import { UNFILED_GUID } from '../engines/bookmarks/record.ts';
import type { LocalOp } from '../engines/bookmarks/local/apply.ts';
import { bookmarksByFolder, bookmarksOfTree, createSearchService, openInTab, searchSources, watchBookmarksForSearch } from './search.ts';

const NOW = Date.now();

async function setup(flavor: BrowserFlavor, opts: { managed?: boolean } = {}) {
  const db = await freshDatabase();
  const api = new FakeBookmarksApi(flavor, opts);
  const state = {
    signedIn: true,
    engines: [{ name: 'bookmarks', enabled: true }, { name: 'history', enabled: true }, { name: 'tabs', enabled: true }],
    pages: [] as SyncedPage[],
  };
  const service = createSearchService({
    store: new SearchStore(db),
    bookmarksApi: api,
    bookmarksRootId: ROOT_ID[flavor],
    signedIn: async () => state.signedIn,
    engines: async () => state.engines,
    historyPages: async () => state.pages,
    historyLastSync: async () => '1.00',
    remoteTabs: async () => ({ devices: [{ clientId: 'c', name: 'Firefox on Desktop', type: 'desktop', tabs: [{ title: 'MDN Web Docs', url: 'https://developer.mozilla.org/en-US/', icon: null, lastUsed: NOW }] }] }),
  });
  const created = new SharedCreatedEvent(api.events.onCreated);
  watchBookmarksForSearch({ ...api.events, onCreated: created }, Promise.resolve(service.indexer));
  const folder = flavor === 'chromium' ? '2' : 'unfiled_____';
  return { db, api, state, service, folder, created };
}

const titles = async (service: Awaited<ReturnType<typeof setup>>['service'], q: string) =>
  (await service.search(q, 20)).results.map((r) => `${r.kind}: ${r.title}`);

describe.each(['chromium', 'firefox'] as const)('search in the background (%s bookmarks)', (flavor) => {
  test('the browser’s bookmarks are indexed, and edits, moves and removals reach the index through the bookmark events', async () => {
    const { api, service, folder } = await setup(flavor);
    const kept = await api.create({ parentId: folder, title: 'Fluffy pancakes', url: 'https://food.example.net/pancakes' });
    await service.indexer.refresh();
    expect(await titles(service, 'panc')).toEqual(['bookmark: Fluffy pancakes']);

    const recipes = await api.create({ parentId: folder, title: 'Recipes' });
    const inFolder = await api.create({ parentId: recipes.id, title: 'Sourdough basics', url: 'https://bread.example.org/sourdough' });
    await api.create({ parentId: recipes.id, title: 'Bread bookmarklet', url: 'javascript:alert("bread")' });
    await api.update(kept.id, { title: 'Fluffy pancakes, the best' });
    await api.move(kept.id, { parentId: recipes.id });
    await service.indexer.flushBookmarks();
    expect(await titles(service, 'bread')).toEqual(['bookmark: Sourdough basics']);
    expect(await titles(service, 'best panc')).toEqual(['bookmark: Fluffy pancakes, the best']);

    await api.update(inFolder.id, { url: 'https://bread.example.org/rye' });
    await service.indexer.flushBookmarks();
    expect((await service.search('rye', 5)).results.map((r) => r.url)).toEqual(['https://bread.example.org/rye']);

    // Removing the folder removes what it held (Chromium lists it; Firefox's tree is read again).
    await api.removeTree(recipes.id);
    await service.indexer.flushBookmarks();
    expect(await titles(service, 'pancakes')).toEqual([]);
    expect(await titles(service, 'sourdough')).toEqual([]);
  });

  // Issue 12: a first sync's creates are made with onCreated off (createdEvent.ts); the index
  // still hears of each, and of a bookmark the person added meanwhile.
  test('a bulk of the sync’s creates, made without their events, still reaches the index', async () => {
    const { db, api, service, created } = await setup(flavor);
    await service.indexer.refresh();
    const side = new BrowserBookmarks({ api, idMap: new IdMapStore(db, 'bookmarks'), flavor, progress: new MemoryProgressStore(), createdEvent: created });
    await side.snapshot();
    const ops: LocalOp[] = [{ type: 'create', guid: 'FolderBulk01', parentGuid: UNFILED_GUID, index: 0, kind: 'folder', title: 'Bulk', url: null }];
    for (let i = 0; i < QUIET_CREATES; i++) ops.push({ type: 'create', guid: `Bulk${String(i).padStart(8, '0')}`, parentGuid: 'FolderBulk01', index: i, kind: 'bookmark', title: `Waffle ${i}`, url: `https://waffles.example/${i}` });
    const create = api.create.bind(api);
    api.create = async (details) => {
      if (details.title === 'Waffle 100') await create({ parentId: api.flavor === 'chromium' ? '1' : 'toolbar_____', title: 'Crepes by the person', url: 'https://crepes.example/' });
      return create(details);
    };
    await side.apply(ops);
    await service.indexer.flushBookmarks();
    expect((await service.search('waffle 123', 5)).results.map((r) => r.url)).toEqual(['https://waffles.example/123']);
    expect(await titles(service, 'crepes')).toEqual(['bookmark: Crepes by the person']);
    expect(await titles(service, 'bulk')).toEqual([]); // a folder is not a search result
  });

  test('signed out, the popup’s search and the address bar’s find nothing, whatever the index holds', async () => {
    const { api, service, state, folder } = await setup(flavor);
    await api.create({ parentId: folder, title: 'Tennis club', url: 'https://tennis.example/' });
    await service.indexer.refresh();
    expect(await titles(service, 'tennis')).toEqual(['bookmark: Tennis club']);
    state.signedIn = false;
    expect(await service.search('tennis', 5)).toEqual({ results: [], signedIn: false });
    expect(await service.omniboxSearch('tennis', 5)).toBeNull();
  });
});

describe('search sources', () => {
  test('the tree gives bookmarks with addresses, leaving out folders, separators and what an administrator manages', async () => {
    const { api } = await setup('chromium', { managed: true });
    const tree = await api.getTree();
    const managed = tree[0]!.children!.find((n) => n.unmodifiable === 'managed')!;
    expect(managed).toBeDefined();
    // A managed bookmark is added the way the browser does it (no API call may write there).
    managed.children = [{ id: '900', parentId: managed.id, title: 'Work wiki', url: 'https://wiki.work.example/' }];
    tree[0]!.children!.find((n) => n.id === '1')!.children = [{ id: '901', parentId: '1', title: 'Mine', url: 'https://mine.example/', dateAdded: 7 }];
    expect(bookmarksOfTree(tree)).toEqual([{ id: '901', title: 'Mine', url: 'https://mine.example/', dateAdded: 7 }]);
    expect(bookmarksOfTree([{ id: 's', title: '', url: 'data:', type: 'separator' }])).toEqual([]);
  });

  for (const flavor of ['chromium', 'firefox'] as const) {
    test(`the index reads the bookmarks a folder at a time, every level, leaving out separators and what an administrator manages (${flavor})`, async () => {
      const api = new FakeBookmarksApi(flavor, { managed: flavor === 'chromium' });
      const top = flavor === 'chromium' ? '1' : 'toolbar_____';
      const outer = await api.create({ parentId: top, title: 'Outer' });
      await api.create({ parentId: top, title: 'First', url: 'https://first.example/' });
      const inner = await api.create({ parentId: outer.id, title: 'Inner' });
      await api.create({ parentId: inner.id, title: 'Deep', url: 'https://deep.example/' });
      await api.create({ parentId: outer.id, title: 'Middle', url: 'https://middle.example/' });
      if (flavor === 'firefox') await api.create({ parentId: outer.id, title: '', type: 'separator' });
      const managed = (await api.getChildren(ROOT_ID[flavor])).find((n) => n.unmodifiable === 'managed');
      if (flavor === 'chromium') api.seed(managed!.id, { title: 'Work wiki', url: 'https://wiki.work.example/' });
      const batches: string[][] = [];
      for await (const batch of bookmarksByFolder(api, ROOT_ID[flavor])) batches.push(batch.map((b) => b.title));
      // One batch per folder holding bookmarks, never the tree: the same bookmarks as the tree gives.
      expect(batches.flat().sort()).toEqual(bookmarksOfTree(await api.getTree()).map((b) => b.title).sort());
      expect(batches.flat().sort()).toEqual(['Deep', 'First', 'Middle']);
      expect(batches).toContainEqual(['First']);
      expect(batches).toContainEqual(['Middle']);
      expect(batches).toContainEqual(['Deep']);
    });
  }

  test('changed bookmarks are read in one call, or one by one when that call fails on a bookmark already gone', async () => {
    const api = new FakeBookmarksApi('chromium');
    const a = await api.create({ parentId: '2', title: 'A', url: 'https://a.example/' });
    const b = await api.create({ parentId: '2', title: 'B', url: 'https://b.example/' });
    const batches: string[][] = [];
    const sources = searchSources({
      store: new SearchStore(await freshDatabase()), bookmarksApi: api, bookmarksRootId: ROOT_ID.chromium,
      getBookmarks: async (ids) => {
        batches.push(ids);
        const nodes = await Promise.all(ids.map((id) => api.get(id)));
        return nodes.flat();
      },
      signedIn: async () => true, engines: async () => [], historyPages: async () => [], historyLastSync: async () => '0', remoteTabs: async () => ({ devices: [] }),
    });
    expect((await sources.bookmarksById([a.id, b.id])).map((x) => x.title)).toEqual(['A', 'B']);
    expect(batches).toEqual([[a.id, b.id]]);
    await api.remove(a.id);
    expect((await sources.bookmarksById([a.id, b.id])).map((x) => x.title)).toEqual(['B']);
    expect(batches).toHaveLength(2);
  });

  test('each kind follows its engine switch; tabs come as the popup shows them', async () => {
    const { api, service, state, folder } = await setup('firefox');
    await api.create({ parentId: folder, title: 'MDN Web Docs', url: 'https://developer.mozilla.org/en-US/' });
    state.pages = [{ id: 'p1', url: 'https://developer.mozilla.org/en-US/docs', title: 'MDN docs', visits: [], extra: {}, modified: '1.00', own: [], imported: [], lastForeign: NOW }];
    await service.indexer.refresh();
    expect((await service.search('mdn', 10)).results.map((r) => [r.kind, r.device, r.also])).toEqual([
      ['tab', 'Firefox on Desktop', ['bookmark']],
      ['history', null, []],
    ]);
    state.engines = state.engines.map((e) => ({ ...e, enabled: e.name === 'history' }));
    await service.indexer.refresh();
    expect((await service.search('mdn', 10)).results.map((r) => r.kind)).toEqual(['history']);
  });
});

describe('opening the address bar’s choice', () => {
  test('this tab when it has one, else a new tab; a new tab in front or behind', async () => {
    const calls: string[] = [];
    let active: Array<{ id?: number }> = [{ id: 7 }];
    const open = openInTab({
      query: async () => active,
      update: async (id, p) => calls.push(`update ${id} ${p.url}`),
      create: async (p) => calls.push(`create ${p.url} ${String(p.active)}`),
    });
    await open('https://a.example/', 'currentTab');
    await open('https://b.example/', 'newForegroundTab');
    await open('https://c.example/', 'newBackgroundTab');
    active = [];
    await open('https://d.example/', 'currentTab');
    expect(calls).toEqual(['update 7 https://a.example/', 'create https://b.example/ true', 'create https://c.example/ false', 'create https://d.example/ true']);
  });
});
