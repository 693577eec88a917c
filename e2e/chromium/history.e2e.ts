// History in Chromium through the real extension and the local stack: real visits to pages on
// 127.0.0.1 go up as Firefox history records with their real times and kinds; the demo account's
// Firefox history is found through the popup's "History from other devices" and its search; a page
// deleted on either side is gone from the other.
//
// What Chromium 156 records (seen in these tests, and asserted below so that a change shows):
// - Playwright's page.goto: transition `typed` (Firefox type 2);
// - a click on a link in the page: `link` (1); reloading that page: `reload` (9);
// - `history.addUrl({url})` from an extension page: `link` (1), title '', at the current time;
// - `getVisits` gives visitTime in ms with a µs fraction (e.g. 1796182312469.865); the record's
//   date is that ×1000, rounded: the µs Chromium stores, exactly;
// - the extension's own pages opened in tabs are in history too (chrome-extension://…, `typed`);
//   they are never synced.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { startPageServer, type PageServer } from '../support/pageServer.ts';
import {
  HISTORY_PAGE, POPUP, chromiumTitle, chromiumVisits, historyChangesNoted, historyRows, signInWithPassword, syncNow, visibleHistoryTitles,
  type ChromiumVisit,
} from '../support/chromiumUi.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

type Rec = Record<string, unknown> & { id: string; histUri?: string; title?: string; visits?: Array<{ date: number; type: number }> };

let stack: LocalStack;
let site: PageServer;
const browsers: ChromiumExtension[] = [];

beforeEach(async () => {
  stack = await startLocalStack();
  site = await startPageServer({
    '/before': { title: 'Visited before signing in' },
    '/alpha': { title: 'Alpha page', links: ['/beta'] },
    '/beta': { title: 'Beta page, reached by a link' },
    '/added': { title: 'Never loaded: added by addUrl' },
    '/gone': { title: 'A page to delete' },
  });
});
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  await site?.close();
  await stack?.close();
});

async function launch(): Promise<ChromiumExtension> {
  const ext = await launchChromiumWithExtension();
  browsers.push(ext);
  return ext;
}

/** Signs in through the options page and waits for the first sync (history included) to finish. */
async function signIn(ext: ChromiumExtension): Promise<void> {
  const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  await options.close();
}

async function records(): Promise<Map<string, Rec>> {
  return new Map((await stack.demoRecords('history')).map((r) => [String(r['id']), r as Rec]));
}

async function recordFor(url: string): Promise<Rec | undefined> {
  return [...(await records()).values()].find((r) => r.histUri === url);
}

/** Chromium's transition names → Firefox visit types (src/engines/history/transitions.ts). */
const TYPE: Record<string, number> = { link: 1, typed: 2, reload: 9 };

/** The visits a record must hold for what Chromium recorded: µs dates (rounded), newest first. */
const asRecordVisits = (visits: ChromiumVisit[]): Array<{ date: number; type: number }> =>
  visits.map((v) => ({ date: Math.round(v.visitTime * 1000), type: TYPE[v.transition] ?? -1 }));

/** Waits until Chromium's history holds `count` visits of a URL, with its title. */
async function recorded(probe: Page, url: string, count: number, title: string): Promise<ChromiumVisit[]> {
  await expect.poll(async () => ({ visits: (await chromiumVisits(probe, url)).length, title: await chromiumTitle(probe, url) }), { timeout: 15_000 })
    .toEqual({ visits: count, title });
  return chromiumVisits(probe, url);
}

