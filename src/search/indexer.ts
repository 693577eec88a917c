// Keeps the search index in step with what is synced, and answers queries from it.
// - Bookmarks: the browser's own (what the bookmarks engine keeps in step with the account, with
//   this browser's edits already in), written as their events arrive, a few at a time. Records the
//   engine cannot read never reach the browser, so they never reach the index either.
// - History: other devices' pages from the history store, rewritten after a sync only for pages
//   the server sent or accepted since the last update (their server time is newer than the mark).
// - Tabs: the other devices' tabs the popup shows, replaced after each sync (a few hundred at most).
// A kind is indexed while the person is signed in and syncs it; the index is rebuilt from scratch
// when its state is missing or from another format version, and emptied at sign-out (forgetAccount).
// Browser-free: the sources are ports, so Node tests drive it with fakes.
import type { SyncedPage } from '../db/schema.ts';
import type { SearchEntry, SearchIndexState, SearchKind, SearchStore } from '../db/searchStore.ts';
import type { Logger } from '../log/logger.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';
import { isLinkable } from '../ui/links.ts';
import { rank, type SearchResult } from './rank.ts';
import { entryWords, queryTerms } from './tokenize.ts';

/** Bump when what an entry holds or how words are made changes: every profile rebuilds once. */
export const SEARCH_INDEX_VERSION = 1;
export const SEARCH_KINDS: readonly SearchKind[] = ['tab', 'history', 'bookmark'];
/** Entries read for one query at most: a one-letter prefix can match most of the index. */
export const MAX_CANDIDATES = 2000;
/**
 * More bookmark changes than this in one batch rebuild the kind from the tree (one read of it) rather
 * than read each. A sync writing thousands sends its events over many seconds, so batches stay
 * below this and each costs what it changed, not the whole tree.
 */
export const BOOKMARK_REBUILD_AFTER = 2000;
/** Index entries written per transaction when a kind is built (see SearchStore.replaceKind). */
const ENTRIES_PER_TRANSACTION = 500;

export interface IndexedBookmark {
  id: string;
  title: string;
  url: string;
  dateAdded?: number | undefined;
}

export interface SearchSources {
  /** The kinds to index now: none while signed out, otherwise those whose engine is switched on. */
  enabledKinds(): Promise<ReadonlySet<SearchKind>>;
  /**
   * Every bookmark of the browser that has an address, a few at a time (a folder's): the whole
   * tree read at once was the largest thing the extension held after a first sync.
   */
  bookmarks(): AsyncIterable<readonly IndexedBookmark[]>;
  /** These bookmarks as they are now; an id left out is no bookmark any more. */
  bookmarksById(ids: readonly string[]): Promise<IndexedBookmark[]>;
  /** The browser's own search of its bookmarks (`bookmarks.search`): asked while the kind waits to be built. */
  bookmarksMatching?(query: string): Promise<IndexedBookmark[]>;
  /** Pages with visits from other devices (the history store). */
  historyPages(): Promise<SyncedPage[]>;
  /** Changes whenever the history store may have (the history engine's last sync time). */
  historyMark(): Promise<string>;
  /** Other devices' tabs, as the popup shows them (background/remoteTabs.ts). */
  remoteTabs(): Promise<RemoteTabsView>;
}

export interface SearchIndexerOptions {
  store: SearchStore;
  sources: SearchSources;
  log?: Logger;
  now?: () => number;
  /** Quiet time before noted bookmark changes are written; they are written at most this long after the first. */
  bookmarkDelayMs?: number;
  bookmarkMaxDelayMs?: number;
  /**
   * True while a sync runs: noted bookmark changes then wait for it to end. A first sync creates
   * thousands of bookmarks; indexing them a few seconds' worth at a time would rebuild the index
   * again and again while the sync competes with it for IndexedDB.
   */
  busy?: () => boolean;
  /**
   * A build of the bookmarks a sync made necessary, after it wrote many (BUILD_LATER_FROM: a first
   * sync's ten thousand creates), waits this long, ms. Right after such a sync the worker's heap
   * still holds its garbage (V8 gives it back after some 25 s of quiet); a build then stacked
   * 35–40 MiB on top of it, the extension's highest memory of all. Searches meanwhile take their
   * bookmarks from the browser's own search. Default 0 (at once); the background passes
   * BUILD_AFTER_SYNC_MS.
   */
  buildAfterSyncMs?: number;
  /** Runs `fn` after `ms` (default setTimeout); returns what cancels it. Tests run it themselves. */
  later?: (fn: () => void, ms: number) => () => void;
}

