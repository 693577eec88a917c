// An in-memory browser history for Node tests, behaving as Chromium 156 or Firefox ESR 153 do
// where the engine can tell (see api.ts): Chromium's addUrl takes only a URL and records a link
// "now"; Firefox's takes a title, a whole-ms time and one of its six transition names (and keeps no
// embed visit); visits of other devices
// that Chrome Sync brought are reported with isLocal false.
import type { AddUrlDetails, ApiEvent, BrowserFlavor, HistoryApi, HistoryEvents, HistoryItem, VisitItem } from './api.ts';

class FakeEvent<A extends unknown[]> implements ApiEvent<A> {
  private readonly listeners = new Set<(...args: A) => void>();
  addListener(l: (...args: A) => void): void { this.listeners.add(l); }
  removeListener(l: (...args: A) => void): void { this.listeners.delete(l); }
  emit(...args: A): void { for (const l of [...this.listeners]) l(...args); }
}

interface FakeVisit { visitTime: number; transition: string; isLocal: boolean }
interface FakePage { url: string; title: string; visits: FakeVisit[] }

const FIREFOX_TRANSITIONS = new Set(['link', 'typed', 'auto_bookmark', 'auto_subframe', 'manual_subframe', 'reload']);

export class FakeHistoryApi implements HistoryApi {
  readonly events = { onVisited: new FakeEvent<[HistoryItem]>(), onVisitRemoved: new FakeEvent<[{ allHistory: boolean; urls?: string[] }]>() } satisfies HistoryEvents;
  private readonly pages = new Map<string, FakePage>();
  /** Calls made, by method, for tests that count them. */
  readonly calls = { search: 0, getVisits: 0, addUrl: 0, deleteUrl: 0 };

  constructor(readonly flavor: BrowserFlavor, private readonly now: () => number = Date.now) {}

  /** The person visits a page (or Chrome Sync brings a visit: `isLocal` false). */
  visit(url: string, opts: { title?: string; at?: number; transition?: string; isLocal?: boolean; silent?: boolean } = {}): void {
    const page = this.pages.get(url) ?? { url, title: '', visits: [] };
    if (opts.title !== undefined) page.title = opts.title;
    page.visits.push({ visitTime: opts.at ?? this.now(), transition: opts.transition ?? 'link', isLocal: opts.isLocal ?? true });
    this.pages.set(url, page);
    // `silent`: made while the extension was not running, so no event reached it.
    if (!opts.silent) this.events.onVisited.emit(this.item(page));
  }

  /** The person deletes a page, or clears all history (`url` null). */
  remove(url: string | null): void {
    if (url === null) {
      this.pages.clear();
      this.events.onVisitRemoved.emit({ allHistory: true, urls: [] });
    } else if (this.pages.delete(url)) this.events.onVisitRemoved.emit({ allHistory: false, urls: [url] });
  }

  /** Clears visits in a time range, as "Clear browsing data" does: pages left without visits go. */
  removeRange(startMs: number, endMs: number): void {
    const gone: string[] = [];
    for (const page of this.pages.values()) {
      page.visits = page.visits.filter((v) => v.visitTime < startMs || v.visitTime > endMs);
      if (page.visits.length === 0) gone.push(page.url);
    }
    for (const url of gone) this.pages.delete(url);
    if (gone.length > 0) this.events.onVisitRemoved.emit({ allHistory: false, urls: gone });
  }

  pageTitle(url: string): string | null {
    return this.pages.get(url)?.title ?? null;
  }

  visitsOf(url: string): FakeVisit[] {
    return [...(this.pages.get(url)?.visits ?? [])].sort((a, b) => b.visitTime - a.visitTime);
  }

  urls(): string[] {
    return [...this.pages.keys()];
  }

  async search(q: { text: string; startTime: number; endTime?: number; maxResults: number }): Promise<HistoryItem[]> {
    this.calls.search++;
    const end = q.endTime ?? Number.POSITIVE_INFINITY;
    const text = q.text.toLowerCase();
    return [...this.pages.values()]
      .filter((p) => p.visits.some((v) => v.visitTime >= q.startTime && v.visitTime <= end))
      .filter((p) => text === '' || p.url.toLowerCase().includes(text) || p.title.toLowerCase().includes(text))
      .map((p) => this.item(p))
      .sort((a, b) => (b.lastVisitTime ?? 0) - (a.lastVisitTime ?? 0))
      .slice(0, q.maxResults || 100);
  }

  async getVisits(d: { url: string }): Promise<VisitItem[]> {
    this.calls.getVisits++;
    return this.visitsOf(d.url).map((v) => ({
      visitTime: v.visitTime, transition: v.transition, ...(this.flavor === 'chromium' ? { isLocal: v.isLocal } : {}),
    }));
  }

  async addUrl(d: AddUrlDetails): Promise<void> {
    this.calls.addUrl++;
    if (this.flavor === 'chromium') {
      const extra = Object.keys(d).find((k) => k !== 'url');
      if (extra) throw new Error(`Error at parameter 'details': Unexpected property: '${extra}'.`);
      // Chromium 156 records addUrl's visit as a link, at the current time (seen in e2e/chromium/history.e2e.ts).
      this.visit(d.url, { transition: 'link' });
      return;
    }
    if (d.transition !== undefined && !FIREFOX_TRANSITIONS.has(d.transition)) throw new Error(`|${d.transition}| is not a supported transition for history`);
    // Firefox ESR 153 refuses a visitTime that is not a whole number of ms (as a number; it also takes strings and Dates).
    if (d.visitTime !== undefined && !Number.isInteger(d.visitTime)) {
      throw new Error(`Type error for parameter details (Error processing visitTime: Value ${d.visitTime} must either: be a string value, be an integer value, or be an object value) for history.addUrl.`);
    }
    const at = d.visitTime === undefined ? this.now() : d.visitTime;
    // Firefox keeps no embed visits: addUrl with auto_subframe resolves and stores nothing (seen on ESR 153).
    if (d.transition === 'auto_subframe') return;
    this.visit(d.url, { ...(d.title !== undefined ? { title: d.title } : {}), at, transition: d.transition ?? 'link' });
  }

  async deleteUrl(d: { url: string }): Promise<void> {
    this.calls.deleteUrl++;
    this.remove(d.url);
  }

  private item(p: FakePage): HistoryItem {
    return { url: p.url, title: p.title, lastVisitTime: Math.max(...p.visits.map((v) => v.visitTime)), visitCount: p.visits.length };
  }
}
