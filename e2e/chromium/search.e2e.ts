// One search across everything synced, in Chromium through the real extension and the local stack:
// after a sync of the demo account, the address bar's "fx" keyword suggests the demo Firefox
// desktop's tabs, its history and the account's bookmarks, and opens the chosen one; the popup's
// search finds the same, opens a result with one click or the keyboard, follows a bookmark made
// here at once, and finds nothing once signed out.
//
// What Chromium 156 does here (seen while writing these tests):
// - headless Chromium has no address bar to type in; the extension's omnibox events are
//   chrome.Event objects whose `dispatch(...)` (Chromium's own bindings use it) runs the listeners
//   the worker registered, with the arguments given: a `suggest` callback of the test's, the
//   disposition the address bar would pass. Nothing is added to the extension for the test;
// - setDefaultSuggestion is recorded by wrapping chrome.omnibox's in the worker (the polyfill looks
//   it up on each call), until the worker restarts.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { OPTIONS, POPUP, signInWithPassword } from '../support/chromiumUi.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
const browsers: ChromiumExtension[] = [];

beforeEach(async () => {
  stack = await startLocalStack();
});
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  await stack?.close();
});

async function launchSignedIn(): Promise<ChromiumExtension> {
  const ext = await launchChromiumWithExtension();
  browsers.push(ext);
  const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  await options.close();
  return ext;
}

