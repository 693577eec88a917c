// The search across everything synced, in Chromium through the real extension and the local stack:
// the demo account holds BOOKMARKS bookmarks (in folders of 20), PAGES other-device history pages
// and TABS tabs on the demo desktop, titled from a fixed vocabulary (src/test-support/searchData.ts).
// After the first sync builds the index, prints the build time (from the sync log), then per-query
// times as the popup sees them (a `search` message, answered from the index), next to floors measured
// in the same run: the same message with no words (messaging and the sign-in check, no index read),
// and one plain IndexedDB getAll of the whole index (what a scan per keystroke would cost before any
// matching).
// Prints figures; never passes or fails. Run: npx tsx bench/search.bench.ts [bookmarks] [pages] [tabs]
import { launchChromiumWithExtension } from '../e2e/support/chromium.ts';
import { startLocalStack, type LocalStack } from '../e2e/support/stack.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_KB_HEX } from '../server/identity/demo/fixtures.ts';
import { hexToBytes } from '../src/sync/crypto/encoding.ts';
import { keyBundleFromKSync } from '../src/sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, decryptPayload, encryptPayload } from '../src/sync/crypto/records.ts';
import { deriveSyncKey } from '../src/sync/crypto/syncKeys.ts';
import { searchProfile } from '../src/test-support/searchData.ts';
import { signIn } from './support.ts';

const BOOKMARKS = Number(process.argv[2] ?? 10_000);
const PAGES = Number(process.argv[3] ?? 5_000);
const TABS = Number(process.argv[4] ?? 100);
const PER_FOLDER = 20;
const REPEAT = 30;
const QUERIES = ['espresso', 'es', 'e', 'crème brûlée', 'garden tomato 12', 'mdn', 'zzzq'];

