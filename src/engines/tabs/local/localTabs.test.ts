import { describe, expect, test } from 'vitest';
import { BrowserTabs, NavigationLog } from './localTabs.ts';
import { watchTabs, type TabEvents } from './tabsTracker.ts';
import { FakeTabsApi } from './fakeTabsApi.ts';

class Ev<A extends unknown[]> {
  readonly ls: Array<(...a: A) => void> = [];
  addListener(l: (...a: A) => void): void { this.ls.push(l); }
  emit(...a: A): void { for (const l of this.ls) l(...a); }
}

describe('this browser’s tabs', () => {
  test('urlHistory: the current URL first, then the tab’s earlier pages this worker saw, at most 5, sendable only', async () => {
    const api = new FakeTabsApi();
    const nav = new NavigationLog();
    const tab = api.open('https://e.example/');
    for (const u of ['https://a.example/', 'chrome://newtab/', 'https://b.example/', 'https://c.example/', 'https://d.example/', 'https://a.example/', 'https://e.example/']) nav.navigated(tab.id!, u);
    const [entry] = await new BrowserTabs({ api, navigations: nav }).list();
    expect(entry!.urlHistory).toEqual(['https://e.example/', 'https://a.example/', 'https://d.example/', 'https://c.example/', 'https://b.example/']);
    nav.closed(tab.id!);
    expect((await new BrowserTabs({ api, navigations: nav }).list())[0]!.urlHistory).toEqual(['https://e.example/']);
  });

  test('quick write: one sync about 5 s after a burst of tab changes; unrelated updates (loading state) ask for none', () => {
    const events = { onCreated: new Ev<[{ id?: number; url?: string }]>(), onRemoved: new Ev<[number]>(), onUpdated: new Ev<[number, Record<string, unknown>]>(), onActivated: new Ev<[{ tabId: number }]>() };
    const timers: Array<{ fn: () => void; ms: number }> = [];
    let syncs = 0;
    watchTabs({
      events: events as unknown as TabEvents, navigations: new NavigationLog(), requestSync: () => void syncs++,
      timer: { set: (fn, ms) => timers.push({ fn, ms }), clear: (h) => { const i = (h as number) - 1; if (timers[i]) timers[i] = { fn: () => undefined, ms: -1 }; } },
    });
    events.onUpdated.emit(1, { status: 'loading' });
    expect(timers).toHaveLength(0);
    events.onCreated.emit({ id: 1, url: 'https://a.example/' });
    events.onUpdated.emit(1, { title: 'A' });
    events.onActivated.emit({ tabId: 1 });
    const live = timers.filter((t) => t.ms >= 0);
    expect(live).toHaveLength(1);
    expect(live[0]!.ms).toBe(5000);
    return Promise.resolve().then(async () => {
      live[0]!.fn();
      await new Promise((r) => setTimeout(r, 0));
      expect(syncs).toBe(1);
    });
  });
});
