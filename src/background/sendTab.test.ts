// The background's Send Tab against the local stack's demo account, with the browser as fakes: the
// context menu lists the demo Firefox device and sends to it, a tab sent here opens after a sync with
// a notification that shows it when clicked, focus polls are throttled, sign-out removes the menu and
// the alarm, and our bundles are published again when the account lost them or the key changed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, loginV1, session } from '../../server/identity/test-support/stack.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';
import { startDemoHarness, type Harness } from '../test-support/syncHarness.ts';
import { createLogHub } from '../log/logger.ts';
import { listDevices } from '../account/devices.ts';
import { CLOSE_URI_COMMAND, OPEN_URI_COMMAND } from '../account/commandKeys.ts';
import { AccountDevices } from './accountDevices.ts';
import { DEVICE_COMMANDS_ALARM, FOCUS_POLL_INTERVAL_MS, MENU_ROOT_ID, SendTabService, type MenuItemSpec } from './sendTab.ts';

class FakePorts {
  openTabsList: Array<{ id: number; url: string }> = [];
  focused: number[] = [];
  shown: Array<{ id: string; title: string; message: string }> = [];
  cleared: string[] = [];
  menu: MenuItemSpec[] | null = null;
  menuWrites = 0;
  alarms = new Map<string, number>();
  private next = 7;
  tabs = {
    open: async (url: string) => {
      const id = this.next++;
      this.openTabsList.push({ id, url });
      return id;
    },
    openTabs: async () => [...this.openTabsList],
    close: async (ids: number[]) => {
      this.openTabsList = this.openTabsList.filter((t) => !ids.includes(t.id));
    },
    focus: async (tabId: number) => void this.focused.push(tabId),
  };
  notifications = {
    show: async (id: string, title: string, message: string) => void this.shown.push({ id, title, message }),
    clear: async (id: string) => void this.cleared.push(id),
  };
  menus = {
    set: async (items: MenuItemSpec[] | null) => {
      this.menu = items;
      this.menuWrites++;
    },
  };
  alarmsPort = {
    ensure: async (name: string, period: number) => void this.alarms.set(name, period),
    clear: async (name: string) => void this.alarms.delete(name),
  };
}

let h: Harness;
let ports: FakePorts;
let now: number;
let service: SendTabService;

function build(): SendTabService {
  const devices = new AccountDevices({ account: () => h.accounts.account() });
  return new SendTabService({
    accounts: h.accounts, devices, log: createLogHub({ console: null }).logger, now: () => now,
    ports: { tabs: ports.tabs, notifications: ports.notifications, menus: ports.menus, alarms: ports.alarmsPort },
  });
}

beforeEach(async () => {
  h = await startDemoHarness();
  ports = new FakePorts();
  now = 1_000_000;
  service = build();
});
afterEach(async () => {
  await h.close();
});

const demoId = async () => {
  const account = (await h.accounts.account())!;
  return (await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } })).find((d) => d.name === DEMO_CLIENT_NAME)!.id;
};

