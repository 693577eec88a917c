// The list on the "History from other devices" page, DOM-free: days, headings, links, search.
// Kept pure so it is tested in Node; history.ts only turns it into elements.
import { t } from '../i18n/i18n.ts';
import type { SyncedPageView } from '../shared/history.ts';
import { matchesWords, queryWords, searchHaystack } from '../ui/links.ts';

// Shared with the "Tabs from other devices" list (src/ui/remoteTabs.ts).
export { displayHost, isLinkable, matchesWords, queryWords } from '../ui/links.ts';

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
    if (key === todayKey) return t('historyToday');
    if (key === yesterdayKey) return t('historyYesterday');
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

/** What the person sees as the page's name. */
export function displayTitle(p: SyncedPageView): string {
  return p.title !== '' ? p.title : p.url;
}

/** The lowercase text a query is matched against (title, URL and decoded URL). */
export function pageHaystack(p: SyncedPageView): string {
  return searchHaystack(p.title, p.url);
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
