import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { LeaseLock } from '../db/leaseLock.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { LogStore } from '../log/logStore.ts';
import { createLogHub } from '../log/logger.ts';
import { isRequest } from '../shared/messages.ts';
import { Scheduler } from '../accountSync/scheduler.ts';
import { createHandlers, dispatch } from './messageHandlers.ts';
import { isOwnExtensionPage } from './sender.ts';
import { createSyncJob } from './syncJob.ts';
import { AccountStore } from '../db/accountStore.ts';
import { MemorySessionArea } from '../account/pendingSignIn.ts';
import { SyncStateStore } from '../db/syncStateStore.ts';
import { AccountController } from '../account/controller.ts';
import { createAccountCommands } from './commands.ts';
import { SWITCHABLE_ENGINES, engineSet } from '../engines/registry.ts';
import { BookmarksController } from '../engines/bookmarks/controller.ts';
import { SafetyStore } from '../db/safetyStore.ts';
import { HistoryStore } from '../db/historyStore.ts';
import { remoteTabsSource } from './remoteTabs.ts';
import { syncedHistorySource } from './syncedHistory.ts';
import { SendTabError } from '../account/sendTab.ts';

async function setup() {
  const db = await freshDatabase();
  const logs = new LogStore(db);
  const hub = createLogHub({ sink: logs, console: null });
  const settings = new SettingsStore(db);
  const alarms = new Map<string, { periodInMinutes: number; scheduledTime: number }>();
  const accountStore = new AccountStore(db, new MemorySessionArea());
  const syncState = new SyncStateStore(db, SWITCHABLE_ENGINES);
  const accounts = new AccountController({
    store: accountStore, log: hub.logger,
    openTab: async () => { throw new Error('no tabs in this test'); },
    closeTab: async () => undefined,
    defaultDeviceName: async () => 'Test browser',
    onSignedIn: async () => undefined,
    onSignedOut: async () => undefined,
  });
  const job = createSyncJob({
    accounts: accountStore, controller: accounts, syncState,
    commands: createAccountCommands({ accounts, log: hub.logger, openTab: async () => undefined }),
    engines: engineSet({ clients: syncState }),
    platform: async () => ({ os: 'Linux', application: 'Syncbridge', version: '1.0.0' }),
  });
  const scheduler = new Scheduler({
    instanceId: 'w', lock: new LeaseLock(db, 'sync', 60_000), status: new StatusStore(db), settings,
    alarms: { get: async (n) => alarms.get(n), create: async (n, i) => void alarms.set(n, { periodInMinutes: i.periodInMinutes, scheduledTime: 0 }) },
    job, log: hub.logger, accountEmail: async () => null, extensionVersion: '1.0.0',
  });
  return { db, scheduler, alarms, handlers: createHandlers({
    scheduler, settings, logs, flushLogs: hub.flush, accounts, syncState,
    bookmarks: new BookmarksController({
      safety: new SafetyStore(db), rootProblems: async () => [], restore: async () => 0, requestSync: async () => undefined,
    }),
    syncedHistory: syncedHistorySource({
      recentForeign: (limit) => new HistoryStore(db).recentForeign(limit),
      signedIn: async () => (await accountStore.account()) !== null,
      engineEnabled: async () => (await syncState.engineChoices()).engines.some((e) => e.name === 'history' && e.enabled),
    }),
    remoteTabs: remoteTabsSource({
      tabs: async () => (await syncState.loadTabsState()).others,
      clients: async () => (await syncState.loadClientsState()).others,
      accountDeviceIds: async () => null,
      now: Date.now,
    }),
    sendTab: {
      targets: async () => [{ id: 'd'.repeat(32), name: 'Firefox on Desktop', type: 'desktop', lastAccessTime: 1 }],
      send: async (req) => {
        if (req.deviceId === 'gone') throw new SendTabError('gone', 'That device is no longer connected to your account.');
        return { sent: true };
      },
    },
    search: async (query) => ({ signedIn: true, results: query === 'mdn' ? [{ kind: 'tab', url: 'https://developer.mozilla.org/', title: 'MDN', device: 'Desktop', also: [] }] : [] }),
  }) };
}

