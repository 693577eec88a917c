// The large-change safety for the ACCOUNT (issue 9 item 0, part c), end to end in Node: a browser
// that lost most of its bookmarks (a crash rolled its tree back) must not delete them from the
// account without the person's word. The sync stops and asks; "Delete them from my account"
// deletes exactly what was shown, after saving a copy of the account's records; "Keep them in my
// account" brings them back to this browser; "Put back in my account" writes the copy back.
import { afterEach, describe, expect, test } from 'vitest';
import { startDemoHarness, type Harness } from '../../test-support/syncHarness.ts';
import { FakeBookmarksApi } from './local/fakeBookmarksApi.ts';
import type { BrowserBookmarkNode } from './local/api.ts';
import { UserActionNeededError } from '../../sync/errors.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function demo(): Promise<Harness> {
  h = await startDemoHarness();
  return h;
}

const serverBookmarks = (): Promise<Map<string, Record<string, unknown>>> => h.decryptedRecords('bookmarks');

async function serverPayloads(): Promise<Map<string, string>> {
  return new Map((await h.serverRecords('bookmarks')).map((r) => [r.id, r.payload]));
}

/** As Firefox reads a record: an empty list (tags) and an absent one are the same. */
const firefoxView = (r: Record<string, unknown> | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r ?? {}).filter(([, v]) => !(Array.isArray(v) && v.length === 0)));

const id12 = (prefix: string, i: number): string => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`;

/**
 * Another device adds a folder of `count` bookmarks (tagged), a separator and a query to `root`.
 * Returns the ids of everything in it, the folder first.
 */
async function addFolder(root: 'menu' | 'toolbar' | 'unfiled', prefix: string, title: string, count: number): Promise<string[]> {
  const folderId = id12(`fd${prefix}`, 0);
  const kids = Array.from({ length: count }, (_, i) => id12(`bm${prefix}`, i + 1));
  const sep = id12(`sp${prefix}`, 1);
  const query = id12(`qy${prefix}`, 1);
  const children = [kids[0]!, sep, query, ...kids.slice(1)];
  for (const [i, id] of kids.entries()) {
    await h.putAsOtherDevice('bookmarks', {
      id, type: 'bookmark', parentid: folderId, parentName: title, title: `${title} ${i}`, bmkUri: `https://${prefix.toLowerCase()}.example/${i}`,
      tags: i % 2 === 0 ? ['kept', prefix.toLowerCase()] : [], dateAdded: 1_750_000_000_000 + i,
    });
  }
  await h.putAsOtherDevice('bookmarks', { id: sep, type: 'separator', parentid: folderId, parentName: title, pos: 1 });
  await h.putAsOtherDevice('bookmarks', { id: query, type: 'query', parentid: folderId, parentName: title, title: `${title} most visited`, bmkUri: 'place:sort=8&maxResults=5' });
  await h.putAsOtherDevice('bookmarks', { id: folderId, type: 'folder', parentid: root, parentName: root, title, children, dateAdded: 1_750_000_000_000 });
  const rootRecord = (await serverBookmarks()).get(root)!;
  await h.putAsOtherDevice('bookmarks', { ...rootRecord, children: [...(rootRecord['children'] as string[]), folderId] });
  return [folderId, ...children];
}

/** Chromium's tree by title, as the person sees it. */
type Shape = { title: string; url?: string; children?: Shape[] };
const shape = (n: BrowserBookmarkNode): Shape =>
  n.url !== undefined ? { title: n.title, url: n.url } : { title: n.title, children: (n.children ?? []).map(shape) };

async function findByTitle(api: FakeBookmarksApi, title: string): Promise<BrowserBookmarkNode | undefined> {
  const walk = (n: BrowserBookmarkNode): BrowserBookmarkNode | undefined =>
    n.title === title && n.url === undefined ? n : (n.children ?? []).map(walk).find((x) => x !== undefined);
  return walk((await api.getTree())[0]!);
}

