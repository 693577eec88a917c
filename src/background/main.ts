// Service-worker (Chromium) / event-page (Firefox) entry. Wiring only: open the database, build the
// pieces, and connect browser events to them. Listeners are registered synchronously at start-up,
// as MV3 requires for events that wake the worker; they wait for the async wiring before acting.
import type { Runtime, Tabs } from 'webextension-polyfill';
import { AccountController } from '../account/controller.ts';
import { browser, alarmsPort, describeThisBrowser, platformInfo, PENDING_SIGN_IN_ALARM, scheduleSignInExpiry, sessionArea, signedInMarker } from '../browser/api.ts';
import { AccountStore } from '../db/accountStore.ts';
import { LeaseLock } from '../db/leaseLock.ts';
import { openDatabase } from '../db/open.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { SyncStateStore } from '../db/syncStateStore.ts';
import { LogStore } from '../log/logStore.ts';
import { createLogHub } from '../log/logger.ts';
import { isRequest, type StatusChangedEvent } from '../shared/messages.ts';
import { PERIODIC_ALARM, Scheduler } from '../accountSync/scheduler.ts';
import { createAccountCommands } from './commands.ts';
import { createHandlers, describeForPerson, dispatch, type Handlers } from './messageHandlers.ts';
import { isOwnExtensionPage } from './sender.ts';
import { createSyncJob } from './syncJob.ts';
import { IdMapStore } from '../db/idMapStore.ts';
import { MirrorStore } from '../db/mirrorStore.ts';
import { SafetyStore } from '../db/safetyStore.ts';
import { forgetAccountData } from '../db/forgetAccount.ts';
import { LOST_DATA_NOTICE } from '../account/signedInMarker.ts';
import { IdbChangeStore, IdbProgressStore, IdbWriteLog } from '../db/engineWorkStore.ts';
import { BookmarksController } from '../engines/bookmarks/controller.ts';
import { BrowserBookmarks } from '../engines/bookmarks/local/browserBookmarks.ts';
import { browserBookmarkEvents, browserBookmarksApi } from '../engines/bookmarks/local/browserApi.ts';
import { SharedCreatedEvent } from '../engines/bookmarks/local/createdEvent.ts';
import { ChangeTracker } from '../engines/bookmarks/local/changeTracker.ts';
import { detectFlavor, ROOT_ID } from '../engines/bookmarks/local/api.ts';
import { describeRootProblems } from '../engines/bookmarks/local/rootProblems.ts';
import { SWITCHABLE_ENGINES, engineSet } from '../engines/registry.ts';
import { restoreSnapshot } from '../engines/bookmarks/restore.ts';
import { HistoryStore } from '../db/historyStore.ts';
import { IdbScanMark } from '../db/engineWorkStore.ts';
import { BrowserHistory } from '../engines/history/local/browserHistory.ts';
import { browserHistoryApi, browserHistoryEvents } from '../engines/history/local/browserApi.ts';
import { HistoryChangeTracker } from '../engines/history/local/changeTracker.ts';
import { syncedHistorySource } from './syncedHistory.ts';
import { BrowserTabs, NavigationLog } from '../engines/tabs/local/localTabs.ts';
import { watchTabs } from '../engines/tabs/local/tabsTracker.ts';
import { AccountDevices } from './accountDevices.ts';
import { remoteTabsSource } from './remoteTabs.ts';
import { SendTabService } from './sendTab.ts';
import { browserSendTabPorts, listenForSendTab } from './sendTabBrowser.ts';
import { BadgeService } from './badge.ts';
import { browserBadgePorts, listenForBadgeClicks } from './badgeBrowser.ts';
import type { WaitingDecision } from './badgeState.ts';
import { classifyRunError } from '../accountSync/problems.ts';
import { SearchStore } from '../db/searchStore.ts';
import { BUILD_AFTER_SYNC_MS } from '../search/indexer.ts';
import { isFirefox } from '../ui/browserFamily.ts';
import { createSearchService, listenForOmnibox, openInTab, watchBookmarksForSearch, type SearchService } from './search.ts';

const hub = createLogHub({ consoleLevel: 'info', storeLevel: 'info' });
const log = hub.logger.child('background');
const instanceId = crypto.randomUUID();

interface App {
  scheduler: Scheduler;
  handlers: Handlers;
  accounts: AccountController;
  bookmarkIds: IdMapStore;
  bookmarkChanges: IdbChangeStore;
  historyChanges: IdbChangeStore;
  sendTab: SendTabService;
  badge: BadgeService;
  search: SearchService;
}

