// The tabs engine against the real local stack (the demo account holds a Firefox desktop's tabs).
import { afterEach, describe, expect, test } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_CLIENT_NAME } from '../../../server/identity/demo/fixtures.ts';
import { startDemoHarness, startHarness, type Harness } from '../../test-support/syncHarness.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../../server/identity/demo/fixtures.ts';
import { FakeTabsApi } from './local/fakeTabsApi.ts';
import { MAX_TITLE_BYTES, TABS_TTL_SECONDS, truncateTitle } from './record.ts';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function ourClientId(hh: Harness): Promise<string> {
  return (await hh.syncState.loadClientsState()).clientId;
}

describe('tabs: our record as Firefox writes it', () => {
  test('one record under our clients id: clientName, tabs newest first with seconds, icons, pinned; TTL 180 days', async () => {
    h = await startDemoHarness();
    const api = new FakeTabsApi();
    const now = Date.now();
    api.open('https://a.example/', { title: 'A', favIconUrl: 'https://a.example/favicon.ico', lastAccessed: now - 5000.7, pinned: true });
    api.open('https://b.example/', { title: 'B', favIconUrl: 'data:image/png;base64,AAAA', lastAccessed: now - 1000, groupId: 7 });
    api.open('https://c.example/', { title: 'C', lastAccessed: now - 99_000 });
    await h.sync({ tabs: api });

    const id = await ourClientId(h);
    const records = await h.decryptedRecords('tabs');
    expect(records.get(id)).toEqual({
      id, clientName: 'Chromium on Linux',
      tabs: [
        { title: 'B', urlHistory: ['https://b.example/'], icon: '', lastUsed: Math.floor((now - 1000) / 1000), tabGroupId: '7' },
        { title: 'A', urlHistory: ['https://a.example/'], icon: 'https://a.example/favicon.ico', lastUsed: Math.floor((now - 5000.7) / 1000), pinned: true },
        { title: 'C', urlHistory: ['https://c.example/'], icon: '', lastUsed: Math.floor((now - 99_000) / 1000) },
      ],
    });
    // Firefox finds our client by the same id.
    expect((await h.decryptedRecords('clients')).get(id)).toMatchObject({ id, name: 'Chromium on Linux' });
    const bso = (await h.serverRecords('tabs')).find((b) => b.id === id) as { modified: number; expiresAt?: number; sortindex?: number };
    expect(Math.round((bso.expiresAt! - bso.modified * 1000) / 1000)).toBe(TABS_TTL_SECONDS);
    expect(bso.sortindex).toBeUndefined();
  });

  test('incognito tabs and pages Firefox leaves out never reach the server; titles are cut to 512 bytes with "…"', async () => {
    h = await startDemoHarness();
    const api = new FakeTabsApi();
    api.open('https://private.example/', { title: 'Private', incognito: true });
    for (const url of ['about:blank', 'chrome://settings/', 'chrome-extension://abc/popup.html', 'moz-extension://abc/x.html', 'file:///home/me/a.txt', 'data:text/html,hi', 'blob:https://a.example/1', 'view-source:https://a.example/', 'devtools://devtools/bundled/inspector.html', 'edge://settings', 'brave://rewards', `https://long.example/${'x'.repeat(70_000)}`]) api.open(url);
    const long = 'é'.repeat(400); // 800 bytes
    api.open('https://kept.example/', { title: long });
    await h.sync({ tabs: api });
    const rec = (await h.decryptedRecords('tabs')).get(await ourClientId(h)) as { tabs: Array<{ title: string; urlHistory: string[] }> };
    expect(rec.tabs.map((t) => t.urlHistory[0])).toEqual(['https://kept.example/']);
    const title = rec.tabs[0]!.title;
    expect(title.endsWith('…')).toBe(true);
    expect(new TextEncoder().encode(title).length).toBeLessThanOrEqual(MAX_TITLE_BYTES);
    expect(title).toBe(truncateTitle(long));
    expect(title.length).toBe(1 + Math.floor((MAX_TITLE_BYTES - 3) / 2));
  });

  test('too big for the server’s max_record_payload_bytes: the least recently used tabs are left out', async () => {
    h = await startHarness({ demo: true, limits: { max_record_payload_bytes: 8 * 1024 } });
    await h.signIn(DEMO_EMAIL, DEMO_PASSWORD);
    const api = new FakeTabsApi();
    const now = Date.now();
    for (let i = 0; i < 200; i++) api.open(`https://many.example/${i}`, { title: `Tab number ${i} with a title`, lastAccessed: now - i * 1000 });
    const result = await h.sync({ tabs: api });
    expect(result.outcome).toBe('success');
    const rec = (await h.decryptedRecords('tabs')).get(await ourClientId(h)) as { tabs: Array<{ urlHistory: string[] }> };
    expect(rec.tabs.length).toBeGreaterThan(10);
    expect(rec.tabs.length).toBeLessThan(200);
    // The most recently used ones, in order.
    expect(rec.tabs.map((t) => t.urlHistory[0])).toEqual(Array.from({ length: rec.tabs.length }, (_, i) => `https://many.example/${i}`));
    const id = await ourClientId(h);
    const raw = (await h.serverRecords('tabs')).find((b) => b.id === id);
    expect(new TextEncoder().encode(raw!.payload).length).toBeLessThanOrEqual(8 * 1024);
  });
});