/** See SearchIndexerOptions.buildAfterSyncMs. */
export const BUILD_AFTER_SYNC_MS = 30_000;
/** A build waits (buildAfterSyncMs) only after a sync that wrote at least this many bookmarks; a smaller one costs little. */
export const BUILD_LATER_FROM = 1000;

const bookmarkKey = (id: string): string => `bookmark:${id}`;

export function bookmarkEntry(b: IndexedBookmark): SearchEntry | null {
  if (!isLinkable(b.url)) return null;
  return { key: bookmarkKey(b.id), kind: 'bookmark', url: b.url, title: b.title, device: null, when: b.dateAdded ?? 0, words: entryWords(b.title, b.url) };
}

export function historyEntry(p: SyncedPage): SearchEntry | null {
  if (!(p.lastForeign > 0) || !isLinkable(p.url)) return null;
  const title = p.title ?? '';
  return { key: `history:${p.id}`, kind: 'history', url: p.url, title, device: null, when: p.lastForeign, words: entryWords(title, p.url) };
}

export function tabEntries(view: RemoteTabsView): SearchEntry[] {
  return view.devices.flatMap((d) => d.tabs.flatMap((t, i): SearchEntry[] => isLinkable(t.url)
    ? [{ key: `tab:${d.clientId}:${i}`, kind: 'tab', url: t.url, title: t.title, device: d.name, when: t.lastUsed, words: entryWords(t.title, t.url) }]
    : []));
}

/** FNV-1a over the entries' keys, addresses, titles, devices and times: equal when nothing shown changed. */
function fingerprint(entries: readonly SearchEntry[]): string {
  let h = 0x811c9dc5;
  for (const e of entries) {
    const text = `${e.key}\u0000${e.url}\u0000${e.title}\u0000${e.device ?? ''}\u0000${e.when}\u0001`;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  }
  return `${entries.length}:${(h >>> 0).toString(16)}`;
}

const serverTime = (modified: string | null): number => (modified === null ? Infinity : Number.parseFloat(modified) || 0);

export class SearchIndexer {
  private readonly store: SearchStore;
  private readonly sources: SearchSources;
  private readonly log: Logger | undefined;
  private readonly now: () => number;
  private readonly delayMs: number;
  private readonly maxDelayMs: number;
  private readonly busy: () => boolean;
  /** Index writes run one after another: a rebuild never interleaves with a batch of bookmark changes. */
  private chain: Promise<unknown> = Promise.resolve();
  private changed = new Set<string>();
  private removed = new Set<string>();
  private bookmarksUnknown = false;
  private markedPending = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private firstNotedAt = 0;
  private readonly buildAfterSyncMs: number;
  /** The bookmarks' build a sync made necessary, waiting (see buildAfterSyncMs); searches ask the browser meanwhile. */
  private deferredBuild: (() => void) | null = null;
  private readonly later: (fn: () => void, ms: number) => () => void;
  /** From the deferral until that build is written. */
  private bookmarksFromBrowser = false;

  constructor(o: SearchIndexerOptions) {
    this.store = o.store;
    this.sources = o.sources;
    this.log = o.log;
    this.now = o.now ?? Date.now;
    this.delayMs = o.bookmarkDelayMs ?? 500;
    this.maxDelayMs = o.bookmarkMaxDelayMs ?? 3000;
    this.busy = o.busy ?? (() => false);
    this.buildAfterSyncMs = o.buildAfterSyncMs ?? 0;
    this.later = o.later ?? ((fn, ms) => {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    });
  }

