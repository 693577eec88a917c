// Under a German browser the whole UI is German: Chromium started with --lang=de, signed out and
// then signed in to the local stack, shows the popup, the settings page and the History from other
// devices page in German (headings, buttons, labels, status lines, dates), with <html lang="de…">;
// the words the background makes (the status after a sync, the engine switches, notifications) are German too.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { HISTORY_PAGE, OPTIONS, POPUP, historyRows } from '../support/chromiumUi.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
let ext: ChromiumExtension;

beforeAll(async () => {
  stack = await startLocalStack();
  ext = await launchChromiumWithExtension({ language: 'de' });
});
afterAll(async () => {
  await ext?.close();
  await stack?.close();
});

const lang = (page: Page): Promise<string> => page.evaluate(() => document.documentElement.lang);

describe('Chromium in German', () => {
  test('the manifest’s name and description are German messages', async () => {
    // (Chromium's @@ui_locale and getUILanguage still say en_US in the worker; the messages are German.)
    const m = await ext.worker.evaluate(() => ({
      language: chrome.i18n.getMessage('messagesLanguage'), description: chrome.i18n.getMessage('extensionDescription'),
      manifest: chrome.runtime.getManifest(),
    }));
    expect(m.language).toBe('de');
    expect(m.description).toContain('Lesezeichen, Chronik und offene Tabs');
    expect(m.manifest.default_locale).toBe('en');
    // The browser fills in the manifest's __MSG_…__ values from the German messages.
    expect(m.manifest.description).toBe(m.description);
    expect(m.manifest.name).toBe('Syncbridge');
  });

  test('signed out: the popup, the settings page and the history page are German', async () => {
    const popup = await ext.openPage(POPUP);
    expect(await lang(popup)).toMatch(/^de/);
    await expect.poll(() => popup.getByTestId('account').textContent()).toBe('Nicht angemeldet');
    await expect.poll(() => popup.getByTestId('status').textContent()).toBe('Noch nicht synchronisiert.');
    await expect.poll(() => popup.getByTestId('next-sync').textContent()).toMatch(/^Nächste automatische Synchronisierung in \d+ Minuten\.$/);
    expect(await popup.getByRole('button', { name: 'Einstellungen' }).isVisible()).toBe(true);
    expect(await popup.getByRole('group', { name: 'Synchronisieren' }).count()).toBe(1);
    // The background's answer to Sync now is German too.
    await popup.getByRole('button', { name: 'Jetzt synchronisieren' }).click();
    await expect.poll(() => popup.getByTestId('status').textContent()).toMatch(/^Nicht angemeldet\. Öffnen Sie die Einstellungen/);
    await popup.close();

    const options = await ext.openPage(OPTIONS);
    expect(await lang(options)).toMatch(/^de/);
    expect(await options.title()).toBe('Syncbridge-Einstellungen');
    expect(await options.getByRole('heading', { level: 1 }).textContent()).toBe('Syncbridge-Einstellungen');
    for (const name of ['Mozilla-Konto', 'Lesezeichen', 'Chronik', 'Zeitplan', 'Synchronisierungsprotokoll']) {
      expect(await options.getByRole('heading', { name, exact: true }).count(), name).toBe(1);
    }
    await expect.poll(() => options.getByTestId('account').textContent()).toBe('Nicht angemeldet');
    expect(await options.getByRole('button', { name: 'Anmelden', exact: true }).isVisible()).toBe(true);
    expect(await options.getByRole('link', { name: 'Mit Passwort anmelden' }).isVisible()).toBe(true);
    expect(await options.getByRole('button', { name: 'Protokoll kopieren' }).isVisible()).toBe(true);
    await options.getByLabel('Synchronisieren alle (Minuten)').fill('17');
    await options.getByRole('button', { name: 'Speichern', exact: true }).click();
    await expect.poll(() => options.locator('#interval-result').textContent()).toBe('Gespeichert: Syncbridge synchronisiert alle 17 Minuten.');
    // A refusal from the background is German.
    const refused = await options.evaluate(() => chrome.runtime.sendMessage({ type: 'updateSettings', patch: { syncIntervalMinutes: 0 } }));
    expect(refused).toEqual({ ok: false, error: 'Das Synchronisierungsintervall muss eine ganze Zahl von Minuten zwischen 1 und 1440 sein.' });
    await options.close();

    const history = await ext.openPage(HISTORY_PAGE);
    expect(await lang(history)).toMatch(/^de/);
    expect(await history.title()).toBe('Chronik von anderen Geräten');
    expect(await history.getByRole('heading', { level: 1 }).textContent()).toBe('Chronik von anderen Geräten');
    expect(await history.getByLabel('Chronik durchsuchen').count()).toBe(1);
    await expect.poll(() => history.getByTestId('history-message').textContent()).toMatch(/^Melden Sie sich über die Schaltfläche in der Symbolleiste an/);
    await history.close();
  });

  test('signed in: German sign-in, status after a sync, switches, devices, a received tab’s notification and the history list', async () => {
    const options = await ext.openPage(OPTIONS);
    await options.getByLabel('Sync-Server').fill(stack.origin);
    await options.getByRole('link', { name: 'Mit Passwort anmelden' }).click();
    await options.getByLabel('E-Mail').fill(DEMO_EMAIL);
    await options.getByLabel('Passwort').fill(DEMO_PASSWORD);
    await options.getByRole('button', { name: 'Anmelden', exact: true }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe(`Angemeldet als ${DEMO_EMAIL}`);
    expect(await options.getByRole('button', { name: 'Abmelden' }).isVisible()).toBe(true);
    expect(await options.getByRole('button', { name: 'Namen speichern' }).isVisible()).toBe(true);
    // The first sync (started by the sign-in) ends with the status in German.
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 60_000 }).toMatch(/^Zuletzt synchronisiert (vor|in) /);

    const popup = await ext.openPage(POPUP);
    await expect.poll(() => popup.getByTestId('status').textContent()).toMatch(/^Zuletzt synchronisiert /);
    for (const name of ['Lesezeichen', 'Chronik', 'Tabs']) {
      await expect.poll(() => popup.getByRole('checkbox', { name, exact: true }).count(), { timeout: 10_000 }).toBe(1);
    }
    await expect.poll(() => popup.getByRole('heading', { name: 'Ihre anderen Geräte' }).isVisible()).toBe(true);
    await expect.poll(() => popup.getByTestId('devices').textContent()).toMatch(/Desktop · (zuletzt verwendet|gerade eben verwendet)/);
    expect(await popup.getByRole('heading', { name: 'Tabs von anderen Geräten' }).isVisible()).toBe(true);
    expect(await popup.getByRole('button', { name: 'Diesen Tab senden an…' }).count()).toBe(1);
    // The last run's own message, as the background stored it.
    const run = await popup.evaluate(async () => ((await chrome.runtime.sendMessage({ type: 'getStatus' })) as { value: { lastRun: { message: string } } }).value.lastRun.message);
    expect(run).toMatch(/^Mit Ihrem Konto synchronisiert: .*(Lesezeichen|Chronik)/);

    // A tab the demo Firefox sends here opens with a German notification (recorded in the worker:
    // chrome.notifications cannot read a title back).
    await ext.worker.evaluate(() => {
      const g = globalThis as unknown as { __shown?: Array<{ title?: string; message?: string }> };
      const shown: Array<{ title?: string; message?: string }> = (g.__shown = []);
      const create = chrome.notifications.create.bind(chrome.notifications) as (...a: unknown[]) => unknown;
      (chrome.notifications as unknown as { create: (...a: unknown[]) => unknown }).create = (...args: unknown[]) => {
        const options = (typeof args[0] === 'string' ? args[1] : args[0]) as { title?: string; message?: string };
        shown.push({ title: options.title, message: options.message });
        return create(...args);
      };
    });
    const me = (await stack.demoRecords('clients')).find((c) => c['id'] !== DEMO_CLIENT_ID)!;
    await stack.control('/__test__/demo/send-tab', { url: `${stack.origin}/sent-in-german`, title: 'Gesendet vom Demo-Desktop', target: me['fxaDeviceId'] });
    await popup.getByRole('button', { name: 'Jetzt synchronisieren' }).click();
    await expect.poll(() => ext.worker.evaluate(() => (globalThis as unknown as { __shown: unknown[] }).__shown), { timeout: 30_000 })
      .toEqual([{ title: `Tab von ${DEMO_CLIENT_NAME} empfangen`, message: 'Gesendet vom Demo-Desktop' }]);
    // The sent tab is open before the next page is awaited, so that one is not taken for it.
    await expect.poll(() => ext.context.pages().some((p) => p.url().endsWith('/sent-in-german')), { timeout: 15_000 }).toBe(true);

    const [history] = await Promise.all([
      ext.context.waitForEvent('page', { timeout: 15_000 }),
      popup.getByRole('button', { name: 'Chronik von anderen Geräten' }).click(),
    ]);
    await history.waitForURL(`chrome-extension://${ext.extensionId}/${HISTORY_PAGE}`);
    await expect.poll(async () => (await historyRows(history)).length, { timeout: 15_000 }).toBeGreaterThan(1);
    await expect.poll(() => history.locator('#count').textContent()).toMatch(/^\d+ Seiten$/);
    // Day headings are German dates, "Heute" or "Gestern".
    const headings = await history.locator('#results h2').allTextContents();
    expect(headings.length).toBeGreaterThan(0);
    for (const h of headings) expect(h).toMatch(/^(Heute|Gestern|(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d+\. \p{L}+( \d{4})?)$/u);
    await history.getByLabel('Chronik durchsuchen').fill('nothing-like-this-anywhere');
    await expect.poll(() => history.locator('#count').textContent()).toBe('Keine passenden Seiten');
    await history.close();
    await options.close();
  });
});