const bookmarksApi = browserBookmarksApi();

async function wire(): Promise<App> {
  const db = await openDatabase();
  const logs = new LogStore(db);
  hub.setSink(logs);
  const settings = new SettingsStore(db);
  const accountStore = new AccountStore(db, sessionArea);
  const syncState = new SyncStateStore(db, SWITCHABLE_ENGINES);
  const bookmarkIds = new IdMapStore(db, 'bookmarks');
  const bookmarkChanges = new IdbChangeStore(db, 'bookmarks');
  const safety = new SafetyStore(db);
  const historyChanges = new IdbChangeStore(db, 'history');
  const historyPages = new HistoryStore(db);
  const accountDevices = new AccountDevices({ account: () => accountStore.account() });
  const sendTab = new SendTabService({ accounts: accountStore, devices: accountDevices, ports: browserSendTabPorts(), log: hub.logger.child('send-tab') });
  const localBookmarks = new BrowserBookmarks({
    api: bookmarksApi,
    idMap: bookmarkIds,
    flavor: await detectFlavor(bookmarksApi),
    progress: new IdbProgressStore(db, 'bookmarks'),
    changes: bookmarkChanges,
    tracker: bookmarkTracker,
    createdEvent: bookmarkCreated,
    writeLog: new IdbWriteLog(db, 'bookmarks'),
  });
  const remoteTabs = remoteTabsSource({
    tabs: async () => (await syncState.loadTabsState()).others,
    clients: async () => (await syncState.loadClientsState()).others,
    accountDeviceIds: async (fresh) => {
      if (fresh) accountDevices.invalidate();
      const devices = await accountDevices.list();
      return devices ? new Set(devices.map((dv) => dv.id)) : null;
    },
    now: Date.now,
  });
  const search = createSearchService({
    store: new SearchStore(db),
    bookmarksApi,
    bookmarksRootId: ROOT_ID[localBookmarks.flavor],
    getBookmarks: (ids) => browser.bookmarks.get(ids),
    searchBookmarks: (query) => browser.bookmarks.search(query),
    buildAfterSyncMs: BUILD_AFTER_SYNC_MS,
    signedIn: async () => (await accountStore.account()) !== null,
    engines: async () => (await syncState.engineChoices()).engines,
    historyPages: () => historyPages.foreignPages(),
    historyLastSync: async () => (await syncState.associations.load('history')).lastSync,
    remoteTabs,
    syncing: () => scheduler?.running ?? false,
    log: hub.logger.child('search'),
  });
  // The scheduler and the account controller refer to each other (sign-in starts a sync; a
  // "logout" command signs out): the controller's callbacks read `scheduler`, assigned just below.
  let scheduler: Scheduler | null = null;
  const statusStore = new StatusStore(db);
  // The toolbar button and the problem notifications follow every status change (badge.ts).
  const badge = new BadgeService({
    ports: browserBadgePorts(),
    status: () => scheduler!.statusView(),
    decision: async (): Promise<WaitingDecision | null> => {
      const p = await safety.waitingForPerson();
      return p === null ? null : p.kind === 'first-sync' ? { kind: 'first-sync' } : { kind: p.kind, deletions: p.deletions };
    },
    notified: {
      get: async () => (await statusStore.get()).notified,
      set: async (notified) => void (await statusStore.update({ notified })),
    },
    log: hub.logger.child('badge'),
  });
  const accounts = new AccountController({
    store: accountStore,
    log: hub.logger.child('account'),
    openTab: async (url) => (await browser.tabs.create({ url, active: true })).id ?? null,
    closeTab: async (tabId) => {
      await browser.tabs.remove(tabId);
    },
    defaultDeviceName: describeThisBrowser,
    scheduleExpiry: scheduleSignInExpiry,
    marker: signedInMarker,
    storageEndpoint: async () => (await syncState.loadSyncToken())?.apiEndpoint ?? null,
    onSignedIn: async (_account, info) => {
      // Back after the browser discarded our database: this browser's bookmarks were synced with
      // this account, so the first sync merges (matching items are not duplicated) without asking.
      if (info?.returning) await safety.chooseFirstSync('merge');
      // Automatic: with "Sync automatically" off the first sync waits for Sync now.
      await scheduler?.requestSync('sign-in');
      await scheduler?.broadcast();
      await sendTab.signedIn().catch((e: unknown) => log.warn('Send Tab could not start', { error: String(e) }));
    },
    onSignedOut: async () => {
      // A running sync still holds the account's keys and token: stop it before forgetting.
      await scheduler?.cancelRun();
      await forgetAccountData(db, { syncState, safety });
      await search.indexer.forget();
      await sendTab.signedOut();
      await statusStore.forgetAccount();
      await scheduler?.broadcast();
    },
  });
  scheduler = new Scheduler({
    instanceId,
    lock: new LeaseLock(db, 'sync', 120_000),
    status: statusStore,
    settings,
    alarms: alarmsPort,
    job: createSyncJob({
      accounts: accountStore,
      controller: accounts,
      syncState,
      commandKeys: accountStore,
      afterSync: async () => {
        await sendTab.afterSync();
        // After the sync, not in it: the sync is done when the data is, the index follows.
        void search.indexer.refresh().catch((e: unknown) => log.warn('The search index could not be updated', { error: String(e) }));
      },
      engines: engineSet({
        clients: syncState,
        bookmarks: {
          local: localBookmarks, mirror: new MirrorStore(db, 'bookmarks'), safety,
          // A second on: the rest of the sync (history, tabs, its status) is done by then.
          afterRun: (task) => void setTimeout(() => void task().catch((e: unknown) => log.debug('Work after the sync failed', { error: String(e) })), 1000),
          refused: new IdbChangeStore(db, 'bookmarks', Date.now, 'refused'),
          unreadable: new IdbChangeStore(db, 'bookmarks', Date.now, 'unreadable'),
        },
        history: {
          local: new BrowserHistory({ api: historyApi, flavor: localBookmarks.flavor, tracker: historyTracker }),
          pages: historyPages,
          changes: historyChanges,
          scanMark: new IdbScanMark(db, 'history'),
          addToBrowserHistory: async () => (await settings.get()).addRemoteHistoryToBrowser,
        },
        tabs: {
          local: new BrowserTabs({ api: { query: (q) => browser.tabs.query(q) }, navigations: tabNavigations }),
          state: syncState,
        },
      }),
      commands: createAccountCommands({
        accounts, log: hub.logger.child('commands'),
        openTab: async (url) => {
          await browser.tabs.create({ url, active: false });
        },
      }),
      platform: platformInfo,
    }),
    log: hub.logger.child('sync'),
    accountEmail: async () => (await accountStore.account())?.email ?? null,
    accountNotice: async () => ((await accounts.dataLost()) ? LOST_DATA_NOTICE : null),
    extensionVersion: browser.runtime.getManifest().version,
    describeError: describeForPerson,
    classifyError: classifyRunError,
    keepAlive: () => {
      browser.runtime.getPlatformInfo().catch(() => undefined);
    },
    onStatusChange: (status, { progressOnly }) => {
      const event: StatusChangedEvent = { type: 'event', event: 'statusChanged', status };
      // No page open means no receiver; that is normal.
      browser.runtime.sendMessage(event).catch(() => undefined);
      // The button shows that a sync runs, not how far it got.
      if (!progressOnly) void badge.update(status);
    },
  });
  await scheduler.ensurePeriodicAlarm();
  void badge.update();
  // Builds a missing index (first start of this version, or after a worker stopped mid-update).
  void search.indexer.refresh({ tabs: 'ifMissing' }).catch((e: unknown) => log.warn('The search index could not be built', { error: String(e) }));
  void sendTab.start().catch((e: unknown) => log.warn('Send Tab could not start', { error: String(e) }));
  const bookmarks = new BookmarksController({
    safety,
    // Only Chromium's top-level folders matter; reading them, not the whole tree, keeps the
    // options page cheap to refresh on every status change.
    rootProblems: async () => localBookmarks.flavor === 'firefox' ? []
      : describeRootProblems([{ id: '0', title: '', children: await bookmarksApi.getChildren('0') }]).map((p) => p.message),
    restore: (items) => restoreSnapshot(localBookmarks, items),
    requestSync: async () => {
      // Its button says it syncs now: the person asked, so it runs even with "Sync automatically" off.
      await scheduler!.requestSync('decision');
      // The answer may end the question the badge shows, whether or not a sync starts now.
      await badge.update();
    },
  });
  return {
    scheduler,
    accounts,
    bookmarkIds,
    bookmarkChanges,
    historyChanges,
    sendTab,
    badge,
    search,
    handlers: createHandlers({
      scheduler, settings, logs, flushLogs: hub.flush, accounts, syncState, bookmarks,
      syncedHistory: syncedHistorySource({
        recentForeign: (limit) => historyPages.recentForeign(limit),
        signedIn: async () => (await accountStore.account()) !== null,
        engineEnabled: async () => (await syncState.engineChoices()).engines.find((e) => e.name === 'history')?.enabled ?? false,
      }),
      remoteTabs,
      sendTab,
      search: (query, limit) => search.search(query, limit),
    }),
  };
}

