// The real `browser.history` behind the HistoryApi and HistoryEvents ports. Imported only by the
// background: it pulls in webextension-polyfill, which Node tests must not load.
import { browser } from '../../../browser/api.ts';
import type { HistoryApi, HistoryEvents, VisitItem } from './api.ts';

export function browserHistoryApi(): HistoryApi {
  const h = browser.history;
  return {
    search: (query) => h.search(query),
    // The polyfill's types lack Chromium's `isLocal`; it arrives at run time.
    getVisits: async (details) => (await h.getVisits(details)) as VisitItem[],
    // The polyfill's types allow only Firefox's transition names; both browsers check them at run time.
    addUrl: (details) => h.addUrl(details as Parameters<typeof h.addUrl>[0]),
    deleteUrl: (details) => h.deleteUrl(details),
  };
}

/** Must be subscribed to synchronously at start-up so that history events wake the worker. */
export function browserHistoryEvents(): HistoryEvents {
  const h = browser.history;
  return {
    onVisited: h.onVisited,
    onVisitRemoved: h.onVisitRemoved,
  };
}
