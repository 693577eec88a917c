// First sync of 10,000 bookmarks in 500 folders into Chromium, through the real extension and the
// local stack, next to the time Chromium itself needs to create the same bookmarks through its
// API (the floor no sync can beat); then an incremental sync of one change, and a first sync cut
// off by a stopped service worker. Prints figures; run with `npx tsx bench/bookmarks.bench.ts [folders] [perFolder]`.
import { launchChromiumWithExtension, type ChromiumExtension } from '../e2e/support/chromium.ts';
import { startLocalStack, type LocalStack } from '../e2e/support/stack.ts';
import { DEMO_KB_HEX } from '../server/identity/demo/fixtures.ts';
import { hexToBytes } from '../src/sync/crypto/encoding.ts';
import { keyBundleFromKSync } from '../src/sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, decryptPayload, encryptPayload } from '../src/sync/crypto/records.ts';
import { deriveSyncKey } from '../src/sync/crypto/syncKeys.ts';
import { extensionProcessPeakMiB, signIn } from './support.ts';


const FOLDERS = Number(process.argv[2] ?? 500);
const PER_FOLDER = Number(process.argv[3] ?? 20);
const TOTAL = FOLDERS * PER_FOLDER;

const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12 - prefix.length, '0')}`;

/** Puts FOLDERS folders of PER_FOLDER bookmarks into the demo account's unfiled root, as Firefox would. */
async function seed(stack: LocalStack): Promise<void> {
  const uid = stack.uids().find((u) => stack.server.ctx.storage.getRecords(u, 'crypto').length > 0)!;
  const root = keyBundleFromKSync(deriveSyncKey(hexToBytes(DEMO_KB_HEX)).kSync);
  const keys = await decryptCryptoKeys(stack.server.ctx.storage.getRecords(uid, 'crypto')[0]!.payload, root);
  const bundle = bundleForCollection(keys, 'bookmarks');
  const unfiledBso = stack.server.ctx.storage.getRecords(uid, 'bookmarks').find((r) => r.id === 'unfiled')!;
  const unfiled = (await decryptPayload(unfiledBso.payload, bundle)) as { children: string[] };
  const records: Array<{ id: string; payload: string; sortindex: number }> = [];
  const folderIds: string[] = [];
  for (let f = 0; f < FOLDERS; f++) {
    const fid = id('bf', f);
    folderIds.push(fid);
    const children: string[] = [];
    for (let b = 0; b < PER_FOLDER; b++) {
      const bid = id('bb', f * PER_FOLDER + b);
      children.push(bid);
      records.push({ id: bid, sortindex: 100, payload: await encryptPayload({ id: bid, type: 'bookmark', parentid: fid, parentName: `Folder ${f}`, title: `Bookmark ${f}.${b}`, bmkUri: `https://bench.example/${f}/${b}`, dateAdded: 1_700_000_000_000 }, bundle) });
    }
    records.push({ id: fid, sortindex: 1_000_000, payload: await encryptPayload({ id: fid, type: 'folder', parentid: 'unfiled', parentName: '', title: `Folder ${f}`, children, dateAdded: 1_700_000_000_000 }, bundle) });
  }
  records.push({ id: 'unfiled', sortindex: 1_000_000, payload: await encryptPayload({ ...unfiled, children: [...unfiled.children, ...folderIds] }, bundle) });
  for (let i = 0; i < records.length; i += 1000) stack.server.ctx.storage.putRecords(uid, 'bookmarks', records.slice(i, i + 1000));
}

async function countBookmarks(ext: ChromiumExtension): Promise<number> {
  // No named inner functions: tsx would wrap them in a helper the browser does not have.
  return ext.worker.evaluate(async () => {
    let n = 0;
    const stack: chrome.bookmarks.BookmarkTreeNode[] = [...(await chrome.bookmarks.getTree())];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.url) n++;
      stack.push(...(node.children ?? []));
    }
    return n;
  });
}

interface Status { syncing: boolean; lastRun: { finishedAt: number; outcome: string; message: string } | null; progress: { done: number; total: number; step: string } | null }

