// A German browser gets German through t(): chrome.i18n is stubbed with the German file and the
// browser's substitution rules (formatMessage), as Chromium started with --lang=de answers.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { StatusView } from '../shared/status.ts';
import { lastUsedText, relativeTime, statusLine, deviceTypeLabel } from '../ui/format.ts';
import { filterSummary } from '../ui/remoteTabs.ts';
import { dayHeading } from '../history/list.ts';
import { describeSyncError, ServerBusyError } from '../sync/errors.ts';
import { AccountError } from '../account/errors.ts';
import { SendTabService, type MenuItemSpec, type SendTabDeps } from '../background/sendTab.ts';
import { createLogHub } from '../log/logger.ts';
import { formatDateTime, formatMessage, formatNumber, t, tCount, uiLanguage } from './i18n.ts';

type Messages = Record<string, { message: string; placeholders?: Record<string, { content: string }> }>;
const de = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../public/_locales/de/messages.json'), 'utf8')) as Messages;

const g = globalThis as { chrome?: unknown };
let saved: unknown;

/** What chrome.i18n does in a browser whose messages are German; `uiLanguage` is what getUILanguage reports. */
function germanBrowser(reportedLanguage: string): void {
  g.chrome = {
    i18n: {
      getMessage: (key: string, subs?: string | string[]) => {
        const entry = de[key];
        return entry ? formatMessage(entry, typeof subs === 'string' ? [subs] : subs ?? []) : '';
      },
      getUILanguage: () => reportedLanguage,
    },
  };
}

beforeEach(() => {
  saved = g.chrome;
  germanBrowser('de-DE');
});
afterEach(() => {
  if (saved === undefined) delete g.chrome;
  else g.chrome = saved;
});

const NOW = Date.UTC(2026, 11, 2, 12, 0);
const base: StatusView = {
  signedIn: true, accountEmail: 'a@b.c', syncing: false, lastRun: null, lastSuccessAt: null,
  backoffUntil: null, nextSyncAt: null, extensionVersion: '1', progress: null, failures: null, runningSince: null, autoSync: true,
};

