// Sign in through the real options page against the local stack (both ways), Sync now, and check
// what the server holds: our clients record, readable with the account's keys, and the demo's
// Firefox data untouched.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

const OPTIONS = 'src/options/options.html';
const POPUP = 'src/popup/popup.html';

let stack: LocalStack;
let ext: ChromiumExtension;
let keysBefore: string;

// A fresh stack and a fresh browser profile per test: each test is one new device joining.
beforeEach(async () => {
  stack = await startLocalStack();
  keysBefore = stack.rawRecords('crypto')[0]!.payload;
  ext = await launchChromiumWithExtension();
});
afterEach(async () => {
  await ext?.close();
  await stack?.close();
});

async function chooseLocalServer(options: Page): Promise<void> {
  await options.getByLabel('Sync server').fill(stack.origin);
}

/** Our record in the clients collection: the one that is not the demo Firefox's. */
async function ourClientRecord(): Promise<Record<string, unknown> | undefined> {
  return (await stack.demoRecords('clients')).find((c) => c['name'] !== DEMO_CLIENT_NAME);
}

async function expectSyncedAndDataIntact(name: string | RegExp = / on Linux$/): Promise<void> {
  const ours = await ourClientRecord();
  expect(ours).toMatchObject({ type: 'desktop', protocols: ['1.5'], name: typeof name === 'string' ? name : expect.stringMatching(name) });
  expect(ours?.['fxaDeviceId']).toMatch(/^[0-9a-f]{32}$/);
  expect(stack.rawRecords('crypto')[0]!.payload).toBe(keysBefore);
  expect((await stack.demoRecords('bookmarks')).length).toBeGreaterThan(5);
}

describe('Chromium: sign in and sync', () => {
  test('password sign-in, Sync now, devices in the popup; the demo account is untouched', async () => {
    const options = await ext.openPage(OPTIONS);
    await expect.poll(() => options.getByTestId('account').textContent()).toBe('Not signed in');
    await chooseLocalServer(options);
    await options.getByRole('link', { name: 'Sign in with password' }).click();
    await options.getByLabel('Email').fill(DEMO_EMAIL);
    await options.getByLabel('Password').fill('not the password');
    await options.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => options.getByRole('alert').textContent()).toMatch(/password/i);

    await options.getByLabel('Password').fill(DEMO_PASSWORD);
    await options.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe(`Signed in as ${DEMO_EMAIL}`);

    const popup = await ext.openPage(POPUP);
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => popup.getByTestId('devices').textContent(), { timeout: 20_000 }).toContain(DEMO_CLIENT_NAME);
    for (const name of ['Bookmarks', 'History', 'Tabs']) await expect.poll(() => popup.getByRole('checkbox', { name, exact: true }).isChecked()).toBe(true);
    await expectSyncedAndDataIntact();
  });

  test('web sign-in in a tab: the server’s page, then back signed in', async () => {
    const options = await ext.openPage(OPTIONS);
    await chooseLocalServer(options);
    const signInPage = ext.context.waitForEvent('page');
    await options.getByRole('button', { name: 'Sign in' }).click();
    const page = await signInPage;
    await page.waitForURL(new RegExp(`^${stack.origin}/authorization`));
    await page.getByLabel('Email').fill(DEMO_EMAIL);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe(`Signed in as ${DEMO_EMAIL}`);
    await expect.poll(() => page.isClosed(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);
    await expectSyncedAndDataIntact();

    await options.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => options.getByTestId('account').textContent()).toBe('Not signed in');
  });

  test('a sync interrupted by the worker being stopped completes on the next run', async () => {
    const options = await ext.openPage(OPTIONS);
    await chooseLocalServer(options);
    await options.getByRole('link', { name: 'Sign in with password' }).click();
    await options.getByLabel('Email').fill(DEMO_EMAIL);
    await options.getByLabel('Password').fill(DEMO_PASSWORD);
    await options.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);

    // Hold the next clients upload on the server, stop the worker while it waits, then sync again.
    await options.getByLabel('Device name').fill('Interrupted Chromium');
    await stack.control('/__test__/faults', { kind: 'delay', ms: 4000, count: 1, match: { method: 'POST', pathRegex: '/storage/clients$' } });
    await options.getByRole('button', { name: 'Save name' }).click(); // saving the name starts a sync
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 10_000 }).toBe('Syncing…');
    await ext.stopServiceWorker();

    const popup = await ext.openPage(POPUP);
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(async () => (await ourClientRecord())?.['name'], { timeout: 20_000 }).toBe('Interrupted Chromium');
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);
    const log = await (await ext.openPage(OPTIONS)).getByTestId('log');
    await expect.poll(() => log.inputValue()).toContain('The previous sync was interrupted');
    await expectSyncedAndDataIntact('Interrupted Chromium');
  });
});