async function status(ext: ChromiumExtension): Promise<Status> {
  const page = ext.context.pages().find((p) => p.url().includes('popup.html')) ?? (await ext.openPage('src/popup/popup.html'));
  return ((await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as { value: Status }).value;
}


/** Polls until a run that finished after `since` is reported; records the progress bar's states. */
async function waitForRun(ext: ChromiumExtension, since: number, progressSeen: Set<string>, limitMs = 600_000): Promise<Status> {
  const deadline = Date.now() + limitMs;
  const popup = await ext.openPage('src/popup/popup.html');
  for (;;) {
    const s = await status(ext);
    const bar = await popup.evaluate(() => {
      const p = document.getElementById('progress') as HTMLProgressElement | null;
      return p && !p.hidden ? `${p.value}/${p.max}` : null;
    }).catch(() => null);
    if (bar) progressSeen.add(bar);
    if (!s.syncing && (s.lastRun?.finishedAt ?? 0) > since) {
      await popup.close();
      return s;
    }
    if (Date.now() > deadline) throw new Error('sync did not finish in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function floor(): Promise<number> {
  const ext = await launchChromiumWithExtension();
  try {
    return await ext.worker.evaluate(async ([folders, per]) => {
      const t0 = performance.now();
      for (let f = 0; f < folders; f++) {
        const folder = await chrome.bookmarks.create({ parentId: '2', title: `Folder ${f}` });
        for (let b = 0; b < per; b++) await chrome.bookmarks.create({ parentId: folder.id, title: `Bookmark ${f}.${b}`, url: `https://bench.example/${f}/${b}` });
      }
      return (performance.now() - t0) / 1000;
    }, [FOLDERS, PER_FOLDER] as const);
  } finally {
    await ext.close();
  }
}

async function firstSync(opts: { stopWorkerAtHalf: boolean }): Promise<{ seconds: number; progress: number; count: number; stops: number; peakMiB: number | null }> {
  const stack = await startLocalStack();
  await seed(stack);
  const ext = await launchChromiumWithExtension();
  try {
    const progressSeen = new Set<string>();
    const t0 = Date.now();
    await signIn(ext, stack.origin);
    let stops = 0;
    if (opts.stopWorkerAtHalf) {
      // Stop the worker once the engine is halfway through applying, then let the person press Sync now.
      for (;;) {
        const s = await status(ext);
        if (s.progress?.step === 'apply' && s.progress.done >= s.progress.total / 2) break;
        if (s.progress?.step === 'upload') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await ext.stopServiceWorker();
      stops++;
      const popup = await ext.openPage('src/popup/popup.html');
      await popup.getByRole('button', { name: 'Sync now' }).click();
    }
    let s = await waitForRun(ext, t0, progressSeen);
    // A run that started before the stop may have been reported as interrupted; finish with one more.
    if (s.lastRun?.outcome !== 'success') {
      const popup = await ext.openPage('src/popup/popup.html');
      const t1 = Date.now();
      await popup.getByRole('button', { name: 'Sync now' }).click();
      s = await waitForRun(ext, t1, progressSeen);
    }
    const seconds = (Date.now() - t0) / 1000;
    if (s.lastRun?.outcome !== 'success') throw new Error(`first sync failed: ${s.lastRun?.message}`);
    return { seconds, progress: progressSeen.size, count: await countBookmarks(ext), stops, peakMiB: extensionProcessPeakMiB(ext.profileDir) };
  } finally {
    await ext.close();
    await stack.close();
  }
}

async function incremental(): Promise<number> {
  const stack = await startLocalStack();
  await seed(stack);
  const ext = await launchChromiumWithExtension();
  try {
    const t0 = Date.now();
    await signIn(ext, stack.origin);
    await waitForRun(ext, t0, new Set());
    await ext.worker.evaluate(() => chrome.bookmarks.create({ parentId: '1', title: 'One change', url: 'https://one-change.example/' }));
    const t1 = Date.now();
    const popup = await ext.openPage('src/popup/popup.html');
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await waitForRun(ext, t1, new Set());
    return (Date.now() - t1) / 1000;
  } finally {
    await ext.close();
    await stack.close();
  }
}

const demoBookmarks = 13; // the demo account's own bookmarks Chromium shows (besides the seeded ones)
console.log(`bookmarks bench: ${TOTAL} bookmarks in ${FOLDERS} folders, Chromium ${process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'}`);
const floorS = await floor();
console.log(`Chromium API floor: create ${TOTAL} bookmarks + ${FOLDERS} folders   ${floorS.toFixed(1)} s`);
const first = await firstSync({ stopWorkerAtHalf: false });
console.log(`first sync (sign-in to done)                          ${first.seconds.toFixed(1)} s  (${first.count} bookmarks in Chromium, ${first.progress} progress-bar states seen)`);
console.log(`  peak resident memory of the extension process           ${first.peakMiB ?? 'n/a'} MiB`);
const cut = await firstSync({ stopWorkerAtHalf: true });
console.log(`first sync, worker stopped halfway, then Sync now     ${cut.seconds.toFixed(1)} s  (${cut.count} bookmarks in Chromium)`);
const inc = await incremental();
console.log(`incremental sync of one local change                  ${inc.toFixed(2)} s`);
const expected = TOTAL + demoBookmarks;
for (const [name, n] of [['first', first.count], ['cut', cut.count]] as const) {
  if (n < TOTAL || n > expected) console.log(`WARNING: ${name} sync left ${n} bookmarks, expected ${TOTAL} seeded (+ up to ${demoBookmarks} demo)`);
}