describe('Chromium: history', () => {
  test('real visits reach the server as Firefox history records, with their real µs times, types and titles', async () => {
    const ext = await launch();
    const tab = await ext.context.newPage();
    // Visited before signing in: the first sync sends it.
    await tab.goto(site.url('/before'));
    const probe = await ext.openPage(POPUP);
    const before = await recorded(probe, site.url('/before'), 1, 'Visited before signing in');
    await signIn(ext);
    expect(before.map((v) => v.transition)).toEqual(['typed']);
    expect(await recordFor(site.url('/before'))).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{12}$/), histUri: site.url('/before'), title: 'Visited before signing in', visits: asRecordVisits(before),
    });

    // After the first sync: a typed navigation, a followed link, a reload, and addUrl.
    await tab.goto(site.url('/alpha'));
    await tab.click('#to-beta');
    await tab.waitForURL(site.url('/beta'));
    await tab.waitForFunction(() => document.title === 'Beta page, reached by a link');
    await tab.reload();
    await probe.evaluate((url) => chrome.history.addUrl({ url }), site.url('/added'));
    const alpha = await recorded(probe, site.url('/alpha'), 1, 'Alpha page');
    const beta = await recorded(probe, site.url('/beta'), 2, 'Beta page, reached by a link');
    const added = await recorded(probe, site.url('/added'), 1, '');
    expect(alpha.map((v) => v.transition)).toEqual(['typed']);
    expect(beta.map((v) => v.transition)).toEqual(['reload', 'link']);
    expect(added.map((v) => v.transition)).toEqual(['link']);
    expect(site.requested).not.toContain('/added');
    await syncNow(ext);

    const expected = [
      { path: '/alpha', title: 'Alpha page', visits: alpha, types: [2] },
      { path: '/beta', title: 'Beta page, reached by a link', visits: beta, types: [9, 1] },
      { path: '/added', title: '', visits: added, types: [1] },
      { path: '/before', title: 'Visited before signing in', visits: before, types: [2] },
    ];
    const all = await records();
    const ours = [...all.values()].filter((r) => r.histUri?.startsWith(site.origin));
    expect(ours.map((r) => r.histUri).sort()).toEqual(expected.map((e) => site.url(e.path)).sort());
    for (const e of expected) {
      const rec = ours.find((r) => r.histUri === site.url(e.path))!;
      expect(Object.keys(rec).sort(), e.path).toEqual(['histUri', 'id', 'title', 'visits']);
      expect(rec.id, e.path).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(rec.title, e.path).toBe(e.title);
      expect(rec.visits, e.path).toEqual(asRecordVisits(e.visits));
      expect(rec.visits!.map((v) => v.type), e.path).toEqual(e.types);
      for (const v of rec.visits!) expect(Number.isInteger(v.date), e.path).toBe(true);
    }
    // The µs are Chromium's, not a rounded ms (one of five visits at an exact ms would be a 1-in-10^15 chance).
    expect(ours.flatMap((r) => r.visits!).some((v) => v.date % 1000 !== 0)).toBe(true);
    // Chromium's history also holds the extension's own pages: they stay here.
    expect((await chromiumVisits(probe, `chrome-extension://${ext.extensionId}/${POPUP}`)).length).toBeGreaterThan(0);
    expect([...all.values()].filter((r) => r.histUri !== undefined && !/^https?:/.test(r.histUri))).toEqual([]);
  });

  test('"History from other devices" lists the demo account’s pages; Search history finds one; a click opens it', async () => {
    const demo = (await stack.demoRecords('history')) as Rec[];
    const ext = await launch();
    await signIn(ext);
    const popup = await ext.openPage(POPUP);
    const [page] = await Promise.all([
      ext.context.waitForEvent('page', { timeout: 15_000 }),
      popup.getByRole('button', { name: 'History from other devices' }).click(),
    ]);
    await page.waitForURL(`chrome-extension://${ext.extensionId}/${HISTORY_PAGE}`);

    // Every demo page, with the time of its last visit there (ms), newest first.
    await expect.poll(async () => (await historyRows(page)).length, { timeout: 15_000 }).toBe(demo.length);
    const rows = await historyRows(page);
    const newest = (r: Rec): number => Math.floor(Math.max(...r.visits!.map((v) => v.date)) / 1000);
    expect(rows.map((r) => ({ href: r.href, title: r.title, when: r.when })).sort((a, b) => a.href!.localeCompare(b.href!)))
      .toEqual(demo.map((r) => ({ href: r.histUri!, title: r.title!, when: new Date(newest(r)).toISOString() })).sort((a, b) => a.href.localeCompare(b.href)));
    const times = rows.map((r) => Date.parse(r.when!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(rows.every((r) => r.visible)).toBe(true);

    const search = page.getByLabel('Search history');
    await search.pressSequentially('sourdough');
    await expect.poll(() => visibleHistoryTitles(page)).toEqual(['Sourdough basics']);
    await search.fill('Domain');
    await expect.poll(() => visibleHistoryTitles(page)).toEqual(['Example Domain', 'Example Domain']);
    await search.fill('');
    await expect.poll(async () => (await visibleHistoryTitles(page)).length).toBe(demo.length);

    // Nothing is served at the demo's addresses (every name but loopback fails to resolve): the
    // navigation the click starts is caught and answered here.
    const target = 'https://bread.example.org/sourdough';
    const navigations: string[] = [];
    await ext.context.route('https://bread.example.org/**', async (route) => {
      if (route.request().isNavigationRequest()) navigations.push(route.request().url());
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Sourdough basics</title>' });
    });
    await search.fill('sourdough');
    await expect.poll(() => visibleHistoryTitles(page)).toEqual(['Sourdough basics']);
    await page.getByRole('link', { name: /Sourdough basics/ }).click();
    await expect.poll(() => navigations, { timeout: 15_000 }).toEqual([target]);
    await expect.poll(() => ext.context.pages().some((p) => p.url() === target), { timeout: 15_000 }).toBe(true);
  });

  test('a page deleted on one side is gone from the other: Chromium’s deletion becomes a tombstone; another device’s removes a demo page from the list', async () => {
    const ext = await launch();
    await signIn(ext);
    const tab = await ext.context.newPage();
    await tab.goto(site.url('/gone'));
    const probe = await ext.openPage(POPUP);
    await recorded(probe, site.url('/gone'), 1, 'A page to delete');
    await syncNow(ext);
    const synced = await recordFor(site.url('/gone'));
    expect(synced?.visits).toHaveLength(1);
    await tab.close();

    const list = await ext.openPage(HISTORY_PAGE);
    await expect.poll(() => visibleHistoryTitles(list), { timeout: 15_000 }).toContain('Sourdough basics');
    const shownBefore = (await visibleHistoryTitles(list)).length;
    const demoBefore = await records();

    // Here: the person deletes the page from Chromium's history.
    await probe.evaluate((url) => chrome.history.deleteUrl({ url }), site.url('/gone'));
    await expect.poll(() => historyChangesNoted(probe), { timeout: 15_000 }).toContain(site.url('/gone'));
    // Elsewhere: another device deletes a demo page.
    await stack.putDemoRecords('history', [{ id: 'hsSourdough1', deleted: true }]);
    await syncNow(ext);

    const after = await records();
    expect(after.get(synced!.id)).toEqual({ id: synced!.id, deleted: true });
    expect(after.get('hsSourdough1')).toEqual({ id: 'hsSourdough1', deleted: true });
    for (const [id, rec] of demoBefore) if (id !== synced!.id && id !== 'hsSourdough1') expect(after.get(id), id).toEqual(rec);
    expect(await chromiumVisits(probe, site.url('/gone'))).toEqual([]);

    // The open page follows the sync; a fresh load shows the same.
    await expect.poll(() => visibleHistoryTitles(list), { timeout: 15_000 }).not.toContain('Sourdough basics');
    expect(await visibleHistoryTitles(list)).toHaveLength(shownBefore - 1);
    await list.reload();
    await expect.poll(async () => (await visibleHistoryTitles(list)).length, { timeout: 15_000 }).toBe(shownBefore - 1);
    expect(await visibleHistoryTitles(list)).not.toContain('Sourdough basics');
  });
});
