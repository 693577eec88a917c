// What the "History from other devices" page shows, and how the background builds it from the
// history store. The store keeps the server's records (µs visit dates, this browser's own visits
// marked); the page only needs one line per URL with the other devices' side of it.
import type { SyncedPage } from '../db/schema.ts';

export interface SyncedPageView {
  url: string;
  title: string;
  /** ms of the newest visit from another device. */
  lastVisit: number;
  /** Visits from other devices. */
  visitCount: number;
}

export interface SyncedHistoryView {
  /** Newest first. */
  pages: SyncedPageView[];
  signedIn: boolean;
  engineEnabled: boolean;
}

/** The fields of a stored page the view reads. */
export type SyncedPageInput = Pick<SyncedPage, 'url' | 'title' | 'visits' | 'own' | 'lastForeign'>;

interface Merged {
  url: string;
  title: string;
  /** lastForeign of the entry the title came from, so the newest record's title wins. */
  titleFrom: number;
  lastVisit: number;
  foreignDates: Set<number>;
}

/**
 * One view per URL, newest first. The server may hold one URL under two GUIDs (two devices
 * created the page before either synced): their entries are merged, and a visit both list counts once.
 * Pages whose visits are all this browser's (lastForeign 0) are left out.
 */
export function toPageViews(pages: Iterable<SyncedPageInput>): SyncedPageView[] {
  const byUrl = new Map<string, Merged>();
  for (const p of pages) {
    if (!(p.lastForeign > 0)) continue;
    let m = byUrl.get(p.url);
    if (!m) {
      m = { url: p.url, title: '', titleFrom: -1, lastVisit: 0, foreignDates: new Set() };
      byUrl.set(p.url, m);
    }
    m.lastVisit = Math.max(m.lastVisit, p.lastForeign);
    const title = p.title?.trim() ?? '';
    if (title !== '' && p.lastForeign > m.titleFrom) {
      m.title = title;
      m.titleFrom = p.lastForeign;
    }
    const own = new Set(p.own);
    for (const v of p.visits) {
      const date = v['date'];
      // Visits are kept as the server holds them; one without a usable date is not shown.
      if (typeof date === 'number' && Number.isFinite(date) && !own.has(date)) m.foreignDates.add(date);
    }
  }
  return [...byUrl.values()]
    // lastForeign > 0 is itself one visit from another device, whatever the visit list holds.
    .map((m) => ({ url: m.url, title: m.title, lastVisit: m.lastVisit, visitCount: Math.max(1, m.foreignDates.size) }))
    .sort((a, b) => b.lastVisit - a.lastVisit || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}
