// This browser's open tabs as the tabs engine sends them: normal windows only, never private or
// incognito ones, pages Firefox would show elsewhere only, each with its recent navigations where
// this worker saw them (the current URL first).
import { MAX_URL_HISTORY, isSendableTabUrl, truncateTitle, type TabEntry } from '../record.ts';
import type { BrowserTab, TabsApi } from './api.ts';

export interface LocalTabs {
  list(): Promise<TabEntry[]>;
}

/** Remembers each tab's earlier URLs while the worker runs ("where known"). */
export class NavigationLog {
  private readonly byTab = new Map<number, string[]>();

  /** A tab now shows `url`. */
  navigated(tabId: number, url: string): void {
    const list = this.byTab.get(tabId) ?? [];
    if (list[0] === url) return;
    this.byTab.set(tabId, [url, ...list.filter((u) => u !== url)].slice(0, MAX_URL_HISTORY));
  }

  closed(tabId: number): void {
    this.byTab.delete(tabId);
  }

  historyOf(tabId: number | undefined, current: string): string[] {
    const known = tabId === undefined ? [] : (this.byTab.get(tabId) ?? []);
    return [current, ...known.filter((u) => u !== current && isSendableTabUrl(u))].slice(0, MAX_URL_HISTORY);
  }
}

export class BrowserTabs implements LocalTabs {
  constructor(private readonly o: { api: TabsApi; navigations?: NavigationLog; now?: () => number }) {}

  async list(): Promise<TabEntry[]> {
    const now = this.o.now ?? Date.now;
    const tabs = await this.o.api.query({ windowType: 'normal' });
    const out: TabEntry[] = [];
    for (const t of tabs) {
      const entry = toEntry(t, this.o.navigations, now());
      if (entry) out.push(entry);
    }
    return out.sort((a, b) => b.lastUsed - a.lastUsed);
  }
}

function toEntry(t: BrowserTab, navigations: NavigationLog | undefined, nowMs: number): TabEntry | null {
  if (t.incognito || !t.url || !isSendableTabUrl(t.url)) return null;
  const icon = t.favIconUrl && /^https?:\/\//.test(t.favIconUrl) ? t.favIconUrl : null;
  return {
    title: truncateTitle(t.title ?? ''),
    urlHistory: navigations ? navigations.historyOf(t.id, t.url) : [t.url],
    icon,
    lastUsed: Math.floor((t.lastAccessed ?? nowMs) / 1000),
    ...(t.pinned ? { pinned: true } : {}),
    ...(t.active ? { active: true } : {}),
    ...(t.groupId !== undefined && t.groupId >= 0 ? { tabGroupId: String(t.groupId) } : {}),
  };
}
