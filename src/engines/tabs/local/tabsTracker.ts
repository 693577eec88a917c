// Firefox's "quick write": about 5 s after the tabs change (opened, closed, navigated, renamed,
// pinned, switched to), one sync is asked for, so other devices see this browser's tabs soon. The
// engine compares the whole record with what it last sent, so nothing is persisted here; the
// navigation log remembers each tab's earlier URLs for `urlHistory`.
import { ChangeTracker, MemoryChangeStore, type TimerPort } from '../../kit/changeTracker.ts';
import type { NavigationLog } from './localTabs.ts';

export interface TabEvents {
  onCreated: { addListener(l: (tab: { id?: number; url?: string; incognito?: boolean }) => void): void };
  onRemoved: { addListener(l: (tabId: number) => void): void };
  onUpdated: { addListener(l: (tabId: number, change: { url?: string; title?: string; pinned?: boolean; groupId?: number }, tab?: { incognito?: boolean }) => void): void };
  onActivated: { addListener(l: (info: { tabId: number }) => void): void };
}

export function watchTabs(o: { events: TabEvents; navigations: NavigationLog; requestSync: () => void; timer?: TimerPort; debounceMs?: number }): ChangeTracker<{ id: string; related: string[] }, never> {
  const kit = new ChangeTracker<{ id: string; related: string[] }, never>({
    store: new MemoryChangeStore(),
    requestSync: o.requestSync,
    echoes: () => false,
    debounceMs: o.debounceMs ?? 5000,
    ...(o.timer ? { timer: o.timer } : {}),
  });
  const changed = (id: number | undefined): void => kit.observe({ id: String(id ?? 'tab'), related: [] });
  // Private windows' tabs are never sent, so their changes ask for no sync (its timing would tell).
  o.events.onCreated.addListener((tab) => {
    if (tab.incognito) return;
    if (tab.id !== undefined && tab.url) o.navigations.navigated(tab.id, tab.url);
    changed(tab.id);
  });
  o.events.onRemoved.addListener((tabId) => {
    o.navigations.closed(tabId);
    changed(tabId);
  });
  o.events.onUpdated.addListener((tabId, change, tab) => {
    if (tab?.incognito) return;
    if (change.url) o.navigations.navigated(tabId, change.url);
    if (change.url !== undefined || change.title !== undefined || change.pinned !== undefined || change.groupId !== undefined) changed(tabId);
  });
  o.events.onActivated.addListener((info) => changed(info.tabId));
  return kit;
}
