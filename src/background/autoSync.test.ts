// "Sync automatically" off, against the local stack with the real scheduler and sync job: no sync
// at sign-in, after a rename, after local edits, at browser start or on the alarm (which is
// removed); Sync now still syncs, and so does answering a bookmarks question. On (the default),
// the automatic triggers sync as before.
import { afterEach, describe, expect, test } from 'vitest';
import { LeaseLock } from '../db/leaseLock.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { LogStore } from '../log/logStore.ts';
import { SafetyStore } from '../db/safetyStore.ts';
import { engineSet } from '../engines/registry.ts';
import { BookmarksController } from '../engines/bookmarks/controller.ts';
import { ChangeTracker } from '../engines/bookmarks/local/changeTracker.ts';
import { FakeBookmarksApi } from '../engines/bookmarks/local/fakeBookmarksApi.ts';
import { IdMapStore } from '../db/idMapStore.ts';
import { IdbChangeStore } from '../db/engineWorkStore.ts';
import { createLogHub } from '../log/logger.ts';
import { PERIODIC_ALARM, Scheduler, type AlarmInfo, type AlarmsPort, type SyncJob } from '../accountSync/scheduler.ts';
import type { SyncNowResult } from '../shared/messages.ts';
import { startHarness, type Harness } from '../test-support/syncHarness.ts';
import { createAccountCommands } from './commands.ts';
import { createHandlers } from './messageHandlers.ts';
import { createSyncJob } from './syncJob.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

class Alarms implements AlarmsPort {
  readonly alarms = new Map<string, AlarmInfo>();
  async get(name: string) { return this.alarms.get(name); }
  async create(name: string, info: { periodInMinutes: number; delayInMinutes: number }) {
    this.alarms.set(name, { periodInMinutes: info.periodInMinutes, scheduledTime: Date.now() + info.delayInMinutes * 60_000 });
  }
  async clear(name: string) { this.alarms.delete(name); }
}

async function setup(opts: { autoSync: boolean }) {
  h = await startHarness();
  await h.createAccount('auto@example.com', 'pw');
  const log = createLogHub({ console: null }).logger;
  const settings = new SettingsStore(h.db);
  await settings.update({ autoSync: opts.autoSync });
  const alarms = new Alarms();
  const real = createSyncJob({
    accounts: h.accounts, controller: h.controller, syncState: h.syncState,
    commands: createAccountCommands({ accounts: h.controller, log, openTab: async () => undefined }),
    engines: engineSet({ clients: h.syncState }),
    platform: async () => ({ os: 'Linux', application: 'Syncbridge', version: '1.0.0' }),
  });
  const runs: string[] = [];
  const job: SyncJob = async (ctx) => {
    runs.push(ctx.trigger);
    return real(ctx);
  };
  const scheduler = new Scheduler({
    instanceId: 'w', lock: new LeaseLock(h.db, 'sync', 60_000), status: new StatusStore(h.db), settings, alarms, job,
    log, accountEmail: async () => (await h.accounts.account())?.email ?? null, extensionVersion: '1.0.0',
  });
  const handlers = createHandlers({
    scheduler, settings, logs: new LogStore(h.db), flushLogs: async () => undefined, accounts: h.controller, syncState: h.syncState,
    bookmarks: new BookmarksController({ safety: new SafetyStore(h.db), rootProblems: async () => [], restore: async () => 0, requestSync: async () => undefined }),
    syncedHistory: async () => ({ pages: [], signedIn: true, engineEnabled: false }),
    remoteTabs: async () => ({ devices: [] }),
    sendTab: { targets: async () => [], send: async () => ({ sent: true }) },
    search: async () => ({ signedIn: true, results: [] }),
  });
  return { scheduler, handlers, alarms, runs, settings };
}

/** The account's devices as the storage server holds them (our clients record appears with the first sync). */
function clientRecordsOnServer(): number {
  return h.server.store.knownUids().reduce((n, uid) => n + h.server.ctx.storage.getRecords(uid, 'clients').length, 0);
}

