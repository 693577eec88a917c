// Tabs and Send Tab between Chromium and Firefox ESR, each with Syncbridge, on one account through
// the local stack: the tabs open in each browser are under "Tabs from other devices" in the other
// (the popup, and the background's getRemoteTabs answer) and open there in one click; a tab sent
// from Chromium's popup arrives in Firefox as a new tab, with a notification, and one sent from
// Firefox's popup arrives in Chromium (each browser's WebCrypto encrypts for the other's keys).
//
// Seen in Firefox ESR 153 headless (while writing these tests):
// - puppeteer's browser.newPage() opens a tab of the one normal window and makes it the active one;
//   extension pages opened by tests are tabs of that window too;
// - with the system alerts backend (the default) every notification is closed as soon as it is
//   created (onClosed fires, getAll() is empty); with `alerts.useSystemBackend: false` Firefox's own
//   alert window keeps it, and getAll() answers with its title and message;
// - tabs.query({url}) with a URL that names a port finds nothing: tests filter the whole answer instead.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'puppeteer-core';
import type { Page as ChromiumPage } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension } from '../support/chromium.ts';
import { POPUP, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { launchFirefoxWithExtension, type FirefoxExtension } from '../support/firefox.ts';
import { firefoxSyncNow, signInFirefox, waitFor } from '../support/firefoxUi.ts';
import { startPageServer, type PageServer } from '../support/pageServer.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { readShownRemoteTabs, type ShownRemoteDevice } from '../support/tabsUi.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';

interface TabsRecord { id: string; clientName: string; tabs: Array<{ title: string; urlHistory: string[]; icon: string; lastUsed: number }> }

const CHROMIUM_NAME = 'Chromium on Linux';
const FIREFOX_NAME = 'Firefox on Linux';

let stack: LocalStack;
let site: PageServer;
let chromium: ChromiumExtension | null = null;
let firefox: FirefoxExtension | null = null;

beforeEach(async () => {
  stack = await startLocalStack();
  site = await startPageServer({
    '/in-chromium': { title: 'Open in Chromium' },
    '/in-firefox': { title: 'Open in Firefox' },
    '/chromium-sends': { title: 'Sent from Chromium' },
    '/firefox-sends': { title: 'Sent from Firefox' },
  });
});
afterEach(async () => {
  await chromium?.close();
  await firefox?.close();
  chromium = firefox = null;
  await site?.close();
  await stack?.close();
});

async function tabsRecords(): Promise<TabsRecord[]> {
  return (await stack.demoRecords('tabs')) as unknown as TabsRecord[];
}

/** Waits until `clientName`'s tabs record on the server holds a tab showing `url` (its quick write; nobody presses Sync now). */
async function onServer(clientName: string, url: string): Promise<void> {
  await expect.poll(async () => (await tabsRecords()).some((r) => r.clientName === clientName && r.tabs.some((t) => t.urlHistory[0] === url)), { timeout: 20_000, interval: 250 })
    .toBe(true);
}

/** Firefox's open tabs, read from one of the extension's pages. */
async function firefoxTabs(page: Page): Promise<Array<{ id: number; url: string; title: string }>> {
  return page.evaluate(async () => (await browser.tabs.query({})).map((t) => ({ id: t.id!, url: t.url ?? '', title: t.title ?? '' })));
}

async function chromiumTabs(ext: ChromiumExtension): Promise<Array<{ url: string; title: string; active: boolean }>> {
  return ext.worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => ({ url: t.url ?? '', title: t.title ?? '', active: t.active })));
}

async function firefoxRemoteTabs(page: Page): Promise<ShownRemoteDevice[]> {
  return page.evaluate(readShownRemoteTabs);
}

async function chromiumRemoteTabs(page: ChromiumPage): Promise<ShownRemoteDevice[]> {
  return page.evaluate(readShownRemoteTabs);
}

