// Bookmarks in Chromium through the real extension and the local stack: the demo account's Firefox
// tree arrives under the mapped roots in Firefox's order, two Chromium profiles on one account keep
// each other's edits, and a sync cut off by a stopped worker completes.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { bookmarkTree, findByTitle, shape, signInWithPassword, syncNow, type Shape } from '../support/chromiumUi.ts';
import { DEMO_EMAIL, DEMO_PASSWORD, demoBookmarkTree, type DemoTreeNode } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
const browsers: ChromiumExtension[] = [];

beforeEach(async () => {
  stack = await startLocalStack();
});
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  await stack?.close();
});

async function browserSignedIn(): Promise<ChromiumExtension> {
  const ext = await launchChromiumWithExtension();
  browsers.push(ext);
  const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  return ext;
}

/** What Chromium can show of a demo subtree: no separators, no queries. */
const visible = (n: DemoTreeNode): Shape[] =>
  n.type === 'separator' || n.type === 'query' ? []
    : n.type === 'folder' ? [{ title: n.title!, children: (n.children ?? []).flatMap(visible) }]
      : [{ title: n.title!, url: n.url! }];

async function serverRecords(): Promise<Map<string, Record<string, unknown>>> {
  return new Map((await stack.demoRecords('bookmarks')).map((r) => [String(r['id']), r]));
}