describe('background send tab', () => {
  it('start: the one-minute alarm; browser start: "Send to device" listing the demo Firefox device', async () => {
    await service.start();
    expect(ports.alarms.get(DEVICE_COMMANDS_ALARM)).toBe(1);
    expect(ports.menuWrites).toBe(0); // a worker start reaches no network
    await service.browserStarted();
    expect(ports.menu).toEqual([
      { id: MENU_ROOT_ID, title: 'Send to device' },
      { id: `syncbridge-send-to:${await demoId()}`, title: DEMO_CLIENT_NAME, parentId: MENU_ROOT_ID },
    ]);
    // Unchanged targets: the menu is not rebuilt.
    expect(await service.refreshMenu()).toBe(false);
    expect(ports.menuWrites).toBe(1);
    expect(await service.targets()).toEqual([{ id: await demoId(), name: DEMO_CLIENT_NAME, type: 'desktop', lastAccessTime: expect.any(Number) }]);
  });

  it('a menu click sends the link (or the page) to the device, and says so; failures in words; nothing from private windows', async () => {
    const target = `syncbridge-send-to:${await demoId()}`;
    await service.menuClicked({ menuItemId: target, linkUrl: 'https://example.com/linked', linkText: ' A link ' }, { url: 'https://example.com/page', title: 'Page' });
    await service.menuClicked({ menuItemId: target }, { url: 'https://example.com/page', title: 'Page' });
    const received = await h.demoDevice.received();
    expect(received.map((c) => c.decrypted)).toMatchObject([
      { entries: [{ title: 'A link', url: 'https://example.com/linked' }] },
      { entries: [{ title: 'Page', url: 'https://example.com/page' }] },
    ]);
    expect(ports.shown.map((s) => s.title)).toEqual([`Sent to ${DEMO_CLIENT_NAME}`, `Sent to ${DEMO_CLIENT_NAME}`]);

    await service.menuClicked({ menuItemId: 'syncbridge-send-to:' + 'f'.repeat(32) }, { url: 'https://example.com/', title: 'x' });
    expect(ports.shown.at(-1)).toMatchObject({ title: 'Could not send the tab', message: 'That device is no longer connected to your account.' });
    await service.menuClicked({ menuItemId: target }, { url: 'chrome://settings/', title: 'Settings' });
    expect(ports.shown.at(-1)).toMatchObject({ title: 'Could not send the tab', message: 'Only web pages (http and https addresses) can be sent to another device.' });
    await service.menuClicked({ menuItemId: target }, { url: 'https://example.com/private', title: 'Private', incognito: true });
    expect(ports.shown.at(-1)).toMatchObject({ title: 'Tab not sent' });
    await service.menuClicked({ menuItemId: 'someone-else' }, { url: 'https://example.com/', title: 'x' });
    expect(await h.demoDevice.received()).toHaveLength(2);
  });

  it('after a sync, a tab sent here opens with "Tab received from …"; clicking it shows the tab', async () => {
    await h.demoDevice.sendTab({ url: 'https://example.org/sent', title: 'Sent here' });
    await h.sync({ afterSync: () => service.afterSync() });
    expect(ports.openTabsList).toEqual([{ id: 7, url: 'https://example.org/sent' }]);
    expect(ports.shown).toEqual([{ id: expect.stringMatching(/^syncbridge-tab-received:7:/), title: `Tab received from ${DEMO_CLIENT_NAME}`, message: 'Sent here' }]);
    expect(ports.alarms.get(DEVICE_COMMANDS_ALARM)).toBe(1);
    expect(ports.menu?.[1]?.title).toBe(DEMO_CLIENT_NAME);
    // A restarted worker still finds the tab from the notification's id.
    await build().notificationClicked(ports.shown[0]!.id);
    expect(ports.focused).toEqual([7]);
    expect(ports.cleared).toEqual([ports.shown[0]!.id]);
    await service.notificationClicked('another-extension-notification');
    expect(ports.focused).toEqual([7]);
  });

  it('polls on focus at most every 30 s; the alarm and start-up always poll', async () => {
    await h.demoDevice.sendTab({ url: 'https://example.org/1', title: '1' });
    expect(await service.poll('focus')).toMatchObject({ opened: 1 });
    await h.demoDevice.sendTab({ url: 'https://example.org/2', title: '2' });
    expect(await service.poll('focus')).toBeNull();
    now += FOCUS_POLL_INTERVAL_MS;
    expect(await service.poll('focus')).toMatchObject({ opened: 1 });
    await h.demoDevice.sendTab({ url: 'https://example.org/3', title: '3' });
    expect(await service.poll('alarm')).toMatchObject({ opened: 1 });
    expect(await service.poll('startup')).toMatchObject({ opened: 0 });
    expect(ports.openTabsList.map((t) => t.url)).toEqual(['https://example.org/1', 'https://example.org/2', 'https://example.org/3']);
  });

  it('sign-in: the alarm and the menu at once (even if the first sync waits for an answer); sign-out: no alarm, no menu, no targets', async () => {
    await service.signedIn();
    expect(ports.alarms.get(DEVICE_COMMANDS_ALARM)).toBe(1);
    expect(ports.menu?.map((m) => m.title)).toEqual(['Send to device', DEMO_CLIENT_NAME]);
    await h.controller.signOut();
    await service.signedOut();
    expect(ports.alarms.has(DEVICE_COMMANDS_ALARM)).toBe(false);
    expect(ports.menu).toBeNull();
    expect(await service.targets()).toEqual([]);
  });

  it('our bundles go up again when the account lost them, and after a key change (another kid)', async () => {
    const account = (await h.accounts.account())!;
    const ours = async () => (await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } })).find((d) => d.isCurrentDevice)!;
    const published = (await ours()).availableCommands;
    expect(Object.keys(published).sort()).toEqual([CLOSE_URI_COMMAND, OPEN_URI_COMMAND].sort());

    // Nothing changed: a sync makes no device request.
    h.requests.length = 0;
    await h.sync();
    expect(h.requests.filter((r) => r.endsWith('/v1/account/device'))).toEqual([]);

    // Another device joining changes the list, but our bundles are intact: nothing to repair.
    const token = String((await loginV1(h.origin, DEMO_EMAIL, DEMO_PASSWORD)).reply.body.sessionToken);
    expect((await call(h.origin, 'POST', '/v1/account/device', { headers: session(token), json: { name: 'Phone' } })).status).toBe(200);
    await service.refreshMenu(); // reads the device list
    expect((await h.accounts.commandKeys())!.published).not.toBeNull();
    // The server's copy of ours is lost (say, overwritten by a stale client): the list shows it, the next sync repairs it.
    const state = (h.server.identity as unknown as { state: { devices: Map<string, { availableCommands: Record<string, string> }> } }).state;
    state.devices.get(account.deviceId!)!.availableCommands = {};
    await build().refreshMenu(); // the list is read; its change is handled as it arrives
    await vi.waitFor(async () => expect((await h.accounts.commandKeys())!.published).toBeNull());
    h.requests.length = 0;
    await h.sync();
    expect(h.requests.filter((r) => r.endsWith('/v1/account/device'))).toEqual(['POST /v1/account/device']);
    expect(Object.keys((await ours()).availableCommands).sort()).toEqual([CLOSE_URI_COMMAND, OPEN_URI_COMMAND].sort());

    // Published under another kid (a key change): published again, with the same key pairs.
    const keys = (await h.accounts.commandKeys())!;
    await h.accounts.saveCommandKeys({ ...keys, published: { ...keys.published!, kid: 'ab'.repeat(16) } });
    h.requests.length = 0;
    await h.sync();
    expect(h.requests.filter((r) => r.endsWith('/v1/account/device'))).toEqual(['POST /v1/account/device']);
    const after = (await h.accounts.commandKeys())!;
    expect(after.keys).toEqual(keys.keys);
    expect(after.published?.kid).toBe(keys.published!.kid);
    // A rename alone leaves the bundles as published (the server's copy stays what we recorded).
    await h.controller.setDeviceName('Renamed browser');
    await h.sync();
    expect((await ours()).name).toBe('Renamed browser');
    expect((await ours()).availableCommands).toEqual((await h.accounts.commandKeys())!.published!.availableCommands);
    // Tabs still reach us.
    await h.demoDevice.sendTab({ url: 'https://example.org/after', title: 'After' });
    expect(await service.poll('alarm')).toMatchObject({ opened: 1 });
  });
});
