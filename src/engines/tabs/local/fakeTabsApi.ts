// Open tabs for Node tests, as `browser.tabs.query({windowType: 'normal'})` reports them.
import type { BrowserTab, TabsApi } from './api.ts';

export class FakeTabsApi implements TabsApi {
  private nextId = 1;
  readonly tabs: BrowserTab[] = [];
  queries = 0;

  open(url: string, opts: Partial<Omit<BrowserTab, 'url'>> = {}): BrowserTab {
    const tab: BrowserTab = { id: this.nextId++, windowId: 1, url, title: '', pinned: false, incognito: false, lastAccessed: Date.now(), ...opts };
    this.tabs.push(tab);
    return tab;
  }

  close(id: number): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    if (i >= 0) this.tabs.splice(i, 1);
  }

  async query(): Promise<BrowserTab[]> {
    this.queries++;
    return this.tabs.map((t) => ({ ...t }));
  }
}