/** The browser loses these folders, with everything in them (a crash rolled its tree back). */
async function lose(api: FakeBookmarksApi, titles: string[]): Promise<void> {
  for (const title of titles) {
    const node = await findByTitle(api, title);
    if (!node) throw new Error(`no folder ${title} in the browser`);
    await api.removeTree(node.id);
  }
}

/** The ids the demo folders Reading (menu) and News (toolbar) hold, themselves included. */
const READING = ['fdReading001', 'bmMdnDocs001', 'sepReading01', 'fdRecipes001', 'bmSourdough1', 'bmPancakes01'];
const NEWS = ['fdNews000001', 'bmHackerNews', 'bmLwnNet0001'];

/** A first sync of an account with the demo bookmarks plus a 60-bookmark folder in the menu, then the crash. */
async function crashedBrowser(): Promise<{ api: FakeBookmarksApi; before: Map<string, Record<string, unknown>>; payloads: Map<string, string>; lost: string[] }> {
  await demo();
  const archive = await addFolder('menu', 'Arc', 'Archive', 60);
  const api = new FakeBookmarksApi('chromium');
  expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
  expect((await findByTitle(api, 'Archive'))!.children).toHaveLength(60);
  const before = await serverBookmarks();
  const payloads = await serverPayloads();
  await lose(api, ['Archive', 'Reading', 'News']);
  return { api, before, payloads, lost: [...archive, ...READING, ...NEWS] };
}

