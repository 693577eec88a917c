// Send Tab in, against the local stack: the demo Firefox device sends this browser tabs and
// close-tabs requests (encrypted for the bundles we published); the receiver polls from the last
// handled index, handles each command once (also across a restart), never sees TTL-expired ones,
// closes matching tabs, and says who sent a tab.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_NAME } from '../../server/identity/demo/fixtures.ts';
import { startDemoHarness, type Harness } from '../test-support/syncHarness.ts';
import { createLogHub } from '../log/logger.ts';
import { CommandReceiver, type CommandIndexStore, type CommandNotice, type ReceivedTabsPort } from './deviceCommands.ts';
import { invokeCommand, listDevices } from './devices.ts';
import { OPEN_URI_COMMAND } from './commandKeys.ts';

/** The browser's tabs for these tests: opening appends, closing removes. */
class FakeTabs implements ReceivedTabsPort {
  tabs: Array<{ id: number; url: string }> = [];
  opened: string[] = [];
  private next = 100;
  failNextOpen = false;
  async open(url: string): Promise<number> {
    if (this.failNextOpen) {
      this.failNextOpen = false;
      throw new Error('worker killed');
    }
    const id = this.next++;
    this.tabs.push({ id, url });
    this.opened.push(url);
    return id;
  }
  async openTabs() {
    return this.tabs.map((t) => ({ ...t }));
  }
  async close(ids: number[]) {
    this.tabs = this.tabs.filter((t) => !ids.includes(t.id));
  }
}

let h: Harness;
let tabs: FakeTabs;
let notices: CommandNotice[];
let urls: string[];

beforeEach(async () => {
  h = await startDemoHarness();
  tabs = new FakeTabs();
  notices = [];
  urls = [];
});
afterEach(async () => {
  h.server.clock.offsetMs = 0;
  await h.close();
});

/** A receiver as the background builds one; a new one is what a restarted worker has. */
function receiver(o: { index?: CommandIndexStore; pageSize?: number } = {}): CommandReceiver {
  return new CommandReceiver({
    account: () => h.accounts.account(),
    keys: h.accounts,
    index: o.index ?? h.accounts,
    tabs,
    notify: async (n) => void notices.push(n),
    deviceName: async (id) => {
      const account = (await h.accounts.account())!;
      return (await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } })).find((d) => d.id === id)?.name ?? null;
    },
    log: createLogHub({ console: null }).logger,
    fetch: async (u, init) => {
      if (new URL(u).pathname.endsWith('/account/device/commands')) urls.push(new URL(u).search);
      return fetch(u, init);
    },
    ...(o.pageSize ? { pageSize: o.pageSize } : {}),
  });
}

const deviceId = async () => (await h.accounts.account())!.deviceId!;

