// Tabs and Send Tab in Chromium through the real extension and the local stack: the popup's "Tabs
// from other devices" (the demo Firefox desktop's tabs, another Chromium profile's), this browser's
// own tabs as Firefox's Synced Tabs reads them (never chrome:// pages, never incognito tabs, which
// the popup does not send either), and tabs sent both ways — between two Chromium profiles and with
// the demo's Firefox desktop, whose close-tabs request closes the tab here.
//
// What Chromium 156 does here (seen while writing these tests):
// - Playwright's context.newPage() opens a tab in the one normal window and makes it active; the
//   extension's pages opened as tabs are ordinary tabs of that window;
// - "Allow in Incognito" can be switched on through chrome://extensions' developerPrivate API, with
//   developer mode on (otherwise the reloaded unpacked extension is disabled); the extension reloads;
//   chrome.windows.create({incognito: true}) then opens a window whose tabs the extension sees, with
//   `incognito: true` (without the permission it sees none of them);
// - chrome.notifications work headless; getAll() gives only the ids (the title and message are
//   recorded by wrapping notifications.create in the service worker);
// - chrome.action.openPopup({windowId}) opens the real toolbar popup headless; Playwright does not
//   list it as a page, but chrome.extension.getViews({type: 'popup'}) from another extension page
//   reaches its document.
//
// The popup's "Send this tab to…" sends the active tab of its window: the popup is opened as a tab,
// then a web page is opened after it in the same window (so the page is the active tab), and the
// popup, now a background tab, is driven from there with Playwright's clicks (it re-reads the active
// tab and its targets on status changes, and the active tab again when a device is chosen). The real
// popup is used where its window matters: an incognito window's.
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromiumWithExtension, type ChromiumExtension, type LaunchOptions } from '../support/chromium.ts';
import { startLocalStack, type LocalStack } from '../support/stack.ts';
import { ICON_PATH, startPageServer, type PageServer } from '../support/pageServer.ts';
import { OPTIONS, POPUP, signInWithPassword, syncNow } from '../support/chromiumUi.ts';
import { readShownRemoteTabs, type ShownRemoteDevice } from '../support/tabsUi.ts';
import { DEMO_CLIENT_ID, DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD, demoTabs } from '../../server/identity/demo/fixtures.ts';
import { recordNotifications, shownNotifications } from '../support/notifications.ts';

interface RecordTab { title: string; urlHistory: string[]; icon: string; lastUsed: number; pinned?: boolean }
interface TabsRecord { id: string; clientName: string; tabs: RecordTab[] }
interface ClientRecord { id: string; name: string; fxaDeviceId?: string }

let stack: LocalStack;
let site: PageServer;
const browsers: ChromiumExtension[] = [];

beforeEach(async () => {
  stack = await startLocalStack();
  site = await startPageServer({
    '/one': { title: 'Page one', links: ['/two'] },
    '/two': { title: 'Page two, reached by a link' },
    '/iconic': { title: 'A page with a favicon', icon: true },
    '/private': { title: 'Opened in incognito' },
    '/from-a': { title: 'Open in profile A' },
    '/to-send': { title: 'Sent from profile A' },
    '/close-me': { title: 'Closed by the demo desktop' },
    '/keep-me': { title: 'Stays open' },
    '/from-demo': { title: 'Sent by the demo desktop' },
    '/to-demo': { title: 'Sent to the demo desktop' },
  });
});
afterEach(async () => {
  for (const b of browsers.splice(0)) await b.close();
  await site?.close();
  await stack?.close();
});

async function launch(opts: LaunchOptions = {}): Promise<ChromiumExtension> {
  const ext = await launchChromiumWithExtension(opts);
  browsers.push(ext);
  return ext;
}

