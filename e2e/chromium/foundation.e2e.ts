// The extension loads in Chromium, its pages get their state from the background through the
// message protocol, and that state lives in IndexedDB: it survives the service worker being stopped.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { CHROMIUM_EXTENSION_ID } from '../support/paths.ts';

const POPUP = 'src/popup/popup.html';
const OPTIONS = 'src/options/options.html';

describe('Chromium: extension foundation', () => {
  let ext: ChromiumExtension;

  beforeAll(async () => {
    ext = await launchChromiumWithExtension();
  });
  afterAll(async () => {
    await ext?.close();
  });

  test('the extension id is the one fixed by the manifest key', () => {
    expect(ext.extensionId).toBe(CHROMIUM_EXTENSION_ID);
  });

  test('popup shows state that came from the background', async () => {
    const options = await ext.openPage(OPTIONS);
    // The interval set here goes to the background, which stores it and re-creates the alarm.
    await options.getByLabel('Sync every (minutes)').fill('17');
    await options.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => options.locator('#interval-result').textContent()).toContain('every 17 minutes');
    const alarm = await ext.worker.evaluate(() => chrome.alarms.get('syncbridge-periodic'));
    expect(alarm?.periodInMinutes).toBe(17);

    const popup = await ext.openPage(POPUP);
    await expect.poll(() => popup.getByTestId('account').textContent()).toBe('Not signed in');
    // "Next automatic sync" is computed from the alarm the background scheduled.
    await expect.poll(() => popup.getByTestId('next-sync').textContent()).toMatch(/in 1[67] minutes/);
    await expect.poll(() => popup.getByTestId('status').textContent()).toBe('Not synced yet.');

    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => popup.getByTestId('status').textContent()).toContain('Not signed in. Open Settings');
    await popup.close();
    await options.close();
  });

  test('state in IndexedDB survives a forced service-worker stop, and the worker wakes on the next message', async () => {
    // Leave a marker only the in-memory worker global would hold, to prove the worker really restarted.
    await ext.worker.evaluate(() => {
      (globalThis as unknown as { __e2eMarker: string }).__e2eMarker = 'alive';
    });
    await ext.stopServiceWorker();

    const popup = await ext.openPage(POPUP);
    // The popup's getStatus message wakes the worker; the last run and settings come from IndexedDB.
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 20_000 })
      .toContain('Not signed in. Open Settings');
    await expect.poll(() => popup.getByTestId('next-sync').textContent()).toMatch(/in 1[67] minutes/);
    const marker = await ext.worker.evaluate(() => (globalThis as unknown as { __e2eMarker?: string }).__e2eMarker ?? null);
    expect(marker).toBeNull();

    // The log written before the stop is still there for the options page.
    const options = await ext.openPage('src/options/options.html');
    await expect.poll(() => options.getByTestId('log').inputValue()).toContain('Nothing to sync: not signed in');
    expect(await options.getByLabel('Sync every (minutes)').inputValue()).toBe('17');

    // And a new run works in the restarted worker.
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(async () => (await options.getByTestId('log').inputValue()).split('Sync started').length - 1)
      .toBeGreaterThanOrEqual(2);
    await popup.close();
    await options.close();
  });

  test('the background ignores messages that are not part of the protocol', async () => {
    const popup = await ext.openPage(POPUP);
    const reply = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'deleteEverything' }));
    expect(reply).toBeUndefined();
    const settings = await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'updateSettings', patch: { syncIntervalMinutes: 0 } }));
    expect(settings).toEqual({ ok: false, error: expect.stringContaining('whole number of minutes') });
    await popup.close();
  });
});
