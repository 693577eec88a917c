// Steps a person takes in the extension's pages in Chromium, shared by the e2e specs.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { ChromiumExtension } from './chromium.ts';

export const OPTIONS = 'src/options/options.html';
export const POPUP = 'src/popup/popup.html';

/** Signs in with the password form; returns the options page, left open. */
export async function signInWithPassword(ext: ChromiumExtension, origin: string, email: string, password: string): Promise<Page> {
  const options = await ext.openPage(OPTIONS);
  await expect.poll(() => options.getByTestId('account').textContent()).toBe('Not signed in');
  await options.getByLabel('Sync server').fill(origin);
  await options.getByRole('link', { name: 'Sign in with password' }).click();
  await options.getByLabel('Email').fill(email);
  await options.getByLabel('Password').fill(password);
  await options.getByRole('button', { name: 'Sign in' }).click();
  await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 20_000 }).toBe(`Signed in as ${email}`);
  return options;
}

interface StatusReply {
  ok: boolean;
  value: { syncing: boolean; lastRun: { finishedAt: number; outcome: string; message: string } | null };
}

/** Presses Sync now in a fresh popup and waits for that run to finish; it must have succeeded. */
export async function syncNow(ext: ChromiumExtension): Promise<void> {
  const popup = await ext.openPage(POPUP);
  const status = async (): Promise<StatusReply['value']> =>
    ((await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as StatusReply).value;
  await expect.poll(async () => (await status()).syncing, { timeout: 60_000 }).toBe(false);
  const previous = (await status()).lastRun?.finishedAt ?? 0;
  await popup.getByRole('button', { name: 'Sync now' }).click();
  await expect.poll(async () => {
    const s = await status();
    return !s.syncing && (s.lastRun?.finishedAt ?? 0) > previous;
  }, { timeout: 60_000 }).toBe(true);
  const run = (await status()).lastRun!;
  expect(run.outcome, run.message).toBe('success');
  await popup.close();
}

export interface Node {
  id: string;
  title: string;
  url?: string;
  folderType?: string;
  children?: Node[];
}

/** The browser's bookmark tree, read in the extension's service worker. */
export async function bookmarkTree(ext: ChromiumExtension): Promise<Node> {
  return (await ext.worker.evaluate(async () => (await chrome.bookmarks.getTree())[0])) as Node;
}

export function findByTitle(n: Node, title: string): Node | undefined {
  if (n.title === title) return n;
  for (const c of n.children ?? []) {
    const f = findByTitle(c, title);
    if (f) return f;
  }
  return undefined;
}

/** Titles (and URLs) of a subtree, for readable comparisons. */
export type Shape = { title: string; url?: string; children?: Shape[] };
export const shape = (n: Node): Shape => (n.url !== undefined ? { title: n.title, url: n.url } : { title: n.title, children: (n.children ?? []).map(shape) });
