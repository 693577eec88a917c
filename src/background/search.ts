// The search over synced tabs, history and bookmarks in the background: the index's sources (the
// browser's bookmarks, the history store, other devices' tabs, the engine switches), the search
// the popup's message and the address bar's keyword share, and the event wiring. Only
// `listenForOmnibox` and `openInTab` touch the browser (through what they are given); the rest is
// tested in Node.
import type { Omnibox } from 'webextension-polyfill';
import type { SearchStore } from '../db/searchStore.ts';
import type { SyncedPage } from '../db/schema.ts';
import type { Logger } from '../log/logger.ts';
import type { BookmarkEvents, BookmarksApi, BrowserBookmarkNode } from '../engines/bookmarks/local/api.ts';
import { isFolderNode } from '../engines/bookmarks/local/api.ts';
import type { SharedCreatedEvent } from '../engines/bookmarks/local/createdEvent.ts';
import { SearchIndexer, type IndexedBookmark, type SearchSources } from '../search/indexer.ts';
import { createOmniboxProvider, type Disposition } from '../search/omnibox.ts';
import type { SearchResult } from '../search/rank.ts';
import type { SearchKind } from '../db/schema.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';
import type { SearchResultView, SearchView } from '../shared/search.ts';

/** Engine name → the kind of entries it gives the index. */
const KIND_OF_ENGINE: Readonly<Record<string, SearchKind>> = { bookmarks: 'bookmark', history: 'history', tabs: 'tab' };

export interface SearchWiring {
  store: SearchStore;
  bookmarksApi: BookmarksApi;
  /** The browser id of the bookmarks' root (ROOT_ID of the browser's flavour). */
  bookmarksRootId: string;
  /** The browser's `bookmarks.get` with a list of ids: one call for a batch (it fails if one is gone). */
  getBookmarks?: (ids: string[]) => Promise<BrowserBookmarkNode[]>;
  /** The browser's `bookmarks.search` (see SearchSources.bookmarksMatching). */
  searchBookmarks?: (query: string) => Promise<BrowserBookmarkNode[]>;
  /** See SearchIndexerOptions.buildAfterSyncMs. */
  buildAfterSyncMs?: number;
  signedIn(): Promise<boolean>;
  /** The person's engine switches (SyncStateStore.engineChoices). */
  engines(): Promise<ReadonlyArray<{ name: string; enabled: boolean }>>;
  historyPages(): Promise<SyncedPage[]>;
  /** The history engine's last sync time (SyncStateStore.associations). */
  historyLastSync(): Promise<string>;
  remoteTabs(): Promise<RemoteTabsView>;
  /** True while a sync runs (see SearchIndexerOptions.busy). */
  syncing?: () => boolean;
  log?: Logger;
}

export interface SearchService {
  indexer: SearchIndexer;
  /** The popup's search message. */
  search(query: string, limit: number): Promise<SearchView>;
  /** The address bar's: null while signed out. */
  omniboxSearch(text: string, limit: number): Promise<SearchResult[] | null>;
}

/** A bookmark with an address, as the index takes it; null for a folder or a separator. */
function indexedBookmark(n: BrowserBookmarkNode): IndexedBookmark | null {
  if (isFolderNode(n) || n.url === undefined || n.type === 'separator') return null;
  return { id: n.id, title: n.title, url: n.url, dateAdded: n.dateAdded };
}

/** Every bookmark with an address, in tree order, skipping folders an administrator manages (never synced). */
export function bookmarksOfTree(roots: readonly BrowserBookmarkNode[]): IndexedBookmark[] {
  const out: IndexedBookmark[] = [];
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.unmodifiable === 'managed') continue;
    if (!isFolderNode(n)) {
      const b = indexedBookmark(n);
      if (b) out.push(b);
      continue;
    }
    if (n.children) stack.push(...[...n.children].reverse());
  }
  return out;
}

/**
 * The bookmarks with an address under `rootId`, a folder's at a time (one getChildren each),
 * skipping folders an administrator manages. A folder removed while this runs is skipped: its
 * removal's event brings the index up to date.
 */
export async function* bookmarksByFolder(api: Pick<BookmarksApi, 'getChildren'>, rootId: string): AsyncIterable<IndexedBookmark[]> {
  const folders = [rootId];
  while (folders.length > 0) {
    const id = folders.pop()!;
    const children = await api.getChildren(id).catch(() => null);
    if (!children) continue;
    const here: IndexedBookmark[] = [];
    const below: string[] = [];
    for (const n of children) {
      if (n.unmodifiable === 'managed') continue;
      const b = indexedBookmark(n);
      if (b) here.push(b);
      else if (isFolderNode(n)) below.push(n.id);
    }
    // Depth first, in the folder's order: the stack holds ids of folders still to read, never their contents.
    for (let i = below.length - 1; i >= 0; i--) folders.push(below[i]!);
    if (here.length > 0) yield here;
  }
}