describe('tabs: other devices and when we upload', () => {
  test('other devices’ tabs are kept; our record goes up only when our tabs changed', async () => {
    h = await startDemoHarness();
    const api = new FakeTabsApi();
    const tab = api.open('https://a.example/', { title: 'A', lastAccessed: 1_700_000_000_000 });
    await h.sync({ tabs: api });
    const state = await h.syncState.loadTabsState();
    expect(state.others.map((o) => [o.clientId, o.clientName])).toEqual([[DEMO_CLIENT_ID, DEMO_CLIENT_NAME]]);
    expect(state.others[0]!.tabs[0]).toMatchObject({ title: 'Firefox Sync – Mozilla Support', urlHistory: ['https://support.mozilla.org/en-US/kb/sync', 'https://support.mozilla.org/en-US/'] });

    h.requests.length = 0;
    await h.sync({ tabs: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/tabs/.test(r))).toEqual([]);

    tab.title = 'A, renamed';
    await h.sync({ tabs: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/tabs/.test(r))).toHaveLength(1);
    expect((await h.decryptedRecords('tabs')).get(await ourClientId(h))).toMatchObject({ tabs: [{ title: 'A, renamed' }] });
  });
});

describe('tabs: no upload when nothing changed', () => {
  test('Firefox reports the selected tab as used "now" on every read: that alone sends nothing', async () => {
    h = await startDemoHarness();
    const api = new FakeTabsApi();
    const selected = api.open('https://selected.example/', { title: 'S', active: true, lastAccessed: Date.now() });
    api.open('https://other.example/', { title: 'O', lastAccessed: 1_700_000_000_000 });
    await h.sync({ tabs: api });
    h.requests.length = 0;
    selected.lastAccessed = Date.now() + 60_000;
    await h.sync({ tabs: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/tabs/.test(r))).toEqual([]);
    // Switching tabs still goes up: the tab left behind has a new lastUsed.
    selected.active = false;
    selected.lastAccessed = Date.now() + 120_000;
    await h.sync({ tabs: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/tabs/.test(r))).toHaveLength(1);
  });

  test('a record trimmed to the size limit is not sent again while the tabs stay the same', async () => {
    h = await startHarness({ demo: true, limits: { max_record_payload_bytes: 8 * 1024 } });
    await h.signIn(DEMO_EMAIL, DEMO_PASSWORD);
    const api = new FakeTabsApi();
    for (let i = 0; i < 200; i++) api.open(`https://many.example/${i}`, { title: `Tab ${i}`, lastAccessed: 1_700_000_000_000 - i * 1000 });
    await h.sync({ tabs: api });
    h.requests.length = 0;
    await h.sync({ tabs: api });
    expect(h.requests.filter((r) => /^POST .*\/storage\/tabs/.test(r))).toEqual([]);
  });
});
