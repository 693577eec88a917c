// Tabs records as Firefox writes and reads them (protocol.md §6.3; application-services
// components/tabs): one record per client, whose id is that client's record id in `clients`
// (Firefox drops tabs of a client it does not know):
//   { id, clientName, tabs: [{ title, urlHistory: [current, older…], icon, lastUsed: <seconds>, pinned? }] }
// Optional fields are left out when they have their default, as application-services does.
import type { CleartextRecord } from '../../sync/records/bso.ts';
import { urlAllowed } from '../kit/urls.ts';

/** Firefox's TABS_TTL: 180 days, in seconds. */
export const TABS_TTL_SECONDS = 15_552_000;
/** Titles are cut to this many UTF-8 bytes, "…" included (application-services TAB_TITLE_MAX_BYTES). */
export const MAX_TITLE_BYTES = 512;
export const MAX_URL_HISTORY = 5;
/** Our own record is sent again at least this often, well within its TTL. */
export const TABS_REFRESH_MS = 7 * 24 * 3600 * 1000;

export interface TabEntry {
  title: string;
  urlHistory: string[];
  icon: string | null;
  /** Seconds since the epoch. */
  lastUsed: number;
  pinned?: boolean;
  /** The browser's tab group, where it has one. */
  tabGroupId?: string;
  /** The selected tab of its window (not sent): Firefox reports its lastAccessed as "now" on every read. */
  active?: boolean;
}

export interface TabsRecord {
  id: string;
  clientName: string;
  tabs: TabEntry[];
}

// Pages Firefox leaves out (application-services prepare_for_upload) and browser-internal pages
// of Chromium-based browsers, which open nothing elsewhere.
const EXCLUDED_SCHEMES = new Set([
  'about:', 'resource:', 'chrome:', 'wyciwyg:', 'blob:', 'file:', 'moz-extension:', 'data:', 'chrome-extension:',
  'chrome-untrusted:', 'chrome-search:', 'view-source:', 'devtools:', 'edge:', 'brave:', 'opera:', 'vivaldi:', 'javascript:',
  'extension:', 'filesystem:',
]);

/** Whether Firefox would show a tab with this URL on another device. */
export function isSendableTabUrl(url: string): boolean {
  return urlAllowed(url, EXCLUDED_SCHEMES);
}

/** A title cut to at most 512 UTF-8 bytes, "…" included, never inside a character. */
export function truncateTitle(title: string): string {
  const enc = new TextEncoder();
  if (enc.encode(title).length <= MAX_TITLE_BYTES) return title;
  const budget = MAX_TITLE_BYTES - enc.encode('…').length;
  let bytes = 0;
  let out = '';
  for (const ch of title) {
    const n = enc.encode(ch).length;
    if (bytes + n > budget) break;
    bytes += n;
    out += ch;
  }
  return `${out}…`;
}

/** Another client's record, read leniently (lastUsed may be a float or a string; fields may be missing). */
export function parseTabsRecord(cleartext: CleartextRecord): TabsRecord | null {
  const c = cleartext as Record<string, unknown>;
  if (typeof c.id !== 'string' || c.id === '' || c.deleted === true) return null;
  if (!Array.isArray(c.tabs)) return null;
  const tabs: TabEntry[] = [];
  for (const t of c.tabs as unknown[]) {
    if (typeof t !== 'object' || t === null) continue;
    const tab = t as Record<string, unknown>;
    const urlHistory = Array.isArray(tab.urlHistory) ? tab.urlHistory.filter((u): u is string => typeof u === 'string') : [];
    if (urlHistory.length === 0) continue;
    const lastUsed = Number(tab.lastUsed);
    tabs.push({
      title: typeof tab.title === 'string' ? tab.title : '',
      urlHistory,
      icon: typeof tab.icon === 'string' && tab.icon !== '' ? tab.icon : null,
      lastUsed: Number.isFinite(lastUsed) ? Math.floor(lastUsed) : 0,
      ...(tab.pinned === true ? { pinned: true } : {}),
    });
  }
  return { id: c.id, clientName: typeof c.clientName === 'string' ? c.clientName : '', tabs };
}

export function serializeTabsRecord(r: TabsRecord): CleartextRecord {
  return {
    id: r.id,
    clientName: r.clientName,
    tabs: r.tabs.map((t) => ({
      title: t.title,
      urlHistory: t.urlHistory,
      icon: t.icon ?? '',
      lastUsed: t.lastUsed,
      ...(t.pinned ? { pinned: true } : {}),
      ...(t.tabGroupId ? { tabGroupId: t.tabGroupId } : {}),
    })),
  };
}
