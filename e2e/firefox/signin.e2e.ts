// Firefox ESR: sign in through the real options page against the local stack (both ways), Sync
// now, and the server holds our clients record, readable with the account's keys.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { typeInto } from '../support/firefoxUi.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

const OPTIONS = 'src/options/options.html';

let stack: LocalStack;
let ext: FirefoxExtension;
let keysBefore: string;

beforeEach(async () => {
  stack = await startLocalStack();
  keysBefore = stack.rawRecords('crypto')[0]!.payload;
  ext = await launchFirefoxWithExtension();
});
afterEach(async () => {
  await ext?.close();
  await stack?.close();
});

/** Polls a condition in the page until it holds (bounded), returning the last text seen. */
async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 20_000): Promise<string> {
  await page.waitForFunction(
    (sel: string, src: string) => new RegExp(src).test((document.querySelector(sel) as HTMLElement | null)?.textContent ?? ''),
    { timeout },
    selector,
    pattern.source,
  );
  return page.$eval(selector, (e) => (e as HTMLElement).textContent ?? '');
}


async function expectOurClientRecord(): Promise<void> {
  const ours = (await stack.demoRecords('clients')).find((c) => c['name'] !== DEMO_CLIENT_NAME);
  expect(ours).toMatchObject({ type: 'desktop', protocols: ['1.5'], name: expect.stringMatching(/^Firefox on Linux$/) });
  expect(stack.rawRecords('crypto')[0]!.payload).toBe(keysBefore);
}

/**
 * Firefox's own profile may hold bookmarks, and the account does: the first sync asks how to
 * combine them. A bookmark made here first makes that question certain; the test answers "Merge both".
 */
async function answerFirstSync(options: Page): Promise<void> {
  await waitForText(options, '[data-testid="first-sync-text"]', /bookmarks and your account has/);
  await options.click('#choose-merge');
}

async function addLocalBookmark(page: Page): Promise<void> {
  await page.evaluate(() => browser.bookmarks.create({ parentId: 'toolbar_____', title: 'Made in Firefox', url: 'https://made-in-firefox.example/' }));
}

describe('Firefox: sign in and sync', () => {
  test('password sign-in, then Sync now in the popup, which lists the Firefox device', async () => {
    const options = await ext.openPage(OPTIONS);
    await waitForText(options, '[data-testid="account"]', /^Not signed in$/);
    await typeInto(options, '#server-url', stack.origin);
    await options.click('#show-password');
    await typeInto(options, '#email', DEMO_EMAIL);
    await typeInto(options, '#password', DEMO_PASSWORD);
    await addLocalBookmark(options);
    await options.click('#password-submit');
    await waitForText(options, '[data-testid="account"]', new RegExp(`^Signed in as ${DEMO_EMAIL}$`));
    await answerFirstSync(options);
    await waitForText(options, '[data-testid="status"]', /^Last synced/);
    // Both sides' bookmarks are in both places now.
    const titles = JSON.stringify(await options.evaluate(() => browser.bookmarks.getTree()));
    expect(titles).toContain('Made in Firefox');
    expect(titles).toContain('MDN Web Docs');
    expect((await stack.demoRecords('bookmarks')).some((r) => r['title'] === 'Made in Firefox')).toBe(true);
    const popup = await ext.openPage('src/popup/popup.html');
    await waitForText(popup, '[data-testid="status"]', /^Last synced/);
    await popup.click('#sync-now');
    expect(await waitForText(popup, '[data-testid="devices"]', new RegExp(DEMO_CLIENT_NAME))).toContain(DEMO_CLIENT_NAME);
    await expectOurClientRecord();
  });

  test('web sign-in in a tab', async () => {
    const options = await ext.openPage(OPTIONS);
    await waitForText(options, '[data-testid="account"]', /^Not signed in$/);
    await typeInto(options, '#server-url', stack.origin);
    await addLocalBookmark(options);
    const opened = new Promise<Page>((resolve) => {
      ext.browser.on('targetcreated', (t) => {
        void t.page().then((p) => p && resolve(p));
      });
    });
    await options.click('#sign-in');
    const page = await opened;
    await page.waitForFunction(() => document.querySelector('input[name="email"]') !== null, { timeout: 20_000 });
    expect(page.url()).toMatch(new RegExp(`^${stack.origin}/authorization`));
    await typeInto(page, 'input[name="email"]', DEMO_EMAIL);
    await typeInto(page, 'input[name="password"]', DEMO_PASSWORD);
    await Promise.all([page.click('button[type="submit"]').catch(() => undefined)]);
    await waitForText(options, '[data-testid="account"]', new RegExp(`^Signed in as ${DEMO_EMAIL}$`));
    await answerFirstSync(options);
    await waitForText(options, '[data-testid="status"]', /^Last synced/);
    await expectOurClientRecord();
  });
});
