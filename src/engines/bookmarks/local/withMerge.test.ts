// The browser side together with the merge core: a first sync against Firefox data is applied to
// the fake browser, and a second merge right after finds nothing left to do on either side.
import { describe, expect, it } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { mergeTrees } from '../merge/index.ts';
import type { BookmarkRecord } from '../record.ts';
import { buildTreeFromLocal, buildTreeFromRecords } from '../tree.ts';
import type { BrowserFlavor } from './api.ts';
import { BrowserBookmarks } from './browserBookmarks.ts';
import { FakeBookmarksApi } from './fakeBookmarksApi.ts';
import { MemoryProgressStore } from './progress.ts';

const folder = (id: string, parentid: string, title: string, children: string[]): BookmarkRecord =>
  ({ id, type: 'folder', parentid, title, children });
const bookmark = (id: string, parentid: string, title: string): BookmarkRecord =>
  ({ id, type: 'bookmark', parentid, title, bmkUri: `https://example.com/${title.toLowerCase().replace(/ /g, '-')}` });

const FIREFOX_DATA: BookmarkRecord[] = [
  folder('menu', 'places', 'menu', ['menuItem0001', 'menuSep00001']),
  bookmark('menuItem0001', 'menu', 'Menu item'),
  { id: 'menuSep00001', type: 'separator', parentid: 'menu', pos: 1 },
  folder('toolbar', 'places', 'toolbar', ['remoteB00001', 'toolbarSep01', 'remoteDir001']),
  bookmark('remoteB00001', 'toolbar', 'Remote B'),
  { id: 'toolbarSep01', type: 'separator', parentid: 'toolbar', pos: 1 },
  folder('remoteDir001', 'toolbar', 'Remote dir', ['remoteC00001']),
  bookmark('remoteC00001', 'remoteDir001', 'Remote C'),
  folder('unfiled', 'places', 'unfiled', ['query0000001']),
  { id: 'query0000001', type: 'query', parentid: 'unfiled', title: 'Most visited', bmkUri: 'place:sort=8&maxResults=10' },
  folder('mobile', 'places', 'mobile', ['phone0000001']),
  bookmark('phone0000001', 'mobile', 'Phone'),
];

async function firstAndSecondSync(flavor: BrowserFlavor) {
  const api = new FakeBookmarksApi(flavor);
  await api.create({ parentId: flavor === 'chromium' ? '1' : 'toolbar_____', title: 'Local A', url: 'https://example.com/local-a' });
  const idMap = new IdMapStore(await freshDatabase(), 'bookmarks');
  const local = new BrowserBookmarks({ api, idMap, flavor, progress: new MemoryProgressStore(), sliceSize: 4 });
  const merge = async (remote: BookmarkRecord[], mirror: BookmarkRecord[]) => mergeTrees({
    local: buildTreeFromLocal(await local.snapshot()),
    remote: buildTreeFromRecords(remote.map((record) => ({ record, modifiedS: 50 }))),
    mirror: buildTreeFromRecords(mirror.map((record) => ({ record, modifiedS: 50 }))),
    localTimeMs: Date.now(),
    remoteTimeS: 100,
    unsupportedKinds: local.unsupportedKinds,
    unsupportedRoots: local.unsupportedRoots,
  });
  const first = await merge(FIREFOX_DATA, []);
  await local.apply(first.localOps);
  // The browser now holds the merged tree, in the merged order, minus what it cannot show.
  const after = buildTreeFromLocal(await local.snapshot());
  for (const node of after.nodes.values()) {
    const wanted = first.merged.nodes.get(node.guid)?.children
      .filter((g) => !local.unsupportedKinds.includes(first.merged.nodes.get(g)?.kind ?? 'bookmark'));
    expect(node.children, `children of ${node.guid}`).toEqual(wanted);
  }
  const second = await merge(first.serverRecords, first.serverRecords);
  return { api, first, second, local };
}

describe('browser side with the merge core', () => {
  it('Chromium: Firefox data lands in the mapped folders, and a second merge has nothing to do', async () => {
    const { api, second, local } = await firstAndSecondSync('chromium');
    expect(local.lastReport?.skipped.map((s) => s.reason)).toEqual([]);
    expect(api.dump()).toBe(`/
  Bookmarks bar/
    Local A <https://example.com/local-a>
    Remote B <https://example.com/remote-b>
    Remote dir/
      Remote C <https://example.com/remote-c>
  Other bookmarks/
    Bookmarks Menu/
      Menu item <https://example.com/menu-item>
    Mobile Bookmarks/
      Phone <https://example.com/phone>`);
    expect(second.localOps).toEqual([]);
    expect(second.uploads).toEqual([]);
  });

  it('Firefox: separators and queries are created too, and a second merge has nothing to do', async () => {
    const { api, second } = await firstAndSecondSync('firefox');
    expect(api.dump()).toBe(`/
  Bookmarks Menu/
    Menu item <https://example.com/menu-item>
    ---
  Bookmarks Toolbar/
    Local A <https://example.com/local-a>
    Remote B <https://example.com/remote-b>
    ---
    Remote dir/
      Remote C <https://example.com/remote-c>
  Other Bookmarks/
    Most visited <place:sort=8&maxResults=10>
  Mobile Bookmarks/
    Phone <https://example.com/phone>`);
    expect(second.localOps).toEqual([]);
    expect(second.uploads).toEqual([]);
  });
});