describe('receiving tabs', () => {
  it('opens a tab sent from Firefox, says who sent it, and polls from index 0 then the last handled + 1', async () => {
    const r = receiver();
    expect(await r.poll()).toEqual({ opened: 0, closed: 0, ignored: 0 });
    expect(await h.accounts.commandIndex(await deviceId())).toBeNull(); // stored only when messages came
    const [sent] = await h.demoDevice.sendTab({ url: 'https://www.mozilla.org/en-US/firefox/', title: 'Firefox' });
    expect(sent!.target).toBe(await deviceId());
    expect(await r.poll()).toEqual({ opened: 1, closed: 0, ignored: 0 });
    expect(tabs.opened).toEqual(['https://www.mozilla.org/en-US/firefox/']);
    expect(notices).toEqual([{ title: `Tab received from ${DEMO_CLIENT_NAME}`, message: 'Firefox', tabId: 100 }]);
    expect(await h.accounts.commandIndex(await deviceId())).toBe(sent!.index);
    expect(await r.poll()).toEqual({ opened: 0, closed: 0, ignored: 0 });
    expect(urls).toEqual(['?index=0&limit=100', '?index=0&limit=100', `?index=${sent!.index + 1}&limit=100`]);
  });

  it('several tabs in one poll, paged; one notification per sender', async () => {
    for (const n of [1, 2, 3]) await h.demoDevice.sendTab({ url: `https://example.com/${n}`, title: `Page ${n}` });
    expect(await receiver({ pageSize: 2 }).poll()).toMatchObject({ opened: 3 });
    expect(tabs.opened).toEqual(['https://example.com/1', 'https://example.com/2', 'https://example.com/3']);
    expect(urls).toHaveLength(2);
    expect(notices).toEqual([{ title: `3 tabs received from ${DEMO_CLIENT_NAME}`, message: 'Page 1 and 2 more', tabId: 102 }]);
  });

  it('each command is handled once across a worker restart; a poll cut before its index is written handles it next time', async () => {
    await h.demoDevice.sendTab({ url: 'https://example.com/once', title: 'Once' });
    // The worker dies before the claim reaches IndexedDB: nothing was done, the next worker does it.
    const dying: CommandIndexStore = {
      commandIndex: (id) => h.accounts.commandIndex(id),
      saveCommandIndex: async () => {
        throw new Error('worker killed');
      },
    };
    await expect(receiver({ index: dying }).poll()).rejects.toThrow('worker killed');
    expect(tabs.opened).toEqual([]);
    expect(await receiver().poll()).toMatchObject({ opened: 1 });
    expect(await receiver().poll()).toMatchObject({ opened: 0 });
    expect(tabs.opened).toEqual(['https://example.com/once']);

    // Claimed, then the worker dies while opening the tab: at most once, it is not opened again.
    await h.demoDevice.sendTab({ url: 'https://example.com/lost', title: 'Lost' });
    tabs.failNextOpen = true;
    expect(await receiver().poll()).toMatchObject({ opened: 0 });
    expect(await receiver().poll()).toMatchObject({ opened: 0 });
    expect(tabs.opened).toEqual(['https://example.com/once']);
  });

  it('TTL-expired commands are not delivered (the server drops them)', async () => {
    await h.demoDevice.sendTab({ url: 'https://example.com/stale', title: 'Stale', ttl: 1 });
    await h.demoDevice.sendTab({ url: 'https://example.com/fresh', title: 'Fresh' });
    h.server.clock.offsetMs = 3_000;
    expect(await receiver().poll()).toEqual({ opened: 1, closed: 0, ignored: 0 });
    expect(tabs.opened).toEqual(['https://example.com/fresh']);
  });

  it('close-uri/v1 closes the open tabs showing one of its addresses', async () => {
    await tabs.open('https://a.example/');
    await tabs.open('https://a.example'); // the same address, spelled without the slash
    await tabs.open('https://b.example/page?q=1');
    await tabs.open('https://c.example/');
    tabs.opened = [];
    await h.demoDevice.closeTabs({ urls: ['https://a.example/', 'https://b.example/page?q=1', 'https://not-open.example/'] });
    expect(await receiver().poll()).toEqual({ opened: 0, closed: 3, ignored: 0 });
    expect(tabs.tabs.map((t) => t.url)).toEqual(['https://c.example/']);
    expect(notices).toEqual([]);
  });

  it('commands it cannot read are skipped for good; only web pages are opened', async () => {
    const account = (await h.accounts.account())!;
    const call = { config: account.server, auth: { refreshToken: account.refreshToken } };
    // Sent to ourselves: garbage, no payload, a command we do not know.
    await invokeCommand({ ...call, target: account.deviceId!, command: OPEN_URI_COMMAND, payload: { encrypted: 'bm90IGEgbWVzc2FnZQ' } });
    await invokeCommand({ ...call, target: account.deviceId!, command: OPEN_URI_COMMAND, payload: {} });
    await h.demoDevice.sendTab({ url: 'https://example.com/ok', title: 'OK' });
    await h.demoDevice.sendTab({ url: 'file:///etc/passwd', title: 'no' });
    expect(await receiver().poll()).toEqual({ opened: 1, closed: 0, ignored: 3 });
    expect(tabs.opened).toEqual(['https://example.com/ok']);
  });

  it('sign-out forgets the keys and the index', async () => {
    await h.demoDevice.sendTab({ url: 'https://example.com/', title: 'x' });
    await receiver().poll();
    const id = await deviceId();
    expect(await h.accounts.commandIndex(id)).not.toBeNull();
    await h.controller.signOut();
    expect(await h.accounts.commandKeys()).toBeNull();
    expect(await h.accounts.commandIndex(id)).toBeNull();
    expect(await receiver().poll()).toEqual({ opened: 0, closed: 0, ignored: 0 });
  });

  it('keys a sync still running makes after the sign-out are not kept (found in review)', async () => {
    const keys = await h.accounts.commandKeys();
    expect(keys).not.toBeNull();
    await h.controller.signOut();
    await h.accounts.saveCommandKeys(keys!);
    expect(await h.accounts.commandKeys()).toBeNull();
  });
});
