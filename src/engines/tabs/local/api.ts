// The part of `browser.tabs` the tabs engine reads, as a port (Node tests use a fake). Both
// browsers report `lastAccessed` (ms), `favIconUrl` (absent when the page has none), `pinned`,
// `incognito`; Chromium also `groupId` (-1 outside a group). Facts: docs/browser-platform.md.
export interface BrowserTab {
  id?: number;
  windowId?: number;
  url?: string;
  title?: string;
  favIconUrl?: string;
  lastAccessed?: number;
  pinned: boolean;
  active?: boolean;
  incognito: boolean;
  groupId?: number;
}

export interface TabsApi {
  /** Tabs of normal windows (no popups, no devtools). */
  query(q: { windowType: 'normal' }): Promise<BrowserTab[]>;
}