  /**
   * Brings every kind up to date: after each sync (`tabs: 'always'`), and at start-up, where only a
   * missing tabs kind is built (tabs change only in a sync, and reading them may ask the server).
   */
  refresh(opts: { tabs: 'always' | 'ifMissing' } = { tabs: 'always' }): Promise<void> {
    return this.serial(() => this.doRefresh(opts.tabs));
  }

  /** The best results for a query, at most `limit`, one per address. */
  async search(query: string, limit: number): Promise<SearchResult[]> {
    const terms = queryTerms(query);
    if (terms.length === 0) return [];
    const candidates = await this.store.candidates(terms, MAX_CANDIDATES);
    if (this.bookmarksFromBrowser && this.sources.bookmarksMatching) {
      // The browser's matching is its own (Chromium: words, short ones whole; Firefox: any part);
      // the ranking below keeps only what the index would have found.
      const found = await this.sources.bookmarksMatching(terms.join(' ')).catch(() => []);
      for (const b of found.slice(0, MAX_CANDIDATES)) {
        const e = bookmarkEntry(b);
        if (e) candidates.push(e);
      }
    }
    return rank(candidates, terms, this.now(), limit);
  }

  /** A browser bookmark was created or changed (title, address). */
  bookmarkChanged(id: string): void {
    this.changed.add(id);
    this.removed.delete(id);
    this.noted();
  }

  /**
   * A bookmark or folder was removed. `descendants`: the ids a removed folder held, when the
   * browser says (Chromium does); null when it does not (Firefox), and the kind is then rebuilt.
   */
  bookmarkRemoved(id: string, descendants: readonly string[] | null): void {
    for (const x of [id, ...(descendants ?? [])]) {
      this.removed.add(x);
      this.changed.delete(x);
    }
    if (descendants === null) this.bookmarksUnknown = true;
    this.noted();
  }

  /** Many bookmarks changed in ways the events do not spell out (an import ended). */
  bookmarksReplaced(): void {
    this.bookmarksUnknown = true;
    this.noted();
  }

  /** Writes the noted bookmark changes now (also what the timer does). */
  flushBookmarks(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    return this.serial(() => this.doFlushBookmarks());
  }

  /**
   * Sign-out: after whatever update is running (which may still write), the index is emptied, and
   * bookmark changes noted for it are dropped.
   */
  forget(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.cancelDeferredBuild();
    this.changed = new Set();
    this.removed = new Set();
    this.bookmarksUnknown = false;
    this.markedPending = false;
    return this.serial(() => this.store.clear());
  }

