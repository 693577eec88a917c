// One handler per request type. The mapped type makes a missing or mistyped handler a compile error.
import type { LogStore } from '../log/logStore.ts';
import type { SettingsStore } from '../db/settingsStore.ts';
import type { Scheduler } from '../accountSync/scheduler.ts';
import type { Request, RequestType, ResponseMap } from '../shared/messages.ts';
import type { AccountController } from '../account/controller.ts';
import type { SyncStateStore } from '../db/syncStateStore.ts';
import type { DeviceView } from '../shared/account.ts';
import type { BookmarksController } from '../engines/bookmarks/controller.ts';
import type { SyncedHistoryView } from '../shared/history.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';
import type { SendTargetView } from '../shared/sendTab.ts';
import { t } from '../i18n/i18n.ts';
import { POPUP_SEARCH_LIMIT, type SearchView } from '../shared/search.ts';

export type Handlers = {
  [K in RequestType]: (req: Extract<Request, { type: K }>) => Promise<ResponseMap[K]>;
};

export interface HandlerDeps {
  scheduler: Scheduler;
  settings: SettingsStore;
  logs: LogStore;
  /** Flushes pending log lines so getLogs sees everything logged so far. */
  flushLogs: () => Promise<void>;
  accounts: AccountController;
  syncState: SyncStateStore;
  bookmarks: BookmarksController;
  /**
   * What the "History from other devices" page lists: other devices' pages from the history store,
   * with whether this browser is signed in and the history engine is on (see syncedHistory.ts,
   * which builds this from the store, the account and the engine switch).
   */
  syncedHistory: () => Promise<SyncedHistoryView>;
  /** Other devices' open tabs, as Firefox would show them (remoteTabs.ts). */
  remoteTabs: () => Promise<RemoteTabsView>;
  /** Send Tab (sendTab.ts): the devices that accept tabs, and sending one a tab. */
  sendTab: {
    targets(opts?: { fresh?: boolean }): Promise<SendTargetView[]>;
    send(req: { deviceId: string; url: string; title: string }): Promise<unknown>;
  };
  /** The search over synced tabs, history and bookmarks (search.ts): the best `limit` results for a query. */
  search: (query: string, limit: number) => Promise<SearchView>;
}

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    getStatus: () => d.scheduler.statusView(),
    syncNow: () => d.scheduler.requestSync('manual'),
    getSettings: () => d.settings.get(),
    updateSettings: async (req) => {
      const next = await d.settings.update(req.patch);
      await d.scheduler.ensurePeriodicAlarm();
      // The status carries "Sync automatically" and the next sync's time: pages and the badge re-read it.
      await d.scheduler.broadcast();
      return next;
    },
    getLogs: async (req) => {
      await d.flushLogs();
      return d.logs.recent(Math.min(Math.max(req.limit ?? 500, 1), 2000));
    },
    clearLogs: async () => {
      await d.flushLogs();
      return { cleared: await d.logs.clear() };
    },
    getAccount: () => d.accounts.view(),
    setServer: (req) => d.accounts.setServer({ accountsUrl: req.accountsUrl, tokenServerUrl: req.tokenServerUrl }),
    startWebSignIn: async () => {
      await d.accounts.startWebSignIn();
      return { tabOpened: true };
    },
    passwordSignIn: (req) => d.accounts.passwordSignIn(req.email, req.password),
    verifyCode: (req) => d.accounts.verifyCode(req.code),
    resendCode: async () => {
      await d.accounts.resendCode();
      return { sent: true };
    },
    cancelSignIn: () => d.accounts.cancelSignIn(),
    signOut: () => d.accounts.signOut(),
    setDeviceName: async (req) => {
      const view = await d.accounts.setDeviceName(req.name);
      // The new name reaches the account and the clients record with a sync (an automatic one:
      // with "Sync automatically" off it waits for Sync now).
      if (view.state === 'signed-in') await d.scheduler.requestSync('rename');
      return view;
    },
    getEngines: () => d.syncState.engineChoices(),
    setEngine: async (req) => {
      const view = await d.syncState.chooseEngine(req.engine, req.enabled);
      await d.scheduler.requestSync('settings');
      return view;
    },
    getDevices: async (): Promise<DeviceView[]> => {
      const { others } = await d.syncState.loadClientsState();
      return others.map((c) => ({ id: c.id, name: c.name, type: c.type, os: c.os, lastSeenAt: c.modified * 1000 }));
    },
    getBookmarksState: () => d.bookmarks.view(),
    chooseFirstBookmarkSync: (req) => d.bookmarks.chooseFirstSync(req.choice),
    approveBookmarkDeletion: () => d.bookmarks.approveDeletion(),
    restoreBookmarkSnapshot: (req) => d.bookmarks.restoreSnapshot(req.id),
    approveRemoteBookmarkDeletion: () => d.bookmarks.approveRemoteDeletion(),
    keepRemoteBookmarks: () => d.bookmarks.keepRemoteBookmarks(),
    restoreAccountBookmarks: (req) => d.bookmarks.restoreAccountSnapshot(req.id),
    getSyncedHistory: () => d.syncedHistory(),
    getRemoteTabs: () => d.remoteTabs(),
    getSendTargets: () => d.sendTab.targets({ fresh: true }),
    sendTab: async (req) => {
      if (typeof req.deviceId !== 'string' || typeof req.url !== 'string') throw new Error(t('sendErrorChoose'));
      await d.sendTab.send({ deviceId: req.deviceId, url: req.url, title: typeof req.title === 'string' ? req.title : '' });
      return { sent: true as const };
    },
    search: async (req) => {
      if (typeof req.query !== 'string') throw new Error(t('searchErrorNoQuery'));
      const limit = typeof req.limit === 'number' && Number.isInteger(req.limit) ? Math.min(Math.max(req.limit, 1), 50) : POPUP_SEARCH_LIMIT;
      return d.search(req.query.slice(0, 200), limit);
    },
  };
}

/** Runs the handler for a request; failures become `{ ok: false }` with a message for the page. */
export async function dispatch(handlers: Handlers, req: Request): Promise<import('../shared/messages.ts').Reply<unknown>> {
  try {
    // The union is narrowed per key by the Handlers type; TypeScript cannot correlate it here.
    const handler = handlers[req.type] as (r: Request) => Promise<unknown>;
    return { ok: true, value: await handler(req) };
  } catch (e) {
    return { ok: false, error: describeForPerson(e) };
  }
}

/** Typed errors carry words for the person; anything else shows its message. */
export function describeForPerson(e: unknown): string {
  const userMessage = (e as { userMessage?: unknown } | null)?.userMessage;
  if (typeof userMessage === 'string') return userMessage;
  return e instanceof Error ? e.message : String(e);
}
