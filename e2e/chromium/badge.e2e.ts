// The toolbar button and the notifications in Chromium, through the real extension and the local
// stack: an empty badge when synced; "!" with a tooltip saying what is wrong, and a notification,
// when the account needs signing in again (a password reset elsewhere: the accounts server no
// longer knows our sign-in) and when a large deletion waits for approval, both cleared once dealt
// with; the subtle mark during a long first sync; and "Tab received from …" for a tab the demo
// desktop sends, also with "Sync automatically" off (only syncing stops, not looking for tabs).
//
// Chromium 156 headless, as seen here: chrome.action.getBadgeText/getTitle read back what the
// extension set; chrome.notifications.getAll() gives the ids of the notifications shown (their
// title and message are recorded by wrapping notifications.create in the service worker).
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { startPageServer, type PageServer } from '../support/pageServer.ts';
import { OPTIONS, findByTitle, bookmarkTree, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';
import { recordNotifications, shownNotifications, type ShownNotification } from '../support/notifications.ts';

let stack: LocalStack;
let site: PageServer;
let ext: ChromiumExtension;

beforeEach(async () => {
  stack = await startLocalStack();
  site = await startPageServer({ '/from-demo': { title: 'Sent by the demo desktop' } });
  ext = await launchChromiumWithExtension();
});
afterEach(async () => {
  await ext?.close();
  await site?.close();
  await stack?.close();
});

interface Button { text: string; title: string }

async function button(): Promise<Button> {
  return ext.worker.evaluate(async () => ({ text: await chrome.action.getBadgeText({}), title: await chrome.action.getTitle({}) }));
}

async function liveNotifications(): Promise<string[]> {
  return ext.worker.evaluate(async () => Object.keys(await chrome.notifications.getAll()));
}

async function recordedNotifications(): Promise<ShownNotification[]> {
  return (await shownNotifications(ext)).recorded;
}

interface Status { syncing: boolean; lastRun: { finishedAt: number; outcome: string; message: string } | null }

/** Asks for a sync as Sync now does and waits for it to end, whatever its outcome. */
async function syncAndWait(page: Page): Promise<Status> {
  const status = async (): Promise<Status> => ((await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as { value: Status }).value;
  await expect.poll(async () => (await status()).syncing, { timeout: 60_000 }).toBe(false);
  const before = (await status()).lastRun?.finishedAt ?? 0;
  await page.evaluate(() => chrome.runtime.sendMessage({ type: 'syncNow' }));
  await expect.poll(async () => {
    const s = await status();
    return !s.syncing && (s.lastRun?.finishedAt ?? 0) > before;
  }, { timeout: 60_000 }).toBe(true);
  return status();
}

async function signIn(): Promise<Page> {
  const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  return options;
}

describe('Chromium: toolbar badge and notifications', () => {
  test('synced: no badge, the plain tooltip, no notification', async () => {
    expect(await button()).toEqual({ text: '', title: 'Syncbridge' });
    await signIn();
    await syncNow(ext);
    expect(await button()).toEqual({ text: '', title: 'Syncbridge' });
    expect(await liveNotifications()).toEqual([]);
  });

  test('the account needs signing in again: "!", the tooltip says so, one notification; signing out clears both', async () => {
    const options = await signIn();
    await recordNotifications(ext);
    // A password reset on another device: the accounts server forgets every sign-in of the account,
    // and the storage server stops accepting the Sync token Syncbridge holds.
    await stack.control('/__test__/accounts/reset-keys', { email: DEMO_EMAIL, password: DEMO_PASSWORD });
    await stack.control('/__test__/faults/expire-tokens', { uid: stack.demoUid(), mode: 'revoke' });
    const failed = await syncAndWait(options);
    expect(failed.lastRun?.outcome).toBe('error');
    await expect.poll(button, { timeout: 10_000 }).toEqual({
      text: '!',
      title: 'Syncbridge: sign in again. Your Mozilla account sign-in is no longer valid, so syncing has stopped. Open Settings to sign in.',
    });
    expect(await ext.worker.evaluate(async () => (await chrome.action.getBadgeBackgroundColor({})).slice(0, 3))).toEqual([0xd7, 0x00, 0x22]);
    expect(await liveNotifications()).toEqual(['syncbridge-problem:sign-in-again']);
    expect(await recordedNotifications()).toEqual([{
      id: 'syncbridge-problem:sign-in-again', title: 'Sign in to Syncbridge again',
      message: 'Your Mozilla account sign-in is no longer valid, so syncing has stopped. Click to open Settings and sign in.',
    }]);

    // Failing again the same way: no second notification.
    await syncAndWait(options);
    expect(await button()).toMatchObject({ text: '!' });
    expect(await recordedNotifications()).toHaveLength(1);

    // Signing out resolves it: nothing on the button, the notification is gone.
    await options.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe('Not signed in');
    await expect.poll(button, { timeout: 10_000 }).toEqual({ text: '', title: 'Syncbridge' });
    expect(await liveNotifications()).toEqual([]);
  });

  test('a large deletion waits for approval: "!", the tooltip with the count, one notification; approving clears both', async () => {
    await signIn();
    await ext.worker.evaluate(async () => {
      const folder = await chrome.bookmarks.create({ parentId: '1', title: 'Big folder' });
      for (let i = 0; i < 60; i++) await chrome.bookmarks.create({ parentId: folder.id, title: `Item ${i}`, url: `https://big.example/${i}` });
    });
    await syncNow(ext);
    await recordNotifications(ext);
    // Another device deletes the folder with everything in it.
    const server = new Map((await stack.demoRecords('bookmarks')).map((r) => [String(r['id']), r]));
    const folder = [...server.values()].find((r) => r['title'] === 'Big folder')!;
    const toolbar = server.get('toolbar')!;
    await stack.putDemoRecords('bookmarks', [
      ...[folder['id'] as string, ...(folder['children'] as string[])].map((id) => ({ id, deleted: true })),
      { ...toolbar, children: (toolbar['children'] as string[]).filter((c) => c !== folder['id']) },
    ]);

    const options = await ext.openPage(OPTIONS);
    await syncAndWait(options);
    await expect.poll(() => options.getByTestId('large-deletion-text').textContent(), { timeout: 30_000 }).toMatch(/^61 of this browser’s/);
    await expect.poll(button, { timeout: 10_000 }).toEqual({
      text: '!',
      title: 'Syncbridge is waiting for your approval: syncing would delete 61 bookmarks in this browser. Review it in Settings; nothing has been deleted yet.',
    });
    expect(await liveNotifications()).toEqual(['syncbridge-problem:large-deletion']);
    expect(await recordedNotifications()).toEqual([{
      id: 'syncbridge-problem:large-deletion', title: 'A large change is waiting for your approval',
      message: 'Syncing would delete 61 bookmarks in this browser. Click to review it; nothing has been deleted yet.',
    }]);
    // Asked again by the next sync: still one notification.
    await syncAndWait(options);
    expect(await recordedNotifications()).toHaveLength(1);

    await options.getByRole('button', { name: 'Delete them here too' }).click();
    await expect.poll(async () => findByTitle(await bookmarkTree(ext), 'Big folder'), { timeout: 30_000 }).toBeUndefined();
    await expect.poll(button, { timeout: 10_000 }).toEqual({ text: '', title: 'Syncbridge' });
    expect(await liveNotifications()).toEqual([]);
  });

  test('a long first sync shows the subtle mark while it runs, nothing once done', async () => {
    // Hold the bookmarks download on the server so the first sync takes a while.
    await stack.control('/__test__/faults', { kind: 'delay', ms: 8000, count: 1, match: { method: 'GET', pathRegex: '/storage/bookmarks$' } });
    const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await expect.poll(button, { timeout: 15_000, interval: 200 }).toEqual({ text: '…', title: 'Syncbridge: first sync in progress' });
    await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
    await expect.poll(button, { timeout: 10_000 }).toEqual({ text: '', title: 'Syncbridge' });
    // Later syncs are not first syncs: no mark, however long.
    await stack.control('/__test__/faults', { kind: 'delay', ms: 6000, count: 1, match: { method: 'GET', pathRegex: '/info/collections$' } });
    const marks: string[] = [];
    const watching = (async () => {
      for (let i = 0; i < 40; i++) {
        marks.push((await button()).text);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    await syncNow(ext);
    await watching;
    expect(new Set(marks)).toEqual(new Set(['']));
  });

  test('a tab sent from the demo desktop: "Tab received from …", also with Sync automatically off', async () => {
    const options = await signIn();
    const me = (await stack.demoRecords('clients')).find((c) => c['id'] !== DEMO_CLIENT_ID)!;
    await recordNotifications(ext);

    // Sync automatically off, on the options page.
    const box = options.getByLabel('Sync automatically');
    await expect.poll(() => box.isChecked()).toBe(true);
    await box.uncheck();
    await expect.poll(() => options.getByRole('status').filter({ hasText: 'Saved: Syncbridge syncs only when you press Sync now.' }).count()).toBe(1);
    const alarms = await ext.worker.evaluate(async () => (await chrome.alarms.getAll()).map((a) => a.name));
    expect(alarms).not.toContain('syncbridge-periodic');
    expect(alarms).toContain('syncbridge-device-commands');

    const runsBefore = stack.requests.filter((r) => r.path.includes('/storage/') && r.path.endsWith('/info/collections')).length;
    await stack.control('/__test__/demo/send-tab', { url: site.url('/from-demo'), title: 'Sent by the demo desktop', target: me['fxaDeviceId'] });
    // Syncbridge looks for sent tabs when a window gains focus (and every minute), not only after syncs.
    await ext.worker.evaluate(() => chrome.windows.create({ url: 'about:blank', focused: true }));
    await expect.poll(async () => (await ext.worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => t.url ?? ''))).filter((u) => u === site.url('/from-demo')).length,
      { timeout: 30_000 }).toBe(1);
    const received = await ext.worker.evaluate(async (url) => (await chrome.tabs.query({ url }))[0]!.id!, site.url('/from-demo'));
    const notes = await recordedNotifications();
    expect(notes).toEqual([{ id: expect.stringMatching(new RegExp(`^syncbridge-tab-received:${received}:`)), title: `Tab received from ${DEMO_CLIENT_NAME}`, message: 'Sent by the demo desktop' }]);
    expect(await liveNotifications()).toEqual([notes[0]!.id]);
    // Nothing synced meanwhile: receiving a tab is not a sync.
    expect(stack.requests.filter((r) => r.path.includes('/storage/') && r.path.endsWith('/info/collections')).length).toBe(runsBefore);
    expect(await button()).toEqual({ text: '', title: 'Syncbridge' });
  });
});
