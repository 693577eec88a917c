// Launches Firefox ESR headless through puppeteer-core (WebDriver BiDi) and installs the built
// extension as a temporary add-on. The moz-extension:// UUID is pinned by a pref so tests can
// address extension pages.
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { randomUUID } from 'node:crypto';
import { FIREFOX_PATH, GECKO_ID, distDir } from './paths.ts';

export interface FirefoxExtension {
  browser: Browser;
  uuid: string;
  baseUrl: string;
  openPage(relativePath: string): Promise<Page>;
  close(): Promise<void>;
}

export async function launchFirefoxWithExtension(opts: { prefs?: Record<string, unknown> } = {}): Promise<FirefoxExtension> {
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    // Without it BiDi refuses to navigate a tab to moz-extension:// pages.
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [GECKO_ID]: uuid }),
      'browser.shell.checkDefaultBrowser': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      // Tests never leave the machine: the web sign-in's redirect host resolves to loopback.
      'network.dns.localDomains': 'lockbox.firefox.com',
      ...opts.prefs,
    },
  });
  await browser.installExtension(distDir('firefox'));
  const baseUrl = `moz-extension://${uuid}/`;
  return {
    browser,
    uuid,
    baseUrl,
    async openPage(relativePath) {
      const page = await browser.newPage();
      // The navigation switches the tab to the extension process and never reports "load" over
      // BiDi here, so fire it and wait for the document instead.
      const url = baseUrl + relativePath;
      page.goto(url, { timeout: 5_000 }).catch(() => undefined);
      // While the tab changes process its realm goes away and evaluations fail; poll until the
      // extension document is loaded (bounded by the deadline, not by a guess of how long it takes).
      const deadline = Date.now() + 30_000;
      for (;;) {
        const ready = await page
          .evaluate(() => `${location.href} ${document.readyState}`)
          .catch(() => '');
        if (ready === `${url} complete`) return page;
        if (Date.now() > deadline) throw new Error(`Firefox did not load ${url} (last state: ${ready || 'no realm'})`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await browser.close();
    },
  };
}
