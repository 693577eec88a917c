// Notices the person's browsing and history deletions and asks for a sync a little later, on the
// engine kit's change tracker (../../kit/changeTracker.ts). Keys are page URLs; "clear all history"
// is recorded as ALL_HISTORY. A visit is not urgent to sync, so the quiet time is longer than for
// bookmarks, but stays under the ~30 s a Chromium service worker lives without events (a timer it
// did not outlive is made up for at the next start by `resume`, and by the periodic alarm).
//
// Our own writes (Firefox: other devices' visits added with addUrl; both: pages removed because
// another device deleted them; Chromium: pages added "as visited now" when the person asked for it)
// come back as events; they are matched by URL and kind (visit or removal) and dropped.
import { ChangeTracker as KitTracker, type ChangeStore, type TimerPort } from '../../kit/changeTracker.ts';
import { isSyncableUrl } from '../record.ts';
import type { HistoryEvents, HistoryItem } from './api.ts';

/** The change key standing for "every page": the person cleared all history. */
export const ALL_HISTORY = '*';

export type HistoryWrite = 'visit' | 'remove';

type HistoryEvent = { id: string; related: string[]; kind: HistoryWrite };

export interface HistoryTrackerOptions {
  events: HistoryEvents;
  store: ChangeStore;
  requestSync: (reason: 'local-change') => void;
  debounceMs?: number;
  timer?: TimerPort;
  now?: () => number;
}

export class HistoryChangeTracker {
  private readonly kit: KitTracker<HistoryEvent, HistoryWrite>;
  private started = false;

  constructor(private readonly o: HistoryTrackerOptions) {
    this.kit = new KitTracker<HistoryEvent, HistoryWrite>({
      store: o.store,
      requestSync: o.requestSync,
      echoes: (ev, w) => ev.kind === w,
      debounceMs: o.debounceMs ?? 20_000,
      ...(o.timer ? { timer: o.timer } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  private readonly onVisited = (item: HistoryItem): void => {
    if (item.url && isSyncableUrl(item.url)) this.kit.observe({ id: item.url, related: [], kind: 'visit' });
  };

  private readonly onVisitRemoved = (info: { allHistory: boolean; urls?: string[] }): void => {
    if (info.allHistory) {
      this.kit.observe({ id: ALL_HISTORY, related: [], kind: 'remove' });
      return;
    }
    for (const url of info.urls ?? []) if (isSyncableUrl(url)) this.kit.observe({ id: url, related: [], kind: 'remove' });
  };

  /** Subscribes to the browser's events (synchronously, as MV3 needs) and resumes a pending sync request. */
  start(): Promise<void> {
    if (!this.started) {
      this.o.events.onVisited.addListener(this.onVisited);
      this.o.events.onVisitRemoved.addListener(this.onVisitRemoved);
      this.started = true;
    }
    return this.kit.resume();
  }

  stop(): void {
    if (this.started) {
      this.o.events.onVisited.removeListener(this.onVisited);
      this.o.events.onVisitRemoved.removeListener(this.onVisitRemoved);
      this.started = false;
    }
    this.kit.stop();
  }

  noteOwnWrite(url: string, write: HistoryWrite): void {
    this.kit.noteOwnWrite(url, write);
  }

  holdDuring<T>(fn: () => Promise<T>): Promise<T> {
    return this.kit.holdDuring(fn);
  }

  settled(): Promise<void> {
    return this.kit.settled();
  }
}