describe('Sync automatically', () => {
  test('off: no sync at sign-in, after a rename, after a local edit, at start or on the alarm; Sync now syncs', async () => {
    const { scheduler, handlers, alarms, runs } = await setup({ autoSync: false });
    // The periodic alarm goes away (and the status shows no next sync).
    await alarms.create(PERIODIC_ALARM, { periodInMinutes: 10, delayInMinutes: 10 });
    await scheduler.ensurePeriodicAlarm();
    expect(alarms.alarms.has(PERIODIC_ALARM)).toBe(false);
    expect((await scheduler.statusView()).nextSyncAt).toBeNull();
    expect((await scheduler.statusView()).autoSync).toBe(false);

    // Sign-in: the background asks for a 'sign-in' sync.
    await h.signIn('auto@example.com', 'pw');
    expect(await scheduler.requestSync('sign-in')).toEqual({ outcome: 'manual-only' });
    // Rename, through the message handler the options page uses.
    const renamed = await handlers.setDeviceName({ type: 'setDeviceName', name: 'Renamed browser' });
    expect(renamed.state).toBe('signed-in');
    // A local edit: the bookmarks change tracker as the background wires it.
    const api = new FakeBookmarksApi('chromium');
    const asked: Array<Promise<SyncNowResult>> = [];
    const tracker = new ChangeTracker({
      events: api.events, idMap: new IdMapStore(h.db, 'bookmarks'), store: new IdbChangeStore(h.db, 'bookmarks'), debounceMs: 0,
      requestSync: (reason) => void asked.push(scheduler.requestSync(reason)),
    });
    await tracker.start();
    await api.create({ parentId: '1', title: 'Edited here', url: 'https://edited.example/' });
    await expect.poll(() => asked.length).toBeGreaterThan(0);
    expect(await Promise.all(asked)).toEqual(asked.map(() => ({ outcome: 'manual-only' })));
    // The alarm and browser start.
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'manual-only' });
    expect(await scheduler.requestSync('startup')).toEqual({ outcome: 'manual-only' });
    expect(await scheduler.requestSync('settings')).toEqual({ outcome: 'manual-only' });
    await scheduler.whenIdle();
    expect(runs).toEqual([]);
    expect(clientRecordsOnServer()).toBe(0);
    expect((await scheduler.statusView()).lastRun).toBeNull();

    // Sync now: the one sync, with the new name.
    expect(await handlers.syncNow({ type: 'syncNow' })).toEqual({ outcome: 'started' });
    await scheduler.whenIdle();
    expect(runs).toEqual(['manual']);
    const view = await scheduler.statusView();
    expect(view.lastRun?.outcome, view.lastRun?.message).toBe('success');
    expect(clientRecordsOnServer()).toBe(1);
    // An answer to a bookmarks question is the person asking too ("Thanks. Syncing now.").
    expect(await scheduler.requestSync('decision')).toEqual({ outcome: 'started' });
    await scheduler.whenIdle();
    expect(runs).toEqual(['manual', 'decision']);
    const [client] = [...(await h.decryptedRecords('clients')).values()];
    expect(client?.['name']).toBe('Renamed browser');
    tracker.stop();
  });

  test('on (the default): the automatic triggers sync, and switching it back on brings the alarm back', async () => {
    const { scheduler, handlers, alarms, runs, settings } = await setup({ autoSync: true });
    expect((await settings.get()).autoSync).toBe(true);
    await h.signIn('auto@example.com', 'pw');
    expect(await scheduler.requestSync('sign-in')).toEqual({ outcome: 'started' });
    await scheduler.whenIdle();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'started' });
    await scheduler.whenIdle();
    expect(runs).toEqual(['sign-in', 'alarm']);
    expect(clientRecordsOnServer()).toBe(1);

    await handlers.updateSettings({ type: 'updateSettings', patch: { autoSync: false } });
    expect(alarms.alarms.has(PERIODIC_ALARM)).toBe(false);
    await handlers.updateSettings({ type: 'updateSettings', patch: { autoSync: true } });
    expect(alarms.alarms.get(PERIODIC_ALARM)?.periodInMinutes).toBe(10);
  });
});