/** Pages of these hosts are answered here (only loopback resolves); the navigations are recorded. */
async function answerPages(ext: ChromiumExtension, hosts: string[]): Promise<string[]> {
  const navigations: string[] = [];
  for (const host of hosts) {
    await ext.context.route(`https://${host}/**`, async (route) => {
      if (route.request().isNavigationRequest()) navigations.push(route.request().url());
      await route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>${host}</title>` });
    });
  }
  return navigations;
}

interface Typed {
  suggestions: Array<{ content: string; description: string }>;
  defaultSuggestion: string | null;
}

/** Types `text` after the keyword: the worker's onInputChanged listeners run, as the address bar runs them. */
async function typeAfterKeyword(ext: ChromiumExtension, text: string): Promise<Typed> {
  return ext.worker.evaluate(async (typed) => {
    const g = globalThis as unknown as { __defaults?: string[] };
    if (!g.__defaults) {
      const defaults: string[] = (g.__defaults = []);
      const set = chrome.omnibox.setDefaultSuggestion.bind(chrome.omnibox);
      chrome.omnibox.setDefaultSuggestion = ((s: { description: string }) => {
        defaults.push(s.description);
        return set(s);
      }) as typeof chrome.omnibox.setDefaultSuggestion;
    }
    const before = g.__defaults.length;
    const event = chrome.omnibox.onInputChanged as unknown as { dispatch(text: string, suggest: (s: unknown) => void): void };
    const suggestions = await new Promise<Array<{ content: string; description: string }>>((resolve, reject) => {
      event.dispatch(typed, (s) => resolve(s as Array<{ content: string; description: string }>));
      setTimeout(() => reject(new Error('no suggestions within 10 s')), 10_000);
    });
    return { suggestions, defaultSuggestion: g.__defaults.length > before ? g.__defaults.at(-1)! : null };
  }, text);
}

/** Presses Enter on the address bar's line (`text`: the typed text, or a suggestion's content). */
async function enterInAddressBar(ext: ChromiumExtension, text: string, disposition: string): Promise<void> {
  await ext.worker.evaluate(([typed, how]) => {
    (chrome.omnibox.onInputEntered as unknown as { dispatch(text: string, disposition: string): void }).dispatch(typed, how);
  }, [text, disposition] as const);
}

async function openTabs(ext: ChromiumExtension): Promise<Array<{ url: string; active: boolean }>> {
  return ext.worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => ({ url: t.url ?? t.pendingUrl ?? '', active: t.active })));
}

/** The popup's results as a person reads them: title, then the kind line and host. */
async function shownResults(popup: Page): Promise<Array<{ title: string; about: string }>> {
  return popup.locator('#search-results [role="option"]').evaluateAll((items) => items.map((li) => ({
    title: li.querySelector('.search-title')?.textContent ?? '',
    about: [...li.querySelectorAll('.search-about > span')].map((s) => s.textContent).join(' | '),
  })));
}

describe('Chromium: one search across everything synced', () => {
  test('typing the keyword and a word in the address bar suggests a synced tab, page or bookmark; Enter opens it as asked', async () => {
    const ext = await launchSignedIn();
    const registered = await ext.worker.evaluate(() => ({
      keyword: (chrome.runtime.getManifest() as { omnibox?: { keyword?: string } }).omnibox?.keyword,
      changed: chrome.omnibox.onInputChanged.hasListeners(),
      entered: chrome.omnibox.onInputEntered.hasListeners(),
    }));
    expect(registered).toEqual({ keyword: 'fx', changed: true, entered: true });

    // A tab open on the demo desktop, also in its history and bookmarked: one line, as the tab.
    await expect.poll(async () => (await typeAfterKeyword(ext, 'mdn')).defaultSuggestion, { timeout: 15_000 })
      .toBe(`<match>MDN</match> Web Docs <dim>— Tab on ${DEMO_CLIENT_NAME} · also visited on another device · also bookmarked</dim> <url>https://developer.mozilla.org/en-US/</url>`);
    expect((await typeAfterKeyword(ext, 'mdn')).suggestions).toEqual([]);

    // A page of the demo's history, also bookmarked; a bookmark only.
    expect((await typeAfterKeyword(ext, 'sourd')).defaultSuggestion)
      .toBe('<match>Sourdough</match> basics <dim>— Visited on another device · also bookmarked</dim> <url>https://bread.example.org/sourdough</url>');
    expect((await typeAfterKeyword(ext, 'fluffy')).defaultSuggestion)
      .toBe('<match>Fluffy</match> pancakes <dim>— Bookmark</dim> <url>https://food.example.net/pancakes</url>');

    // Several: the best is the default line, the others below, each with its address as content.
    // (The page's best title is the bookmark's "Mozilla": the whole title is the word.)
    const mozilla = await typeAfterKeyword(ext, 'mozilla');
    expect(mozilla.defaultSuggestion).toBe('<match>Mozilla</match> <dim>— Visited on another device · also bookmarked</dim> <url>https://www.mozilla.org/en-US/</url>');
    expect(mozilla.suggestions.length).toBeGreaterThanOrEqual(3);
    expect(mozilla.suggestions.map((s) => s.content)).toEqual(expect.arrayContaining([
      'https://support.mozilla.org/en-US/kb/sync', 'https://developer.mozilla.org/en-US/', 'https://support.mozilla.org/en-US/products/firefox',
    ]));
    expect(mozilla.suggestions.find((s) => s.content === 'https://support.mozilla.org/en-US/kb/sync')?.description)
      .toBe(`Firefox Sync – <match>Mozilla</match> Support <dim>— Tab on ${DEMO_CLIENT_NAME} · also visited on another device</dim> <url>https://support.mozilla.org/en-US/kb/sync</url>`);
    for (const s of mozilla.suggestions) expect(s.content).toMatch(/^https:\/\//);
    expect(new Set(mozilla.suggestions.map((s) => s.content)).size).toBe(mozilla.suggestions.length);

    // Nothing matches; nothing typed.
    expect(await typeAfterKeyword(ext, 'zzqx')).toEqual({ suggestions: [], defaultSuggestion: 'No synced tab, page or bookmark matches “zzqx”' });
    expect(await typeAfterKeyword(ext, ' ')).toEqual({ suggestions: [], defaultSuggestion: 'Search your synced tabs, history and bookmarks' });

    // Enter on the typed word opens the default (the best) in a new tab; on a suggestion, its address in this tab.
    const navigations = await answerPages(ext, ['bread.example.org', 'support.mozilla.org']);
    const tabsBefore = (await openTabs(ext)).length;
    await enterInAddressBar(ext, 'sourdough', 'newForegroundTab');
    await expect.poll(() => navigations, { timeout: 15_000 }).toEqual(['https://bread.example.org/sourdough']);
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.active).map((t) => t.url)).toEqual(['https://bread.example.org/sourdough']);
    expect((await openTabs(ext)).length).toBe(tabsBefore + 1);
    await enterInAddressBar(ext, 'https://support.mozilla.org/en-US/kb/sync', 'currentTab');
    await expect.poll(() => navigations, { timeout: 15_000 }).toEqual(['https://bread.example.org/sourdough', 'https://support.mozilla.org/en-US/kb/sync']);
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.active).map((t) => t.url)).toEqual(['https://support.mozilla.org/en-US/kb/sync']);
    expect((await openTabs(ext)).length).toBe(tabsBefore + 1);
    // Never an address that is not a web page.
    await enterInAddressBar(ext, 'javascript:alert(1)', 'newForegroundTab');
    await new Promise((r) => setTimeout(r, 500));
    expect((await openTabs(ext)).length).toBe(tabsBefore + 1);
  });

  test('the popup’s search finds tabs, pages and bookmarks as you type, opens one by click or keyboard, follows a bookmark made here, and is gone after sign-out', async () => {
    const ext = await launchSignedIn();
    const navigations = await answerPages(ext, ['developer.mozilla.org', 'food.example.net', 'lwn.net']);
    let popup = await ext.openPage(POPUP);
    const field = popup.getByRole('combobox', { name: 'Search synced tabs, history and bookmarks' });
    await expect.poll(() => field.isVisible(), { timeout: 15_000 }).toBe(true);

    await field.fill('mozil');
    // Each address once, marked with what it is; the best first (a title that is the word itself).
    await expect.poll(() => shownResults(popup), { timeout: 10_000 }).toEqual([
      { title: 'Mozilla', about: 'Visited on another device · also bookmarked | www.mozilla.org' },
      { title: 'Firefox Sync – Mozilla Support', about: `Tab on ${DEMO_CLIENT_NAME} · also visited on another device | support.mozilla.org` },
      { title: 'MDN Web Docs', about: `Tab on ${DEMO_CLIENT_NAME} · also visited on another device · also bookmarked | developer.mozilla.org` },
      { title: 'Getting Started', about: 'Bookmark | www.mozilla.org' },
      { title: 'Get Help', about: 'Bookmark | support.mozilla.org' },
    ]);
    const listbox = popup.getByRole('listbox', { name: 'Search synced tabs, history and bookmarks' });
    expect(await listbox.getByRole('option').count()).toBe((await shownResults(popup)).length);
    expect(await popup.getByTestId('search-message').textContent()).toBe(`Results: ${(await shownResults(popup)).length}`);

    // Every word must match; nothing matching says so.
    await field.fill('fluffy pan');
    await expect.poll(() => shownResults(popup)).toEqual([{ title: 'Fluffy pancakes', about: 'Bookmark | food.example.net' }]);
    await field.fill('fluffy mdn');
    await expect.poll(() => popup.getByTestId('search-message').textContent()).toBe('Nothing synced matches “fluffy mdn”.');
    expect(await listbox.isVisible()).toBe(false);

    // Keyboard: down to the first result (the field keeps the focus, the option is marked), Enter opens it.
    await field.fill('mdn');
    await expect.poll(() => shownResults(popup)).toHaveLength(1);
    await field.press('ArrowDown');
    expect(await popup.getByRole('option', { selected: true }).textContent()).toContain('MDN Web Docs');
    expect(await field.getAttribute('aria-activedescendant')).toBe(await popup.getByRole('option', { selected: true }).getAttribute('id'));
    // The popup closes itself while the key is handled, which Playwright reports as the page gone.
    await field.press('Enter').catch(() => undefined);
    await expect.poll(() => navigations, { timeout: 15_000 }).toEqual(['https://developer.mozilla.org/en-US/']);
    await expect.poll(() => popup.isClosed()).toBe(true); // the popup closes itself, as after a tab from another device

    // One click.
    popup = await ext.openPage(POPUP);
    await popup.getByRole('combobox', { name: 'Search synced tabs, history and bookmarks' }).fill('pancakes');
    await popup.getByRole('option', { name: /Fluffy pancakes/ }).click();
    await expect.poll(() => navigations, { timeout: 15_000 }).toContain('https://food.example.net/pancakes');

    // Enter right after typing, before the search's short wait is over, opens a result of what was
    // typed, not the one the list showed for the query before (it did, found in review).
    popup = await ext.openPage(POPUP);
    const typed = popup.getByRole('combobox', { name: 'Search synced tabs, history and bookmarks' });
    await typed.fill('mdn');
    await expect.poll(() => shownResults(popup)).toHaveLength(1);
    const before = navigations.length;
    await typed.fill('lwn weekly'); // nothing has these words yet (the bookmark comes below)
    await typed.press('Enter');
    await expect.poll(() => popup.getByTestId('search-message').textContent()).toBe('Nothing synced matches “lwn weekly”.');
    expect(popup.isClosed()).toBe(false);
    expect(navigations.slice(before)).toEqual([]);
    await popup.close();

    // A bookmark made here is found at once (its events reach the index), without a sync.
    await ext.worker.evaluate(() => chrome.bookmarks.create({ parentId: '1', title: 'Linux Weekly News', url: 'https://lwn.net/Archives/' }));
    popup = await ext.openPage(POPUP);
    const again = popup.getByRole('combobox', { name: 'Search synced tabs, history and bookmarks' });
    await expect.poll(async () => {
      await again.fill('');
      await again.fill('weekly');
      await popup.waitForTimeout(200);
      return shownResults(popup);
    }, { timeout: 10_000 }).toEqual([{ title: 'Linux Weekly News', about: 'Bookmark | lwn.net' }]);

    // Signed out: the search is gone from the popup and the index empty; the address bar says to sign in.
    const options = await ext.openPage(OPTIONS);
    await options.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe('Not signed in');
    await expect.poll(() => popup.locator('#search-section').isHidden(), { timeout: 10_000 }).toBe(true);
    const answer = (await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'search', query: 'mdn' }))) as { ok: boolean; value: unknown };
    expect(answer).toEqual({ ok: true, value: { results: [], signedIn: false } });
    expect(await ext.worker.evaluate(() => new Promise<number>((resolve, reject) => {
      const open = indexedDB.open('syncbridge');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const count = open.result.transaction('search').objectStore('search').count();
        count.onsuccess = () => resolve(count.result);
      };
    }))).toBe(0);
    expect((await typeAfterKeyword(ext, 'mdn')).defaultSuggestion).toBe('Sign in to Syncbridge to search your synced tabs, history and bookmarks');
  });
});