describe('bookmarks: the safety guards the account too', () => {
  test('a sync that would delete most of the account stops and asks; nothing changes on the server', async () => {
    const { api, payloads, lost } = await crashedBrowser();
    const err = await h.sync({ bookmarks: api }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserActionNeededError);
    expect((err as UserActionNeededError).reason).toBe('large-remote-deletion');
    // 63 in the Archive folder (itself, 60 bookmarks, a separator and a query), 6 in Reading, 3 in News;
    // the account holds 80 items (the 17 of the demo and the 63 added).
    expect((err as UserActionNeededError).userMessage).toBe(
      'Syncing would delete 72 of the 80 bookmarks in your account because they are missing from this browser. Review this in Settings; nothing has been deleted yet.',
    );
    expect(await serverPayloads()).toEqual(payloads);
    const pending = await h.safety.pending();
    expect(pending).toMatchObject({ kind: 'large-remote-deletion', deletions: 72, remoteItems: 80, emptiedRoots: [] });
    expect([...(pending as { ids: string[] }).ids].sort()).toEqual([...lost].sort());
    // Asked again until the person answers; still nothing written.
    expect(await h.sync({ bookmarks: api }).catch((e: unknown) => e)).toBeInstanceOf(UserActionNeededError);
    expect(await serverPayloads()).toEqual(payloads);
  });

  test('"Delete them from my account" deletes them, after saving the account\'s records; "Put back in my account" restores them everywhere', async () => {
    const { api, before, lost } = await crashedBrowser();
    await h.sync({ bookmarks: api }).catch(() => undefined); // asks
    await h.safety.approveRemoteDeletion();
    expect(await h.safety.pending()).toBeNull();
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const deleted = await serverBookmarks();
    for (const id of lost) expect(deleted.get(id), id).toEqual({ id, deleted: true });
    expect(deleted.get('menu')!['children']).toEqual(['bmMozOrg0001', 'sepMenu00001', 'bmFirefoxHel']);

    // The copy holds every record the account had, as it was, with what Chromium cannot show.
    const copies = (await h.safety.snapshots()).filter((s) => s.kind === 'account');
    expect(copies).toHaveLength(1);
    expect(copies[0]).toMatchObject({ reason: 'Before deleting 72 bookmarks from your account', count: before.size });
    const copy = (await h.safety.getSnapshot(copies[0]!.id!))!.items as Array<{ id: string; cleartext: Record<string, unknown> }>;
    for (const [id, rec] of before) expect(firefoxView(copy.find((r) => r.id === id)?.cleartext), id).toEqual(firefoxView(rec));
    // The approval was for that sync only.
    expect((await h.safety.accountDecisions()).approvedRemoteDeletions).toBeNull();

    await h.safety.requestAccountRestore(copies[0]!.id!);
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const restored = await serverBookmarks();
    for (const [id, rec] of before) expect(firefoxView(restored.get(id)), id).toEqual(firefoxView(rec));
    expect(restored.get('spArc0000001')).toMatchObject({ type: 'separator', parentid: 'fdArc0000000' });
    expect(restored.get('qyArc0000001')).toMatchObject({ type: 'query', bmkUri: 'place:sort=8&maxResults=5' });
    expect(restored.get('bmMdnDocs001')).toMatchObject({ tags: ['docs', 'web'], keyword: 'mdn' });
    // This browser has them back too.
    expect((await findByTitle(api, 'Archive'))!.children!.map(shape)).toEqual(
      Array.from({ length: 60 }, (_, i) => ({ title: `Archive ${i}`, url: `https://arc.example/${i}` })),
    );
    expect(await findByTitle(api, 'Recipes')).toBeDefined();
    expect(await findByTitle(api, 'News')).toBeDefined();
    expect((await h.safety.accountDecisions()).restore).toBeNull();
    // Everything agrees: the next sync writes nothing, and the browser keeps them.
    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(h.requests.filter((r) => /^POST .*\/storage\/bookmarks/.test(r))).toEqual([]);
    expect((await findByTitle(api, 'Archive'))!.children).toHaveLength(60);
  });

  test('"Keep them in my account" brings them back to this browser; the account is not touched', async () => {
    const { api, before, payloads } = await crashedBrowser();
    await h.sync({ bookmarks: api }).catch(() => undefined); // asks
    await h.safety.keepRemoteBookmarks();
    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(await serverPayloads()).toEqual(payloads);
    expect(h.requests.filter((r) => /^POST .*\/storage\/bookmarks/.test(r))).toEqual([]);
    expect((await findByTitle(api, 'Archive'))!.children).toHaveLength(60);
    const reading = (await findByTitle(api, 'Reading'))!;
    expect(reading.children!.map(shape)).toEqual([
      { title: 'MDN Web Docs', url: 'https://developer.mozilla.org/en-US/' },
      { title: 'Recipes', children: [{ title: 'Sourdough basics', url: 'https://bread.example.org/sourdough' }, { title: 'Fluffy pancakes', url: 'https://food.example.net/pancakes' }] },
    ]);
    expect((await findByTitle(api, 'News'))!.children).toHaveLength(2);
    expect((await h.safety.accountDecisions()).keepRemote).toBeNull();
    // And from now on all is as before: nothing to write, nothing to ask.
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(await serverPayloads()).toEqual(payloads);
    void before;
  });

  test('emptying a root of the account asks even below a quarter of the account', async () => {
    await demo();
    await addFolder('menu', 'Big', 'Big', 200);
    const archive = await addFolder('unfiled', 'Arc', 'Archive', 60);
    const api = new FakeBookmarksApi('chromium');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const payloads = await serverPayloads();
    // Everything in Other Bookmarks is lost: 65 of 283 items, under a quarter, but the whole folder.
    const [root] = await api.getTree();
    const other = root!.children!.find((n) => n.folderType === 'other')!;
    for (const n of other.children!) if (n.title !== 'Bookmarks Menu' && n.title !== 'Mobile Bookmarks') await api.removeTree(n.id);
    const err = await h.sync({ bookmarks: api }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserActionNeededError);
    expect((err as UserActionNeededError).userMessage).toMatch(/^Syncing would delete 65 of the 283 bookmarks in your account \(everything in Other Bookmarks\)/);
    expect(await h.safety.pending()).toMatchObject({ kind: 'large-remote-deletion', deletions: 65, emptiedRoots: ['unfiled'] });
    expect(await serverPayloads()).toEqual(payloads);
    void archive;
  });

  test('an approval holds when another device writes during the sync (the merge runs again after a 412)', async () => {
    const { api, lost } = await crashedBrowser();
    await h.sync({ bookmarks: api }).catch(() => undefined); // asks
    await h.safety.approveRemoteDeletion();
    const weather = (await serverBookmarks()).get('bmWeather001')!;
    h.beforeRequest(/^POST .*\/storage\/bookmarks/, () => h.putAsOtherDevice('bookmarks', { ...weather, title: 'Weather (renamed elsewhere)' }));
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(h.logs.some((l) => l.message.includes('merging again'))).toBe(true);
    const server = await serverBookmarks();
    for (const id of lost) expect(server.get(id), id).toEqual({ id, deleted: true });
    expect(server.get('bmWeather001')).toMatchObject({ title: 'Weather (renamed elsewhere)' });
    expect((await h.safety.snapshots()).filter((s) => s.kind === 'account')).toHaveLength(1);
  });

  test('"Keep this browser\'s bookmarks" on a first sync replaces the account without asking again, after saving a copy of it', async () => {
    await demo();
    const before = await serverBookmarks();
    const api = new FakeBookmarksApi('chromium');
    const [root] = await api.getTree();
    const bar = root!.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    await api.create({ parentId: bar.id, title: 'Only here', url: 'https://only-here.example/' });
    await h.safety.chooseFirstSync('keep-local');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect((await serverBookmarks()).get('bmHackerNews')).toEqual({ id: 'bmHackerNews', deleted: true });
    const [copy] = (await h.safety.snapshots()).filter((s) => s.kind === 'account');
    expect(copy?.reason).toMatch(/^Before deleting \d+ bookmarks from your account$/);
    const items = (await h.safety.getSnapshot(copy!.id!))!.items as Array<{ id: string; cleartext: Record<string, unknown> }>;
    for (const [id, r] of before) expect(firefoxView(items.find((x) => x.id === id)?.cleartext), id).toEqual(firefoxView(r));
  });

  test('"Put back in my account" does not overwrite a record written since', async () => {
    const { api, before } = await crashedBrowser();
    await h.sync({ bookmarks: api }).catch(() => undefined);
    await h.safety.approveRemoteDeletion();
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    // Another device brings one of them back, renamed, in Other Bookmarks.
    await h.putAsOtherDevice('bookmarks', { id: 'bmPancakes01', type: 'bookmark', parentid: 'unfiled', parentName: 'unfiled', title: 'Pancakes, again', bmkUri: 'https://food.example.net/pancakes' });
    const unfiled = (await serverBookmarks()).get('unfiled')!;
    await h.putAsOtherDevice('bookmarks', { ...unfiled, children: [...(unfiled['children'] as string[]), 'bmPancakes01'] });
    const [copy] = (await h.safety.snapshots()).filter((s) => s.kind === 'account');
    await h.safety.requestAccountRestore(copy!.id!);
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    expect(server.get('bmPancakes01')).toMatchObject({ title: 'Pancakes, again', parentid: 'unfiled' });
    expect(server.get('unfiled')!['children']).toEqual(['bmExample001', 'bmWikipedia1', 'bmPancakes01']);
    expect(server.get('fdRecipes001')).toMatchObject({ ...firefoxView(before.get('fdRecipes001')), children: ['bmSourdough1'] });
    expect(firefoxView(server.get('fdArc0000000'))).toEqual(firefoxView(before.get('fdArc0000000')));
    // Every folder lists only what names it as parent: nothing is in two places.
    for (const [id, r] of server) {
      for (const child of (r['children'] as string[] | undefined) ?? []) expect(server.get(child)?.['parentid'], `${id} lists ${child}`).toBe(id);
    }
    h.requests.length = 0;
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(h.requests.filter((r) => /^POST .*\/storage\/bookmarks/.test(r))).toEqual([]);
  });
});
