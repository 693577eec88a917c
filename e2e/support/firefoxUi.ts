// Steps a person takes in the extension's pages in Firefox ESR (puppeteer-core over BiDi), shared by the e2e specs.
import type { Page } from 'puppeteer-core';
import type { FirefoxExtension } from './firefox.ts';

export const FF_OPTIONS = 'src/options/options.html';

/** Waits until a JavaScript expression (it may be a promise) is truthy in the page. */
export async function waitFor(page: Page, expression: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(expression, { timeout, polling: 200 });
}

/** Sets an input's value and fires `input`, as typing would. */
export async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await page.$eval(selector, (e, v) => {
    const input = e as HTMLInputElement;
    input.value = v;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, value);
}

/**
 * Signs in with the password form and waits for the first sync to finish; returns the options
 * page, left open. Firefox's own profile may hold bookmarks, and the account does: a bookmark made
 * here first makes the first sync's question certain, and it is answered "Merge both".
 */
export async function signInFirefox(ext: FirefoxExtension, origin: string, email: string, password: string): Promise<Page> {
  const options = await ext.openPage(FF_OPTIONS);
  await waitFor(options, `document.querySelector('[data-testid="account"]')?.textContent === 'Not signed in'`);
  await typeInto(options, '#server-url', origin);
  await options.click('#show-password');
  await typeInto(options, '#email', email);
  await typeInto(options, '#password', password);
  await options.evaluate(() => browser.bookmarks.create({ parentId: 'toolbar_____', title: 'Made in Firefox', url: 'https://made-in-firefox.example/' }));
  await options.click('#password-submit');
  await waitFor(options, `/bookmarks and your account has/.test(document.querySelector('[data-testid="first-sync-text"]')?.textContent ?? '')`);
  await options.click('#choose-merge');
  await waitFor(options, `/^Last synced/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`);
  return options;
}

interface Status { value: { syncing: boolean; lastRun: { finishedAt: number; outcome: string; message: string } | null } }

/** Sync now (the popup's message) from an extension page, and waits for that run to finish; it must have succeeded. */
export async function firefoxSyncNow(page: Page): Promise<void> {
  const status = async (): Promise<Status['value']> => ((await page.evaluate(() => browser.runtime.sendMessage({ type: 'getStatus' }))) as Status).value;
  await waitFor(page, `(async () => !(await browser.runtime.sendMessage({ type: 'getStatus' })).value.syncing)()`, 60_000);
  const before = (await status()).lastRun?.finishedAt ?? 0;
  await page.evaluate(() => browser.runtime.sendMessage({ type: 'syncNow' }));
  await waitFor(page, `(async () => { const r = await browser.runtime.sendMessage({ type: 'getStatus' }); return !r.value.syncing && (r.value.lastRun?.finishedAt ?? 0) > ${before}; })()`, 60_000);
  const run = (await status()).lastRun!;
  if (run.outcome !== 'success') throw new Error(`Firefox sync did not succeed: ${run.outcome}: ${run.message}`);
}

export interface FirefoxVisit {
  /** ms (Firefox keeps whole ms). */
  visitTime: number;
  transition: string;
}

/** A URL's visits in Firefox's history, newest first. */
export async function firefoxVisits(page: Page, url: string): Promise<FirefoxVisit[]> {
  const visits = await page.evaluate((u: string) => browser.history.getVisits({ url: u }), url);
  return visits.map((v) => ({ visitTime: v.visitTime!, transition: v.transition! })).sort((a, b) => b.visitTime - a.visitTime);
}

/** The title Firefox's history holds for a URL (null: not in history). */
export async function firefoxTitle(page: Page, url: string): Promise<string | null> {
  const items = await page.evaluate(() => browser.history.search({ text: '', startTime: 0, maxResults: 1000 }));
  const item = items.find((i) => i.url === url);
  return item ? (item.title ?? '') : null;
}
