// The fake must behave like the browsers where the engine depends on it. Every expectation here
// was observed on Chromium 156 and Firefox ESR 153 (probe runs, 2026-11-25).
import { describe, expect, it } from 'vitest';
import { FakeBookmarksApi, SimulatedKill } from './fakeBookmarksApi.ts';
import { detectFlavor } from './api.ts';

async function titles(api: FakeBookmarksApi, id: string): Promise<string> {
  return (await api.getChildren(id)).map((n) => n.title || n.type).join(',');
}

describe('FakeBookmarksApi, Chromium flavor', () => {
  it('shows only the bar and Other bookmarks, numbers new items from 5', async () => {
    const api = new FakeBookmarksApi('chromium');
    const [root] = await api.getTree();
    expect(root?.id).toBe('0');
    expect(root?.parentId).toBeUndefined();
    expect(root?.children?.map((n) => [n.id, n.title, n.folderType, n.syncing])).toEqual([
      ['1', 'Bookmarks bar', 'bookmarks-bar', false],
      ['2', 'Other bookmarks', 'other', false],
    ]);
    await expect(api.get('3')).rejects.toThrow("Can't find bookmark for id.");
    await expect(api.create({ parentId: '3', title: 'm', url: 'https://m/' })).rejects.toThrow("Can't find parent bookmark for id.");
    const made = await api.create({ parentId: '2', title: 'a', url: 'https://a/' });
    expect(made.id).toBe('5');
    expect(made.dateAdded).toBeTypeOf('number');
    expect(await detectFlavor(api)).toBe('chromium');
  });

  it('rejects separators and root edits with Chromium\'s messages', async () => {
    const api = new FakeBookmarksApi('chromium');
    await expect(api.create({ parentId: '2', type: 'separator' })).rejects.toThrow("Error at parameter 'bookmark': Unexpected property: 'type'.");
    await expect(api.create({ parentId: '0', title: 'x' })).rejects.toThrow("Can't modify the root bookmark folders.");
    await expect(api.move('1', { parentId: '2' })).rejects.toThrow("Can't modify the root bookmark folders.");
    await expect(api.remove('1')).rejects.toThrow("Can't modify the root bookmark folders.");
    await expect(api.create({ parentId: '2', index: 5, title: 'x', url: 'https://x/' })).rejects.toThrow('Index out of bounds.');
    await expect(api.create({ parentId: '2', title: 'q', url: 'not a url' })).rejects.toThrow('Invalid URL.');
    const f = await api.create({ parentId: '1', title: 'F' });
    await api.create({ parentId: f.id, title: 'in', url: 'https://in/' });
    await expect(api.remove(f.id)).rejects.toThrow("Can't remove non-empty folder (use recursive to force).");
    await expect(api.update(f.id, { url: 'https://x/' })).rejects.toThrow("Can't set URL of a bookmark folder.");
    await expect(api.move(f.id, { parentId: f.id })).rejects.toThrow("Can't move a folder to itself or its descendant.");
    await expect(api.remove('9999')).rejects.toThrow("Can't find bookmark for id.");
    await expect(api.get('abc')).rejects.toThrow('Bookmark id is invalid.');
  });

  it('counts the moved item itself in a move index', async () => {
    const api = new FakeBookmarksApi('chromium');
    const a = await api.create({ parentId: '2', title: 'a', url: 'https://a/' });
    const b = await api.create({ parentId: '2', title: 'b', url: 'https://b/' });
    await api.create({ parentId: '2', title: 'c', url: 'https://c/' });
    await api.move(a.id, { parentId: '2', index: 2 });
    expect(await titles(api, '2')).toBe('b,a,c');
    await api.move(b.id, { parentId: '2', index: 3 });
    expect(await titles(api, '2')).toBe('a,c,b');
    await expect(api.move(b.id, { parentId: '2', index: 4 })).rejects.toThrow('Index out of bounds.');
  });

  it('shows the mobile root once it holds something, and fires onCreated before create resolves', async () => {
    const api = new FakeBookmarksApi('chromium');
    api.seed('3', { title: 'from phone', url: 'https://phone/' });
    expect((await api.getTree())[0]?.children?.map((n) => n.folderType)).toEqual(['bookmarks-bar', 'other', 'mobile']);
    const seen: string[] = [];
    api.events.onCreated.addListener((id) => seen.push(`event ${id}`));
    await api.create({ parentId: '2', title: 'e', url: 'https://e/' }).then((n) => seen.push(`resolved ${n.id}`));
    expect(seen).toEqual(['event 6', 'resolved 6']);
  });

  it('reports a removed folder with its children', async () => {
    const api = new FakeBookmarksApi('chromium');
    const f = await api.create({ parentId: '1', title: 'F' });
    await api.create({ parentId: f.id, title: 'in', url: 'https://in/' });
    const removed: unknown[] = [];
    api.events.onRemoved.addListener((id, info) => removed.push([id, info.parentId, info.node?.children?.map((c) => c.title)]));
    await api.removeTree(f.id);
    expect(removed).toEqual([[f.id, '1', ['in']]]);
  });

  it('simulates a kill before or after the browser did the work', async () => {
    const api = new FakeBookmarksApi('chromium');
    api.killAfter(0, 'after');
    await expect(api.create({ parentId: '2', title: 'a', url: 'https://a/' })).rejects.toBeInstanceOf(SimulatedKill);
    expect(await titles(api, '2')).toBe('a');
    api.killAfter(1, 'before');
    await api.create({ parentId: '2', title: 'b', url: 'https://b/' });
    await expect(api.create({ parentId: '2', title: 'c', url: 'https://c/' })).rejects.toBeInstanceOf(SimulatedKill);
    expect(await titles(api, '2')).toBe('a,b');
  });
});

