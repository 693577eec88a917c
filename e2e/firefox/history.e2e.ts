// History in Firefox ESR through the real extension and the local stack, and between Firefox and
// Chromium on one account: other devices' visits go into Firefox's history with their real times
// (whole ms: floor(µs / 1000)), kinds and titles; a visit made in Chromium is in Firefox's history
// to the ms; a page deleted in Firefox is deleted on the server and in Chromium's "History from
// other devices".
//
// What Firefox ESR 153 does (seen while writing these tests):
// - `history.addUrl` takes a numeric visitTime only as a whole number of ms: 1796178827092.789 is
//   "Type error … must either: be a string value, be an integer value, or be an object value";
// - `getVisits` reports the transitions given to addUrl (link, typed, auto_bookmark,
//   manual_subframe, reload), in whole ms; a visit added as `auto_subframe` (embed, type 4) is not
//   kept at all; redirects and downloads (5, 6, 7) have no name addUrl takes;
// - a tab navigated by puppeteer (BiDi browsingContext.navigate) is recorded as `link`, whole ms.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { Page as ChromiumPage } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import {
  HISTORY_CHANGES_NOTED, HISTORY_PAGE, POPUP, chromiumTitle, chromiumVisits, signInWithPassword, syncNow, visibleHistoryTitles, historyRows,
} from '../support/chromiumUi.ts';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';
import { firefoxSyncNow, firefoxTitle, firefoxVisits, signInFirefox, waitFor, type FirefoxVisit } from '../support/firefoxUi.ts';
import { startPageServer, type PageServer } from '../support/pageServer.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

type Visit = { date: number; type: number };
type Rec = Record<string, unknown> & { id: string; histUri?: string; title?: string; visits?: Visit[]; deleted?: boolean };

let stack: LocalStack;
let site: PageServer;
let chromium: ChromiumExtension | null = null;
let firefox: FirefoxExtension | null = null;

beforeEach(async () => {
  stack = await startLocalStack();
  site = await startPageServer({
    '/from-chromium': { title: 'Visited in Chromium', links: ['/chromium-link'] },
    '/chromium-link': { title: 'Followed in Chromium' },
    '/from-firefox': { title: 'Visited in Firefox' },
  });
});
afterEach(async () => {
  await chromium?.close();
  await firefox?.close();
  chromium = firefox = null;
  await site?.close();
  await stack?.close();
});

async function records(): Promise<Map<string, Rec>> {
  return new Map((await stack.demoRecords('history')).map((r) => [String(r['id']), r as Rec]));
}

async function recordFor(url: string): Promise<Rec | undefined> {
  return [...(await records()).values()].find((r) => r.histUri === url);
}

/** Firefox visit types → the transition names Firefox's addUrl takes; 4 (embed) is named but Firefox keeps none, 5–7 have no name. */
const KEPT: Record<number, string> = { 1: 'link', 2: 'typed', 3: 'auto_bookmark', 8: 'manual_subframe', 9: 'reload' };

/** What Firefox's history must hold for a record: its visits of a type it keeps, at floor(µs / 1000), newest first. */
const expectedInFirefox = (r: Rec): FirefoxVisit[] =>
  r.visits!.filter((v) => KEPT[v.type] !== undefined)
    .map((v) => ({ visitTime: Math.floor(v.date / 1000), transition: KEPT[v.type]! }))
    .sort((a, b) => b.visitTime - a.visitTime);