describe('a German browser', () => {
  test('gets the German messages, with their substitutions', () => {
    expect(t('popupSyncNow')).toBe('Jetzt synchronisieren');
    expect(t('popupSettings')).toBe('Einstellungen');
    expect(t('accountSignedInAs', 'anna@example.de')).toBe('Angemeldet als anna@example.de');
    expect(t('extensionName')).toBe('Syncbridge');
  });

  test('counts in German plural forms, with German digit grouping', () => {
    expect(tCount('historyPages', 1)).toBe('1 Seite');
    expect(tCount('historyPages', 2)).toBe('2 Seiten');
    expect(tCount('historyPages', 12_345)).toBe('12.345 Seiten');
    expect(tCount('optionsIntervalSaved', 17)).toBe('Gespeichert: Syncbridge synchronisiert alle 17 Minuten.');
    expect(tCount('optionsIntervalSaved', 1)).toBe('Gespeichert: Syncbridge synchronisiert jede Minute.');
    expect(filterSummary(1, 4)).toBe('1 von 4 Tabs');
    expect(formatNumber(1440.5)).toBe('1.440,5');
  });

  test('relative times and the status line', () => {
    expect(relativeTime(NOW - 10 * 60_000, NOW)).toBe('vor 10 Minuten');
    expect(relativeTime(NOW + 17 * 60_000, NOW)).toBe('in 17 Minuten');
    expect(relativeTime(NOW - 5_000, NOW)).toBe('vor ein paar Sekunden');
    expect(statusLine(base, NOW)).toBe('Noch nicht synchronisiert.');
    expect(statusLine({ ...base, syncing: true }, NOW)).toBe('Wird synchronisiert…');
    expect(statusLine({ ...base, lastRun: { startedAt: NOW - 3 * 86_400_000, finishedAt: NOW - 3 * 86_400_000, outcome: 'success', message: '', trigger: 'alarm' } }, NOW))
      .toBe('Zuletzt synchronisiert vor 3 Tagen.');
    expect(lastUsedText(NOW - 3 * 3600_000, NOW)).toBe('zuletzt verwendet vor 3 Stunden');
    expect(deviceTypeLabel('mobile')).toBe('Mobilgerät');
  });

  test('dates in German', () => {
    expect(formatDateTime(NOW, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' })).toBe('2. Dezember 2026 um 12:00');
    expect(dayHeading(NOW, NOW)).toBe('Heute');
    expect(dayHeading(NOW - 86_400_000, NOW)).toBe('Gestern');
    expect(dayHeading(NOW - 5 * 86_400_000, NOW, uiLanguage())).toMatch(/^Freitag, 27\. November$/);
  });

  test('errors that reach the person are German', () => {
    expect(describeSyncError(new Error('boom'))).toBe('Die Synchronisierung wurde wegen eines unerwarteten Problems beendet. Syncbridge versucht es später erneut.');
    expect(new ServerBusyError('503', { status: 503, retryAfterMs: 30_000 }).userMessage).toBe('Der Sync-Server ist gerade ausgelastet. Syncbridge versucht es in 30 Sekunden erneut.');
    expect(new AccountError('throttled', { retryAfter: 1 }).userMessage).toBe('Zu viele Versuche. Warten Sie 1 Sekunde und versuchen Sie es dann erneut.');
  });

  test('the "Send to device" context menu and its notices', async () => {
    const menus: Array<MenuItemSpec[] | null> = [];
    const shown: Array<{ title: string; message: string }> = [];
    let devices: [] | null = [];
    const service = new SendTabService({
      // Only account() is reached by the menu and a private window's click; the receiver's stores are not.
      accounts: { account: async () => ({ uid: 'u' }) } as unknown as SendTabDeps['accounts'],
      devices: { list: async () => devices, invalidate: () => undefined },
      ports: {
        tabs: { open: async () => null, openTabs: async () => [], close: async () => undefined, focus: async () => undefined },
        notifications: { show: async (_id, title, message) => void shown.push({ title, message }), clear: async () => undefined },
        menus: { set: async (items) => void menus.push(items) },
        alarms: { ensure: async () => undefined, clear: async () => undefined },
      },
      log: createLogHub({ consoleLevel: 'error', storeLevel: 'error' }).logger,
    });
    await service.refreshMenu();
    expect(menus.at(-1)?.map((m) => m.title)).toEqual(['An Gerät senden', 'Kein anderes Gerät nimmt Tabs an']);
    devices = null;
    await service.refreshMenu();
    expect(menus.at(-1)?.map((m) => m.title)).toEqual(['An Gerät senden', 'Ihre Geräte können gerade nicht aufgelistet werden']);
    await service.menuClicked({ menuItemId: 'syncbridge-send-to:x' }, { url: 'https://example.de/', incognito: true });
    expect(shown).toEqual([{ title: 'Tab nicht gesendet', message: 'Syncbridge sendet nichts aus privaten Fenstern.' }]);
  });

  test('the language for dates is the messages’ when the browser reports another (Chromium with --lang=de may say en-US)', () => {
    expect(uiLanguage()).toBe('de-DE');
    germanBrowser('en-US');
    expect(uiLanguage()).toBe('de');
    expect(relativeTime(NOW - 2 * 3600_000, NOW)).toBe('vor 2 Stunden');
  });
});

describe('outside a browser', () => {
  test('English, whatever the machine’s locale', () => {
    delete g.chrome;
    expect(uiLanguage()).toBe('en');
    expect(t('popupSyncNow')).toBe('Sync now');
    expect(tCount('historyPages', 1)).toBe('1 page');
    expect(tCount('historyPages', 1440)).toBe('1,440 pages');
  });
});
