import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { LeaseLock } from '../db/leaseLock.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { createLogHub } from '../log/logger.ts';
import type { SyncbridgeDB } from '../db/schema.ts';
import type { RunProblem, StatusView } from '../shared/status.ts';
import { PERIODIC_ALARM, Scheduler, type AlarmInfo, type AlarmsPort, type JobResult, type SyncJob } from './scheduler.ts';

class FakeAlarms implements AlarmsPort {
  readonly alarms = new Map<string, AlarmInfo>();
  creates = 0;
  constructor(private readonly now: () => number) {}
  async get(name: string) { return this.alarms.get(name); }
  async create(name: string, info: { periodInMinutes: number; delayInMinutes: number }) {
    this.creates++;
    this.alarms.set(name, { periodInMinutes: info.periodInMinutes, scheduledTime: this.now() + info.delayInMinutes * 60_000 });
  }
}

/** A job the test finishes by hand, so overlapping requests are deterministic. */
function gatedJob(result: JobResult = { outcome: 'success', message: 'Synced.' }, backoffUntil?: number) {
  const calls: Array<{ resuming: boolean }> = [];
  let open: (() => void) | null = null;
  const job: SyncJob = async (ctx) => {
    calls.push({ resuming: ctx.resumingInterrupted });
    if (backoffUntil !== undefined) ctx.reportBackoff(backoffUntil);
    await new Promise<void>((r) => (open = r));
    return result;
  };
  return { job, calls, finish: () => open?.() };
}

async function makeScheduler(db: SyncbridgeDB, job: SyncJob, opts: { instanceId?: string; now?: () => number; statuses?: StatusView[]; classifyError?: (e: unknown) => RunProblem } = {}) {
  const now = opts.now ?? (() => 1_000_000);
  const alarms = new FakeAlarms(now);
  const scheduler = new Scheduler({
    instanceId: opts.instanceId ?? 'worker-1',
    lock: new LeaseLock(db, 'sync', 120_000, now),
    status: new StatusStore(db),
    settings: new SettingsStore(db),
    alarms,
    job,
    log: createLogHub({ console: null }).logger,
    accountEmail: async () => null,
    extensionVersion: '9.9.9',
    now,
    ...(opts.statuses ? { onStatusChange: (s: StatusView) => void opts.statuses?.push(s) } : {}),
    ...(opts.classifyError ? { classifyError: opts.classifyError } : {}),
  });
  return { scheduler, alarms };
}

const tick = () => new Promise((r) => setTimeout(r, 0));
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await tick();
  if (!cond()) throw new Error('condition never became true');
}

