// The typed message protocol between extension pages (popup, options) and the background.
// Every request is one member of a discriminated union; the background has exactly one handler
// per member (see background/messageHandlers.ts), and the compiler checks that it does.
import type { Settings } from './settings.ts';
import type { RemoteTabsView } from './tabs.ts';
import type { SendTargetView } from './sendTab.ts';
import type { StatusView } from './status.ts';
import type { LogEntry } from './logEntry.ts';
import type { AccountView, BookmarksView, DeviceView, EnginesView, FirstSyncChoiceView } from './account.ts';
import type { SyncedHistoryView } from './history.ts';
import type { SearchView } from './search.ts';

export type Request =
  | { type: 'getStatus' }
  | { type: 'syncNow' }
  | { type: 'getSettings' }
  | { type: 'updateSettings'; patch: Partial<Settings> }
  | { type: 'getLogs'; limit?: number }
  | { type: 'clearLogs' }
  | { type: 'getAccount' }
  | { type: 'setServer'; accountsUrl: string; tokenServerUrl: string | null }
  | { type: 'startWebSignIn' }
  | { type: 'passwordSignIn'; email: string; password: string }
  | { type: 'verifyCode'; code: string }
  | { type: 'resendCode' }
  | { type: 'cancelSignIn' }
  | { type: 'signOut' }
  | { type: 'setDeviceName'; name: string }
  | { type: 'getEngines' }
  | { type: 'setEngine'; engine: string; enabled: boolean }
  | { type: 'getDevices' }
  | { type: 'getBookmarksState' }
  | { type: 'chooseFirstBookmarkSync'; choice: FirstSyncChoiceView }
  | { type: 'approveBookmarkDeletion' }
  | { type: 'restoreBookmarkSnapshot'; id: number }
  | { type: 'approveRemoteBookmarkDeletion' }
  | { type: 'keepRemoteBookmarks' }
  | { type: 'restoreAccountBookmarks'; id: number }
  | { type: 'getSyncedHistory' }
  | { type: 'getRemoteTabs' }
  /** The account's other devices that accept tabs ("Send this tab to…"). */
  | { type: 'getSendTargets' }
  /** Sends a tab to one of them; a failure is the Reply's error, in words. */
  | { type: 'sendTab'; deviceId: string; url: string; title: string }
  /** Other devices' tabs, synced history and bookmarks matching every word of the query, best first. */
  | { type: 'search'; query: string; limit?: number };

export type RequestType = Request['type'];

export type SyncNowResult =
  | { outcome: 'started' }
  | { outcome: 'already-running' }
  | { outcome: 'backing-off'; until: number }
  /** An automatic trigger while "Sync automatically" is off (Sync now itself always runs). */
  | { outcome: 'manual-only' };

/** What each request answers with. */
export interface ResponseMap {
  getStatus: StatusView;
  syncNow: SyncNowResult;
  getSettings: Settings;
  updateSettings: Settings;
  getLogs: LogEntry[];
  clearLogs: { cleared: number };
  getAccount: AccountView;
  setServer: AccountView;
  startWebSignIn: { tabOpened: boolean };
  passwordSignIn: AccountView;
  verifyCode: AccountView;
  resendCode: { sent: boolean };
  cancelSignIn: AccountView;
  signOut: AccountView;
  setDeviceName: AccountView;
  getEngines: EnginesView;
  setEngine: EnginesView;
  getDevices: DeviceView[];
  getBookmarksState: BookmarksView;
  chooseFirstBookmarkSync: BookmarksView;
  approveBookmarkDeletion: BookmarksView;
  restoreBookmarkSnapshot: { restored: number };
  approveRemoteBookmarkDeletion: BookmarksView;
  keepRemoteBookmarks: BookmarksView;
  restoreAccountBookmarks: BookmarksView;
  getSyncedHistory: SyncedHistoryView;
  getRemoteTabs: RemoteTabsView;
  getSendTargets: SendTargetView[];
  sendTab: { sent: true };
  search: SearchView;
}

/** Wire form of every answer: a failure is a value, so a page never sees an unexplained rejection. */
export type Reply<T> = { ok: true; value: T } | { ok: false; error: string };

/** Background → pages broadcast: pages re-read state when it changes instead of polling. */
export interface StatusChangedEvent {
  type: 'event';
  event: 'statusChanged';
  status: StatusView;
}

export function isStatusChangedEvent(m: unknown): m is StatusChangedEvent {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'event' &&
    (m as { event?: unknown }).event === 'statusChanged';
}

const REQUEST_TYPES: ReadonlySet<string> = new Set<RequestType>([
  'getStatus', 'syncNow', 'getSettings', 'updateSettings', 'getLogs', 'clearLogs',
  'getAccount', 'setServer', 'startWebSignIn', 'passwordSignIn', 'verifyCode', 'resendCode',
  'cancelSignIn', 'signOut', 'setDeviceName', 'getEngines', 'setEngine', 'getDevices',
  'getBookmarksState', 'chooseFirstBookmarkSync', 'approveBookmarkDeletion', 'restoreBookmarkSnapshot',
  'approveRemoteBookmarkDeletion', 'keepRemoteBookmarks', 'restoreAccountBookmarks', 'getSyncedHistory', 'getRemoteTabs',
  'getSendTargets', 'sendTab', 'search',
]);

/** Shape check at the trust boundary: the background never acts on an unknown message. */
export function isRequest(m: unknown): m is Request {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' &&
    REQUEST_TYPES.has((m as { type: string }).type);
}