describe('Chromium ↔ Firefox ESR: tabs and Send Tab', () => {
  test('the tabs open in each browser are under “Tabs from other devices” in the other and open there in one click; a tab sent from either popup opens in the other browser, with a notification', async () => {
    // Headless, Firefox's system alerts close each notification at once (getAll() is then empty);
    // its own alert windows keep it while it shows, as a person would see it.
    firefox = await launchFirefoxWithExtension({ prefs: { 'alerts.useSystemBackend': false } });
    const ffOptions = await signInFirefox(firefox, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    chromium = await launchChromiumWithExtension();
    const chOptions = await signInWithPassword(chromium, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
    await expect.poll(() => chOptions.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);

    // A page in each browser; each goes up with that browser's quick write.
    const inChromium = site.url('/in-chromium');
    const inFirefox = site.url('/in-firefox');
    await (await chromium.context.newPage()).goto(inChromium);
    const ffTab = await firefox.browser.newPage();
    await ffTab.goto(inFirefox);
    await onServer(CHROMIUM_NAME, inChromium);
    await onServer(FIREFOX_NAME, inFirefox);

    // Firefox: Chromium's tab in the background's answer and in the popup, under Chromium's name.
    await firefoxSyncNow(ffOptions);
    const view = (await ffOptions.evaluate(() => browser.runtime.sendMessage({ type: 'getRemoteTabs' }))) as { ok: boolean; value: { devices: Array<{ name: string; tabs: Array<{ url: string; title: string }> }> } };
    expect(view.ok).toBe(true);
    expect(view.value.devices.find((d) => d.name === CHROMIUM_NAME)?.tabs.map((t) => ({ url: t.url, title: t.title }))).toEqual(
      expect.arrayContaining([{ url: inChromium, title: 'Open in Chromium' }]),
    );
    // Firefox's own tabs are not among other devices' tabs.
    expect(view.value.devices.map((d) => d.name)).not.toContain(FIREFOX_NAME);
    const ffPopup = await firefox.openPage('src/popup/popup.html');
    await waitFor(ffPopup, `[...document.querySelectorAll('[data-testid="remote-tabs"] a')].some((a) => a.getAttribute('href') === ${JSON.stringify(inChromium)})`, 15_000);
    const shownInFirefox = await firefoxRemoteTabs(ffPopup);
    expect(shownInFirefox.map((d) => d.name).sort()).toEqual([CHROMIUM_NAME, DEMO_CLIENT_NAME].sort());
    expect(shownInFirefox.find((d) => d.name === CHROMIUM_NAME)!.tabs).toContainEqual({ title: 'Open in Chromium', host: new URL(inChromium).host, href: inChromium });
    const chromiumLoads = site.requested.filter((p) => p === '/in-chromium').length;
    await ffPopup.click(`[data-testid="remote-tabs"] a[href="${inChromium}"]`);
    await waitFor(ffOptions, `(async () => (await browser.tabs.query({})).some((t) => t.url === ${JSON.stringify(inChromium)} && t.title === 'Open in Chromium'))()`, 15_000);
    expect((await firefoxTabs(ffOptions)).filter((t) => t.url === inChromium)).toHaveLength(1);
    expect(site.requested.filter((p) => p === '/in-chromium').length).toBe(chromiumLoads + 1);

    // Chromium: Firefox's tab in the popup, under Firefox's name; one click opens it.
    await syncNow(chromium);
    const chPopup = await chromium.openPage(POPUP);
    await expect.poll(async () => (await chromiumRemoteTabs(chPopup)).find((d) => d.name === FIREFOX_NAME)?.tabs, { timeout: 15_000 })
      .toContainEqual({ title: 'Open in Firefox', host: new URL(inFirefox).host, href: inFirefox });
    expect((await chromiumRemoteTabs(chPopup)).map((d) => d.name)).not.toContain(CHROMIUM_NAME);
    await chPopup.getByTestId('remote-tabs').getByRole('link', { name: 'Open in Firefox' }).click();
    await expect.poll(async () => (await chromiumTabs(chromium!)).filter((t) => t.url === inFirefox).map((t) => t.title), { timeout: 15_000 }).toEqual(['Open in Firefox']);

    // Send Tab: Chromium's popup sends its window's active tab to Firefox.
    const toSend = site.url('/chromium-sends');
    const sender = await chromium.openPage(POPUP);
    await (await chromium.context.newPage()).goto(toSend);
    await expect.poll(async () => (await chromiumTabs(chromium!)).find((t) => t.active)?.url, { timeout: 10_000 }).toBe(toSend);
    await sender.evaluate(() => chrome.runtime.sendMessage({ type: 'syncNow' })); // a status change: the popup re-reads its targets
    await expect.poll(() => sender.getByRole('button', { name: 'Send this tab to…' }).isEnabled(), { timeout: 20_000 }).toBe(true);
    await sender.getByRole('button', { name: 'Send this tab to…' }).click();
    await sender.getByRole('button', { name: new RegExp(`^${FIREFOX_NAME}`) }).click();
    await expect.poll(() => sender.getByTestId('send-result').textContent(), { timeout: 15_000 }).toBe(`Sent to ${FIREFOX_NAME}`);

    await firefoxSyncNow(ffOptions); // Firefox looks for sent tabs after every sync
    await waitFor(ffOptions, `(async () => (await browser.tabs.query({})).some((t) => t.url === ${JSON.stringify(toSend)} && t.title === 'Sent from Chromium'))()`, 15_000);
    const received = (await firefoxTabs(ffOptions)).filter((t) => t.url === toSend);
    expect(received).toHaveLength(1);
    // The notification follows the tab (the sender's name is looked up first). Firefox gives back what
    // it shows (the types are Chromium's, ids only): "Tab received from Chromium on Linux", and its id
    // names the tab a click shows.
    await waitFor(ffOptions, `(async () => Object.keys(await browser.notifications.getAll()).length > 0)()`, 10_000);
    const notes = (await ffOptions.evaluate(() => browser.notifications.getAll())) as unknown as Record<string, { title?: string; message?: string }>;
    expect(Object.entries(notes).map(([id, n]) => ({ id, title: n.title, message: n.message }))).toEqual([
      { id: expect.stringMatching(new RegExp(`^syncbridge-tab-received:${received[0]!.id}:`)), title: `Tab received from ${CHROMIUM_NAME}`, message: 'Sent from Chromium' },
    ]);

    // And back: Firefox's popup sends its window's active tab to Chromium.
    const back = site.url('/firefox-sends');
    const ffSender = await firefox.openPage('src/popup/popup.html');
    await (await firefox.browser.newPage()).goto(back);
    await waitFor(ffOptions, `(async () => (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.url === ${JSON.stringify(back)})()`, 10_000);
    await ffSender.evaluate(() => browser.runtime.sendMessage({ type: 'syncNow' }));
    await waitFor(ffSender, `document.querySelector('#send-tab')?.disabled === false`, 20_000);
    // The popup is a background tab now: puppeteer's clicks there took 3–6 s each (it waits for the
    // tab to render), so the buttons are clicked in the page, which runs the same handlers.
    await ffSender.$eval('#send-tab', (b) => (b as HTMLButtonElement).click());
    await waitFor(ffSender, `[...document.querySelectorAll('#send-targets button')].some((b) => b.textContent.startsWith(${JSON.stringify(CHROMIUM_NAME)}))`);
    await ffSender.evaluate((name: string) =>
      [...document.querySelectorAll<HTMLButtonElement>('#send-targets button')].find((b) => b.textContent!.startsWith(name))!.click(), CHROMIUM_NAME);
    await waitFor(ffSender, `document.querySelector('[data-testid="send-result"]')?.textContent === ${JSON.stringify(`Sent to ${CHROMIUM_NAME}`)}`, 15_000);
    await syncNow(chromium);
    await expect.poll(async () => (await chromiumTabs(chromium!)).filter((t) => t.url === back).map((t) => t.title), { timeout: 15_000 }).toEqual(['Sent from Firefox']);
    await expect.poll(async () => Object.keys(await chromium!.worker.evaluate(() => chrome.notifications.getAll())), { timeout: 10_000 })
      .toEqual([expect.stringMatching(/^syncbridge-tab-received:/)]);
  });
});
