import 'fake-indexeddb/auto';
import { afterEach, describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { searchProfile } from '../test-support/searchData.ts';
import { READ_RANGE_UP_TO, SearchStore } from '../db/searchStore.ts';
import { forgetAccountData } from '../db/forgetAccount.ts';
import { SyncStateStore } from '../db/syncStateStore.ts';
import { SafetyStore } from '../db/safetyStore.ts';
import { SWITCHABLE_ENGINES } from '../engines/registry.ts';
import type { SearchEntry, SearchKind, SyncedPage, SyncbridgeDB } from '../db/schema.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';
import { BOOKMARK_REBUILD_AFTER, BUILD_LATER_FROM, SEARCH_INDEX_VERSION, SearchIndexer, type IndexedBookmark, type SearchSources } from './indexer.ts';
import { entryWords } from './tokenize.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

class FakeSources implements SearchSources {
  enabled = new Set<SearchKind>(['tab', 'history', 'bookmark']);
  tree = new Map<string, IndexedBookmark>();
  pages: SyncedPage[] = [];
  mark = '100.00';
  tabs: RemoteTabsView = { devices: [] };
  calls = { bookmarks: 0, bookmarksById: 0, historyPages: 0, remoteTabs: 0 };
  async enabledKinds() { return new Set(this.enabled); }
  async *bookmarks() {
    this.calls.bookmarks++;
    // A folder's worth at a time, as the browser's source gives them.
    const all = [...this.tree.values()];
    for (let i = 0; i < all.length; i += 20) yield all.slice(i, i + 20);
  }
  async bookmarksById(ids: readonly string[]) { this.calls.bookmarksById++; return ids.flatMap((id) => this.tree.get(id) ?? []); }
  async historyPages() { this.calls.historyPages++; return this.pages.filter((p) => p.lastForeign > 0); }
  async historyMark() { return this.mark; }
  async remoteTabs() { this.calls.remoteTabs++; return this.tabs; }
}

function page(id: string, url: string, title: string, modified: string | null, lastForeign = NOW - 3_600_000): SyncedPage {
  return { id, url, title, visits: [], extra: {}, modified, own: [], imported: [], lastForeign };
}

async function setup(over: { now?: () => number } = {}) {
  const db = await freshDatabase();
  const store = new SearchStore(db);
  const sources = new FakeSources();
  const indexer = new SearchIndexer({ store, sources, now: over.now ?? (() => NOW), bookmarkDelayMs: 5, bookmarkMaxDelayMs: 20 });
  return { db, store, sources, indexer };
}

const urls = async (indexer: SearchIndexer, q: string) => (await indexer.search(q, 50)).map((r) => `${r.kind} ${r.url}`);

describe('search index maintenance', () => {
  test('a first refresh builds every kind the person syncs; a query finds tabs, pages and bookmarks', async () => {
    const { store, sources, indexer } = await setup();
    sources.tree.set('10', { id: '10', title: 'Sourdough basics', url: 'https://bread.example.org/sourdough', dateAdded: NOW - 86_400_000 });
    sources.tree.set('11', { id: '11', title: 'Bookmarklet', url: 'javascript:alert(1)' }); // never opened, never indexed
    sources.tree.set('12', { id: '12', title: 'Most visited', url: 'place:sort=8' });
    sources.pages = [page('hsSour', 'https://bread.example.org/sourdough', 'Sourdough basics', '90.00'), page('hsOwn', 'https://mine.example/', 'Sourdough mine', null, 0)];
    sources.tabs = { devices: [{ clientId: 'c1', name: 'Firefox on Laptop', type: 'desktop', tabs: [{ title: 'Sourdough starter', url: 'https://bread.example.org/starter', icon: null, lastUsed: NOW - 60_000 }] }] };
    await indexer.refresh();
    expect((await store.all()).map((e) => e.key).sort()).toEqual(['bookmark:10', 'history:hsSour', 'tab:c1:0']);
    expect(await store.state()).toEqual({ version: SEARCH_INDEX_VERSION, kinds: { bookmark: { mark: null }, history: { mark: '100.00' }, tab: { mark: expect.stringMatching(/^1:[0-9a-f]+$/) } }, bookmarksPending: false });
    const found = await indexer.search('sourdough', 10);
    // Both titles start with the word and were used an hour or less ago; the page is also bookmarked, which counts.
    expect(found.map((r) => [r.kind, r.url, r.device, r.also])).toEqual([
      ['history', 'https://bread.example.org/sourdough', null, ['bookmark']],
      ['tab', 'https://bread.example.org/starter', 'Firefox on Laptop', []],
    ]);
    expect(await urls(indexer, 'sour bread')).toHaveLength(2);
    expect(await urls(indexer, 'sourdough mine')).toEqual([]); // this browser's own pages are not "synced from elsewhere"
    expect(await indexer.search('   ', 10)).toEqual([]);
  });

  test('bookmark events add, update and remove entries in one write per batch; a folder removed without its list rebuilds the kind', async () => {
    const { store, sources, indexer } = await setup();
    await indexer.refresh();
    sources.tree.set('20', { id: '20', title: 'Rust book', url: 'https://doc.rust-lang.org/book/' });
    indexer.bookmarkChanged('20');
    expect((await store.state())?.bookmarksPending).toBe(false); // not written yet: still marked pending…
    await indexer.idle();
    expect((await store.state())?.bookmarksPending).toBe(true); // …once the mark is stored
    await indexer.flushBookmarks();
    expect(await urls(indexer, 'rust')).toEqual(['bookmark https://doc.rust-lang.org/book/']);
    expect((await store.state())?.bookmarksPending).toBe(false);

    sources.tree.set('20', { id: '20', title: 'The Rust Programming Language', url: 'https://doc.rust-lang.org/book/' });
    indexer.bookmarkChanged('20');
    await indexer.flushBookmarks();
    expect((await indexer.search('programming', 5)).map((r) => r.title)).toEqual(['The Rust Programming Language']);

    // Changed into something that is no bookmark with an address (a folder, a bookmarklet), or gone.
    sources.tree.set('21', { id: '21', title: 'Run', url: 'javascript:void(0)' });
    indexer.bookmarkChanged('21');
    sources.tree.delete('20');
    indexer.bookmarkRemoved('20', []);
    await indexer.flushBookmarks();
    expect(await store.keysOfKind('bookmark')).toEqual([]);

    // The timer writes too, without anyone asking.
    sources.tree.set('22', { id: '22', title: 'Chess openings', url: 'https://chess.example/openings' });
    indexer.bookmarkChanged('22');
    await expect.poll(() => urls(indexer, 'chess')).toEqual(['bookmark https://chess.example/openings']);

    // Chromium lists a removed folder's bookmarks; Firefox does not, and the tree is read again.
    sources.tree.set('23', { id: '23', title: 'Chess club', url: 'https://chess.example/club' });
    indexer.bookmarkChanged('23');
    await indexer.flushBookmarks();
    expect(await urls(indexer, 'chess')).toHaveLength(2);
    sources.tree.delete('22');
    indexer.bookmarkRemoved('folder', ['22']);
    await indexer.flushBookmarks();
    expect(await urls(indexer, 'chess')).toEqual(['bookmark https://chess.example/club']);
    sources.tree.delete('23');
    const reads = sources.calls.bookmarks;
    indexer.bookmarkRemoved('folder2', null);
    await indexer.flushBookmarks();
    expect(sources.calls.bookmarks).toBe(reads + 1);
    expect(await urls(indexer, 'chess')).toEqual([]);
  });

  test('a sync writing many bookmarks at once rebuilds the kind from the tree instead of reading each', async () => {
    const { store, sources, indexer } = await setup();
    await indexer.refresh();
    for (let i = 0; i <= BOOKMARK_REBUILD_AFTER; i++) {
      sources.tree.set(String(i), { id: String(i), title: `Bulk ${i}`, url: `https://bulk.example/${i}` });
      indexer.bookmarkChanged(String(i));
    }
    const byId = sources.calls.bookmarksById;
    await indexer.flushBookmarks();
    expect(sources.calls.bookmarksById).toBe(byId);
    expect(await store.keysOfKind('bookmark')).toHaveLength(BOOKMARK_REBUILD_AFTER + 1);
  });

  test('issue 12: while a sync writes bookmarks the index waits; after it, one rebuild, and the refresh after the sync does not build a second', async () => {
    const db = await freshDatabase();
    const store = new SearchStore(db);
    const sources = new FakeSources();
    let syncing = true;
    const indexer = new SearchIndexer({ store, sources, now: () => NOW, bookmarkDelayMs: 5, bookmarkMaxDelayMs: 20, busy: () => syncing });
    await indexer.refresh();
    const builds = sources.calls.bookmarks;
    for (let i = 0; i <= BOOKMARK_REBUILD_AFTER; i++) {
      sources.tree.set(String(i), { id: String(i), title: `Synced ${i}`, url: `https://synced.example/${i}` });
      indexer.bookmarkChanged(String(i));
      if (i % 500 === 0) await new Promise((r) => setTimeout(r, 30)); // longer than the longest delay
    }
    await new Promise((r) => setTimeout(r, 60));
    await indexer.idle();
    expect(sources.calls.bookmarks).toBe(builds); // nothing rebuilt while the sync ran
    await indexer.refresh(); // the sync's afterSync, still inside the run
    expect(sources.calls.bookmarks).toBe(builds);
    syncing = false;
    await new Promise((r) => setTimeout(r, 30));
    await indexer.idle();
    expect(sources.calls.bookmarks).toBe(builds + 1);
    expect(await store.keysOfKind('bookmark')).toHaveLength(BOOKMARK_REBUILD_AFTER + 1);
    expect((await store.state())?.bookmarksPending).toBe(false);
  });

  test('issue 12: the index built after a first sync covers the bookmarks the sync created: it is built once, not again for their events, and waits between its transactions while a sync runs (both slowed the next sync by seconds)', async () => {
    const db = await freshDatabase();
    const store = new SearchStore(db);
    const sources = new FakeSources();
    let syncing = true;
    const indexer = new SearchIndexer({ store, sources, now: () => NOW, bookmarkDelayMs: 5, bookmarkMaxDelayMs: 20, busy: () => syncing });
    // The first sync creates the bookmarks; their events reach the indexer (replayed after the apply).
    for (let i = 0; i <= BOOKMARK_REBUILD_AFTER; i++) {
      sources.tree.set(String(i), { id: String(i), title: `Synced ${i}`, url: `https://synced.example/${i}` });
      indexer.bookmarkChanged(String(i));
    }
    // The sync's afterSync starts the first build of the index, from the tree; while a sync runs it
    // writes one transaction of entries and waits.
    const building = indexer.refresh();
    await new Promise((r) => setTimeout(r, 40));
    expect(sources.calls.bookmarks).toBe(1);
    expect(await store.keysOfKind('bookmark')).toHaveLength(500);
    syncing = false;
    await building;
    await new Promise((r) => setTimeout(r, 40)); // longer than the longest delay
    await indexer.idle();
    expect(sources.calls.bookmarks).toBe(1);
    expect(await store.keysOfKind('bookmark')).toHaveLength(BOOKMARK_REBUILD_AFTER + 1);
    expect((await store.state())?.bookmarksPending).toBe(false);
    // A change made after the build is written as usual.
    sources.tree.set('new', { id: 'new', title: 'Made later', url: 'https://later.example/' });
    indexer.bookmarkChanged('new');
    await new Promise((r) => setTimeout(r, 40));
    await indexer.idle();
    expect(await urls(indexer, 'later')).toEqual(['bookmark https://later.example/']);
    expect(sources.calls.bookmarks).toBe(1);
  });

  test('issue 12: a kind is replaced a slice of entries per transaction, so other reads of the database are not held behind one large write', async () => {
    const db = await freshDatabase();
    const store = new SearchStore(db);
    const entry = (kind: 'bookmark' | 'tab', n: number): SearchEntry => ({ key: `${kind}:${n}`, kind, url: `https://e.example/${n}`, title: `E ${n}`, device: null, when: n, words: ['e', String(n)] });
    await store.update([entry('tab', 1), ...[1, 2, 3].map((n) => entry('bookmark', n))]);
    let transactions = 0;
    const open = db.transaction.bind(db);
    db.transaction = ((...args: Parameters<typeof db.transaction>) => {
      transactions++;
      return open(...args);
    }) as typeof db.transaction;
    await store.replaceKind('bookmark', [2, 4, 5, 6, 7, 8, 9].map((n) => entry('bookmark', n)), 3);
    db.transaction = open;
    expect(transactions).toBe(3);
    expect((await store.keysOfKind('bookmark')).sort()).toEqual([2, 4, 5, 6, 7, 8, 9].map((n) => `bookmark:${n}`).sort());
    expect(await store.keysOfKind('tab')).toEqual(['tab:1']);
    // Issue 12: built from batches as they come (the bookmarks a folder at a time), each batch
    // pulled only once the transaction before it is done; the kind's other entries go at the end.
    const pulled: number[] = [];
    transactions = 0;
    db.transaction = ((...args: Parameters<typeof db.transaction>) => {
      transactions++;
      return open(...args);
    }) as typeof db.transaction;
    const numbers = [1, 2, 4, 10, 11, 12, 13];
    async function* batches(): AsyncIterable<SearchEntry[]> {
      for (let i = 0; i < numbers.length; i += 2) {
        pulled.push(transactions);
        yield numbers.slice(i, i + 2).map((n) => entry('bookmark', n));
      }
    }
    await store.replaceKindFrom('bookmark', batches(), 3);
    db.transaction = open;
    // Seven entries three to a transaction (3, 3, 1), then the removal of the others.
    expect(pulled).toEqual([0, 0, 1, 2]);
    expect(transactions).toBe(4);
    expect((await store.keysOfKind('bookmark')).sort()).toEqual(numbers.map((n) => `bookmark:${n}`).sort());
    expect(await store.keysOfKind('tab')).toEqual(['tab:1']);
  });

  test('a worker stopped before its bookmark changes were written: the next start rebuilds the bookmarks', async () => {
    const { db, store, sources } = await setup();
    const first = new SearchIndexer({ store, sources, now: () => NOW, bookmarkDelayMs: 60_000, bookmarkMaxDelayMs: 60_000 });
    await first.refresh();
    sources.tree.set('30', { id: '30', title: 'Lost change', url: 'https://lost.example/' });
    first.bookmarkChanged('30');
    await first.idle(); // the pending mark is stored; the worker dies before the write
    const next = new SearchIndexer({ store: new SearchStore(db), sources, now: () => NOW });
    await next.refresh({ tabs: 'ifMissing' });
    expect(await urls(next, 'lost')).toEqual(['bookmark https://lost.example/']);
    expect((await store.state())?.bookmarksPending).toBe(false);
    await first.flushBookmarks(); // (the dead worker's timer, for the test's sake)
  });

  test('history: after a sync only pages the server sent or accepted since the last update are rewritten; none when its mark is unchanged', async () => {
    const { store, sources, indexer } = await setup();
    sources.pages = [page('a', 'https://a.example/', 'Alpha', '90.00'), page('b', 'https://b.example/', 'Beta', '95.00'), page('c', 'https://c.example/', 'Gamma', '99.00')];
    await indexer.refresh();
    expect(await store.keysOfKind('history')).toEqual(['history:a', 'history:b', 'history:c']);

    const writes: Array<{ put: string[]; remove: readonly string[] }> = [];
    const update = store.update.bind(store);
    store.update = async (put, remove = []) => {
      writes.push({ put: put.map((e) => e.key), remove });
      return update(put, remove);
    };
    const reads = sources.calls.historyPages;
    await indexer.refresh();
    expect(sources.calls.historyPages).toBe(reads); // the history engine did not run: nothing read
    expect(writes).toEqual([]);

    sources.pages = [
      page('a', 'https://a.example/', 'Alpha', '90.00'),
      page('b', 'https://b.example/', 'Beta, renamed', '120.00'),
      page('d', 'https://d.example/', 'Delta', '119.00'),
      page('e', 'https://e.example/', 'Epsilon', null), // not yet accepted by the server: rewritten to be safe
    ];
    sources.mark = '120.00';
    await indexer.refresh();
    expect(writes).toEqual([{ put: ['history:b', 'history:d', 'history:e'], remove: ['history:c'] }]);
    expect((await indexer.search('beta', 5)).map((r) => r.title)).toEqual(['Beta, renamed']);
    expect((await store.state())?.kinds.history).toEqual({ mark: '120.00' });
  });

  test('tabs are replaced after a sync that changed them, and at start-up only when missing', async () => {
    const { store, sources, indexer } = await setup();
    const tab = (title: string, url: string) => ({ title, url, icon: null, lastUsed: NOW });
    sources.tabs = { devices: [{ clientId: 'c1', name: 'Phone', type: 'mobile', tabs: [tab('Weather', 'https://weather.example/'), tab('Local file', 'file:///etc/passwd')] }] };
    await indexer.refresh({ tabs: 'ifMissing' });
    expect(await urls(indexer, 'weather')).toEqual(['tab https://weather.example/']);
    expect(await urls(indexer, 'passwd')).toEqual([]);
    let replaced = 0;
    const replaceKind = store.replaceKind.bind(store);
    store.replaceKind = async (kind, entries) => {
      if (kind === 'tab') replaced++;
      return replaceKind(kind, entries);
    };
    await indexer.refresh(); // the same tabs: read, not written
    expect(replaced).toBe(0);
    sources.tabs = { devices: [] };
    await indexer.refresh({ tabs: 'ifMissing' });
    expect(sources.calls.remoteTabs).toBe(2);
    await indexer.refresh();
    expect(replaced).toBe(1);
    expect(await urls(indexer, 'weather')).toEqual([]);
  });

  test('a switched-off engine’s entries leave the index, and come back when it is on again; signed out, nothing is indexed', async () => {
    const { store, sources, indexer } = await setup();
    sources.tree.set('1', { id: '1', title: 'Tennis club', url: 'https://tennis.example/' });
    sources.pages = [page('p', 'https://tennis.example/results', 'Tennis results', '1.00')];
    await indexer.refresh();
    sources.enabled.delete('bookmark');
    await indexer.refresh();
    expect(await urls(indexer, 'tennis')).toEqual(['history https://tennis.example/results']);
    expect((await store.state())?.kinds.bookmark).toBeUndefined();
    indexer.bookmarkChanged('1'); // events while the kind is off write nothing
    await indexer.flushBookmarks();
    expect(await store.keysOfKind('bookmark')).toEqual([]);
    sources.enabled.add('bookmark');
    await indexer.refresh();
    expect(await urls(indexer, 'tennis')).toHaveLength(2);
    sources.enabled.clear();
    await indexer.refresh();
    expect(await store.count()).toBe(0);
  });

  test('an index of another format version, or without state, is rebuilt from scratch', async () => {
    const { store, sources, indexer } = await setup();
    await store.update([{ key: 'bookmark:old', kind: 'bookmark', url: 'https://old.example/', title: 'Old format', device: null, when: 0, words: ['old'] }]);
    await store.saveState({ version: SEARCH_INDEX_VERSION - 1, kinds: { bookmark: { mark: null } }, bookmarksPending: false });
    sources.tree.set('5', { id: '5', title: 'New format', url: 'https://new.example/' });
    await indexer.refresh();
    expect((await store.all()).map((e) => e.key)).toEqual(['bookmark:5']);
    expect((await store.state())?.version).toBe(SEARCH_INDEX_VERSION);
  });

  test('sign-out empties the index and its state with the rest of the account', async () => {
    const { db, store, sources, indexer } = await setup();
    sources.tree.set('1', { id: '1', title: 'Anything', url: 'https://any.example/' });
    await indexer.refresh();
    expect(await store.count()).toBe(1);
    await forgetAccountData(db, { syncState: new SyncStateStore(db, SWITCHABLE_ENGINES), safety: new SafetyStore(db) });
    expect(await store.count()).toBe(0);
    expect(await store.state()).toBeNull();

    // An update still running at sign-out writes before the indexer's own forget, never after it.
    await indexer.refresh();
    sources.tree.set('2', { id: '2', title: 'Late', url: 'https://late.example/' });
    indexer.bookmarkChanged('2');
    const running = indexer.refresh();
    await indexer.forget();
    await running;
    await indexer.flushBookmarks();
    expect(await store.count()).toBe(0);
    expect(await store.state()).toBeNull();
  });

  // Issue 12: right after a first sync of 10,000 bookmarks the build stacked 35–40 MiB on the
  // sync's uncollected garbage, the extension's highest memory; it now waits, and searches ask the browser.
  describe('the bookmarks build a sync made necessary waits', () => {
    class BrowserSearching extends FakeSources {
      asked: string[] = [];
      async bookmarksMatching(query: string) {
        this.asked.push(query);
        const words = query.split(' ');
        return [...this.tree.values()].filter((b) => words.every((w) => b.title.toLowerCase().includes(w)));
      }
    }
    async function deferred() {
      const db = await freshDatabase();
      const store = new SearchStore(db);
      const sources = new BrowserSearching();
      sources.tree.set('10', { id: '10', title: 'Sourdough basics', url: 'https://bread.example.org/sourdough' });
      // The waits, run when the test says.
      const waiting: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
      const later = (fn: () => void, ms: number) => {
        const w = { fn, ms, cancelled: false };
        waiting.push(w);
        return () => { w.cancelled = true; };
      };
      const runWaits = async () => {
        for (const w of waiting.splice(0)) if (!w.cancelled) w.fn();
        await indexer.idle();
      };
      const indexer = new SearchIndexer({ store, sources, now: () => NOW, bookmarkDelayMs: 5, bookmarkMaxDelayMs: 20, buildAfterSyncMs: 30_000, later });
      /** A sync that wrote `n` bookmarks: their events reach the index, then the refresh after it. */
      const syncWrote = async (n: number) => {
        for (let i = 0; i < n; i++) indexer.bookmarkChanged(`w${i}`);
        await indexer.refresh();
      };
      return { store, sources, indexer, waiting, runWaits, syncWrote };
    }
    const indexed = async (store: SearchStore) => (await store.all()).filter((e) => e.kind === 'bookmark').map((e) => e.key);

    test('after a sync the kind is built later; meanwhile a search finds bookmarks through the browser', async () => {
      const { store, sources, indexer, waiting, runWaits, syncWrote } = await deferred();
      await syncWrote(BUILD_LATER_FROM);
      expect(waiting.map((w) => w.ms)).toEqual([30_000]);
      expect(await indexed(store)).toEqual([]);
      expect((await store.state())?.kinds.bookmark).toBeUndefined();
      expect(await urls(indexer, 'sourd')).toEqual(['bookmark https://bread.example.org/sourdough']);
      expect(sources.asked).toEqual(['sourd']);
      await syncWrote(BUILD_LATER_FROM); // the next sync does not push the build further out, nor build it now
      expect(waiting).toHaveLength(1);
      expect(await indexed(store)).toEqual([]);
      await runWaits();
      expect(await indexed(store)).toEqual(['bookmark:10']);
      expect((await store.state())?.kinds.bookmark).toEqual({ mark: null });
      expect(await urls(indexer, 'sourd')).toEqual(['bookmark https://bread.example.org/sourdough']);
      expect(sources.asked).toEqual(['sourd']); // built: the browser is not asked any more
      expect(sources.calls.bookmarks).toBe(1);
    });

    test('the sync\'s creates written out before the refresh after it (their timer first) wait the same', async () => {
      const { store, indexer, waiting } = await deferred();
      await indexer.refresh({ tabs: 'ifMissing' }); // signed in, the kind built (empty)…
      await store.saveState({ version: SEARCH_INDEX_VERSION, kinds: {}, bookmarksPending: false }); // …as after a sign-in, before the first sync
      for (let i = 0; i < BUILD_LATER_FROM; i++) indexer.bookmarkChanged(`w${i}`);
      await indexer.flushBookmarks();
      await indexer.refresh();
      expect(waiting).toHaveLength(1);
      expect(await indexed(store)).toEqual(['bookmark:10']); // from the start-up build, untouched
      expect((await store.state())?.kinds.bookmark).toBeUndefined();
    });

    test('at start-up (a new worker), and after a sync that wrote fewer, the kind is built at once', async () => {
      const first = await deferred();
      await first.indexer.refresh({ tabs: 'ifMissing' });
      expect(await indexed(first.store)).toEqual(['bookmark:10']);
      expect(first.waiting).toEqual([]);
      const second = await deferred();
      await second.syncWrote(BUILD_LATER_FROM - 1);
      expect(await indexed(second.store)).toEqual(['bookmark:10']);
      expect(second.waiting).toEqual([]);
    });

    test('signing out meanwhile cancels it: nothing is written afterwards', async () => {
      const { store, sources, indexer, waiting, runWaits, syncWrote } = await deferred();
      await syncWrote(BUILD_LATER_FROM);
      sources.enabled = new Set();
      await indexer.forget();
      expect(waiting.map((w) => w.cancelled)).toEqual([true]);
      await runWaits();
      expect(await store.all()).toEqual([]);
      expect(sources.calls.bookmarks).toBe(0);
      expect(await urls(indexer, 'sourd')).toEqual([]);
    });
  });
});

// ---- 10,000 bookmarks and 5,000 pages: a query reads its key range, not the store ------------------

interface ReadCounter { entries: number; keys: number; fullScans: number; ranges: string[] }

/** Counts what IndexedDB hands back to reads, whoever asks (idb calls these prototypes). */
function countReads(): { counter: ReadCounter; restore: () => void } {
  const counter: ReadCounter = { entries: 0, keys: 0, fullScans: 0, ranges: [] };
  const indexGetAll = IDBIndex.prototype.getAll;
  const indexGetAllKeys = IDBIndex.prototype.getAllKeys;
  const storeGet = IDBObjectStore.prototype.get;
  const storeGetAll = IDBObjectStore.prototype.getAll;
  const storeCursor = IDBObjectStore.prototype.openCursor;
  const indexCursor = IDBIndex.prototype.openCursor;
  IDBIndex.prototype.getAll = function (this: IDBIndex, query?: IDBValidKey | IDBKeyRange | null, count?: number) {
    const request = indexGetAll.call(this, query, count);
    if (query instanceof IDBKeyRange) counter.ranges.push(`${this.name}:${String(query.lower)}`);
    else counter.fullScans++;
    request.addEventListener('success', () => (counter.entries += (request.result as unknown[]).length));
    return request;
  };
  IDBIndex.prototype.getAllKeys = function (this: IDBIndex, query?: IDBValidKey | IDBKeyRange | null, count?: number) {
    const request = indexGetAllKeys.call(this, query, count);
    if (query instanceof IDBKeyRange) counter.ranges.push(`${this.name} keys:${String(query.lower)}`);
    else counter.fullScans++;
    request.addEventListener('success', () => (counter.keys += request.result.length));
    return request;
  };
  IDBObjectStore.prototype.get = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
    const request = storeGet.call(this, query);
    request.addEventListener('success', () => (counter.entries += request.result === undefined ? 0 : 1));
    return request;
  };
  IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['getAll']>) {
    counter.fullScans++;
    return storeGetAll.apply(this, args);
  };
  IDBObjectStore.prototype.openCursor = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['openCursor']>) {
    counter.fullScans++;
    return storeCursor.apply(this, args);
  };
  IDBIndex.prototype.openCursor = function (this: IDBIndex, ...args: Parameters<IDBIndex['openCursor']>) {
    counter.fullScans++;
    return indexCursor.apply(this, args);
  };
  return {
    counter,
    restore: () => {
      IDBIndex.prototype.getAll = indexGetAll;
      IDBIndex.prototype.getAllKeys = indexGetAllKeys;
      IDBObjectStore.prototype.get = storeGet;
      IDBObjectStore.prototype.getAll = storeGetAll;
      IDBObjectStore.prototype.openCursor = storeCursor;
      IDBIndex.prototype.openCursor = indexCursor;
    },
  };
}