// Bookmark events must be subscribed to at start-up, before the database is open, so that a
// change wakes the worker; the tracker reaches its stores once wiring is done. onCreated is one
// subscription for the tracker and the search, which a first sync's creates switch off.
const bookmarkCreated = new SharedCreatedEvent(browserBookmarkEvents().onCreated);
const bookmarkEvents = { ...browserBookmarkEvents(), onCreated: bookmarkCreated };
const bookmarkTracker = new ChangeTracker({
  events: bookmarkEvents,
  idMap: { syncIdFor: async (id) => (await app).bookmarkIds.syncIdFor(id) },
  store: {
    add: async (keys) => (await app).bookmarkChanges.add(keys),
    list: async () => (await app).bookmarkChanges.list(),
    remove: async (keys) => (await app).bookmarkChanges.remove(keys),
  },
  requestSync: () => {
    void app.then((a) => a.scheduler.requestSync('local-change'));
  },
});

// The same for history: visits and removals are noted as they happen.
const historyApi = browserHistoryApi();
const historyTracker = new HistoryChangeTracker({
  events: browserHistoryEvents(),
  store: {
    add: async (keys) => (await app).historyChanges.add(keys),
    list: async () => (await app).historyChanges.list(),
    remove: async (keys, seen) => (await app).historyChanges.remove(keys, seen),
    times: async () => (await app).historyChanges.times(),
  },
  requestSync: () => {
    void app.then((a) => a.scheduler.requestSync('local-change'));
  },
});

