// A browser crash shortly after Syncbridge writes bookmarks (issue 9.0). Chromium saves its
// bookmark file at most every 2.5 s, so a crash throws the last seconds of writes away, with no
// event, while the mirror and id map in IndexedDB already count them. The fake browser models it:
// `save()` is the browser writing its file, `crash()` the process dying and starting from that file
// (Chromium's id counter restarts from it too, so new items get ids the id map holds for others).
// Every test checks that the account and the browser end with every bookmark exactly once.
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

const live = (server: Map<string, Record<string, unknown>>): Array<Record<string, unknown>> => [...server.values()].filter((r) => !r['deleted']);

async function titles(api: FakeBookmarksApi): Promise<string[]> {
  const out: string[] = [];
  const walk = (n: BrowserBookmarkNode): void => {
    if (n.url !== undefined) out.push(n.title);
    for (const c of n.children ?? []) walk(c);
  };
  for (const n of await api.getTree()) walk(n);
  return out.sort();
}

/** Every folder on the server lists only records it has, and each record is listed once. */
function consistent(server: Map<string, Record<string, unknown>>): void {
  const listed = new Map<string, string>();
  for (const [id, r] of server) {
    for (const child of (r['children'] as string[] | undefined) ?? []) {
      expect(server.get(child)?.['deleted'], `${id} lists ${child}`).toBeUndefined();
      expect(server.has(child), `${id} lists ${child}`).toBe(true);
      expect(listed.get(child), `${child} listed by ${id} and ${listed.get(child)}`).toBeUndefined();
      listed.set(child, id);
    }
  }
}

/** Another device writes to the account as Firefox would. */
async function otherDevice(change: (records: Map<string, Record<string, unknown>>) => Array<Record<string, unknown>>): Promise<void> {
  for (const r of change(await serverBookmarks())) await h.putAsOtherDevice('bookmarks', r);
}

