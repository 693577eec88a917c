// The background's sync job with the real scheduler, against the local stack and its faults: what a
// run learns from the server about waiting is kept whatever the run's outcome.
import { afterEach, describe, expect, test } from 'vitest';
import { LeaseLock } from '../db/leaseLock.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { engineSet } from '../engines/registry.ts';
import { createLogHub } from '../log/logger.ts';
import { Scheduler } from '../accountSync/scheduler.ts';
import { startHarness, type Harness } from '../test-support/syncHarness.ts';
import { createAccountCommands } from './commands.ts';
import { createSyncJob } from './syncJob.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('sync job and scheduler', () => {
  test('server backoff forgotten when the run fails (issue 9.4): X-Weave-Backoff then a failure still holds the next sync', async () => {
    h = await startHarness();
    await h.createAccount('backoff@example.com', 'pw');
    await h.signIn('backoff@example.com', 'pw');
    const log = createLogHub({ console: null }).logger;
    const scheduler = new Scheduler({
      instanceId: 'w', lock: new LeaseLock(h.db, 'sync', 60_000), status: new StatusStore(h.db), settings: new SettingsStore(h.db),
      alarms: { get: async () => undefined, create: async () => undefined },
      job: createSyncJob({
        accounts: h.accounts, controller: h.controller, syncState: h.syncState,
        commands: createAccountCommands({ accounts: h.controller, log, openTab: async () => undefined }),
        engines: engineSet({ clients: h.syncState }),
        platform: async () => ({ os: 'Linux', application: 'Syncbridge', version: '1.0.0' }),
      }),
      log, accountEmail: async () => null, extensionVersion: '1.0.0',
    });
    // The backoff arrives on info/collections; the run then fails writing meta/global (a fresh account).
    await h.control('/__test__/faults', { kind: 'backoff', seconds: 3600, count: 1, match: { pathRegex: '/info/collections$' } });
    await h.control('/__test__/faults', { kind: 'error', status: 500, count: 1, match: { method: 'PUT', pathRegex: '/storage/meta/global$' } });
    const before = Date.now();
    await scheduler.requestSync('manual');
    await scheduler.whenIdle();
    const status = await scheduler.statusView();
    expect(status.lastRun?.outcome).toBe('error');
    expect(status.backoffUntil).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    const next = await scheduler.requestSync('alarm');
    expect(next.outcome).toBe('backing-off');
  });
});