describe('message handlers', () => {
  test('sync now without an account ends as skipped with advice, visible in status and logs', async () => {
    const { handlers, scheduler } = await setup();
    expect(await dispatch(handlers, { type: 'syncNow' })).toEqual({ ok: true, value: { outcome: 'started' } });
    await scheduler.whenIdle();
    const status = await dispatch(handlers, { type: 'getStatus' });
    expect(status).toMatchObject({ ok: true, value: { signedIn: false, lastRun: { outcome: 'skipped', message: expect.stringContaining('Not signed in') } } });
    const logs = await dispatch(handlers, { type: 'getLogs' });
    expect(logs.ok && (logs.value as Array<{ message: string }>).map((e) => e.message)).toEqual(
      expect.arrayContaining(['Sync started', 'Nothing to sync: not signed in', 'Sync finished']),
    );
    const cleared = await dispatch(handlers, { type: 'clearLogs' });
    expect(cleared.ok && (cleared.value as { cleared: number }).cleared).toBeGreaterThanOrEqual(3);
  });

  test('updating settings reschedules the alarm; invalid values come back as a readable error', async () => {
    const { handlers, alarms } = await setup();
    expect(await dispatch(handlers, { type: 'updateSettings', patch: { syncIntervalMinutes: 60 } }))
      .toEqual({ ok: true, value: { syncIntervalMinutes: 60, addRemoteHistoryToBrowser: false, autoSync: true } });
    expect(alarms.get('syncbridge-periodic')?.periodInMinutes).toBe(60);
    const bad = await dispatch(handlers, { type: 'updateSettings', patch: { syncIntervalMinutes: -1 } });
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('whole number of minutes') });
    expect(await dispatch(handlers, { type: 'getSettings' })).toEqual({ ok: true, value: { syncIntervalMinutes: 60, addRemoteHistoryToBrowser: false, autoSync: true } });
  });

  test('adding other devices’ pages to this browser’s history is off until switched on, and only a boolean is accepted', async () => {
    const { handlers } = await setup();
    expect(await dispatch(handlers, { type: 'getSettings' })).toMatchObject({ ok: true, value: { addRemoteHistoryToBrowser: false } });
    expect(await dispatch(handlers, { type: 'updateSettings', patch: { addRemoteHistoryToBrowser: true } }))
      .toEqual({ ok: true, value: { syncIntervalMinutes: 10, addRemoteHistoryToBrowser: true, autoSync: true } });
    // What a page sends is not checked by the compiler: a string is refused, with words for the person.
    const bad = await dispatch(handlers, { type: 'updateSettings', patch: JSON.parse('{"addRemoteHistoryToBrowser":"yes"}') as { addRemoteHistoryToBrowser: boolean } });
    expect(bad).toEqual({ ok: false, error: expect.stringContaining('switched on or off') });
    expect(await dispatch(handlers, { type: 'getSettings' })).toMatchObject({ ok: true, value: { addRemoteHistoryToBrowser: true } });
  });

  test('synced history: signed out, the page is told so and gets no pages, even if the store holds some', async () => {
    const { db, handlers } = await setup();
    expect(isRequest({ type: 'getSyncedHistory' })).toBe(true);
    await new HistoryStore(db).update([{
      id: 'aaaaaaaaaaaa', url: 'https://example.com/', title: 'Example', visits: [{ date: 1_700_000_000_000_000, type: 1 }],
      extra: {}, modified: '1700000000.00', own: [], imported: [], lastForeign: 1_700_000_000_000,
    }]);
    expect(await dispatch(handlers, { type: 'getSyncedHistory' })).toEqual({ ok: true, value: { pages: [], signedIn: false, engineEnabled: true } });
  });

  test('send tab: the targets, a sent tab, and a failure as the reply’s error in words', async () => {
    const { handlers } = await setup();
    expect(isRequest({ type: 'getSendTargets' })).toBe(true);
    expect(isRequest({ type: 'sendTab', deviceId: 'x', url: 'https://example.com/', title: '' })).toBe(true);
    expect(await dispatch(handlers, { type: 'getSendTargets' })).toEqual({ ok: true, value: [{ id: 'd'.repeat(32), name: 'Firefox on Desktop', type: 'desktop', lastAccessTime: 1 }] });
    expect(await dispatch(handlers, { type: 'sendTab', deviceId: 'd'.repeat(32), url: 'https://example.com/', title: 'Example' })).toEqual({ ok: true, value: { sent: true } });
    expect(await dispatch(handlers, { type: 'sendTab', deviceId: 'gone', url: 'https://example.com/', title: 'Example' })).toEqual({ ok: false, error: 'That device is no longer connected to your account.' });
  });
});

