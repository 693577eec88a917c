// This browser's history as the history engine sees it: pages visited since a time, each page's
// visits as Firefox visit types with µs dates, and the few writes the engine makes (Firefox: other
// devices' visits at their real times; both: removing a page another device deleted; Chromium:
// "visited now" for people who asked for it). Reads run a bounded number of calls at once: a first
// sync asks for the visits of up to 5,000 pages.
import { isSyncableUrl, type Visit, type VisitTypeNumber } from '../record.ts';
import { LOOSE_TYPES, transitionFor, visitTypeFor } from '../transitions.ts';
import type { BrowserFlavor, HistoryApi } from './api.ts';
import type { HistoryChangeTracker } from './changeTracker.ts';

/** A visit read from this browser. */
export interface LocalVisit extends Visit {
  /**
   * Firefox reports its redirect and download visits as `link`: such a visit matches a record's
   * visit of type 1, 5, 6 or 7 at the same millisecond (see transitions.ts).
   */
  loose: boolean;
}

export interface LocalPage {
  url: string;
  title: string;
  /** ms since the epoch. */
  lastVisit: number;
}

/** What the engine needs from the browser side (BrowserHistory; tests may give a fake). */
export interface LocalHistory {
  readonly flavor: BrowserFlavor;
  /** Pages last visited at or after `sinceMs`, most recent first, syncable URLs only. */
  recentPages(sinceMs: number, limit: number): Promise<LocalPage[]>;
  /** Each URL's visits made in this browser (not those Chrome Sync brought), newest first. */
  visitsOf(urls: readonly string[], onProgress?: (done: number) => void): Promise<Map<string, LocalVisit[]>>;
  /** Firefox: adds visits at their real times; the title, when given, becomes the page's. Returns how many were written. */
  addVisits(url: string, title: string | null, visits: readonly Visit[]): Promise<number>;
  /** Chromium: records a visit now (all its addUrl can do); returns the visit's µs date, or null. */
  markVisitedNow(url: string): Promise<number | null>;
  removePage(url: string): Promise<void>;
  /** Runs the engine's writes so that their events are not taken for the person's. */
  holdDuring<T>(fn: () => Promise<T>): Promise<T>;
}

const PARALLEL_CALLS = 32;

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function pooled<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export class BrowserHistory implements LocalHistory {
  constructor(private readonly o: { api: HistoryApi; flavor: BrowserFlavor; tracker?: Pick<HistoryChangeTracker, 'noteOwnWrite' | 'holdDuring'> }) {}

  get flavor(): BrowserFlavor {
    return this.o.flavor;
  }

  async recentPages(sinceMs: number, limit: number): Promise<LocalPage[]> {
    // Pages that are not synced (the browser's own and extension pages) are in the results too:
    // ask for a margin more, so they do not take the places of pages that are.
    const items = await this.o.api.search({ text: '', startTime: sinceMs, maxResults: limit + Math.ceil(limit / 10) + 100 });
    const pages: LocalPage[] = [];
    for (const it of items) {
      if (!it.url || !isSyncableUrl(it.url)) continue;
      pages.push({ url: it.url, title: it.title ?? '', lastVisit: it.lastVisitTime ?? 0 });
    }
    return pages.sort((a, b) => b.lastVisit - a.lastVisit).slice(0, limit);
  }

  async visitsOf(urls: readonly string[], onProgress?: (done: number) => void): Promise<Map<string, LocalVisit[]>> {
    const firefox = this.o.flavor === 'firefox';
    let done = 0;
    const lists = await pooled(urls, PARALLEL_CALLS, async (url) => {
      const items = await this.o.api.getVisits({ url });
      const visits: LocalVisit[] = [];
      for (const v of items) {
        if (v.isLocal === false || typeof v.visitTime !== 'number') continue;
        const type: VisitTypeNumber = visitTypeFor(v.transition);
        // Chromium gives ms with µs fractions; rounding keeps the µs it has.
        visits.push({ date: Math.round(v.visitTime * 1000), type, loose: firefox && LOOSE_TYPES.has(type) });
      }
      onProgress?.(++done);
      return visits.sort((a, b) => b.date - a.date);
    });
    return new Map(urls.map((u, i) => [u, lists[i]!]));
  }

  async addVisits(url: string, title: string | null, visits: readonly Visit[]): Promise<number> {
    let written = 0;
    for (const v of visits) {
      const transition = transitionFor(v.type);
      if (transition === null) continue;
      this.o.tracker?.noteOwnWrite(url, 'visit');
      // Firefox's addUrl rejects a visitTime that is not a whole number of ms ("must … be an integer
      // value"), and Places keeps whole ms anyway: the µs a record may carry (Chromium's visits do) are dropped.
      await this.o.api.addUrl({ url, visitTime: Math.floor(v.date / 1000), transition, ...(title !== null ? { title } : {}) });
      written++;
    }
    return written;
  }

  async markVisitedNow(url: string): Promise<number | null> {
    this.o.tracker?.noteOwnWrite(url, 'visit');
    await this.o.api.addUrl({ url });
    const newest = (await this.o.api.getVisits({ url })).reduce((m, v) => Math.max(m, v.visitTime ?? 0), 0);
    return newest > 0 ? Math.round(newest * 1000) : null;
  }

  async removePage(url: string): Promise<void> {
    this.o.tracker?.noteOwnWrite(url, 'remove');
    await this.o.api.deleteUrl({ url });
  }

  holdDuring<T>(fn: () => Promise<T>): Promise<T> {
    return this.o.tracker ? this.o.tracker.holdDuring(fn) : fn();
  }
}