  /** Waits for the writes queued so far (tests, and the bench). */
  async idle(): Promise<void> {
    await this.chain;
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task, task);
    this.chain = run.catch((e: unknown) => this.log?.warn('Search index update failed', { error: String(e) }));
    return run;
  }

  private noted(): void {
    const now = this.now();
    if (!this.markedPending) {
      // Said in the index state before anything else, so a worker stopped before the write below
      // leaves a trace: the next start rebuilds the bookmarks rather than keep a stale index.
      this.markedPending = true;
      this.firstNotedAt = now;
      void this.serial(() => this.setPending(true));
    }
    if (this.timer !== null) clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.delayMs, this.firstNotedAt + this.maxDelayMs - now));
    this.timer = setTimeout(() => this.onTimer(), wait);
  }

  private onTimer(): void {
    this.timer = null;
    // A sync is writing (maybe thousands of bookmarks): look again once it may have ended.
    if (this.busy()) this.timer = setTimeout(() => this.onTimer(), this.delayMs);
    else void this.flushBookmarks().catch(() => undefined);
  }

  /** Bookmark changes noted in this worker and not yet written. */
  private get bookmarkChangesNoted(): boolean {
    return this.changed.size > 0 || this.removed.size > 0 || this.bookmarksUnknown;
  }

  private async setPending(pending: boolean): Promise<void> {
    const state = await this.store.state();
    // No index (signed out, or not built yet): nothing can go stale; the build reads the tree.
    if (!state?.kinds.bookmark || state.bookmarksPending === pending) return;
    await this.store.saveState({ ...state, bookmarksPending: pending });
  }

  /** The bookmark changes noted so far, now taken care of by the caller (a flush, or a build from the tree). */
  private takeNoted(): { changed: string[]; removed: string[]; unknown: boolean } {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const noted = { changed: [...this.changed], removed: [...this.removed], unknown: this.bookmarksUnknown };
    this.changed = new Set();
    this.removed = new Set();
    this.bookmarksUnknown = false;
    this.markedPending = false;
    return noted;
  }

  private async doFlushBookmarks(): Promise<void> {
    const { changed, removed, unknown } = this.takeNoted();
    const state = await this.store.state();
    if (!state?.kinds.bookmark) {
      // Not built yet: the build reads the tree. The first sync's creates, heard before the refresh
      // after it, make that build wait as the refresh would have.
      if (state && this.buildAfterSyncMs > 0 && changed.length >= BUILD_LATER_FROM) this.deferBuild();
      return;
    }
    if (unknown || changed.length > BOOKMARK_REBUILD_AFTER) {
      await this.buildBookmarks();
    } else {
      const now = await this.sources.bookmarksById(changed);
      const put = now.map(bookmarkEntry).filter((e): e is SearchEntry => e !== null);
      const kept = new Set(put.map((e) => e.key));
      const gone = [...removed, ...changed].map((id) => `bookmark:${id}`).filter((k) => !kept.has(k));
      await this.store.update(put, gone);
    }
    // Changes noted while this ran are still pending (their own flush clears the flag).
    if (!this.markedPending) await this.setPending(false);
  }

  private async buildBookmarks(): Promise<void> {
    // Entries (their words are most of their size) are made as their transaction is written.
    const sources = this.sources;
    async function* entries(): AsyncIterable<SearchEntry[]> {
      for await (const batch of sources.bookmarks()) {
        for (let i = 0; i < batch.length; i += ENTRIES_PER_TRANSACTION) {
          yield batch.slice(i, i + ENTRIES_PER_TRANSACTION).map(bookmarkEntry).filter((e): e is SearchEntry => e !== null);
        }
      }
    }
    await this.store.replaceKindFrom('bookmark', entries(), ENTRIES_PER_TRANSACTION, () => this.syncEnded());
  }

  /**
   * Resolves once no sync runs. A build of 10,000 entries after a first sync took 5 s of the
   * worker and of IndexedDB, and a sync started meanwhile (the person's next change) took five
   * times as long as alone; between its transactions the build now lets a sync go first.
   */
  private async syncEnded(): Promise<void> {
    while (this.busy()) await new Promise((r) => setTimeout(r, this.delayMs));
  }

  private async doRefresh(tabs: 'always' | 'ifMissing'): Promise<void> {
    // After a sync (tabs always): at start-up the worker is fresh, and a build goes at once.
    const afterSync = tabs === 'always';
    const started = this.now();
    const done: string[] = [];
    let state: SearchIndexState | null = await this.store.state();
    if (state === null || state.version !== SEARCH_INDEX_VERSION) {
      if (state !== null) this.log?.info('Search index format changed; rebuilding it', { from: state.version, to: SEARCH_INDEX_VERSION });
      await this.store.clear();
      state = { version: SEARCH_INDEX_VERSION, kinds: {}, bookmarksPending: false };
    }
    const kinds = { ...state.kinds };
    const enabled = await this.sources.enabledKinds();
    for (const kind of SEARCH_KINDS) {
      if (enabled.has(kind) || !kinds[kind]) continue;
      await this.store.replaceKind(kind, []);
      delete kinds[kind];
      done.push(`${kind} removed`);
    }
    let bookmarksPending = state.bookmarksPending;
    // Pending changes this worker noted are written by their own flush (after the sync that made
    // them); only a trace left by a stopped worker makes the refresh rebuild the bookmarks.
    if (enabled.has('bookmark') && (!kinds.bookmark || (bookmarksPending && !this.bookmarkChangesNoted))) {
      // The tree read then holds every change noted before it (a first sync's ten thousand creates):
      // their flush would build the kind a second time (seconds of writes, during the next sync).
      // Those noted while it builds are written by their own flush, as usual.
      const noted = this.takeNoted();
      if (afterSync && this.buildAfterSyncMs > 0 && (this.bookmarksFromBrowser || noted.changed.length >= BUILD_LATER_FROM)) {
        this.deferBuild();
      } else {
        await this.buildBookmarks();
        kinds.bookmark = { mark: null };
        bookmarksPending = false;
        done.push('bookmark built');
      }
    }
    if (!enabled.has('bookmark')) {
      bookmarksPending = false;
      this.cancelDeferredBuild();
    }
    if (enabled.has('history')) {
      const mark = await this.sources.historyMark();
      const before = kinds.history;
      if (!before || before.mark !== mark) {
        await this.updateHistory(before ? before.mark : null);
        kinds.history = { mark };
        done.push(before ? 'history updated' : 'history built');
      }
    }
    if (enabled.has('tab') && (tabs === 'always' || !kinds.tab)) {
      const entries = tabEntries(await this.sources.remoteTabs());
      // Every sync ends here, also the quick ones for this browser's own tabs: unchanged tabs write nothing.
      const mark = fingerprint(entries);
      if (kinds.tab?.mark !== mark) await this.store.replaceKind('tab', entries);
      kinds.tab = { mark };
    }
    await this.store.saveState({ version: SEARCH_INDEX_VERSION, kinds, bookmarksPending });
    // Tabs are replaced after every sync; only the rarer work is worth a line in the sync log.
    if (done.length > 0) this.log?.info('Search index updated', { steps: done.join(', '), ms: this.now() - started, entries: await this.store.count() });
  }

  private deferBuild(): void {
    this.bookmarksFromBrowser = true;
    if (this.deferredBuild !== null) return; // a later sync does not push the build further out
    this.deferredBuild = this.later(() => {
      this.deferredBuild = null;
      void this.serial(() => this.doDeferredBuild()).catch(() => undefined);
    }, this.buildAfterSyncMs);
  }

  private cancelDeferredBuild(): void {
    this.deferredBuild?.();
    this.deferredBuild = null;
    this.bookmarksFromBrowser = false;
  }

  /** The deferred build, unless the kind is off by now (signed out, engine off). */
  private async doDeferredBuild(): Promise<void> {
    await this.syncEnded();
    const state = await this.store.state();
    if (state === null || state.version !== SEARCH_INDEX_VERSION || !this.bookmarksFromBrowser) return;
    if (!(await this.sources.enabledKinds()).has('bookmark')) return this.cancelDeferredBuild();
    const started = this.now();
    if (!state.kinds.bookmark || (state.bookmarksPending && !this.bookmarkChangesNoted)) {
      this.takeNoted();
      await this.buildBookmarks();
      const now = (await this.store.state()) ?? state;
      await this.store.saveState({ ...now, kinds: { ...now.kinds, bookmark: { mark: null } }, bookmarksPending: false });
      this.log?.info('Search index updated', { steps: 'bookmark built', ms: this.now() - started, entries: await this.store.count() });
    }
    this.bookmarksFromBrowser = false;
  }

  /** `since`: the mark the history entries were written at; null rewrites them all. */
  private async updateHistory(since: string | null): Promise<void> {
    const pages = await this.sources.historyPages();
    if (since === null) {
      await this.store.replaceKind('history', pages.map(historyEntry).filter((e): e is SearchEntry => e !== null), undefined, () => this.syncEnded());
      return;
    }
    const after = Number.parseFloat(since) || 0;
    const have = new Set(await this.store.keysOfKind('history'));
    const put: SearchEntry[] = [];
    const keep = new Set<string>();
    for (const p of pages) {
      const e = historyEntry(p);
      if (!e) continue;
      keep.add(e.key);
      // A page changes only through the server: downloaded (or uploaded) after the mark, or not yet accepted.
      if (!have.has(e.key) || serverTime(p.modified) > after) put.push(e);
    }
    await this.store.update(put, [...have].filter((k) => !keep.has(k)));
  }
}
