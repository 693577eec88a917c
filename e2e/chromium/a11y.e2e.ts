// Accessibility kept: axe-core on the popup, the settings page and the History from other devices
// page, in light and dark mode, signed out, signed in after a sync, and with errors showing; the
// suite fails on any serious or critical violation. Then the popup and the sign-in by keyboard alone.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { HISTORY_PAGE, OPTIONS, POPUP, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { describeViolations, seriousViolations } from '../support/axe.ts';
import { startPageServer } from '../support/pageServer.ts';
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
  // A read that fails (the page still navigating) is not an answer: the status must show words
  // from the background, not the markup's "Loading…". (Taking a failed read for settled let the
  // keyboard test press Tab into a page still loading, once, in CI.)
  await expect.poll(async () => {
    const text = await page.getByTestId('status').first().textContent({ timeout: 1000 }).catch(() => null);
    return text !== null && text.trim() !== '' && !/Loading/.test(text);
  }, { timeout: 20_000 }).toBe(true);
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

  test('signed in, the popup’s “Send this tab to…” menu open (with Enter)', async () => {
    const site = await startPageServer({ '/article': { title: 'An article to send' } });
    try {
      (await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD)).close();
      await syncNow(ext);
      // The popup sends its window's active tab: open it as a tab, then a web page after it (as tabs.e2e.ts does).
      const popup = await ext.openPage(POPUP);
      const page = await ext.context.newPage();
      await page.goto(site.url('/article'));
      await page.bringToFront();
      await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'syncNow' })); // a status change re-reads the active tab
      const send = popup.getByRole('button', { name: 'Send this tab to…' });
      await expect.poll(() => send.isEnabled(), { timeout: 20_000 }).toBe(true);
      await send.focus();
      await popup.keyboard.press('Enter');
      await expect.poll(() => send.getAttribute('aria-expanded')).toBe('true');
      // Opening the menu puts the focus on its first device.
      await expect.poll(async () => (await focused(popup)).name).toMatch(new RegExp(`^button ${DEMO_CLIENT_NAME}`));
      const problems = await audit(popup, 'popup, send menu open');
      expect(problems, problems.join('\n\n')).toEqual([]);
    } finally {
      await site.close();
    }
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

interface Focused {
  /** "button Sync now", "input Email", "a Sign in with password": role-ish tag and the words naming it. */
  name: string;
  /** The browser shows a focus ring: :focus-visible matches and the outline is drawn. */
  ringShown: boolean;
}

/** What has the keyboard focus now, and whether a person can see it. */
function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return { name: 'body', ringShown: false };
    const labelled = (e as HTMLInputElement).labels?.[0]?.textContent;
    const words = (e.getAttribute('aria-label') ?? labelled ?? e.textContent ?? '').replace(/\s+/g, ' ').trim();
    const style = getComputedStyle(e);
    const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 1;
    return { name: `${e.tagName.toLowerCase()} ${words}`, ringShown: e.matches(':focus-visible') && outlined };
  });
}

/**
 * Presses Tab until the focus is on `target` (at most `max` presses); returns every stop on the
 * way, in order, each of which must show a focus ring.
 */
async function tabTo(page: Page, target: string, max = 30): Promise<string[]> {
  const stops: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    expect(f.ringShown, `no visible focus on ${f.name}`).toBe(true);
    stops.push(f.name);
    if (f.name === target) return stops;
  }
  throw new Error(`Tab never reached ${target}; stops: ${stops.join(' → ')}`);
}

describe('Chromium: keyboard alone', () => {
  test('from the popup to Settings, sign in with a password, then Sync now, without a mouse', async () => {
    const popup = await ext.openPage(POPUP);
    await settled(popup);
    // Signed out, the popup's controls are its two buttons, in reading order.
    expect(await tabTo(popup, 'button Settings')).toEqual(['button Sync now', 'button Settings']);
    // Settings opens the options page and closes the popup (window.close) while the key is still down.
    await popup.keyboard.press('Enter').catch((e: unknown) => {
      if (!popup.isClosed()) throw e;
    });
    await expect.poll(() => ext.context.pages().some((p) => p.url().endsWith(OPTIONS)), { timeout: 10_000 }).toBe(true);
    const options = ext.context.pages().find((p) => p.url().endsWith(OPTIONS))!;
    await settled(options);
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe('Not signed in');
    await options.bringToFront();

    // The account section comes first; nothing hidden is in the way.
    expect(await tabTo(options, 'input Sync server')).toEqual(['input Sync server']);
    await options.keyboard.press('Control+A');
    await options.keyboard.type(stack.origin);
    expect(await tabTo(options, 'a Sign in with password')).toEqual(['summary Self-hosted storage', 'button Sign in', 'a Sign in with password']);
    await options.keyboard.press('Enter');
    // Opening the password form moves the focus into it.
    await expect.poll(async () => (await focused(options)).name).toBe('input Email');
    await options.keyboard.type(DEMO_EMAIL);
    expect(await tabTo(options, 'input Password')).toEqual(['input Password']);
    await options.keyboard.type(DEMO_PASSWORD);
    await options.keyboard.press('Enter');
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe(`Signed in as ${DEMO_EMAIL}`);
    expect(await options.locator('#server-url').inputValue()).toBe(stack.origin);

    // Signed in: Sync now with the space bar, and the popup's switches are reachable.
    const again = await ext.openPage(POPUP);
    await expect.poll(() => again.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);
    const before = await again.getByTestId('status').textContent();
    const stops = await tabTo(again, 'button Sync now', 80);
    expect(stops).toContain('input Bookmarks');
    expect(stops.indexOf('input Bookmarks')).toBeLessThan(stops.indexOf('button Sync now'));
    await again.keyboard.press('Space');
    await expect.poll(() => again.getByTestId('devices').textContent(), { timeout: 20_000 }).toContain(DEMO_CLIENT_NAME);
    await expect.poll(() => again.getByTestId('status').textContent(), { timeout: 20_000 }).not.toBe(before);
    await expect.poll(() => again.getByTestId('status').textContent(), { timeout: 20_000 }).toMatch(/^Last synced/);
  });
});
