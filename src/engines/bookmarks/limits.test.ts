// Firefox's limits on what a bookmark record may hold (issue 9.1) and odd field types written by
// other clients (issue 9.9), end to end: a Chromium browser (the in-memory bookmarks API) against
// the real local server with the demo account.
import { afterEach, describe, expect, test } from 'vitest';
import { startDemoHarness, type Harness } from '../../test-support/syncHarness.ts';
import { FakeBookmarksApi } from './local/fakeBookmarksApi.ts';
import type { BrowserBookmarkNode } from './local/api.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function demo(): Promise<Harness> {
  h = await startDemoHarness();
  return h;
}

const serverBookmarks = (): Promise<Map<string, Record<string, unknown>>> => h.decryptedRecords('bookmarks');

async function chromiumRoots(api: FakeBookmarksApi): Promise<{ bar: BrowserBookmarkNode; other: BrowserBookmarkNode }> {
  const [root] = await api.getTree();
  const top = root!.children!;
  return { bar: top.find((n) => n.folderType === 'bookmarks-bar')!, other: top.find((n) => n.folderType === 'other')! };
}

const bookmarkPosts = (): string[] => h.requests.filter((r) => /^POST .*\/storage\/bookmarks/.test(r));

describe('issue 9.1: Firefox’s limits on bookmark records', () => {
  test('issue 9.1: a bookmark with a 3 MB title syncs; the server holds it with a 4096-character title and its parent lists it', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    const { bar } = await chromiumRoots(api);
    const huge = 'T'.repeat(3 * 1024 * 1024);
    const item = await api.create({ parentId: bar.id, title: huge, url: 'https://long-title.example/' });
    await h.safety.chooseFirstSync('merge');
    const result = await h.sync({ bookmarks: api });
    expect(result.outcome).toBe('success');

    const server = await serverBookmarks();
    const rec = [...server.values()].find((r) => r['bmkUri'] === 'https://long-title.example/');
    expect(rec).toBeDefined();
    expect(rec!['title']).toBe('T'.repeat(4096));
    expect(rec!['parentid']).toBe('toolbar');
    expect(server.get('toolbar')!['children']).toContain(rec!['id']);
    // The browser keeps its own title, and the next sync has nothing to send.
    expect((await api.get(item.id))[0]!.title).toBe(huge);
    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(bookmarkPosts()).toEqual([]);
    expect((await api.get(item.id))[0]!.title).toBe(huge);
  });

  test('issue 9.1: a folder with a 3 MB title: its record and its children’s parentName are cut to 4096 characters', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    const { bar } = await chromiumRoots(api);
    const huge = 'F'.repeat(3 * 1024 * 1024);
    const folder = await api.create({ parentId: bar.id, title: huge });
    await api.create({ parentId: folder.id, title: 'Inside', url: 'https://inside.example/' });
    await h.safety.chooseFirstSync('merge');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    const folderRec = [...server.values()].find((r) => r['type'] === 'folder' && String(r['title']).startsWith('F'))!;
    const inside = [...server.values()].find((r) => r['title'] === 'Inside')!;
    expect((folderRec['title'] as string).length).toBe(4096);
    expect(folderRec['children']).toEqual([inside['id']]);
    expect((inside['parentName'] as string).length).toBe(4096);
  });

  test('issue 9.1: a bookmark whose URL is longer than Firefox accepts stays on this browser only; the rest syncs', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    const { bar } = await chromiumRoots(api);
    const longUrl = `https://huge.example/?${'x'.repeat(70_000)}`;
    const long = await api.create({ parentId: bar.id, title: 'Huge URL', url: longUrl });
    await api.create({ parentId: bar.id, title: 'Normal', url: 'https://normal.example/' });
    await h.safety.chooseFirstSync('merge');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');

    const server = await serverBookmarks();
    expect([...server.values()].some((r) => r['title'] === 'Huge URL' || r['bmkUri'] === longUrl)).toBe(false);
    const normal = [...server.values()].find((r) => r['title'] === 'Normal')!;
    const toolbarChildren = server.get('toolbar')!['children'] as string[];
    expect(toolbarChildren).toContain(normal['id']);
    for (const id of toolbarChildren) expect(server.has(id)).toBe(true); // nothing listed that is not there
    expect((await api.get(long.id))[0]).toMatchObject({ title: 'Huge URL', url: longUrl });

    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(bookmarkPosts()).toEqual([]);
    expect((await api.get(long.id))[0]).toMatchObject({ title: 'Huge URL', url: longUrl });
  });

  // The engine passes the local-only GUIDs to the merge (`unsupportedGuids`): without that the merge
  // read the bookmark's absence as a deletion and uploaded a tombstone.
  test('issue 9.1: a synced bookmark whose URL grows past the limit stays on the server as it was; no tombstone', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    const { bar } = await chromiumRoots(api);
    const grows = await api.create({ parentId: bar.id, title: 'Grows', url: 'https://grows.example/' });
    await h.safety.chooseFirstSync('merge');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const rec = [...(await serverBookmarks()).values()].find((r) => r['title'] === 'Grows')!;
    const longUrl = `https://grows.example/?${'x'.repeat(70_000)}`;
    await api.update(grows.id, { url: longUrl });
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    expect(server.get(rec['id'] as string)).toMatchObject({ title: 'Grows', bmkUri: 'https://grows.example/' });
    expect(server.get('toolbar')!['children']).toContain(rec['id']);
    expect((await api.get(grows.id))[0]).toMatchObject({ url: longUrl });
    expect(h.logs.some((l) => /this browser only/.test(l.message))).toBe(true);
    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(bookmarkPosts()).toEqual([]);
  });
});

describe('issue 9.9: field types other clients wrote', () => {
  test('issue 9.9: a numeric title shows as text here, and moving the bookmark does not rewrite the other device’s title', async () => {
    await demo();
    await h.putAsOtherDevice('bookmarks', { id: 'numTitle0001', type: 'bookmark', parentid: 'unfiled', parentName: '', title: 42, bmkUri: 'https://forty-two.example/' });
    const unfiled = (await serverBookmarks()).get('unfiled')!;
    await h.putAsOtherDevice('bookmarks', { ...unfiled, children: [...(unfiled['children'] as string[]), 'numTitle0001'] });
    const api = new FakeBookmarksApi('chromium');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const { bar, other } = await chromiumRoots(api);
    const node = other.children!.find((n) => n.url === 'https://forty-two.example/')!;
    expect(node.title).toBe('42');

    await api.move(node.id, { parentId: bar.id, index: 0 });
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect((await serverBookmarks()).get('numTitle0001')).toMatchObject({ parentid: 'toolbar', title: 42 });
  });
});