/** Signs in (and names the device, then syncs so that the account and the other devices know the name). */
async function signIn(ext: ChromiumExtension, name?: string): Promise<void> {
  const options = await signInWithPassword(ext, stack.origin, DEMO_EMAIL, DEMO_PASSWORD);
  await expect.poll(() => options.getByTestId('status').textContent(), { timeout: 30_000 }).toMatch(/^Last synced/);
  if (name !== undefined) {
    await options.getByLabel('Device name').fill(name);
    await options.getByRole('button', { name: 'Save name' }).click();
    await expect.poll(async () => (await clientRecords()).some((c) => c.name === name), { timeout: 20_000 }).toBe(true);
    await syncNow(ext);
  }
  await options.close();
}

async function clientRecords(): Promise<ClientRecord[]> {
  return (await stack.demoRecords('clients')) as unknown as ClientRecord[];
}

async function tabsRecords(): Promise<TabsRecord[]> {
  return (await stack.demoRecords('tabs')) as unknown as TabsRecord[];
}

/** The FxA devices of the demo account, as the stack holds them. */
function accountDevices(): Array<{ id: string; name: string; availableCommands: Record<string, string> }> {
  const state = (stack.server.identity as unknown as { state: { devices: Map<string, { id: string; uid: string; name: string; availableCommands: Record<string, string> }> } }).state;
  const demo = [...state.devices.values()].find((d) => d.name === DEMO_CLIENT_NAME)!;
  return [...state.devices.values()].filter((d) => d.uid === demo.uid);
}

/** What the popup's "Tabs from other devices" shows, per device, in page order. */
async function shownRemoteTabs(popup: Page): Promise<ShownRemoteDevice[]> {
  return popup.evaluate(readShownRemoteTabs);
}

interface OpenTab { id: number; windowId: number; url: string; title: string; incognito: boolean; active: boolean; lastAccessed: number; favIconUrl: string; pinned: boolean }

/** Every tab of the browser, as the extension sees them. */
async function openTabs(ext: ChromiumExtension): Promise<OpenTab[]> {
  return ext.worker.evaluate(async () => (await chrome.tabs.query({})).map((t) => ({
    id: t.id!, windowId: t.windowId, url: t.url ?? '', title: t.title ?? '', incognito: t.incognito, active: t.active,
    lastAccessed: (t as { lastAccessed?: number }).lastAccessed ?? 0, favIconUrl: t.favIconUrl ?? '', pinned: t.pinned,
  })));
}

/** What the demo desktop received, decrypted by the stack with its keys. */
async function demoReceived(): Promise<Array<{ command: string; sender: string | null; decrypted: unknown }>> {
  const res = await fetch(`${stack.origin}/__test__/demo/received`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { commands: Array<{ command: string; sender: string | null; decrypted: unknown }> }).commands
    .map((c) => ({ command: c.command, sender: c.sender, decrypted: c.decrypted }));
}

/**
 * Opens the popup as a tab, then `url` in a new tab after it (the active tab of the window, what
 * "Send this tab to…" sends), and waits until the popup, re-reading on a status change, offers to send.
 */
async function popupBehindPage(ext: ChromiumExtension, url: string): Promise<{ popup: Page; page: Page }> {
  const popup = await ext.openPage(POPUP);
  const page = await ext.context.newPage();
  await page.goto(url);
  await page.bringToFront();
  await expect.poll(async () => (await openTabs(ext)).find((t) => t.active)?.url, { timeout: 10_000 }).toBe(url);
  // Any status change makes the popup re-read the active tab and the targets: a sync is one.
  await popup.evaluate(() => chrome.runtime.sendMessage({ type: 'syncNow' }));
  await expect.poll(() => popup.getByRole('button', { name: 'Send this tab to…' }).isEnabled(), { timeout: 20_000 }).toBe(true);
  return { popup, page };
}