const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12 - prefix.length, '0')}`;

async function seed(stack: LocalStack, now: number): Promise<void> {
  const profile = searchProfile({ bookmarks: BOOKMARKS, pages: PAGES, tabsPerDevice: TABS, now });
  const uid = stack.demoUid();
  const root = keyBundleFromKSync(deriveSyncKey(hexToBytes(DEMO_KB_HEX)).kSync);
  const keys = await decryptCryptoKeys(stack.server.ctx.storage.getRecords(uid, 'crypto')[0]!.payload, root);
  const put = async (collection: string, records: Array<Record<string, unknown> & { id: string }>, sortindex: (r: Record<string, unknown>) => number) => {
    const bundle = bundleForCollection(keys, collection);
    const bsos = await Promise.all(records.map(async (r) => ({ id: r.id, sortindex: sortindex(r), payload: await encryptPayload(r, bundle) })));
    for (let i = 0; i < bsos.length; i += 1000) stack.server.ctx.storage.putRecords(uid, collection, bsos.slice(i, i + 1000));
  };

  // Bookmarks: folders of 20 under Other Bookmarks, as Firefox uploads them.
  const bookmarksBundle = bundleForCollection(keys, 'bookmarks');
  const unfiledBso = stack.server.ctx.storage.getRecords(uid, 'bookmarks').find((r) => r.id === 'unfiled')!;
  const unfiled = (await decryptPayload(unfiledBso.payload, bookmarksBundle)) as { children: string[] };
  const records: Array<Record<string, unknown> & { id: string }> = [];
  const folders: string[] = [];
  for (let f = 0; f * PER_FOLDER < profile.bookmarks.length; f++) {
    const fid = id('sf', f);
    folders.push(fid);
    const children = profile.bookmarks.slice(f * PER_FOLDER, (f + 1) * PER_FOLDER).map((b, i) => {
      const bid = id('sb', f * PER_FOLDER + i);
      records.push({ id: bid, type: 'bookmark', parentid: fid, parentName: `Folder ${f}`, title: b.title, bmkUri: b.url, dateAdded: b.dateAdded ?? now });
      return bid;
    });
    records.push({ id: fid, type: 'folder', parentid: 'unfiled', parentName: '', title: `Folder ${f}`, children, dateAdded: now });
  }
  records.push({ ...unfiled, id: 'unfiled', children: [...unfiled.children, ...folders] });
  await put('bookmarks', records, (r) => (r['type'] === 'folder' ? 1_000_000 : 100));

  // History: each page visited once by the demo desktop, newest first.
  await put('history', profile.pages.map((p) => ({ id: p.id.slice(-12), histUri: p.url, title: p.title ?? '', visits: p.visits })), () => 100);

  // Tabs: the demo desktop's record with TABS tabs (lastUsed in seconds, as Firefox writes it).
  await put('tabs', [{
    id: DEMO_CLIENT_ID, clientName: DEMO_CLIENT_NAME,
    tabs: profile.tabs.devices[0]!.tabs.map((t) => ({ title: t.title, urlHistory: [t.url], icon: null, lastUsed: Math.floor(t.lastUsed / 1000) })),
  }], () => 0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const stack = await startLocalStack();
  const ext = await launchChromiumWithExtension();
  try {
    await seed(stack, Date.now());
    const t0 = Date.now();
    await signIn(ext, stack.origin);
    const page = await ext.openPage('src/popup/popup.html');
    // The first sync, then the index update its end starts: both are in the sync log.
    let built: { ms: number; entries: number; steps: string } | null = null;
    while (built === null) {
      if (Date.now() - t0 > 900_000) throw new Error('no search index update within 15 minutes');
      await page.waitForTimeout(2000);
      const logs = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getLogs', limit: 2000 }))) as { value: Array<{ message: string; fields?: Record<string, unknown> }> };
      const line = logs.value.find((l) => l.message === 'Search index updated' && String(l.fields?.['steps'] ?? '').includes('bookmark built'));
      if (line) built = { ms: Number(line.fields!['ms']), entries: Number(line.fields!['entries']), steps: String(line.fields!['steps']) };
    }
    const syncedAfter = (Date.now() - t0) / 1000;

    // No named inner functions: tsx would wrap them in a helper the browser does not have.
    const timings = await page.evaluate(async ({ queries, repeat }) => {
      const out: Record<string, { ms: number[]; results: number }> = {};
      for (const q of queries) {
        const first = (await chrome.runtime.sendMessage({ type: 'search', query: q })) as { value: { results: unknown[] } };
        const ms: number[] = [];
        for (let i = 0; i < repeat; i++) {
          const start = performance.now();
          await chrome.runtime.sendMessage({ type: 'search', query: q });
          ms.push(performance.now() - start);
        }
        out[q] = { ms, results: first.value.results.length };
      }
      const ping: number[] = [];
      for (let i = 0; i < repeat; i++) {
        const start = performance.now();
        await chrome.runtime.sendMessage({ type: 'search', query: ' ' });
        ping.push(performance.now() - start);
      }
      // The same database the background uses (extension pages share its origin).
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('syncbridge');
        open.addEventListener('success', () => resolve(open.result));
        open.addEventListener('error', () => reject(open.error));
      });
      const scan: number[] = [];
      let scanned = 0;
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        scanned = await new Promise<number>((resolve, reject) => {
          const req = db.transaction('search').objectStore('search').getAll();
          req.addEventListener('success', () => resolve((req.result as unknown[]).length));
          req.addEventListener('error', () => reject(req.error));
        });
        scan.push(performance.now() - start);
      }
      db.close();
      return { out, ping, scan, scanned };
    }, { queries: QUERIES, repeat: REPEAT });

    console.log(`Search bench: ${BOOKMARKS} bookmarks, ${PAGES} pages, ${TABS} tabs (+ the demo account's own), Chromium headless`);
    console.log(`first sync and index build done ${syncedAfter.toFixed(1)} s after sign-in`);
    console.log(`index build (${built.steps}): ${built.ms} ms for ${built.entries} entries`);
    console.log(`floor, plain IndexedDB getAll of the whole index from a page (${timings.scanned} entries): median ${median(timings.scan).toFixed(1)} ms`);
    console.log(`floor, the search message without words (no index read): median ${median(timings.ping).toFixed(2)} ms`);
    for (const q of QUERIES) {
      const r = timings.out[q]!;
      console.log(`query "${q}": median ${median(r.ms).toFixed(2)} ms, max ${Math.max(...r.ms).toFixed(2)} ms, ${r.results} results`);
    }
  } finally {
    await ext.close();
    await stack.close();
  }
}

await main();
