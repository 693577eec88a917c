// The search across everything synced in Firefox ESR through the real extension and the local
// stack: the Firefox build declares the "fx" keyword, and after a sync the popup's search finds the
// demo desktop's tab, its history and the account's bookmarks (merged here with a bookmark made in
// Firefox), each address once. Firefox's address bar cannot be typed in from a test (its events have
// no dispatch, unlike Chromium's): the keyword's handlers are the ones the Chromium e2e drives, with
// Firefox's plain-text lines covered by src/search/omnibox.test.ts.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';
import { signInFirefox, typeInto, waitFor } from '../support/firefoxUi.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
let firefox: FirefoxExtension | null = null;

beforeEach(async () => {
  stack = await startLocalStack();
});
afterEach(async () => {
  await firefox?.close();
  firefox = null;
  await stack?.close();
});

describe('Firefox: one search across everything synced', () => {
  test('the popup’s search finds a synced tab, page and bookmark; the keyword is declared', async () => {
    firefox = await launchFirefoxWithExtension();
    const options = await signInFirefox(firefox, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await options.close();
    const popup = await firefox.openPage('src/popup/popup.html');
    expect(await popup.evaluate(() => (browser.runtime.getManifest() as { omnibox?: { keyword?: string } }).omnibox?.keyword)).toBe('fx');
    await waitFor(popup, `!document.getElementById('search-section').hidden`);
    expect(await popup.$eval('label[for="search-input"]', (l) => l.textContent)).toBe('Search synced tabs, history and bookmarks');

    const shown = (): Promise<string[]> => popup.$$eval('#search-results [role="option"]', (items) => items.map((li) => `${li.querySelector('.search-title')?.textContent} | ${li.querySelector('.search-kind')?.textContent}`));
    await typeInto(popup, '#search-input', 'mdn');
    await waitFor(popup, `document.querySelectorAll('#search-results [role="option"]').length > 0`, 15_000);
    expect(await shown()).toEqual([`MDN Web Docs | Tab on ${DEMO_CLIENT_NAME} · also visited on another device · also bookmarked`]);

    // A bookmark made in Firefox before the first sync (merged into the account), and one made after it.
    await typeInto(popup, '#search-input', 'made firefox');
    await waitFor(popup, `[...document.querySelectorAll('#search-results .search-title')].some((t) => t.textContent === 'Made in Firefox')`, 15_000);
    await popup.evaluate(() => browser.bookmarks.create({ parentId: 'unfiled_____', title: 'Crème brûlée at home', url: 'https://food.example.net/creme-brulee' }));
    await waitFor(popup, `(async () => (await browser.runtime.sendMessage({ type: 'search', query: 'creme brulee' })).value.results.length === 1)()`, 15_000);
    await typeInto(popup, '#search-input', 'CREME');
    await waitFor(popup, `[...document.querySelectorAll('#search-results .search-title')].some((t) => t.textContent === 'Crème brûlée at home')`, 15_000);
    expect(await shown()).toEqual(['Crème brûlée at home | Bookmark']);
  });
});