describe('Chromium: tabs and Send Tab', () => {
  test('in the demo, the popup lists the Firefox desktop’s tabs under “Tabs from other devices”; one click opens one', async () => {
    const ext = await launch();
    await signIn(ext);
    const popup = await ext.openPage(POPUP);
    const section = popup.getByTestId('remote-tabs');
    await expect.poll(() => section.isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => section.getByRole('heading', { level: 2 }).textContent()).toBe('Tabs from other devices');

    // Every demo tab: the record is fresh (not stale) and Firefox shows inactive tabs too; most recently used first.
    const demo = demoTabs(Date.now());
    await expect.poll(() => shownRemoteTabs(popup), { timeout: 15_000 }).toEqual([{
      name: DEMO_CLIENT_NAME,
      type: 'Desktop',
      tabs: [...demo.tabs].sort((a, b) => b.lastUsed - a.lastUsed).map((t) => ({ title: t.title, host: new URL(t.urlHistory[0]!).host, href: t.urlHistory[0]! })),
    }]);
    expect(await section.getByRole('heading', { level: 3 }).allTextContents()).toEqual([DEMO_CLIENT_NAME]);
    expect(await popup.getByTestId('remote-tabs-message').textContent()).toBe('');
    // Four tabs: no filter box (it comes after eight).
    expect(await popup.getByLabel('Filter tabs').isVisible()).toBe(false);

    // Only loopback is reachable: the navigation the click starts is answered here.
    const target = 'https://developer.mozilla.org/en-US/';
    const navigations: string[] = [];
    await ext.context.route('https://developer.mozilla.org/**', async (route) => {
      if (route.request().isNavigationRequest()) navigations.push(route.request().url());
      await route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>MDN Web Docs</title>' });
    });
    const before = (await openTabs(ext)).length;
    await section.getByRole('link', { name: 'MDN Web Docs' }).click();
    await expect.poll(() => navigations, { timeout: 15_000 }).toEqual([target]);
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.url === target).map((t) => t.title), { timeout: 15_000 }).toEqual(['MDN Web Docs']);
    // One new tab; the popup closed itself.
    await expect.poll(() => popup.isClosed(), { timeout: 5_000 }).toBe(true);
    expect((await openTabs(ext)).length).toBe(before);
  });

  test('Chromium’s tabs reach the server about 5 s after a change, as Firefox’s Synced Tabs reads them; chrome:// and incognito tabs never do', async () => {
    const ext = await launch({ allowIncognito: true });
    await signIn(ext);
    const start = Date.now();

    // Tabs that must stay here: a browser page, and a web page in an incognito window the extension can see.
    const version = await ext.context.newPage();
    await version.goto('chrome://version');
    await ext.worker.evaluate((url) => chrome.windows.create({ incognito: true, url }), site.url('/private'));
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.url === site.url('/private')).map((t) => ({ incognito: t.incognito, title: t.title })), { timeout: 15_000 })
      .toEqual([{ incognito: true, title: 'Opened in incognito' }]);
    expect((await openTabs(ext)).some((t) => t.url === 'chrome://version/')).toBe(true);

    // Web pages: one reached by a link from another (its urlHistory), one with a favicon, pinned.
    const nav = await ext.context.newPage();
    await nav.goto(site.url('/one'));
    await nav.click('#to-two');
    await nav.waitForURL(site.url('/two'));
    const iconic = await ext.context.newPage();
    await iconic.goto(site.url('/iconic'));
    await expect.poll(async () => (await openTabs(ext)).find((t) => t.url === site.url('/iconic'))?.favIconUrl, { timeout: 15_000 }).toBe(site.url(ICON_PATH));
    await ext.worker.evaluate(async (url) => {
      const [tab] = await chrome.tabs.query({ url });
      await chrome.tabs.update(tab!.id!, { pinned: true });
    }, site.url('/iconic'));
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.pinned).map((t) => t.url)).toEqual([site.url('/iconic')]);
    await expect.poll(async () => (await openTabs(ext)).find((t) => t.url === site.url('/two'))?.title).toBe('Page two, reached by a link');
    const changed = Date.now();

    // No Sync now: the quick write sends them.
    const clients = await clientRecords();
    const ours = clients.filter((c) => c.id !== DEMO_CLIENT_ID);
    expect(ours).toHaveLength(1);
    const me = ours[0]!;
    const ourRecord = async (): Promise<TabsRecord | undefined> => (await tabsRecords()).find((r) => r.id === me.id);
    await expect.poll(async () => {
      const urls = (await ourRecord())?.tabs.map((t) => t.urlHistory[0]) ?? [];
      return urls.includes(site.url('/two')) && urls.includes(site.url('/iconic'));
    }, { timeout: 20_000, interval: 250 }).toBe(true);
    const arrived = stack.rawRecords('tabs').find((r) => r.id === me.id)!.modified * 1000;
    // About 5 s after the last change, not with the next history sync (20 s after the visits) or the periodic one.
    expect(arrived - changed).toBeLessThan(15_000);

    // As Firefox reads it: under our clients record's id, which Firefox lists (it has our FxA device).
    const record = (await ourRecord())!;
    const probe = await ext.openPage(OPTIONS);
    const account = (await probe.evaluate(() => chrome.runtime.sendMessage({ type: 'getAccount' }))) as { value: { deviceName: string } };
    expect(me.name).toBe(account.value.deviceName);
    expect(accountDevices().map((d) => d.id)).toContain(me.fxaDeviceId);
    expect(Object.keys(record).sort()).toEqual(['clientName', 'id', 'tabs']);
    expect(record.clientName).toBe(account.value.deviceName);

    const now = await openTabs(ext);
    const seconds = (url: string): number => Math.floor(now.find((t) => t.url === url)!.lastAccessed / 1000);
    expect(record.tabs).toEqual(expect.arrayContaining([
      { title: 'Page two, reached by a link', urlHistory: [site.url('/two'), site.url('/one')], icon: '', lastUsed: seconds(site.url('/two')) },
      { title: 'A page with a favicon', urlHistory: [site.url('/iconic')], icon: site.url(ICON_PATH), lastUsed: seconds(site.url('/iconic')), pinned: true },
    ]));
    for (const t of record.tabs) {
      expect(Number.isInteger(t.lastUsed), t.title).toBe(true);
      expect(t.lastUsed * 1000, t.title).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000 - 60_000);
      expect(t.lastUsed * 1000, t.title).toBeLessThanOrEqual(Date.now());
    }
    const lastUsed = record.tabs.map((t) => t.lastUsed);
    expect(lastUsed).toEqual([...lastUsed].sort((a, b) => b - a));
    // Web pages only: not chrome://version, not the incognito tab, not the extension's own pages, not about:blank.
    const everyUrl = record.tabs.flatMap((t) => t.urlHistory);
    expect(everyUrl.filter((u) => !u.startsWith(site.origin))).toEqual([]);
    expect(everyUrl).not.toContain(site.url('/private'));
    // …while those tabs are still open here.
    expect((await openTabs(ext)).map((t) => t.url)).toEqual(expect.arrayContaining(['chrome://version/', site.url('/private')]));

  });

  test('incognito: the toolbar popup of an incognito window does not send its tab; a tab received while it is focused opens in a normal window', async () => {
    const ext = await launch({ allowIncognito: true });
    await signIn(ext);
    const me = (await clientRecords()).find((c) => c.id !== DEMO_CLIENT_ID)!;
    const probe = await ext.openPage(OPTIONS);
    await ext.worker.evaluate((url) => chrome.windows.create({ incognito: true, url }), site.url('/private'));
    await expect.poll(async () => (await openTabs(ext)).find((t) => t.url === site.url('/private'))?.title, { timeout: 15_000 }).toBe('Opened in incognito');
    const incognito = (await openTabs(ext)).find((t) => t.url === site.url('/private'))!;
    expect(incognito.incognito).toBe(true);

    // The real popup of that window (chrome.action.openPopup), read from the extension page opened
    // before it (one process in spanning mode); a focus change would close it, so nothing else opens
    // meanwhile. It offered to send the incognito tab, and the tab reached the other device.
    await ext.worker.evaluate(async (windowId) => {
      await chrome.windows.update(windowId, { focused: true });
      await chrome.action.openPopup({ windowId });
    }, incognito.windowId);
    await expect.poll(() => probe.evaluate(() => chrome.extension.getViews({ type: 'popup' }).map((v) => ({
      section: !(v.document.getElementById('send-section') as HTMLElement).hidden,
      button: (v.document.getElementById('send-tab') as HTMLButtonElement).disabled ? 'disabled' : 'enabled',
      hint: v.document.getElementById('send-hint')!.textContent,
    }))), { timeout: 15_000 }).toEqual([{ section: true, button: 'disabled', hint: 'Syncbridge does not send anything from private windows' }]);

    // A tab sent here while the incognito window is the focused one: it opens in the normal window.
    expect(await ext.worker.evaluate(async () => (await chrome.windows.getLastFocused()).incognito)).toBe(true);
    await stack.control('/__test__/demo/send-tab', { url: site.url('/from-demo'), title: 'Sent by the demo desktop', target: me.fxaDeviceId });
    await probe.evaluate(() => chrome.runtime.sendMessage({ type: 'syncNow' })); // a sync without opening or focusing anything
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.url === site.url('/from-demo')).map((t) => ({ incognito: t.incognito, inIncognitoWindow: t.windowId === incognito.windowId })), { timeout: 20_000 })
      .toEqual([{ incognito: false, inIncognitoWindow: false }]);
    expect(await demoReceived()).toEqual([]);
  });

  test('two profiles on one account: a tab open in A is under “Tabs from other devices” in B and opens there in one click', async () => {
    const a = await launch();
    await signIn(a, 'Profile A');
    const b = await launch();
    await signIn(b, 'Profile B');
    const url = site.url('/from-a');
    const tab = await a.context.newPage();
    await tab.goto(url);
    // A's quick write puts it on the server; B finds it with its next sync.
    await expect.poll(async () => (await tabsRecords()).some((r) => r.clientName === 'Profile A' && r.tabs.some((t) => t.urlHistory[0] === url)), { timeout: 20_000, interval: 250 }).toBe(true);
    await syncNow(b);

    const popup = await b.openPage(POPUP);
    const fromA = { name: 'Profile A', type: 'Desktop', tabs: [{ title: 'Open in profile A', host: new URL(url).host, href: url }] };
    await expect.poll(async () => (await shownRemoteTabs(popup)).find((d) => d.name === 'Profile A'), { timeout: 15_000 }).toEqual(fromA);
    // B's own tabs are not among them; the demo desktop's still are, after A (its tabs were used earlier).
    expect((await shownRemoteTabs(popup)).map((d) => d.name)).toEqual(['Profile A', DEMO_CLIENT_NAME]);

    const loads = site.requested.filter((p) => p === '/from-a').length;
    await popup.getByTestId('remote-tabs').getByRole('link', { name: 'Open in profile A' }).click();
    await expect.poll(async () => (await openTabs(b)).filter((t) => t.url === url).map((t) => t.title), { timeout: 15_000 }).toEqual(['Open in profile A']);
    expect(site.requested.filter((p) => p === '/from-a').length).toBe(loads + 1);
  });

  test('Send Tab between two profiles: A’s “Send this tab to…” → B; B opens it in a new tab and says “Tab received from Profile A”', async () => {
    const a = await launch();
    await signIn(a, 'Profile A');
    const b = await launch();
    await signIn(b, 'Profile B');
    // Before anything is sent: B may look for sent tabs at any sync from now on.
    await recordNotifications(b);
    const url = site.url('/to-send');
    const { popup } = await popupBehindPage(a, url);

    // The devices that accept tabs: B and the demo desktop, with their types; not A itself.
    await popup.getByRole('button', { name: 'Send this tab to…' }).click();
    const targets = popup.locator('#send-targets button');
    await expect.poll(() => targets.allTextContents()).toEqual(expect.arrayContaining(['Profile BDesktop', `${DEMO_CLIENT_NAME}Desktop`]));
    expect(await targets.count()).toBe(2);
    await popup.getByRole('button', { name: /^Profile B/ }).click();
    await expect.poll(() => popup.getByTestId('send-result').textContent(), { timeout: 15_000 }).toBe('Sent to Profile B');

    // B looks for sent tabs after every sync (also on focus and every minute): a sync here, not a minute's wait.
    await syncNow(b);
    await expect.poll(async () => (await openTabs(b)).filter((t) => t.url === url).map((t) => ({ title: t.title, incognito: t.incognito })), { timeout: 15_000 })
      .toEqual([{ title: 'Sent from profile A', incognito: false }]);
    const received = (await openTabs(b)).find((t) => t.url === url)!;
    const notes = await shownNotifications(b);
    expect(notes.recorded).toEqual([{ id: expect.stringMatching(/^syncbridge-tab-received:/), title: 'Tab received from Profile A', message: 'Sent from profile A' }]);
    // Shown by Chromium, and naming the tab it shows when clicked.
    expect(notes.live).toEqual([notes.recorded[0]!.id]);
    expect(notes.recorded[0]!.id.split(':')[1]).toBe(String(received.id));

    // Handled once: another sync opens nothing more.
    await syncNow(b);
    expect((await openTabs(b)).filter((t) => t.url === url)).toHaveLength(1);
    expect((await shownNotifications(b)).recorded).toHaveLength(1);
  });

  test('with the demo Firefox desktop: its close-tabs request closes the tab here, a tab it sends opens, and a tab sent to it arrives there', async () => {
    const ext = await launch();
    await signIn(ext);
    const me = (await clientRecords()).find((c) => c.id !== DEMO_CLIENT_ID)!;
    const close = await ext.context.newPage();
    await close.goto(site.url('/close-me'));
    const keep = await ext.context.newPage();
    await keep.goto(site.url('/keep-me'));

    await recordNotifications(ext);
    // "Close tabs on this device", as Firefox sends it to this browser's device.
    const closeSent = (await stack.control('/__test__/demo/close-tabs', { urls: [site.url('/close-me')] })) as { sent: Array<{ target: string }> };
    expect(closeSent.sent.map((s) => s.target)).toEqual([me.fxaDeviceId]);
    // A tab sent by the demo desktop.
    await stack.control('/__test__/demo/send-tab', { url: site.url('/from-demo'), title: 'Sent by the demo desktop', target: me.fxaDeviceId });
    // Carried out after the next sync (or a quick write's, whichever comes first).
    await syncNow(ext);

    await expect.poll(() => close.isClosed(), { timeout: 15_000 }).toBe(true);
    await expect.poll(async () => (await openTabs(ext)).filter((t) => t.url === site.url('/from-demo')).map((t) => t.title), { timeout: 15_000 })
      .toEqual(['Sent by the demo desktop']);
    const urls = (await openTabs(ext)).map((t) => t.url);
    expect(urls).not.toContain(site.url('/close-me'));
    expect(urls).toContain(site.url('/keep-me'));
    expect(keep.isClosed()).toBe(false);
    expect((await shownNotifications(ext)).recorded).toEqual([
      { id: expect.stringMatching(/^syncbridge-tab-received:/), title: `Tab received from ${DEMO_CLIENT_NAME}`, message: 'Sent by the demo desktop' },
    ]);

    // This browser sends a tab to the demo desktop, which decrypts it with its own keys.
    expect(await demoReceived()).toEqual([]);
    const { popup } = await popupBehindPage(ext, site.url('/to-demo'));
    await popup.getByRole('button', { name: 'Send this tab to…' }).click();
    await popup.getByRole('button', { name: new RegExp(`^${DEMO_CLIENT_NAME}`) }).click();
    await expect.poll(() => popup.getByTestId('send-result').textContent(), { timeout: 15_000 }).toBe(`Sent to ${DEMO_CLIENT_NAME}`);
    const got = await demoReceived();
    expect(got).toEqual([{
      command: 'https://identity.mozilla.com/cmd/open-uri',
      sender: me.fxaDeviceId,
      decrypted: { entries: [{ title: 'Sent to the demo desktop', url: site.url('/to-demo') }], flowID: expect.any(String), streamID: expect.any(String) },
    }]);
  });
});
