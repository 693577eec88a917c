// The real `browser.bookmarks` behind the BookmarksApi and BookmarkEvents ports. Imported only by
// the background: it pulls in webextension-polyfill, which Node tests must not load.
import { browser } from '../../../browser/api.ts';
import type { BookmarkEvents, BookmarksApi } from './api.ts';

export function browserBookmarksApi(): BookmarksApi {
  const b = browser.bookmarks;
  return {
    getTree: () => b.getTree(),
    get: (id) => b.get(id),
    getChildren: (id) => b.getChildren(id),
    create: (details) => b.create(details),
    update: (id, changes) => b.update(id, changes),
    move: (id, destination) => b.move(id, destination),
    remove: (id) => b.remove(id),
    removeTree: (id) => b.removeTree(id),
    getRecent: (count) => b.getRecent(count),
  };
}

/** Chromium's extra events exist at run time but not in the polyfill's types. */
type ChromiumOnlyEvents = Partial<Pick<BookmarkEvents, 'onChildrenReordered' | 'onImportBegan' | 'onImportEnded'>>;

/** Must be subscribed to synchronously at start-up so that bookmark events wake the worker. */
export function browserBookmarkEvents(): BookmarkEvents {
  const b = browser.bookmarks as typeof browser.bookmarks & ChromiumOnlyEvents;
  return {
    onCreated: b.onCreated,
    onChanged: b.onChanged,
    onMoved: b.onMoved,
    onRemoved: b.onRemoved,
    ...(b.onChildrenReordered ? { onChildrenReordered: b.onChildrenReordered } : {}),
    ...(b.onImportBegan ? { onImportBegan: b.onImportBegan } : {}),
    ...(b.onImportEnded ? { onImportEnded: b.onImportEnded } : {}),
  };
}
