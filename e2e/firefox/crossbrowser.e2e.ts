// Chromium and Firefox ESR on one account through the local stack: bookmarks made in each browser
// reach the other, in the right folders, and the Firefox-only items stay in Firefox.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { bookmarkTree, findByTitle, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
let chromium: ChromiumExtension | null = null;
let firefox: FirefoxExtension | null = null;

beforeEach(async () => {
  stack = await startLocalStack();
});
afterEach(async () => {
  await chromium?.close();
  await firefox?.close();
  chromium = firefox = null;
  await stack?.close();
});

async function waitFor(page: Page, fn: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(fn, { timeout });
}

async function firefoxSyncNow(options: Page): Promise<void> {
  const before = await options.evaluate(async () => ((await browser.runtime.sendMessage({ type: 'getStatus' })) as { value: { lastRun: { finishedAt: number } | null } }).value.lastRun?.finishedAt ?? 0);
  await options.evaluate(() => browser.runtime.sendMessage({ type: 'syncNow' }));
  await waitFor(options, `(async () => { const r = await browser.runtime.sendMessage({ type: 'getStatus' }); return !r.value.syncing && (r.value.lastRun?.finishedAt ?? 0) > ${before} && r.value.lastRun.outcome === 'success'; })()`);
}

describe('Chromium ↔ Firefox ESR', () => {
  test('bookmarks made in each browser reach the other; separators stay in Firefox', async () => {
    firefox = await launchFirefoxWithExtension();
    const ffOptions = await firefox.openPage('src/options/options.html');
    await waitFor(ffOptions, `document.querySelector('[data-testid="account"]')?.textContent === 'Not signed in'`);
    await ffOptions.$eval('#server-url', (e, v) => { (e as HTMLInputElement).value = v; }, stack.origin);
    await ffOptions.click('#show-password');
    await ffOptions.$eval('#email', (e, v) => { (e as HTMLInputElement).value = v; }, DEMO_EMAIL);
    await ffOptions.$eval('#password', (e, v) => { (e as HTMLInputElement).value = v; }, DEMO_PASSWORD);
    await ffOptions.evaluate(() => browser.bookmarks.create({ parentId: 'toolbar_____', title: 'Made in Firefox', url: 'https://made-in-firefox.example/' }));
    await ffOptions.click('#password-submit');
    await waitFor(ffOptions, `/bookmarks and your account has/.test(document.querySelector('[data-testid="first-sync-text"]')?.textContent ?? '')`);
    await ffOptions.click('#choose-merge');
    await waitFor(ffOptions, `/^Last synced/.test(document.querySelector('[data-testid="status"]')?.textContent ?? '')`);

    chromium = await launchChromiumWithExtension();
    const chOptions = await signInWithPassword(chromium, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await expect.poll(() => chOptions.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
    expect(findByTitle(await bookmarkTree(chromium), 'Made in Firefox')).toBeDefined();

    await chromium.worker.evaluate(async () => {
      const [news] = await chrome.bookmarks.search({ title: 'News' });
      await chrome.bookmarks.create({ parentId: news!.id, title: 'Made in Chromium', url: 'https://made-in-chromium.example/' });
    });
    await syncNow(chromium);
    await firefoxSyncNow(ffOptions);

    const ffTree = JSON.stringify(await ffOptions.evaluate(() => browser.bookmarks.getTree()));
    expect(ffTree).toContain('Made in Chromium');
    const news = await ffOptions.evaluate(async () => {
      const [n] = await browser.bookmarks.search({ title: 'News' });
      return (await browser.bookmarks.getChildren(n!.id)).map((c) => c.title);
    });
    expect(news).toEqual(['Hacker News', 'LWN.net', 'Made in Chromium']);
    // The demo menu's separators are real separators in Firefox after Chromium's sync.
    const menuTypes = await ffOptions.evaluate(async () => (await browser.bookmarks.getChildren('menu________')).map((c) => (c as { type?: string }).type));
    expect(menuTypes.filter((t) => t === 'separator')).toHaveLength(1);

    // Firefox renames, moves and deletes; Chromium renames the same bookmark too, later: the later edit wins everywhere.
    await ffOptions.evaluate(async () => {
      const [lwn] = await browser.bookmarks.search({ title: 'LWN.net' });
      await browser.bookmarks.update(lwn!.id, { title: 'LWN (renamed in Firefox)' });
      const [pancakes] = await browser.bookmarks.search({ title: 'Fluffy pancakes' });
      await browser.bookmarks.move(pancakes!.id, { parentId: 'toolbar_____', index: 0 });
      const [example] = await browser.bookmarks.search({ title: 'Example Domain' });
      await browser.bookmarks.remove(example!.id);
      const [wiki] = await browser.bookmarks.search({ title: 'Wikipedia' });
      await browser.bookmarks.update(wiki!.id, { title: 'Wikipedia (Firefox)' });
    });
    await firefoxSyncNow(ffOptions);
    await chromium.worker.evaluate(async () => {
      const [wiki] = await chrome.bookmarks.search({ title: 'Wikipedia' });
      await chrome.bookmarks.update(wiki!.id, { title: 'Wikipedia (Chromium, later)' });
    });
    await syncNow(chromium);
    await firefoxSyncNow(ffOptions);

    const chTree = await bookmarkTree(chromium);
    expect(findByTitle(chTree, 'LWN (renamed in Firefox)')).toBeDefined();
    expect(findByTitle(chTree, 'Example Domain')).toBeUndefined();
    const bar = chTree.children!.find((n) => n.folderType === 'bookmarks-bar')!;
    expect(bar.children![0]!.title).toBe('Fluffy pancakes');
    expect(findByTitle(chTree, 'Wikipedia (Chromium, later)')).toBeDefined();
    const ffTitles = JSON.stringify(await ffOptions.evaluate(() => browser.bookmarks.getTree()));
    expect(ffTitles).toContain('Wikipedia (Chromium, later)');
    expect(ffTitles).not.toContain('Wikipedia (Firefox)');
    expect(ffTitles).not.toContain('Example Domain');
  });
});
