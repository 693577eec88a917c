// The browser dies under the extension. Chromium saves its bookmark file 2.5 s after a change
// (BookmarkStorage::kSaveDelay); a SIGKILL of the browser process in that window loses Syncbridge's
// last writes while its IndexedDB (mirror, id map, write log) already counts them. These tests kill
// the real browser process (support/crash.ts), start Chromium again on the same profile and check
// both the account on the server and the browser's tree. Also: a node reassignment keeps what
// Chromium cannot show, and a sign-out stops a running sync.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchCrashableChromium, savedBookmarks, type CrashableChromium } from '../support/crash.ts';
import type { ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { POPUP, bookmarkTree, findByTitle, signInWithPassword, syncNow, type Node } from '../support/chromiumUi.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';
import { formatLogEntry, type LogEntry } from '../../src/shared/logEntry.ts';
import type { StatusView } from '../../src/shared/status.ts';

type Rec = Record<string, unknown>;

let stack: LocalStack;
const browsers: CrashableChromium[] = [];

beforeEach(async () => {
  stack = await startLocalStack();
});
afterEach(async ({ task }) => {
  // A failed test shows the extension's sync log (what the options page shows), while the browser
  // still runs; E2E_SYNC_LOG=1 shows it for every test.
  if (task.result?.state === 'fail' || process.env['E2E_SYNC_LOG']) {
    for (const b of browsers) {
      const log = await syncLog(b.ext).catch((e: unknown) => `(log unavailable: ${String(e)})`);
      console.log(`--- sync log of the extension (${b.profileDir}) ---\n${log}\n--- end of sync log ---`);
    }
  }
  for (const b of browsers.splice(0)) await b.close();
  await stack?.close();
});

async function newBrowser(): Promise<CrashableChromium> {
  const b = await launchCrashableChromium();
  browsers.push(b);
  return b;
}

// ---- reading the extension and the server ----

const controlPages = new WeakMap<ChromiumExtension, Page>();
/** An extension page kept open to talk to the background (the worker cannot message itself). */
async function controlPage(ext: ChromiumExtension): Promise<Page> {
  let page = controlPages.get(ext);
  if (!page || page.isClosed()) {
    page = await ext.openPage(POPUP);
    controlPages.set(ext, page);
  }
  return page;
}

async function status(ext: ChromiumExtension): Promise<StatusView> {
  const page = await controlPage(ext);
  const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as { ok: boolean; value: StatusView; error?: string };
  if (!reply.ok) throw new Error(`getStatus: ${reply.error}`);
  return reply.value;
}

/** The sync log as the options page shows it. */
async function syncLog(ext: ChromiumExtension): Promise<string> {
  const page = await controlPage(ext);
  const reply = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getLogs', limit: 2000 }))) as { ok: boolean; value: LogEntry[] };
  return reply.value.map(formatLogEntry).join('\n');
}

async function waitIdle(ext: ChromiumExtension): Promise<void> {
  await expect.poll(async () => (await status(ext)).syncing, { timeout: 60_000 }).toBe(false);
}

async function serverRecords(): Promise<Map<string, Rec>> {
  return new Map((await stack.demoRecords('bookmarks')).map((r) => [String(r['id']), r]));
}

/** The fields that say what a record is and where it stands (not dateAdded, parentName, hasDupe). */
const essence = (r: Rec | undefined): Rec | undefined => {
  if (!r) return r;
  const out: Rec = {};
  for (const k of ['id', 'type', 'deleted', 'parentid', 'title', 'bmkUri', 'children', 'tags', 'keyword', 'pos']) if (r[k] !== undefined) out[k] = r[k];
  // No tags is no tags, whether the record says [] or nothing.
  if (Array.isArray(out['tags']) && out['tags'].length === 0) delete out['tags'];
  return out;
};

/** Every bookmark (with a URL) in the browser's tree, with the folder titles above it. */
function browserBookmarks(tree: Node): Array<{ title: string; url: string; id: string; dateAdded?: number }> {
  const out: Array<{ title: string; url: string; id: string; dateAdded?: number }> = [];
  const walk = (n: Node): void => {
    if (n.url !== undefined) out.push({ title: n.title, url: n.url, id: n.id, dateAdded: (n as { dateAdded?: number }).dateAdded });
    for (const c of n.children ?? []) walk(c);
  };
  walk(tree);
  return out;
}

function folders(tree: Node): Node[] {
  const out: Node[] = [];
  const walk = (n: Node): void => {
    if (n.url === undefined) out.push(n);
    for (const c of n.children ?? []) walk(c);
  };
  walk(tree);
  return out;
}

const count = <T>(xs: readonly T[]): Map<T, number> => {
  const m = new Map<T, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

/** What the server's live bookmark records say the browser should show, one line per bookmark. */
function expectedBookmarkLines(server: Map<string, Rec>): string[] {
  return [...server.values()].filter((r) => r['type'] === 'bookmark' && !r['deleted']).map((r) => `${String(r['title'])} <${String(r['bmkUri'])}>`).sort();
}
const browserLines = (tree: Node): string[] => browserBookmarks(tree).map((b) => `${b.title} <${b.url}>`).sort();

/** The account holds one record per item: no tombstones unless expected, no two live records for one bookmark, every child where its folder says. */
function expectConsistentServer(server: Map<string, Rec>, allowedTombstones: ReadonlySet<string> = new Set()): void {
  const tombstones = [...server.values()].filter((r) => r['deleted']).map((r) => String(r['id']));
  expect(tombstones.filter((id) => !allowedTombstones.has(id)), 'unexpected tombstones on the server').toEqual([]);
  const live = [...server.values()].filter((r) => !r['deleted']);
  const dupes = [...count(live.map((r) => `${String(r['type'])} ${String(r['parentid'])} ${String(r['title'] ?? '')} ${String(r['bmkUri'] ?? '')} ${String(r['pos'] ?? '')}`))]
    .filter(([, n]) => n > 1);
  expect(dupes, 'duplicate records on the server').toEqual([]);
  const missing: string[] = [];
  for (const f of live.filter((r) => r['type'] === 'folder')) {
    for (const child of (f['children'] as string[] | undefined) ?? []) {
      const c = server.get(child);
      if (!c || c['deleted'] || c['parentid'] !== f['id']) missing.push(`${String(f['id'])} → ${child} (${c ? (c['deleted'] ? 'tombstone' : `parentid ${String(c['parentid'])}`) : 'absent'})`);
    }
  }
  expect(missing, 'folder children missing on the server').toEqual([]);
}

/** Bookmarks the browser shows now (count only: cheap enough to poll while a sync applies). */
async function bookmarkCount(ext: ChromiumExtension): Promise<number> {
  return ext.worker.evaluate(async () => (await chrome.bookmarks.getRecent(100_000)).length);
}

async function faultSeen(id: string): Promise<number | null> {
  const res = await fetch(`${stack.origin}/__test__/faults`);
  const { faults } = (await res.json()) as { faults: Array<{ id: string; seen: number }> };
  return faults.find((f) => f.id === id)?.seen ?? null;
}

/**
 * Starts Chromium again on the crashed profile while no sync can change anything (a sync stops at
 * its first storage request: the connection is dropped), so the tree can be read as Chromium
 * loaded it from disk. Chromium may or may not start a sync by itself (after a crash it can also
 * have lost its own preferences and report the extension as newly installed); release() lifts the
 * hold and waits until no sync runs.
 */
async function relaunchHeld(b: CrashableChromium): Promise<{ ext: ChromiumExtension; release(): Promise<void> }> {
  const fault = (await stack.control('/__test__/faults', { kind: 'drop', count: 1, match: { method: 'GET', pathRegex: '/info/collections$' } })) as { id: string };
  const ext = await b.relaunch();
  return {
    ext,
    async release() {
      await fetch(`${stack.origin}/__test__/faults/${fault.id}`, { method: 'DELETE' });
      await waitIdle(ext);
    },
  };
}

async function signInDemo(b: CrashableChromium): Promise<Page> {
  const options = await signInWithPassword(b.ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  return options;
}

// ---- the account content of the tests ----

const FOLDERS = 75;
const PER_FOLDER = 20;
const folderId = (f: number): string => `crashFold${String(f).padStart(3, '0')}`;
const bookmarkId = (i: number): string => `crashBmk${String(i).padStart(4, '0')}`;

/** 1,500 bookmarks in 75 folders in the account's Other Bookmarks (unfiled), as another Firefox uploaded them. */
async function seedBigAccount(): Promise<void> {
  const server = await serverRecords();
  const unfiled = server.get('unfiled')!;
  const records: Rec[] = [];
  const base = Date.parse('2025-08-01T00:00:00Z');
  for (let f = 0; f < FOLDERS; f++) {
    const children: string[] = [];
    for (let b = 0; b < PER_FOLDER; b++) {
      const i = f * PER_FOLDER + b;
      children.push(bookmarkId(i));
      records.push({
        id: bookmarkId(i), type: 'bookmark', parentid: folderId(f), parentName: `Crash folder ${f}`,
        title: `Crash bookmark ${f}.${b}`, bmkUri: `https://crash.example/${f}/${b}`, dateAdded: base + i * 1000, tags: [],
      });
    }
    records.push({ id: folderId(f), type: 'folder', parentid: 'unfiled', parentName: 'unfiled', title: `Crash folder ${f}`, dateAdded: base, children });
  }
  records.push({ ...unfiled, children: [...(unfiled['children'] as string[]), ...Array.from({ length: FOLDERS }, (_, f) => folderId(f))] });
  await stack.putDemoRecords('bookmarks', records);
}

describe('Chromium: the browser process is killed under the extension', () => {
  test('killed while a first sync applies 1,500 bookmarks: after a restart every bookmark is there once and the account is intact', async () => {
    await seedBigAccount();
    const before = await serverRecords();
    const b = await newBrowser();
    await signInWithPassword(b.ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    // Kill as soon as the apply has begun: the first bookmarks are in the browser.
    let shownAtKill = 0;
    await expect.poll(async () => (shownAtKill = await bookmarkCount(b.ext)), { timeout: 60_000, interval: 20 }).toBeGreaterThan(0);
    await b.kill();
    const onDisk = await savedBookmarks(b.profileDir);
    console.log(`first sync killed with ${shownAtKill} bookmarks shown, ${onDisk.length} in the bookmark file on disk`);

    const ext = await b.relaunch();
    // The account must never lose a record, whatever the browser shows in between.
    const expectAccountIntact = async (after: string): Promise<Map<string, Rec>> => {
      const server = await serverRecords();
      const changed = [...before].filter(([id, rec]) => JSON.stringify(essence(server.get(id))) !== JSON.stringify(essence(rec)))
        .map(([id, rec]) => `${id} (${String(rec['title'] ?? rec['type'])} in ${String(rec['parentid'])}): ${JSON.stringify(essence(server.get(id)))}`);
      expect(changed, `server records changed ${after}`).toEqual([]);
      expect([...server.keys()].sort(), `server records ${after}`).toEqual([...before.keys()].sort());
      expectConsistentServer(server);
      return server;
    };
    await syncNow(ext);
    const afterFirst = await expectAccountIntact('by the first sync after the restart');
    const missing = (server: Map<string, Rec>, tree: Node): string[] => {
      const have = count(browserLines(tree));
      const out: string[] = [];
      for (const line of expectedBookmarkLines(server)) {
        const n = have.get(line) ?? 0;
        if (n === 0) out.push(line);
        else have.set(line, n - 1);
      }
      return out;
    };
    console.log(`after the first sync since the restart the browser lacks ${JSON.stringify(missing(afterFirst, await bookmarkTree(ext)))}`);
    await syncNow(ext);
    await expectAccountIntact('by the second sync after the restart');

    const server = await serverRecords();
    // The browser shows every server bookmark exactly once.
    const tree = await bookmarkTree(ext);
    expect(browserLines(tree)).toEqual(expectedBookmarkLines(server));
    const crashFolders = folders(tree).filter((n) => n.title.startsWith('Crash folder '));
    expect(crashFolders.map((n) => n.title).sort()).toEqual(Array.from({ length: FOLDERS }, (_, f) => `Crash folder ${f}`).sort());
    for (const folder of crashFolders) {
      const f = Number(folder.title.slice('Crash folder '.length));
      expect(folder.children!.map((c) => c.url)).toEqual(Array.from({ length: PER_FOLDER }, (_, k) => `https://crash.example/${f}/${k}`));
    }
    expect((await status(ext)).lastRun?.outcome).toBe('success');
  });

  test('killed within the save delay after an incremental sync: another device’s additions and deletions stand', async () => {
    const b = await newBrowser();
    await signInDemo(b);
    await controlPage(b.ext); // opened now, so that reading the status before the kill is quick
    // The first sync's bookmarks are on disk before anything else happens.
    await expect.poll(async () => (await savedBookmarks(b.profileDir)).some((s) => s.title === 'Hacker News'), { timeout: 15_000, interval: 100 }).toBe(true);

    // ---- Another device adds 5 bookmarks to News; Chromium syncs them, and dies at once. ----
    const start = await serverRecords();
    const news = start.get('fdNews000001')!;
    const added = Array.from({ length: 5 }, (_, i) => ({
      id: `addedBmk000${i}`, type: 'bookmark', parentid: 'fdNews000001', parentName: 'News',
      title: `Added elsewhere ${i}`, bmkUri: `https://added.example/${i}`, dateAdded: Date.now(), tags: [],
    }));
    await stack.putDemoRecords('bookmarks', [...added, { ...news, children: [...(news['children'] as string[]), ...added.map((a) => a.id)] }]);
    await syncNow(b.ext);
    const shown = browserBookmarks(await bookmarkTree(b.ext)).filter((x) => x.url.startsWith('https://added.example/'));
    expect(shown.map((x) => x.title).sort()).toEqual(added.map((a) => a.title));
    const run1 = (await status(b.ext)).lastRun!;
    const killedAt = await b.kill();
    const firstWrite = Math.min(...shown.map((x) => x.dateAdded ?? killedAt));
    const disk = await savedBookmarks(b.profileDir);
    console.log(`additions: killed ${killedAt - firstWrite} ms after the first of them was created (${killedAt - run1.finishedAt} ms after the sync finished)`);
    // The scenario really happened: the browser never saved them.
    expect(disk.filter((s) => s.url.startsWith('https://added.example/')), 'the kill came after Chromium saved the additions').toEqual([]);

    const held = await relaunchHeld(b);
    let ext = held.ext;
    expect(browserBookmarks(await bookmarkTree(ext)).filter((x) => x.url.startsWith('https://added.example/')), 'Chromium came back without them').toEqual([]);
    await held.release();
    await syncNow(ext);

    let server = await serverRecords();
    for (const a of added) expect(essence(server.get(a.id)), a.id).toEqual(essence(a));
    expect(server.get('fdNews000001')!['children']).toEqual([...(news['children'] as string[]), ...added.map((a) => a.id)]);
    expectConsistentServer(server);
    let tree = await bookmarkTree(ext);
    expect(findByTitle(tree, 'News')!.children!.map((c) => c.title)).toEqual(['Hacker News', 'LWN.net', ...added.map((a) => a.title)]);
    expect(browserLines(tree)).toEqual(expectedBookmarkLines(server));

    // ---- Another device deletes 3 bookmarks; Chromium syncs the deletions, and dies at once. ----
    await expect.poll(async () => (await savedBookmarks(b.profileDir)).filter((s) => s.url.startsWith('https://added.example/')).length, { timeout: 15_000, interval: 100 })
      .toBe(5);
    const gone = ['bmSourdough1', 'bmPancakes01', 'bmWeather001'];
    const goneTitles = gone.map((id) => String(server.get(id)!['title']));
    const recipes = server.get('fdRecipes001')!;
    const mobile = server.get('mobile')!;
    await stack.putDemoRecords('bookmarks', [
      ...gone.map((id) => ({ id, deleted: true })),
      { ...recipes, children: (recipes['children'] as string[]).filter((c) => !gone.includes(c)) },
      { ...mobile, children: (mobile['children'] as string[]).filter((c) => !gone.includes(c)) },
    ]);
    const beforeDeletion = await serverRecords();
    await syncNow(ext);
    tree = await bookmarkTree(ext);
    for (const t of goneTitles) expect(findByTitle(tree, t), t).toBeUndefined();
    const run2 = (await status(ext)).lastRun!;
    const killedAt2 = await b.kill();
    const disk2 = await savedBookmarks(b.profileDir);
    console.log(`deletions: killed ${killedAt2 - run2.startedAt} ms after that sync started (${killedAt2 - run2.finishedAt} ms after it finished)`);
    expect(disk2.filter((s) => goneTitles.includes(s.title)).map((s) => s.title).sort(), 'the kill came after Chromium saved the deletions').toEqual([...goneTitles].sort());

    // Chromium comes back with the 3 bookmarks (it never saved their removal)…
    const held2 = await relaunchHeld(b);
    ext = held2.ext;
    tree = await bookmarkTree(ext);
    for (const t of goneTitles) expect(findByTitle(tree, t), `${t} back after the crash`).toBeDefined();
    await held2.release();
    // …and the sync removes them again instead of sending them back to the account.
    await syncNow(ext);
    tree = await bookmarkTree(ext);
    for (const t of goneTitles) expect(findByTitle(tree, t), `${t} after the sync`).toBeUndefined();
    server = await serverRecords();
    for (const id of gone) expect(server.get(id), id).toEqual({ id, deleted: true });
    for (const [id, rec] of beforeDeletion) expect(essence(server.get(id)), id).toEqual(essence(rec));
    expect([...server.keys()].sort()).toEqual([...beforeDeletion.keys()].sort());
    expectConsistentServer(server, new Set(gone));
    expect(browserLines(tree)).toEqual(expectedBookmarkLines(server));
    expect(await syncLog(ext)).toContain('This browser lost Syncbridge’s last changes to its bookmarks');
  });
});

describe('Chromium: the account moves and the person signs out', () => {
  test('a node reassignment: the new node gets the separators, the query, tags and keywords Chromium cannot show', async () => {
    const b = await newBrowser();
    await signInDemo(b);
    const before = await serverRecords();
    const treeBefore = browserLines(await bookmarkTree(b.ext));
    const oldUid = stack.demoUid();
    await stack.control('/__test__/faults/reassign', { uid: oldUid });
    await syncNow(b.ext);

    expect(stack.demoUid()).not.toBe(oldUid);
    expect(stack.server.ctx.storage.getRecords(oldUid, 'bookmarks')).toEqual([]);
    const after = await serverRecords();
    for (const id of ['sepReading01', 'sepMenu00001', 'qyMostVisit1', 'bmMdnDocs001', 'bmWikipedia1', 'bmSourdough1', 'bmExample001']) {
      expect(essence(after.get(id)), id).toEqual(essence(before.get(id)));
    }
    expect(after.get('bmMdnDocs001')).toMatchObject({ tags: ['docs', 'web'], keyword: 'mdn' });
    expect(after.get('qyMostVisit1')).toMatchObject({ type: 'query', bmkUri: 'place:sort=8&maxResults=10' });
    // Everything else too, in place: every record of the demo, the same.
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [id, rec] of before) expect(essence(after.get(id)), id).toEqual(essence(rec));
    expectConsistentServer(after);
    expect(browserLines(await bookmarkTree(b.ext))).toEqual(treeBefore);
  });

  test('signing out during a long first sync stops it; another account then syncs cleanly', async () => {
    const b = await newBrowser();
    const demoUid = stack.demoUid();
    // The demo's bookmarks download is held 4 s on the server (every time it is asked for).
    const hold = (await stack.control('/__test__/faults', {
      kind: 'delay', ms: 4000, match: { method: 'GET', pathRegex: `^/storage/1\\.5/${demoUid}/storage/bookmarks$` },
    })) as { id: string };
    const options = await signInWithPassword(b.ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await expect.poll(() => faultSeen(hold.id), { timeout: 20_000, interval: 20 }).toBe(1);
    await expect.poll(() => options.getByTestId('status').textContent()).toBe('Syncing…');

    // Count every request to the demo's storage from the moment of the sign-out on.
    const watch = (await stack.control('/__test__/faults', { kind: 'delay', ms: 0, match: { path: `/storage/1.5/${demoUid}/` } })) as { id: string };
    const signOutAt = Date.now();
    await options.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 10_000 }).toBe('Not signed in');
    const popup = await b.ext.openPage(POPUP);
    await expect.poll(() => popup.getByTestId('account').textContent()).toBe('Not signed in');
    await expect.poll(async () => (await status(b.ext)).syncing, { timeout: 10_000 }).toBe(false);
    const s = await status(b.ext);
    expect(s.signedIn).toBe(false);
    expect(s.lastRun?.outcome, s.lastRun?.message).not.toBe('error');
    expect(s.lastRun?.message).toMatch(/signed out/i);
    expect(await options.getByTestId('account-error').isHidden()).toBe(true);
    for (const page of [popup, options]) {
      await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/signed out/i);
      expect(await page.getByTestId('status').textContent()).not.toMatch(/problem|fail|error/i);
    }
    // Nothing of the demo's bookmarks was applied.
    expect(await bookmarkCount(b.ext)).toBe(0);

    // Another account, on this browser: it signs in and syncs cleanly.
    const other = { email: 'second@example.com', password: 'second-password-123' };
    await stack.control('/__test__/accounts', { ...other, verified: true });
    const options2 = await signInWithPassword(b.ext, stack.origin, other.email, other.password);
    await expect.poll(() => options2.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
    expect((await status(b.ext)).lastRun?.outcome).toBe('success');
    const secondUid = stack.uids().find((u) => u !== demoUid && stack.server.ctx.storage.getRecords(u, 'meta').length > 0);
    expect(secondUid, 'the second account has its own storage').toBeDefined();

    // The held response has gone out by now: a sync that went on after it would have asked more.
    await expect.poll(() => stack.requests.some((r) => r.path.startsWith(`/storage/1.5/${demoUid}/storage/bookmarks`) && r.ms >= 4000), { timeout: 10_000 }).toBe(true);
    const late = stack.requests.filter((r) => r.path.startsWith(`/storage/1.5/${demoUid}/`) && Date.parse(r.time) >= signOutAt);
    expect(late.map((r) => `${r.method} ${r.path} at +${Date.parse(r.time) - signOutAt} ms`), 'storage requests after the sign-out').toEqual([]);
    expect(await faultSeen(watch.id)).toBe(0);
    expect(await faultSeen(hold.id)).toBe(1);
  });
});