export function searchSources(w: SearchWiring): SearchSources {
  return {
    enabledKinds: async () => {
      if (!(await w.signedIn())) return new Set();
      const kinds = (await w.engines()).filter((e) => e.enabled).map((e) => KIND_OF_ENGINE[e.name]);
      return new Set(kinds.filter((k): k is SearchKind => k !== undefined));
    },
    bookmarks: () => bookmarksByFolder(w.bookmarksApi, w.bookmarksRootId),
    bookmarksById: async (ids) => {
      if (ids.length === 0) return [];
      if (w.getBookmarks) {
        const all = await w.getBookmarks([...ids]).catch(() => null);
        if (all) return bookmarksOfTree(all);
      }
      // One `get` per id: a list with one removed id fails as a whole.
      const nodes = await Promise.all(ids.map((id) => w.bookmarksApi.get(id).then((n) => n[0] ?? null, () => null)));
      return bookmarksOfTree(nodes.filter((n): n is BrowserBookmarkNode => n !== null));
    },
    ...(w.searchBookmarks ? { bookmarksMatching: async (query: string) => bookmarksOfTree(await w.searchBookmarks!(query)) } : {}),
    historyPages: () => w.historyPages(),
    historyMark: () => w.historyLastSync(),
    remoteTabs: () => w.remoteTabs(),
  };
}

export function createSearchService(w: SearchWiring): SearchService {
  const indexer = new SearchIndexer({
    store: w.store, sources: searchSources(w), ...(w.syncing ? { busy: w.syncing } : {}), ...(w.log ? { log: w.log } : {}),
    ...(w.buildAfterSyncMs === undefined ? {} : { buildAfterSyncMs: w.buildAfterSyncMs }),
  });
  const view = (r: SearchResult): SearchResultView => ({ kind: r.kind, url: r.url, title: r.title, device: r.device, also: r.also });
  return {
    indexer,
    async search(query, limit) {
      // Signed out, the index is empty by then (sign-out clears it); saying so keeps a late write from showing.
      if (!(await w.signedIn())) return { results: [], signedIn: false };
      return { results: (await indexer.search(query, limit)).map(view), signedIn: true };
    },
    omniboxSearch: async (text, limit) => ((await w.signedIn()) ? indexer.search(text, limit) : null),
  };
}

/**
 * Bookmark changes reach the index as they happen (the engine's writes during a sync included).
 * Subscribed at start-up with the other bookmark events; acts once the wiring is done.
 */
export function watchBookmarksForSearch(events: Omit<BookmarkEvents, 'onCreated'> & { onCreated: SharedCreatedEvent }, indexer: Promise<SearchIndexer>): void {
  const on = (f: (i: SearchIndexer) => void): void => void indexer.then(f, () => undefined);
  // The sync's own creates too: they are searchable like any other bookmark.
  events.onCreated.addListener((id, node) => {
    if (!isFolderNode(node)) on((i) => i.bookmarkChanged(id));
  }, { own: true });
  events.onChanged.addListener((id) => on((i) => i.bookmarkChanged(id)));
  events.onRemoved.addListener((id, info) => {
    const node = info.node;
    if (node && !isFolderNode(node)) return on((i) => i.bookmarkRemoved(id, []));
    // A folder: Chromium lists what it held; Firefox does not (null: the indexer rereads the tree).
    const held = node?.children ? bookmarksOfTree(node.children).map((b) => b.id) : null;
    on((i) => i.bookmarkRemoved(id, held));
  });
  events.onImportEnded?.addListener(() => on((i) => i.bookmarksReplaced()));
}

/** The keyword, as manifest.json declares it. */
export const OMNIBOX_KEYWORD = 'fx';

/**
 * The address bar's keyword search. Registered synchronously at start-up (typing the keyword
 * wakes the worker); the handlers wait for the wiring. `markup`: Chromium's XML descriptions.
 */
export function listenForOmnibox(
  omnibox: Omnibox.Static,
  service: Promise<SearchService>,
  o: { markup: boolean; open: (url: string, disposition: Disposition) => Promise<void>; log: Logger },
): void {
  const provider = createOmniboxProvider({
    markup: o.markup,
    search: async (text, limit) => (await service).omniboxSearch(text, limit),
    setDefaultSuggestion: (description) => {
      // A description the browser refuses (it never should) costs the line, not an unhandled rejection.
      Promise.resolve(omnibox.setDefaultSuggestion({ description })).catch((e: unknown) => o.log.warn('Address bar line refused', { error: String(e) }));
    },
    open: o.open,
  });
  omnibox.onInputStarted.addListener(() => provider.inputStarted());
  omnibox.onInputChanged.addListener((text, suggest) => {
    provider.inputChanged(text, suggest).catch((e: unknown) => o.log.warn('Address bar search failed', { error: String(e) }));
  });
  omnibox.onInputEntered.addListener((text, disposition) => {
    provider.inputEntered(text, disposition).catch((e: unknown) => o.log.warn('Could not open the address bar choice', { error: String(e) }));
  });
}

/** Opens an address as the address bar asks: in the active tab, or in a new tab in front or behind. */
/** The part of `browser.tabs` opening takes. */
export interface TabOpener {
  query(q: { active: true; currentWindow: true }): Promise<Array<{ id?: number | undefined }>>;
  update(tabId: number, p: { url: string }): Promise<unknown>;
  create(p: { url: string; active: boolean }): Promise<unknown>;
}

export function openInTab(tabs: TabOpener): (url: string, disposition: Disposition) => Promise<void> {
  return async (url, disposition) => {
    if (disposition === 'currentTab') {
      const [tab] = await tabs.query({ active: true, currentWindow: true });
      if (tab?.id !== undefined) {
        await tabs.update(tab.id, { url });
        return;
      }
    }
    await tabs.create({ url, active: disposition !== 'newBackgroundTab' });
  };
}
