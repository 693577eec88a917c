// "Tabs from other devices", DOM-free: grouping per device, what each row shows, which rows may be
// links, and the filter. Shared by the popup and the History from other devices page (their
// elements are made by remoteTabsList.ts); kept pure so it is tested in Node.
import { formatNumber, t, tCount } from '../i18n/i18n.ts';
import type { RemoteTabsView, RemoteTabView } from '../shared/tabs.ts';
import { deviceTypeLabel } from './format.ts';
import { displayHost, isLinkable, matchesWords, queryWords, searchHaystack } from './links.ts';

/** The filter box appears when there are more tabs than this, across every device. */
export const FILTER_AFTER_TABS = 8;

export interface TabRow {
  tab: RemoteTabView;
  /** The title, or the address when the tab has none. */
  title: string;
  /** The host under the title ("example.com"), or the address itself when it has no host and is not the title already. */
  host: string;
  /** http:, https: or ftp: — the only addresses opened here; others are shown as text. */
  linkable: boolean;
  /** The favicon to load, an http(s) address; null for the neutral placeholder. */
  icon: string | null;
  /** Lowercased title and address, for the filter. */
  haystack: string;
}

export interface DeviceGroup {
  clientId: string;
  name: string;
  /** The device's kind in words ("Desktop", "Mobile"…). */
  typeLabel: string;
  /** Most recently used first. */
  rows: TabRow[];
}

/** A favicon address is loaded only when it is http(s): never data:, javascript: or a browser's internal icon. */
export function faviconSrc(icon: string | null | undefined): string | null {
  if (!icon) return null;
  try {
    const u = new URL(icon);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export function tabRow(tab: RemoteTabView): TabRow {
  const title = tab.title.trim() !== '' ? tab.title : tab.url;
  return {
    tab,
    title,
    host: displayHost(tab.url) || (title !== tab.url ? tab.url : ''),
    linkable: isLinkable(tab.url),
    icon: faviconSrc(tab.icon),
    haystack: searchHaystack(tab.title, tab.url),
  };
}

/**
 * One group per device that has tabs, its tabs most recently used first, the device used most
 * recently first (the background sorts too; this keeps the pages right whatever order comes in).
 */
export function groupTabs(view: RemoteTabsView): DeviceGroup[] {
  return view.devices
    .filter((d) => d.tabs.length > 0)
    .map((d) => ({
      clientId: d.clientId,
      name: d.name.trim() !== '' ? d.name : t('deviceUnnamed'),
      typeLabel: deviceTypeLabel(d.type),
      rows: [...d.tabs].sort((a, b) => b.lastUsed - a.lastUsed).map(tabRow),
    }))
    .sort((a, b) => (b.rows[0]?.tab.lastUsed ?? 0) - (a.rows[0]?.tab.lastUsed ?? 0));
}

export function totalTabs(groups: readonly DeviceGroup[]): number {
  return groups.reduce((n, g) => n + g.rows.length, 0);
}

export function showsFilter(groups: readonly DeviceGroup[]): boolean {
  return totalTabs(groups) > FILTER_AFTER_TABS;
}

/** The rows matching every word of the query in their title or address; a blank query matches all. */
export function matchingRows(groups: readonly DeviceGroup[], query: string): Set<TabRow> {
  const words = queryWords(query);
  const out = new Set<TabRow>();
  for (const g of groups) for (const r of g.rows) if (matchesWords(r.haystack, words)) out.add(r);
  return out;
}

/** The groups with only their matching rows; devices left without any are dropped. */
export function filterGroups(groups: readonly DeviceGroup[], query: string): DeviceGroup[] {
  const shown = matchingRows(groups, query);
  return groups.map((g) => ({ ...g, rows: g.rows.filter((r) => shown.has(r)) })).filter((g) => g.rows.length > 0);
}

export const NO_REMOTE_TABS = t('remoteTabsNone');
export const NO_MATCHING_TABS = t('remoteTabsNoMatch');
export const LOADING_TABS = t('remoteTabsLoading');

/** What the filter's status line says: nothing when it shows everything. */
export function filterSummary(shown: number, total: number): string {
  if (shown === total) return '';
  if (shown === 0) return NO_MATCHING_TABS;
  return tCount('remoteTabsShown', total, formatNumber(shown));
}