describe('Scheduler', () => {
  test('creates the periodic alarm once, and again only when the interval changes', async () => {
    const db = await freshDatabase();
    const { scheduler, alarms } = await makeScheduler(db, gatedJob().job);
    await scheduler.ensurePeriodicAlarm();
    await scheduler.ensurePeriodicAlarm();
    expect(alarms.creates).toBe(1);
    expect(alarms.alarms.get(PERIODIC_ALARM)?.periodInMinutes).toBe(10);
    await new SettingsStore(db).update({ syncIntervalMinutes: 45 });
    await scheduler.ensurePeriodicAlarm();
    expect(alarms.creates).toBe(2);
    expect(alarms.alarms.get(PERIODIC_ALARM)?.periodInMinutes).toBe(45);
  });

  test('single flight: a second request while running is refused, then allowed after', async () => {
    const db = await freshDatabase();
    const gate = gatedJob();
    const statuses: StatusView[] = [];
    const { scheduler } = await makeScheduler(db, gate.job, { statuses });
    expect(await scheduler.requestSync('manual')).toEqual({ outcome: 'started' });
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'already-running' });
    await until(() => gate.calls.length === 1);
    expect((await scheduler.statusView()).syncing).toBe(true);
    gate.finish();
    await scheduler.whenIdle();
    const view = await scheduler.statusView();
    expect(view.syncing).toBe(false);
    expect(view.lastRun).toMatchObject({ outcome: 'success', message: 'Synced.', trigger: 'manual' });
    expect(view.lastSuccessAt).toBe(1_000_000);
    expect(statuses.map((s) => s.syncing)).toEqual([true, false]);
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'started' });
    await until(() => gate.calls.length === 2);
    gate.finish();
    await scheduler.whenIdle();
    expect((await scheduler.statusView()).lastRun?.trigger).toBe('alarm');
  });

  test('a run cut off by a killed worker is taken over by the next worker, which is told to resume', async () => {
    const db = await freshDatabase();
    const first = gatedJob();
    const a = await makeScheduler(db, first.job, { instanceId: 'worker-A' });
    await a.scheduler.requestSync('alarm');
    await until(() => first.calls.length === 1);
    // worker-A is "killed": its job never finishes and its lease is never released.

    const second = gatedJob();
    const b = await makeScheduler(db, second.job, { instanceId: 'worker-B' });
    expect(await b.scheduler.requestSync('startup')).toEqual({ outcome: 'started' });
    await until(() => second.calls.length === 1);
    expect(second.calls[0]).toEqual({ resuming: true });
    second.finish();
    await b.scheduler.whenIdle();
    expect((await b.scheduler.statusView()).lastRun?.outcome).toBe('success');
  });

  test('a long run renews its lease and keeps the worker alive on every heartbeat', async () => {
    const db = await freshDatabase();
    const gate = gatedJob();
    let keepAlives = 0;
    const scheduler = new Scheduler({
      instanceId: 'w', lock: new LeaseLock(db, 'sync', 120_000), status: new StatusStore(db), settings: new SettingsStore(db),
      alarms: new FakeAlarms(Date.now), job: gate.job, log: createLogHub({ console: null }).logger,
      accountEmail: async () => null, extensionVersion: '1', heartbeatMs: 5, keepAlive: () => void keepAlives++,
    });
    await scheduler.requestSync('manual');
    await until(() => keepAlives >= 3);
    gate.finish();
    await scheduler.whenIdle();
    const after = keepAlives;
    await new Promise((r) => setTimeout(r, 30));
    expect(keepAlives).toBe(after); // stops with the run
  });

  test('a failing job is recorded with its message and releases the lock', async () => {
    const db = await freshDatabase();
    const { scheduler } = await makeScheduler(db, async () => { throw new Error('Server unreachable'); });
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    const view = await scheduler.statusView();
    expect(view.lastRun).toMatchObject({ outcome: 'error', message: 'Server unreachable' });
    expect(view.lastSuccessAt).toBeNull();
    expect(await new LeaseLock(db, 'sync', 1).holder()).toBeNull();
  });

  test('transient failures in a row make a streak from the first one’s start; other problems leave it; a success ends it', async () => {
    const db = await freshDatabase();
    let t = 1_000_000;
    let outcome: 'transient' | 'sign-in-again' | 'ok' = 'transient';
    const { scheduler } = await makeScheduler(db, async () => {
      t += 1000;
      if (outcome === 'ok') return { outcome: 'success', message: 'Synced.' };
      throw new Error(outcome);
    }, { now: () => t, classifyError: (e) => (e instanceof Error && e.message === 'sign-in-again' ? 'sign-in-again' : 'transient') });
    const runOnce = async (): Promise<StatusView> => {
      await scheduler.requestSync('manual');
      await scheduler.whenIdle();
      t += 60_000;
      return scheduler.statusView();
    };
    let view = await runOnce();
    expect(view.lastRun).toMatchObject({ outcome: 'error', problem: 'transient' });
    expect(view.failures).toEqual({ count: 1, since: 1_000_000 });
    view = await runOnce();
    expect(view.failures).toEqual({ count: 2, since: 1_000_000 });
    outcome = 'sign-in-again';
    view = await runOnce();
    expect(view.lastRun).toMatchObject({ outcome: 'error', problem: 'sign-in-again' });
    expect(view.failures).toEqual({ count: 2, since: 1_000_000 });
    outcome = 'ok';
    view = await runOnce();
    expect(view.lastRun?.problem).toBeUndefined();
    expect(view.failures).toBeNull();
  });

  test('while a run is in progress the status says since when; not afterwards', async () => {
    const db = await freshDatabase();
    const gate = gatedJob();
    const { scheduler } = await makeScheduler(db, gate.job);
    await scheduler.requestSync('manual');
    await until(() => gate.calls.length === 1);
    expect((await scheduler.statusView()).runningSince).toBe(1_000_000);
    gate.finish();
    await scheduler.whenIdle();
    expect((await scheduler.statusView()).runningSince).toBeNull();
  });

  // Issue 12: each progress step re-read six stores for its broadcast, and the pages answered
  // with more reads, slowing the sync they watched.
  test('progress broadcasts during a run carry the progress on the status last read, without reading it again', async () => {
    const db = await freshDatabase();
    let statusReads = 0;
    class CountingStatus extends StatusStore {
      override async get(): ReturnType<StatusStore['get']> {
        statusReads++;
        return super.get();
      }
    }
    const seen: Array<{ status: StatusView; progressOnly: boolean }> = [];
    const scheduler = new Scheduler({
      instanceId: 'worker-1',
      lock: new LeaseLock(db, 'sync', 120_000, () => 1_000_000),
      status: new CountingStatus(db),
      settings: new SettingsStore(db),
      alarms: new FakeAlarms(() => 1_000_000),
      job: async (ctx) => {
        for (let done = 0; done <= 3; done++) ctx.reportProgress({ engine: 'bookmarks', step: 'apply', done, total: 3 });
        ctx.reportProgress({ engine: 'bookmarks', step: 'upload', done: 2, total: 2 });
        return { outcome: 'success', message: 'Synced.' };
      },
      log: createLogHub({ console: null }).logger,
      accountEmail: async () => 'me@example.com',
      extensionVersion: '9.9.9',
      now: () => 1_000_000,
      onStatusChange: (status, { progressOnly }) => void seen.push({ status, progressOnly }),
    });
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    // Start and end read the stores; the steps in between (throttled: the first, and each step's end) do not.
    expect(seen.map((s) => [s.progressOnly, s.status.syncing, s.status.progress?.step ?? null, s.status.progress?.done ?? null])).toEqual([
      [false, true, null, null],
      [true, true, 'apply', 0],
      [true, true, 'apply', 3],
      [true, true, 'upload', 2],
      [false, false, null, null],
    ]);
    expect(seen.every((s) => s.status.signedIn && s.status.accountEmail === 'me@example.com')).toBe(true);
    expect(statusReads).toBe(3); // the two full broadcasts, and the run's end updating the store
  });

  test('a busy server error sets the backoff from its Retry-After', async () => {
    const db = await freshDatabase();
    const busy = Object.assign(new Error('503'), { retryAfterMs: 30_000 });
    const { scheduler } = await makeScheduler(db, async () => { throw busy; });
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'backing-off', until: 1_000_000 + 30_000 });
  });

  test('backoff forgotten when the run fails (issue 9.4): a backoff seen early in a failing run is kept', async () => {
    const db = await freshDatabase();
    const { scheduler } = await makeScheduler(db, async (ctx) => {
      ctx.reportBackoff(1_000_000 + 3_600_000); // X-Weave-Backoff on info/collections
      throw new Error('412 on a later request');
    });
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'backing-off', until: 1_000_000 + 3_600_000 });
  });

  test('the longest of several backoffs and a Retry-After wins, whatever the outcome', async () => {
    const db = await freshDatabase();
    const busy = Object.assign(new Error('503'), { retryAfterMs: 30_000 });
    const { scheduler } = await makeScheduler(db, async (ctx) => {
      ctx.reportBackoff(1_000_000 + 120_000);
      ctx.reportBackoff(1_000_000 + 60_000);
      throw busy;
    });
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'backing-off', until: 1_000_000 + 120_000 });
  });

  test('cancelRun aborts the running job and waits for it; the run is recorded as stopped, not failed', async () => {
    const db = await freshDatabase();
    let seen: AbortSignal | null = null;
    const { scheduler } = await makeScheduler(db, async (ctx) => {
      seen = ctx.signal;
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
      throw Object.assign(new Error('sync cancelled'), { kind: 'cancelled' });
    });
    await scheduler.requestSync('manual');
    await until(() => seen !== null);
    await scheduler.cancelRun();
    expect(seen!.aborted).toBe(true);
    const status = await scheduler.statusView();
    expect(status.syncing).toBe(false);
    expect(status.lastRun?.outcome).toBe('skipped');
  });

  test('honours a persisted backoff until it has passed', async () => {
    const db = await freshDatabase();
    let now = 5_000;
    const gate = gatedJob({ outcome: 'success', message: 'ok' }, 65_000);
    const { scheduler } = await makeScheduler(db, gate.job, { now: () => now });
    await scheduler.requestSync('manual');
    await until(() => gate.calls.length === 1);
    gate.finish();
    await scheduler.whenIdle();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'backing-off', until: 65_000 });
    expect((await scheduler.statusView()).backoffUntil).toBe(65_000);
    now = 65_001;
    expect((await scheduler.statusView()).backoffUntil).toBeNull();
    expect(await scheduler.requestSync('alarm')).toEqual({ outcome: 'started' });
  });
});