describe('trust boundary', () => {
  test('only known request shapes are accepted', () => {
    expect(isRequest({ type: 'getStatus' })).toBe(true);
    expect(isRequest({ type: 'wipeServer' })).toBe(false);
    expect(isRequest('getStatus')).toBe(false);
    expect(isRequest(null)).toBe(false);
  });

  test('only this extension’s pages are trusted senders', () => {
    const base = 'chrome-extension://abc/';
    expect(isOwnExtensionPage({ id: 'abc', url: `${base}src/popup/popup.html` }, 'abc', base)).toBe(true);
    expect(isOwnExtensionPage({ id: 'other', url: 'chrome-extension://other/x.html' }, 'abc', base)).toBe(false);
    expect(isOwnExtensionPage({ id: 'abc', url: 'https://evil.example/' }, 'abc', base)).toBe(false);
    expect(isOwnExtensionPage({ id: 'abc' }, 'abc', base)).toBe(false);
  });
});

describe('message handlers: the account’s bookmarks (issue 9 item 0, part c)', () => {
  test('keep, approve and put back reach the safety store; the view comes back', async () => {
    const { db, handlers } = await setup();
    const safety = new SafetyStore(db);
    for (const type of ['approveRemoteBookmarkDeletion', 'keepRemoteBookmarks', 'restoreAccountBookmarks'] as const) {
      expect(isRequest({ type, id: 1 }), type).toBe(true);
    }
    expect(await dispatch(handlers, { type: 'keepRemoteBookmarks' })).toEqual({ ok: false, error: 'There is no deletion from your account waiting for a decision.' });
    await safety.askLargeRemoteDeletion({ deletions: 60, remoteItems: 70, emptiedRoots: ['mobile'], ids: ['x'] });
    expect(await dispatch(handlers, { type: 'getBookmarksState' })).toMatchObject({
      ok: true, value: { pending: { kind: 'large-remote-deletion', deletions: 60, remoteItems: 70, emptiedRoots: ['Mobile Bookmarks'] } },
    });
    expect(await dispatch(handlers, { type: 'approveRemoteBookmarkDeletion' })).toMatchObject({ ok: true, value: { pending: null } });
    expect((await safety.accountDecisions()).approvedRemoteDeletions).toMatchObject({ count: 60 });
    await safety.askLargeRemoteDeletion({ deletions: 60, remoteItems: 70, emptiedRoots: [], ids: ['x'] });
    expect(await dispatch(handlers, { type: 'keepRemoteBookmarks' })).toMatchObject({ ok: true, value: { pending: null } });
    expect((await safety.accountDecisions()).keepRemote).toMatchObject({ ids: ['x'] });

    await safety.accountSnapshot('Before deleting 60 bookmarks from your account', [{ id: 'x', modified: 1, cleartext: { id: 'x', type: 'separator' } }]);
    const [copy] = await safety.snapshots();
    expect(await dispatch(handlers, { type: 'restoreAccountBookmarks', id: copy!.id! })).toMatchObject({ ok: true, value: { accountRestore: { id: copy!.id } } });
    expect(await dispatch(handlers, { type: 'restoreBookmarkSnapshot', id: copy!.id! })).toMatchObject({ ok: false, error: expect.stringMatching(/Put back in my account/) });
  });
});