// Tabs: a sync about 5 s after the tabs change, so other devices see them soon (Firefox's quick write).
const tabNavigations = new NavigationLog();
watchTabs({
  events: browser.tabs,
  navigations: tabNavigations,
  requestSync: () => {
    void app.then((a) => a.scheduler.requestSync('local-change'));
  },
});

const app: Promise<App> = wire();
// Send Tab's events (notification clicks, the context menu, window focus, its poll alarm, start-up).
listenForSendTab(app.then((a) => a.sendTab));
listenForBadgeClicks(app.then((a) => a.badge));
// The search: bookmark edits reach its index as they happen; the address bar's keyword searches it.
watchBookmarksForSearch(bookmarkEvents, app.then((a) => a.search.indexer));
listenForOmnibox(browser.omnibox, app.then((a) => a.search), { markup: !isFirefox(), open: openInTab(browser.tabs), log: hub.logger.child('omnibox') });
void bookmarkTracker.start();
void historyTracker.start();
app.catch((e: unknown) => log.error('Background start-up failed', { error: String(e) }));

const ownBaseUrl = browser.runtime.getURL('');

browser.runtime.onMessage.addListener((message: unknown, sender: Runtime.MessageSender) => {
  if (!isOwnExtensionPage(sender, browser.runtime.id, ownBaseUrl)) {
    log.warn('Ignored a message from outside the extension', { from: sender.url ?? sender.id ?? 'unknown' });
    return undefined;
  }
  if (!isRequest(message)) return undefined; // e.g. our own broadcasts echoing between pages
  return app.then((a) => dispatch(a.handlers, message));
});

// The web sign-in ends with a redirect to the OAuth client's redirect URI; we read the code from
// the URL as the tab starts loading it (the page itself need not exist).
browser.tabs.onUpdated.addListener((tabId: number, change: Tabs.OnUpdatedChangeInfoType) => {
  if (!change.url) return;
  const url = change.url;
  void app.then((a) => a.accounts.handleNavigation(url, tabId)).catch((e: unknown) => {
    log.warn('Web sign-in could not be completed', { error: describeForPerson(e) });
  });
});

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === PENDING_SIGN_IN_ALARM) void app.then((a) => a.accounts.expirePendingSignIn()).catch(() => undefined);
  if (alarm.name !== PERIODIC_ALARM) return;
  void app.then((a) => a.scheduler.requestSync('alarm'));
});

browser.runtime.onStartup.addListener(() => {
  void app.then((a) => a.scheduler.requestSync('startup'));
});

browser.runtime.onInstalled.addListener((details) => {
  log.info('Installed', { reason: details.reason, version: browser.runtime.getManifest().version });
});