let restoreReads: (() => void) | null = null;
afterEach(() => {
  restoreReads?.();
  restoreReads = null;
});

describe('search index at size', () => {
  let built: { db: SyncbridgeDB; indexer: SearchIndexer; profile: ReturnType<typeof searchProfile> } | null = null;
  async function big() {
    if (built) return built;
    const { db, sources, indexer } = await setup();
    const profile = searchProfile({ bookmarks: 10_000, pages: 5_000, tabsPerDevice: 50, now: NOW });
    for (const b of profile.bookmarks) sources.tree.set(b.id, b);
    sources.pages = profile.pages;
    sources.tabs = profile.tabs;
    await indexer.refresh();
    built = { db, indexer, profile };
    return built;
  }

  /** How many entries list a word starting with `prefix` (from the data, not the index). */
  function holding(profile: ReturnType<typeof searchProfile>, prefix: string): number {
    const all = [
      ...profile.bookmarks.map((b) => entryWords(b.title, b.url)),
      ...profile.pages.map((p) => entryWords(p.title ?? '', p.url)),
      ...profile.tabs.devices.flatMap((d) => d.tabs.map((t) => entryWords(t.title, t.url))),
    ];
    return all.filter((words) => words.some((w) => w.startsWith(prefix))).length;
  }

  test('10,000 bookmarks + 5,000 pages + 100 tabs: a query reads exactly its rarest word’s key range, never the whole store', async () => {
    const { db, indexer, profile } = await big();
    expect(await db.count('search')).toBe(15_100);
    const reads = countReads();
    restoreReads = reads.restore;

    // One word: its range, every entry of which has the word (plus multiEntry repeats, none here).
    const results = await indexer.search('espresso', 20);
    expect(results).toHaveLength(20);
    expect(reads.counter).toEqual({ entries: holding(profile, 'espresso'), keys: 0, fullScans: 0, ranges: ['byWord:espresso'] });
    expect(reads.counter.entries).toBeLessThan(15_100 / 5);

    // Two words: both ranges are counted (keys only), the rarer one read, the other checked in memory.
    reads.counter.entries = 0;
    reads.counter.ranges = [];
    const both = await indexer.search('Crème 4321', 50);
    expect(holding(profile, '4321')).toBeLessThan(holding(profile, 'creme') / 50);
    expect(reads.counter).toEqual({ entries: holding(profile, '4321'), keys: 0, fullScans: 0, ranges: ['byWord:4321'] });
    for (const r of both) expect(entryWords(r.title, r.url).some((w) => w.startsWith('creme'))).toBe(true);

    // Two common words: their ranges' keys are intersected, and only the entries having both are read.
    reads.counter.entries = 0;
    reads.counter.ranges = [];
    const common = await indexer.search('tea crème', 50);
    const withBoth = [
      ...profile.bookmarks.map((b) => entryWords(b.title, b.url)),
      ...profile.pages.map((p) => entryWords(p.title ?? '', p.url)),
      ...profile.tabs.devices.flatMap((d) => d.tabs.map((t) => entryWords(t.title, t.url))),
    ].filter((w) => w.some((x) => x.startsWith('tea')) && w.some((x) => x.startsWith('creme'))).length;
    expect(Math.min(holding(profile, 'tea'), holding(profile, 'creme'))).toBeGreaterThan(READ_RANGE_UP_TO);
    expect(withBoth).toBeGreaterThan(0);
    expect(common.length).toBe(Math.min(50, withBoth));
    expect(reads.counter).toEqual({
      entries: withBoth, keys: holding(profile, 'tea') + holding(profile, 'creme'), fullScans: 0, ranges: ['byWord keys:tea', 'byWord keys:creme'],
    });
    reads.counter.keys = 0;

    // A word nothing has: counted, nothing read.
    reads.counter.entries = 0;
    reads.counter.ranges = [];
    expect(await indexer.search('tea zzzunknown', 10)).toEqual([]);
    expect(reads.counter).toEqual({ entries: 0, keys: 0, fullScans: 0, ranges: [] });
  }, 120_000);

  test('the best of a query across kinds: every word matched, tabs first when equally good', async () => {
    const { indexer } = await big();
    const results = await indexer.search('piano lesson', 10);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      const words = entryWords(r.title, r.url);
      expect(words.some((w) => w.startsWith('piano')) && words.some((w) => w.startsWith('lesson'))).toBe(true);
    }
    for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score - 0.25);
  }, 120_000);
});
