// The part of `browser.history` the history engine uses, as a port: Node tests drive the engine
// against FakeHistoryApi, the background binds the real one (browserApi.ts). Facts checked on
// Chromium 156 and Firefox ESR 153 (docs/browser-platform.md):
// - Chromium's `addUrl` accepts only `{url}` and records a visit at the current time; `getVisits`
//   gives `visitTime` in ms with µs fractions and `isLocal` (false for visits Chrome Sync brought).
// - Firefox's `addUrl` accepts `title`, `visitTime` and `transition` (link, typed, auto_bookmark,
//   auto_subframe, manual_subframe, reload) and `getVisits` returns the time given, in whole ms. A
//   numeric `visitTime` must be a whole number of ms (a fraction is a type error), and a visit
//   added as `auto_subframe` is not kept at all (Places stores no embed visits).
// - Chromium 156 records a navigation made by automation (Playwright's page.goto) as `typed`, a
//   clicked link as `link`, a reload as `reload`, and addUrl's visit as `link` (e2e/chromium/history.e2e.ts).
// - Neither browser records private/incognito visits in history, so none reach these calls or events.
import type { BrowserFlavor } from '../../bookmarks/local/api.ts';

export type { BrowserFlavor };

export interface HistoryItem {
  url?: string;
  title?: string;
  /** ms since the epoch. */
  lastVisitTime?: number;
  visitCount?: number;
}

export interface VisitItem {
  /** ms since the epoch (Chromium: with µs fractions). */
  visitTime?: number;
  transition: string;
  /** Chromium 115+: false for a visit Chrome Sync brought from another device. */
  isLocal?: boolean;
}

export interface AddUrlDetails {
  url: string;
  /** Firefox only (Chromium rejects the property). */
  title?: string;
  visitTime?: number;
  transition?: string;
}

export interface HistoryApi {
  search(query: { text: string; startTime: number; endTime?: number; maxResults: number }): Promise<HistoryItem[]>;
  getVisits(details: { url: string }): Promise<VisitItem[]>;
  addUrl(details: AddUrlDetails): Promise<void>;
  deleteUrl(details: { url: string }): Promise<void>;
}

export interface ApiEvent<A extends unknown[]> {
  addListener(listener: (...args: A) => void): void;
  removeListener(listener: (...args: A) => void): void;
}

export interface HistoryEvents {
  onVisited: ApiEvent<[HistoryItem]>;
  /** `allHistory` for "clear all"; otherwise the URLs whose every visit was removed. */
  onVisitRemoved: ApiEvent<[{ allHistory: boolean; urls?: string[] }]>;
}
