// The same foundation checks in Firefox ESR: the extension installs, the background (an event page
// in Firefox) answers the popup, and state it stores is what the popup shows.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';

const POPUP = 'src/popup/popup.html';
const OPTIONS = 'src/options/options.html';

async function text(page: Page, testId: string): Promise<string> {
  return page.$eval(`[data-testid="${testId}"]`, (e) => (e as HTMLElement).textContent ?? '');
}

async function waitForText(page: Page, testId: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    (id: string, src: string) => new RegExp(src).test(document.querySelector(`[data-testid="${id}"]`)?.textContent ?? ''),
    { timeout: 20_000 },
    testId,
    pattern.source,
  );
  return text(page, testId);
}

describe('Firefox: extension foundation', () => {
  let ext: FirefoxExtension;

  beforeAll(async () => {
    ext = await launchFirefoxWithExtension();
  });
  afterAll(async () => {
    await ext?.close();
  });

  test('popup shows state that came from the background', async () => {
    const options = await ext.openPage(OPTIONS);
    await options.waitForFunction(() => (document.getElementById('interval') as HTMLInputElement).value !== '');
    expect(await options.$eval('#interval', (e) => (e as HTMLInputElement).value)).toBe('10');
    await options.$eval('#interval', (e) => {
      (e as HTMLInputElement).value = '23';
    });
    await options.click('#schedule-form button[type="submit"]');
    await options.waitForFunction(() => /every 23 minutes/.test(document.getElementById('interval-result')?.textContent ?? ''));
    const period = await options.evaluate(async () => (await browser.alarms.get('syncbridge-periodic'))?.periodInMinutes);
    expect(period).toBe(23);

    const popup = await ext.openPage(POPUP);
    expect(await waitForText(popup, 'account', /^Not signed in$/)).toBe('Not signed in');
    expect(await waitForText(popup, 'next-sync', /in 2[23] minutes/)).toMatch(/Next automatic sync in 2[23] minutes/);
    expect(await waitForText(popup, 'status', /Not synced yet/)).toBe('Not synced yet.');

    await popup.click('#sync-now');
    expect(await waitForText(popup, 'status', /Not signed in\. Open Settings/)).toContain('connect your Mozilla account');

    // The run's log lines were stored by the background and are listed on the options page.
    await options.click('#refresh-log');
    await options.waitForFunction(() => /Nothing to sync: not signed in/.test((document.getElementById('log') as HTMLTextAreaElement).value));
  });

  test('the manifest Firefox loaded is the Firefox variant', async () => {
    const page = await ext.openPage(POPUP);
    const manifest = await page.evaluate(() => browser.runtime.getManifest());
    expect(manifest.background).toMatchObject({ scripts: [`${ext.baseUrl}service-worker-loader.js`] });
    expect(manifest.browser_specific_settings?.gecko?.id).toBe('syncbridge@syncbridge.dev');
  });
});
