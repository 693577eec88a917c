// The list on the "History from other devices" page, DOM-free: days, headings, links, search.
// Kept pure so it is tested in Node; history.ts only turns it into elements.
import type { SyncedPageView } from '../shared/history.ts';

export interface DayGroup<T> {
  /** Local calendar day, YYYY-MM-DD. */
  key: string;
  heading: string;
  items: T[];
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The local calendar day of a time, as a sortable key. */
export function localDayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Built per call, not per item: Intl formatters are costly to create and a list has thousands of rows. */
function headingFor(now: number, locale: string | undefined): (ms: number) => string {
  const today = new Date(now);
  const todayKey = localDayKey(now);
  // Built from the calendar date, not now − 24 h, so a day with a DST change is still "Yesterday".
  const yesterdayKey = localDayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1).getTime());
  const sameYear = new Intl.DateTimeFormat(locale, { weekday: 'long', month: 'long', day: 'numeric' });
  const otherYear = new Intl.DateTimeFormat(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
  return (ms) => {
    const key = localDayKey(ms);
    if (key === todayKey) return 'Today';
    if (key === yesterdayKey) return 'Yesterday';
    return (new Date(ms).getFullYear() === today.getFullYear() ? sameYear : otherYear).format(ms);
  };
}

/** "Today", "Yesterday", else the date in the browser's language. */
export function dayHeading(ms: number, now: number, locale?: string): string {
  return headingFor(now, locale)(ms);
}

/** Items grouped by the local day of their last visit, newest day and newest item first. */
export function groupByDay<T extends { lastVisit: number }>(items: readonly T[], now: number, locale?: string): Array<DayGroup<T>> {
  const heading = headingFor(now, locale);
  const sorted = [...items].sort((a, b) => b.lastVisit - a.lastVisit);
  const groups: Array<DayGroup<T>> = [];
  for (const item of sorted) {
    const key = localDayKey(item.lastVisit);
    const last = groups[groups.length - 1];
    if (last && last.key === key) last.items.push(item);
    else groups.push({ key, heading: heading(item.lastVisit), items: [item] });
  }
  return groups;
}

export function timeFormatter(locale?: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });
}

const LINK_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

/**
 * Whether a page may be a link here. Another device's history can hold any scheme (javascript:,
 * data:, file:, a browser's internal pages); only web addresses are safe and meaningful to open.
 */
export function isLinkable(url: string): boolean {
  try {
    return LINK_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The host shown under the title ("example.com:8080"); empty for addresses without one. */
export function displayHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** What the person sees as the page's name. */
export function displayTitle(p: SyncedPageView): string {
  return p.title !== '' ? p.title : p.url;
}

/**
 * The lowercase text a query is matched against, computed once per page (not per keystroke).
 * The decoded URL is included so "café" finds https://example.com/caf%C3%A9.
 */
export function pageHaystack(p: SyncedPageView): string {
  let decoded = p.url;
  try {
    decoded = decodeURI(p.url);
  } catch {
    // A malformed escape: match the URL as written.
  }
  return (decoded === p.url ? `${p.title}\n${p.url}` : `${p.title}\n${p.url}\n${decoded}`).toLowerCase();
}

/** The query's words, lowercased; none for a blank query (which matches every page). */
export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '');
}

/** Every word must appear somewhere in the page's title or URL. */
export function matchesWords(haystack: string, words: readonly string[]): boolean {
  for (const w of words) if (!haystack.includes(w)) return false;
  return true;
}

export interface Indexed<T> {
  item: T;
  haystack: string;
}

/** Each item with its page's haystack, for `filterPages` (items may be the pages themselves, or rows holding them). */
export function indexPages<T>(items: readonly T[], pageOf: (item: T) => SyncedPageView): Array<Indexed<T>> {
  return items.map((item) => ({ item, haystack: pageHaystack(pageOf(item)) }));
}

export function filterPages<T>(index: ReadonlyArray<Indexed<T>>, query: string): T[] {
  const words = queryWords(query);
  const out: T[] = [];
  for (const e of index) if (matchesWords(e.haystack, words)) out.push(e.item);
  return out;
}
