// Steps a person takes in the extension's pages in Chromium, shared by the e2e specs.
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { ChromiumExtension } from './chromium.ts';

export const OPTIONS = 'src/options/options.html';
export const POPUP = 'src/popup/popup.html';

/** Signs in with the password form; returns the options page, left open. */
export async function signInWithPassword(ext: ChromiumExtension, origin: string, email: string, password: string): Promise<Page> {
  const options = await ext.openPage(OPTIONS);
  // The page asks the background first; a busy machine can take more than poll's default second.
  await expect.poll(() => options.getByTestId('account').textContent(), { timeout: 15_000 }).toBe('Not signed in');
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

// ---- history ----------------------------------------------------------------------------------

/** The "History from other devices" page (src/ui/pages.ts). */
export const HISTORY_PAGE = 'src/history/history.html';

export interface ChromiumVisit {
  /** ms, with µs fractions. */
  visitTime: number;
  transition: string;
  isLocal?: boolean;
}

/** A URL's visits in Chromium's history, newest first, read from an extension page. */
export async function chromiumVisits(page: Page, url: string): Promise<ChromiumVisit[]> {
  const visits = (await page.evaluate((u) => chrome.history.getVisits({ url: u }), url)) as ChromiumVisit[];
  return visits.map((v) => ({ visitTime: v.visitTime, transition: v.transition, isLocal: v.isLocal })).sort((a, b) => b.visitTime - a.visitTime);
}

/** The title Chromium's history holds for a URL (null: not in history). */
export async function chromiumTitle(page: Page, url: string): Promise<string | null> {
  const items = await page.evaluate(() => chrome.history.search({ text: '', startTime: 0, maxResults: 1000 }));
  const item = items.find((i) => i.url === url);
  return item ? (item.title ?? '') : null;
}

/**
 * The page URLs the extension has noted as changed since its last sync (its history change set in
 * IndexedDB), read from one of its pages. A test waits on this before Sync now, so that the run it
 * starts is sure to see a deletion the browser has just reported.
 */
export const HISTORY_CHANGES_NOTED = `new Promise((resolve, reject) => {
  const open = indexedDB.open('syncbridge');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const get = db.transaction('engineWork').objectStore('engineWork').get('history:changed');
    get.onerror = () => { db.close(); reject(get.error); };
    get.onsuccess = () => { db.close(); resolve(Object.keys(get.result ?? {})); };
  };
})`;

export async function historyChangesNoted(page: Page): Promise<string[]> {
  return (await page.evaluate(HISTORY_CHANGES_NOTED)) as string[];
}

export interface HistoryRow {
  title: string;
  href: string | null;
  /** The <time datetime> of the last visit from another device. */
  when: string | null;
  visible: boolean;
}

/**
 * The rows of the "History from other devices" page, in page order, and whether each can be seen
 * (read in one go, so a list re-rendered meanwhile is never half read).
 */
export async function historyRows(page: Page): Promise<HistoryRow[]> {
  return page.evaluate(() => [...document.querySelectorAll('#results li')].map((li) => ({
    title: li.querySelector('.title')?.textContent ?? '',
    href: li.querySelector('a')?.getAttribute('href') ?? null,
    when: li.querySelector('time')?.getAttribute('datetime') ?? null,
    // Hidden rows and rows of hidden day sections are display: none.
    visible: (li as HTMLElement).checkVisibility(),
  })));
}

/** Titles of the rows a person sees now, sorted. */
export async function visibleHistoryTitles(page: Page): Promise<string[]> {
  return (await historyRows(page)).filter((r) => r.visible).map((r) => r.title).sort();
}