describe('Chromium: bookmarks', () => {
  test('the demo Firefox bookmarks arrive under the mapped roots, in Firefox order; the server is unchanged', async () => {
    const before = await serverRecords();
    const ext = await browserSignedIn();
    const tree = await bookmarkTree(ext);
    const bar = tree.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    const other = tree.children!.find((n) => n.folderType === 'other')!;
    const expected = demoBookmarkTree();
    expect(bar.children!.map(shape)).toEqual(expected.toolbar.flatMap(visible));
    const menu = other.children!.find((n) => n.title === 'Bookmarks Menu')!;
    expect(menu.children!.map(shape)).toEqual(expected.menu.flatMap(visible));
    const mobile = other.children!.find((n) => n.title === 'Mobile Bookmarks')!;
    expect(mobile.children!.map(shape)).toEqual(expected.mobile.flatMap(visible));
    expect(other.children!.filter((n) => n !== menu && n !== mobile).map(shape)).toEqual(expected.unfiled.flatMap(visible));
    const after = await serverRecords();
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, rec] of before) expect(after.get(id)).toEqual(rec);
  });

  test('a first sync cut off by a stopped worker completes on the next run, without duplicates', async () => {
    const ext = await launchChromiumWithExtension();
    browsers.push(ext);
    // Hold the bookmarks download on the server; stop the worker while it waits.
    await stack.control('/__test__/faults', { kind: 'delay', ms: 4000, count: 1, match: { method: 'GET', pathRegex: '/storage/bookmarks$' } });
    const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 10_000 }).toBe('Syncing…');
    await ext.stopServiceWorker();
    await syncNow(ext);
    await syncNow(ext);
    const tree = await bookmarkTree(ext);
    const bar = tree.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    expect(bar.children!.map(shape)).toEqual(demoBookmarkTree().toolbar.flatMap(visible));
    expect(JSON.stringify(tree).match(/"Hacker News"/g)).toHaveLength(1);
  });

  test('a bookmark added in Chromium reaches the server soon, without pressing Sync now', async () => {
    const ext = await browserSignedIn();
    await ext.worker.evaluate(() => chrome.bookmarks.create({ parentId: '1', title: 'Synced by itself', url: 'https://by-itself.example/' }));
    // The change tracker asks for a sync a few seconds after the last change.
    await expect.poll(async () => [...(await serverRecords()).values()].some((r) => r['title'] === 'Synced by itself'), { timeout: 30_000, interval: 500 })
      .toBe(true);
  });

  test('a large deletion from another device waits for approval in Settings; the saved copy restores it', async () => {
    const ext = await browserSignedIn();
    await ext.worker.evaluate(async () => {
      const folder = await chrome.bookmarks.create({ parentId: '1', title: 'Big folder' });
      for (let i = 0; i < 60; i++) await chrome.bookmarks.create({ parentId: folder.id, title: `Item ${i}`, url: `https://big.example/${i}` });
    });
    await syncNow(ext);
    // Another device deletes the folder with everything in it.
    const server = await serverRecords();
    const folder = [...server.values()].find((r) => r['title'] === 'Big folder')!;
    const toolbar = server.get('toolbar')!;
    await stack.putDemoRecords('bookmarks', [
      ...[folder['id'] as string, ...(folder['children'] as string[])].map((id) => ({ id, deleted: true })),
      { ...toolbar, children: (toolbar['children'] as string[]).filter((c) => c !== folder['id']) },
    ]);

    const options = await ext.openPage('src/options/options.html');
    const popup = await ext.openPage('src/popup/popup.html');
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => options.getByTestId('large-deletion-text').textContent(), { timeout: 30_000 })
      .toMatch(/^61 of this browser’s \d+ bookmarks were deleted on another device\.$/);
    expect(findByTitle(await bookmarkTree(ext), 'Big folder')!.children).toHaveLength(60);

    await options.getByRole('button', { name: 'Delete them here too' }).click();
    await expect.poll(async () => findByTitle(await bookmarkTree(ext), 'Big folder'), { timeout: 30_000 }).toBeUndefined();
    await expect.poll(() => options.getByTestId('snapshots').textContent(), { timeout: 10_000 }).toMatch(/Before deleting 61 bookmarks/);
    await options.getByRole('button', { name: /^Restore the copy from/ }).first().click();
    await expect.poll(() => options.getByRole('status').filter({ hasText: 'Restored' }).first().textContent(), { timeout: 20_000 })
      .toMatch(/^Restored 61 bookmarks/);
    expect(findByTitle(await bookmarkTree(ext), 'Big folder')!.children).toHaveLength(60);
  });

  test('two Chromium profiles on one account: add, rename, move and delete on each side reach the other', async () => {
    const a = await browserSignedIn();
    const b = await browserSignedIn();
    // A adds a bookmark in News and renames Wikipedia; B moves MDN to the bar and deletes LWN.
    await a.worker.evaluate(async () => {
      const [news] = await chrome.bookmarks.search({ title: 'News' });
      await chrome.bookmarks.create({ parentId: news!.id, title: 'From A', url: 'https://from-a.example/' });
      const [wiki] = await chrome.bookmarks.search({ title: 'Wikipedia' });
      await chrome.bookmarks.update(wiki!.id, { title: 'Wikipedia (renamed in A)' });
    });
    await syncNow(a);
    await b.worker.evaluate(async () => {
      const [mdn] = await chrome.bookmarks.search({ title: 'MDN Web Docs' });
      await chrome.bookmarks.move(mdn!.id, { parentId: '1', index: 0 });
      const [lwn] = await chrome.bookmarks.search({ title: 'LWN.net' });
      await chrome.bookmarks.remove(lwn!.id);
    });
    await syncNow(b);
    await syncNow(a);

    for (const ext of [a, b]) {
      const tree = await bookmarkTree(ext);
      const bar = tree.children!.find((n) => n.folderType === 'bookmarks-bar')!;
      expect(bar.children![0]!.title).toBe('MDN Web Docs');
      expect(findByTitle(tree, 'News')!.children!.map((n) => n.title)).toEqual(['Hacker News', 'From A']);
      expect(findByTitle(tree, 'Wikipedia (renamed in A)')).toBeDefined();
      expect(findByTitle(tree, 'LWN.net')).toBeUndefined();
    }
    const server = await serverRecords();
    expect(server.get('bmMdnDocs001')).toMatchObject({ parentid: 'toolbar', tags: ['docs', 'web'], keyword: 'mdn' });
    expect(server.get('bmLwnNet0001')).toEqual({ id: 'bmLwnNet0001', deleted: true });
    expect(server.get('fdReading001')!['children']).toEqual(['sepReading01', 'fdRecipes001']);
  });
});