async function firefoxSignedIn(): Promise<Page> {
  firefox = await launchFirefoxWithExtension();
  return signInFirefox(firefox, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
}

async function chromiumSignedIn(): Promise<ChromiumPage> {
  chromium = await launchChromiumWithExtension();
  const options = await signInWithPassword(chromium, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  return options;
}

/** Deletes a page from Firefox's history and waits until the extension has noted it (so the next Sync now sees it). */
async function deleteInFirefox(page: Page, url: string): Promise<void> {
  await page.evaluate((u: string) => browser.history.deleteUrl({ url: u }), url);
  await waitFor(page, `(async () => (await ${HISTORY_CHANGES_NOTED}).includes(${JSON.stringify(url)}))()`, 15_000);
}

describe('Firefox ESR: history', () => {
  test('the account’s visits go into Firefox’s history with their exact ms, types and titles; redirects and downloads do not; nothing comes back', async () => {
    // Besides the demo's pages: one with a visit of every type, at µs that are not whole ms, and one
    // whose only visits are a download and a redirect.
    const t0 = Date.now() - 3 * 3600_000;
    const every: Rec = {
      id: 'hsEveryType1', histUri: 'https://types.example/every', title: 'Every kind of visit',
      visits: [9, 8, 7, 6, 5, 4, 3, 2, 1].map((type, i) => ({ date: (t0 - i * 60_000) * 1000 + 123 + 101 * i, type })),
    };
    const downloadOnly: Rec = {
      id: 'hsDownload01', histUri: 'https://files.example/report.pdf', title: 'Quarterly report',
      visits: [{ date: (t0 - 600_000) * 1000 + 456, type: 7 }, { date: (t0 - 700_000) * 1000 + 789, type: 6 }],
    };
    await stack.putDemoRecords('history', [every, downloadOnly]);
    const before = await records();
    expect(before.size).toBeGreaterThan(8);

    const options = await firefoxSignedIn();
    const check = async (): Promise<void> => {
      for (const r of before.values()) {
        const expected = expectedInFirefox(r);
        expect(await firefoxVisits(options, r.histUri!), r.id).toEqual(expected);
        expect(await firefoxTitle(options, r.histUri!), r.id).toBe(expected.length > 0 ? r.title : null);
      }
    };
    await check();
    // Spelled out for the page of every type: link, typed, bookmark, framed link and reload, to the ms.
    expect(await firefoxVisits(options, every.histUri!)).toEqual([
      { visitTime: t0, transition: 'reload' },
      { visitTime: t0 - 60_000, transition: 'manual_subframe' },
      { visitTime: t0 - 6 * 60_000, transition: 'auto_bookmark' },
      { visitTime: t0 - 7 * 60_000, transition: 'typed' },
      { visitTime: t0 - 8 * 60_000, transition: 'link' },
    ]);
    // The demo's redirect-only page and the download are not in Firefox's history.
    expect(await firefoxVisits(options, 'http://example.org/')).toEqual([]);
    expect(await firefoxVisits(options, downloadOnly.histUri!)).toEqual([]);
    // Nothing came back as Firefox's own: every record is as the other devices wrote it.
    expect(await records()).toEqual(before);

    // Once only: another sync writes nothing again and sends nothing.
    await firefoxSyncNow(options);
    await check();
    expect(await records()).toEqual(before);
  });

  test('Chromium visits a local page and syncs; Firefox syncs and has that visit with the same time (to the ms) and title', async () => {
    await chromiumSignedIn();
    const tab = await chromium!.context.newPage();
    await tab.goto(site.url('/from-chromium'));
    await tab.click('#to-chromium-link');
    await tab.waitForURL(site.url('/chromium-link'));
    const probe = await chromium!.openPage(POPUP);
    for (const [path, title] of [['/from-chromium', 'Visited in Chromium'], ['/chromium-link', 'Followed in Chromium']] as const) {
      await expect.poll(async () => ({ n: (await chromiumVisits(probe, site.url(path))).length, title: await chromiumTitle(probe, site.url(path)) }), { timeout: 15_000 })
        .toEqual({ n: 1, title });
    }
    const inChromium = new Map(await Promise.all(['/from-chromium', '/chromium-link'].map(async (p) => [p, (await chromiumVisits(probe, site.url(p)))[0]!] as const)));
    await syncNow(chromium!);
    const sent = new Map(await Promise.all(['/from-chromium', '/chromium-link'].map(async (p) => [p, (await recordFor(site.url(p)))!] as const)));
    for (const [p, rec] of sent) expect(rec.visits, p).toEqual([{ date: Math.round(inChromium.get(p)!.visitTime * 1000), type: p === '/from-chromium' ? 2 : 1 }]);
    // Chromium's µs are not whole ms: Firefox must drop them, not refuse the visit.
    expect([...sent.values()].some((r) => r.visits![0]!.date % 1000 !== 0)).toBe(true);

    const options = await firefoxSignedIn();
    expect(await firefoxVisits(options, site.url('/from-chromium'))).toEqual([
      { visitTime: Math.floor(sent.get('/from-chromium')!.visits![0]!.date / 1000), transition: 'typed' },
    ]);
    expect(await firefoxVisits(options, site.url('/chromium-link'))).toEqual([
      { visitTime: Math.floor(sent.get('/chromium-link')!.visits![0]!.date / 1000), transition: 'link' },
    ]);
    // The same ms as Chromium's own visit time.
    expect((await firefoxVisits(options, site.url('/from-chromium')))[0]!.visitTime).toBe(Math.floor(inChromium.get('/from-chromium')!.visitTime));
    expect(await firefoxTitle(options, site.url('/from-chromium'))).toBe('Visited in Chromium');
    expect(await firefoxTitle(options, site.url('/chromium-link'))).toBe('Followed in Chromium');
    // Firefox did not send them back (its whole-ms copy is the same visit).
    for (const [p, rec] of sent) expect(await recordFor(site.url(p)), p).toEqual(rec);
  });

  test('a page visited in Firefox and deleted there: a tombstone after Firefox syncs, and gone from Chromium’s History from other devices after Chromium syncs', async () => {
    const options = await firefoxSignedIn();
    const tab = await firefox!.browser.newPage();
    await tab.goto(site.url('/from-firefox'));
    await waitFor(options, `(async () => (await browser.history.search({ text: '', startTime: 0 })).some((i) => i.url === ${JSON.stringify(site.url('/from-firefox'))} && i.title === 'Visited in Firefox'))()`, 15_000);
    const [visit] = await firefoxVisits(options, site.url('/from-firefox'));
    expect(visit!.transition).toBe('link');
    await firefoxSyncNow(options);
    const rec = (await recordFor(site.url('/from-firefox')))!;
    expect(rec).toEqual({ id: rec.id, histUri: site.url('/from-firefox'), title: 'Visited in Firefox', visits: [{ date: visit!.visitTime * 1000, type: 1 }] });

    await chromiumSignedIn();
    const list = await chromium!.openPage(HISTORY_PAGE);
    await expect.poll(() => visibleHistoryTitles(list), { timeout: 15_000 }).toContain('Visited in Firefox');
    const row = (await historyRows(list)).find((r) => r.title === 'Visited in Firefox')!;
    expect(row).toMatchObject({ href: site.url('/from-firefox'), when: new Date(visit!.visitTime).toISOString() });
    const shown = (await visibleHistoryTitles(list)).length;

    await deleteInFirefox(options, site.url('/from-firefox'));
    await firefoxSyncNow(options);
    expect((await records()).get(rec.id)).toEqual({ id: rec.id, deleted: true });

    await syncNow(chromium!);
    await expect.poll(() => visibleHistoryTitles(list), { timeout: 15_000 }).not.toContain('Visited in Firefox');
    expect(await visibleHistoryTitles(list)).toHaveLength(shown - 1);
    await list.reload();
    await expect.poll(async () => (await visibleHistoryTitles(list)).length, { timeout: 15_000 }).toBe(shown - 1);
    expect(await visibleHistoryTitles(list)).not.toContain('Visited in Firefox');
  });

  // A page that came from another device is in Firefox's history with its real visits; deleting it
  // there deletes it on the other devices too, as Firefox does (this failed before the engine sent
  // tombstones for such pages on Firefox).
  test('a page another device visited, deleted in Firefox: a tombstone after Firefox syncs', async () => {
    const options = await firefoxSignedIn();
    const url = 'https://www.mozilla.org/en-US/';
    expect((await firefoxVisits(options, url)).length).toBeGreaterThan(0);
    await deleteInFirefox(options, url);
    await firefoxSyncNow(options);
    expect((await records()).get('hsMozilla001')).toEqual({ id: 'hsMozilla001', deleted: true });
  });
});