describe('a browser crash shortly after Syncbridge writes bookmarks (issue 9.0)', () => {
  test('bookmarks applied just before the crash are put back, not deleted from the account', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    await h.sync({ bookmarks: api });
    api.save();
    await otherDevice((s) => {
      const toolbar = s.get('toolbar')!;
      const added = [1, 2, 3, 4, 5].map((i) => ({ id: `fromFirefox${i}`, type: 'bookmark', parentid: 'toolbar', parentName: 'toolbar', title: `From Firefox ${i}`, bmkUri: `https://firefox-${i}.example/` }));
      return [...added, { ...toolbar, children: [...(toolbar['children'] as string[]), ...added.map((a) => a.id)] }];
    });
    await h.sync({ bookmarks: api }); // applies the five
    expect((await titles(api)).filter((t) => t.startsWith('From Firefox'))).toHaveLength(5);
    api.crash(); // half a second later: the browser never saved them

    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    expect(live(server).filter((r) => String(r['title']).startsWith('From Firefox'))).toHaveLength(5);
    consistent(server);
    expect((await titles(api)).filter((t) => t.startsWith('From Firefox'))).toHaveLength(5);
    // And the next sync has nothing left to do about it.
    h.requests.length = 0;
    await h.sync({ bookmarks: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/bookmarks/.test(r))).toEqual([]);
  });

  test('bookmarks deleted just before the crash do not come back as zombies', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    await h.sync({ bookmarks: api });
    api.save();
    await otherDevice((s) => {
      const news = s.get('fdNews000001')!;
      return [{ id: 'bmHackerNews', deleted: true }, { ...news, children: (news['children'] as string[]).filter((c) => c !== 'bmHackerNews') }];
    });
    await h.sync({ bookmarks: api });
    expect(await titles(api)).not.toContain('Hacker News');
    api.crash();
    expect(await titles(api)).toContain('Hacker News'); // the browser brought it back

    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect(await titles(api)).not.toContain('Hacker News');
    const server = await serverBookmarks();
    expect(live(server).filter((r) => r['title'] === 'Hacker News')).toEqual([]);
    consistent(server);
  });

  test('another device\'s move applied just before the crash is not reverted on the account', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    await h.sync({ bookmarks: api });
    api.save();
    await otherDevice((s) => {
      const news = s.get('fdNews000001')!;
      const toolbar = s.get('toolbar')!;
      return [
        { ...s.get('bmHackerNews')!, parentid: 'toolbar', parentName: 'toolbar' },
        { ...news, children: (news['children'] as string[]).filter((c) => c !== 'bmHackerNews') },
        { ...toolbar, children: ['bmHackerNews', ...(toolbar['children'] as string[])] },
      ];
    });
    await h.sync({ bookmarks: api });
    api.crash();

    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    expect(server.get('bmHackerNews')).toMatchObject({ parentid: 'toolbar' });
    expect((server.get('toolbar')!['children'] as string[])[0]).toBe('bmHackerNews');
    consistent(server);
    const [root] = await api.getTree();
    const bar = root!.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    expect(bar.children![0]!.title).toBe('Hacker News');
  });

  test('ids the browser hands out again after the crash are new bookmarks, never the old ones', async () => {
    await demo();
    const api = new FakeBookmarksApi('chromium');
    await h.sync({ bookmarks: api });
    api.save();
    await otherDevice((s) => {
      const toolbar = s.get('toolbar')!;
      return [
        { id: 'fromFirefoxF', type: 'folder', parentid: 'toolbar', parentName: 'toolbar', title: 'Firefox folder', children: [] },
        { ...toolbar, children: [...(toolbar['children'] as string[]), 'fromFirefoxF'] },
      ];
    });
    await h.sync({ bookmarks: api });
    api.crash();
    // The person adds a bookmark: Chromium gives it the id the lost folder had.
    const [root] = await api.getTree();
    const bar = root!.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    await api.create({ parentId: bar.id, title: 'Made after the crash', url: 'https://after-crash.example/' });

    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const server = await serverBookmarks();
    // The Firefox folder is still a folder with its title; the new bookmark went up under its own GUID.
    expect(server.get('fromFirefoxF')).toMatchObject({ type: 'folder', title: 'Firefox folder' });
    const made = live(server).filter((r) => r['title'] === 'Made after the crash');
    expect(made).toHaveLength(1);
    expect(made[0]!['id']).not.toBe('fromFirefoxF');
    consistent(server);
    expect((await titles(api)).filter((t) => t === 'Made after the crash')).toHaveLength(1);
  });

  test('a first sync whose apply the crash undid completes with every bookmark exactly once', async () => {
    await demo();
    // The account holds sixty more bookmarks, so the apply runs past its first slice of 25 writes.
    await otherDevice((s) => {
      const unfiled = s.get('unfiled')!;
      const many = Array.from({ length: 60 }, (_, i) => ({ id: `manyBm${String(i).padStart(6, '0')}`, type: 'bookmark', parentid: 'fdMany000001', parentName: 'Many', title: `Many ${i}`, bmkUri: `https://many-${i}.example/` }));
      return [...many, { id: 'fdMany000001', type: 'folder', parentid: 'unfiled', parentName: 'unfiled', title: 'Many', children: many.map((m) => m.id) },
        { ...unfiled, children: [...(unfiled['children'] as string[]), 'fdMany000001'] }];
    });
    const api = new FakeBookmarksApi('chromium');
    const [root] = await api.getTree();
    const bar = root!.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    await api.create({ parentId: bar.id, title: 'Mine before signing in', url: 'https://mine.example/' });
    api.save();
    await h.sync({ bookmarks: api }).catch(() => undefined); // asks: both sides have bookmarks
    await h.safety.chooseFirstSync('merge');
    api.killAfter(40); // the browser dies forty writes into the apply (past the first slice of 25)…
    expect(await h.sync({ bookmarks: api }).catch((e: unknown) => e)).toBeInstanceOf(Error);
    api.crash(); // …and comes back without any of them
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');

    const server = await serverBookmarks();
    consistent(server);
    const serverTitles = live(server).filter((r) => r['type'] === 'bookmark').map((r) => String(r['title'])).sort();
    expect(new Set(serverTitles).size).toBe(serverTitles.length);
    expect(serverTitles).toContain('Mine before signing in');
    expect(serverTitles).toContain('Hacker News');
    const local = await titles(api);
    expect(new Set(local).size).toBe(local.length);
    expect(local).toEqual(serverTitles.filter((t) => local.includes(t)).sort());
    expect(local).toContain('Hacker News');
    expect(local.filter((t) => t.startsWith('Many '))).toHaveLength(60);
    expect(serverTitles.filter((t) => t.startsWith('Many '))).toHaveLength(60);
  });
});