describe('FakeBookmarksApi, Firefox flavor', () => {
  it('shows the four roots with their GUIDs and makes GUID ids', async () => {
    const api = new FakeBookmarksApi('firefox');
    const [root] = await api.getTree();
    expect(root?.id).toBe('root________');
    expect(root?.children?.map((n) => [n.id, n.index, n.type])).toEqual([
      ['menu________', 0, 'folder'], ['toolbar_____', 1, 'folder'], ['unfiled_____', 3, 'folder'], ['mobile______', 4, 'folder'],
    ]);
    const made = await api.create({ parentId: 'unfiled_____', title: 'a', url: 'https://a/' });
    expect(made.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(made.type).toBe('bookmark');
    expect(await detectFlavor(api)).toBe('firefox');
  });

  it('makes separators, keeps place: URLs as bookmarks, clamps indexes', async () => {
    const api = new FakeBookmarksApi('firefox');
    const p = 'unfiled_____';
    await api.create({ parentId: p, title: 'a', url: 'https://a/' });
    const sep = await api.create({ parentId: p, type: 'separator', index: 0 });
    expect([sep.type, sep.url, sep.title, sep.index]).toEqual(['separator', 'data:', '', 0]);
    await expect(api.create({ parentId: p, type: 'separator', title: 'zz' })).rejects.toThrow('Invalid bookmark');
    const q = await api.create({ parentId: p, title: 'q', url: 'place:sort=8', index: 9 });
    expect([q.type, q.index]).toEqual(['bookmark', 2]);
  });

  it('takes a move index as the final position and clamps it', async () => {
    const api = new FakeBookmarksApi('firefox');
    const p = 'unfiled_____';
    const a = await api.create({ parentId: p, title: 'a', url: 'https://a/' });
    const b = await api.create({ parentId: p, title: 'b', url: 'https://b/' });
    await api.create({ parentId: p, title: 'c', url: 'https://c/' });
    await api.move(a.id, { parentId: p, index: 2 });
    expect(await titles(api, p)).toBe('b,c,a');
    await api.move(b.id, { parentId: p, index: 9 });
    expect(await titles(api, p)).toBe('c,a,b');
  });

  it('rejects root edits and non-empty removes with Firefox\'s messages', async () => {
    const api = new FakeBookmarksApi('firefox');
    await expect(api.create({ parentId: 'root________', title: 'x' })).rejects.toThrow('The bookmark root cannot be modified');
    await expect(api.move('menu________', { parentId: 'toolbar_____' })).rejects.toThrow("It's not possible to move Places root folders.");
    await expect(api.remove('menu________')).rejects.toThrow('Invalid bookmark');
    expect((await api.update('menu________', { title: 'Menu X' })).title).toBe('Bookmarks Menu');
    const f = await api.create({ parentId: 'toolbar_____', title: 'F' });
    await api.create({ parentId: f.id, title: 'in', url: 'https://in/' });
    await expect(api.remove(f.id)).rejects.toThrow('Cannot remove a non-empty folder.');
    await expect(api.remove('AAAAAAAAAAAA')).rejects.toThrow('No bookmarks found for the provided GUID.');
    await expect(api.get('AAAAAAAAAAAA')).rejects.toThrow('Bookmark not found');
    await expect(api.get('short')).rejects.toThrow("Invalid value for property 'guid'");
    await expect(api.create({ parentId: 'AAAAAAAAAAAA', title: 'x', url: 'https://x/' })).rejects.toThrow('parentGuid must be valid');
    expect(api.events.onImportBegan).toBeUndefined();
  });
});
