// Service-worker (Chromium) / event-page (Firefox) entry. Wiring only: open the database, build the
// pieces, and connect browser events to them. Listeners are registered synchronously at start-up,
// as MV3 requires for events that wake the worker; they wait for the async wiring before acting.
import type { Runtime } from 'webextension-polyfill';
import { browser, alarmsPort } from '../browser/api.ts';
import { openDatabase } from '../db/open.ts';
import { LeaseLock } from '../db/leaseLock.ts';
import { SettingsStore } from '../db/settingsStore.ts';
import { StatusStore } from '../db/statusStore.ts';
import { LogStore } from '../log/logStore.ts';
import { createLogHub } from '../log/logger.ts';
import { describeSyncError } from '../sync/errors.ts';
import { isRequest, type StatusChangedEvent } from '../shared/messages.ts';
import { PERIODIC_ALARM, Scheduler } from '../sync/scheduler.ts';
import { createHandlers, dispatch, type Handlers } from './messageHandlers.ts';
import { isOwnExtensionPage } from './sender.ts';
import { accountEmail, createSyncJob } from './syncJob.ts';

const hub = createLogHub({ consoleLevel: 'info', storeLevel: 'info' });
const log = hub.logger.child('background');
const instanceId = crypto.randomUUID();

interface App {
  scheduler: Scheduler;
  handlers: Handlers;
}

async function wire(): Promise<App> {
  const db = await openDatabase();
  const logs = new LogStore(db);
  hub.setSink(logs);
  const settings = new SettingsStore(db);
  const scheduler = new Scheduler({
    instanceId,
    lock: new LeaseLock(db, 'sync', 120_000),
    status: new StatusStore(db),
    settings,
    alarms: alarmsPort,
    job: createSyncJob(db),
    log: hub.logger.child('sync'),
    accountEmail: () => accountEmail(db),
    extensionVersion: browser.runtime.getManifest().version,
    describeError: describeSyncError,
    onStatusChange: (status) => {
      const event: StatusChangedEvent = { type: 'event', event: 'statusChanged', status };
      // No page open means no receiver; that is normal.
      browser.runtime.sendMessage(event).catch(() => undefined);
    },
  });
  await scheduler.ensurePeriodicAlarm();
  return { scheduler, handlers: createHandlers({ scheduler, settings, logs, flushLogs: hub.flush }) };
}

const app: Promise<App> = wire();
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

browser.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name !== PERIODIC_ALARM) return;
  void app.then((a) => a.scheduler.requestSync('alarm'));
});

browser.runtime.onStartup.addListener(() => {
  void app.then((a) => a.scheduler.requestSync('startup'));
});

browser.runtime.onInstalled.addListener((details) => {
  log.info('Installed', { reason: details.reason, version: browser.runtime.getManifest().version });
});
