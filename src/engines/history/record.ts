// History records as Firefox writes and reads them (protocol.md §6.2; Firefox's
// services/sync/modules/engines/history.sys.mjs and application-services places history_sync):
//   { id: <12-char page GUID>, histUri, title, visits: [{ date: <µs integer>, type: <1..9> }, …] }
// newest visit first, at most 20 visits, TTL 60 days, sortindex = the page's frecency.
// A tombstone is { id, deleted: true }: "remove this page".
//
// Parsing is lenient and keeps everything it does not understand: the page's unknown fields and
// each visit object as the server holds it, so a record we send back for a page another device
// wrote carries what that device put there. Validation (which visits Firefox would apply) is a
// separate step: an invalid visit is not applied here, and never "repaired" on the server.
import type { CleartextRecord } from '../../sync/records/bso.ts';
import { urlAllowed } from '../kit/urls.ts';

/** Firefox's HISTORY_TTL: 60 days, in seconds. */
export const HISTORY_TTL_SECONDS = 5_184_000;
/** Visits per record, on upload and when applying (MAX_VISITS in Firefox and application-services). */
export const MAX_VISITS = 20;
/** First sync uploads at most this many pages (MAX_HISTORY_UPLOAD)… */
export const FIRST_SYNC_MAX_PAGES = 5000;
/** …visited within the last 30 days (THIRTY_DAYS_IN_MS). */
export const FIRST_SYNC_WINDOW_MS = 30 * 24 * 3600 * 1000;
/** Places' TITLE_LENGTH_MAX (its URL limit is in ../kit/urls.ts). */
export const MAX_TITLE_LENGTH = 4096;
/** Places' EARLIEST_BOOKMARK_TIMESTAMP (1993-01-01): older visit dates are clamped to it. */
export const EARLIEST_VISIT_MS = Date.UTC(1993, 0, 1);

/** Firefox's transition types (nsINavHistoryService.TRANSITION_*). */
export const VisitType = {
  link: 1,
  typed: 2,
  bookmark: 3,
  embed: 4,
  redirectPermanent: 5,
  redirectTemporary: 6,
  download: 7,
  framedLink: 8,
  reload: 9,
} as const;
export type VisitTypeNumber = (typeof VisitType)[keyof typeof VisitType];

export function isVisitType(v: unknown): v is VisitTypeNumber {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 9;
}

/** A visit as the record holds it: `date` and `type`, plus whatever else the writer put there. */
export type RawVisit = Record<string, unknown>;

/** A visit Firefox would apply: integer µs date and a known type. */
export interface Visit {
  /** µs since the epoch. */
  date: number;
  type: VisitTypeNumber;
}

export interface HistoryPageRecord {
  kind: 'page';
  id: string;
  histUri: string;
  title: string | null;
  /** The record's visits exactly as received (objects kept whole, order kept). */
  visits: RawVisit[];
  /** Top-level fields this client does not know, sent back unchanged. */
  extra: Record<string, unknown>;
}

export interface HistoryTombstone {
  kind: 'tombstone';
  id: string;
  extra: Record<string, unknown>;
}

export type HistoryRecord = HistoryPageRecord | HistoryTombstone;

const KNOWN_FIELDS = new Set(['id', 'histUri', 'title', 'visits', 'deleted']);

/** Places GUIDs: 12 characters of the URL-safe base64 alphabet (Utils.checkGUID). */
export function isValidGuid(id: unknown): id is string {
  return typeof id === 'string' && /^[A-Za-z0-9_-]{12}$/.test(id);
}

/**
 * Cleartext → record; null for one that is not a history record at all (no id, no URL, visits not
 * a list). A record that parses may still not be applicable here (see `applicableVisits`,
 * `isSyncableUrl`): it is then left alone, never rewritten.
 */
export function parseHistoryRecord(cleartext: CleartextRecord): HistoryRecord | null {
  const c = cleartext as Record<string, unknown>;
  if (typeof c.id !== 'string' || c.id === '') return null;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c)) if (!KNOWN_FIELDS.has(k)) extra[k] = v;
  if (c.deleted === true) return { kind: 'tombstone', id: c.id, extra };
  if (typeof c.histUri !== 'string' || c.histUri === '') return null;
  if (c.visits !== undefined && !Array.isArray(c.visits)) return null;
  const visits = ((c.visits as unknown[] | undefined) ?? []).filter((v): v is RawVisit => typeof v === 'object' && v !== null && !Array.isArray(v));
  const title = typeof c.title === 'string' ? c.title : null;
  return { kind: 'page', id: c.id, histUri: c.histUri, title, visits, extra };
}

/** Record → cleartext as Firefox writes it; unknown fields first, so ours win where names clash. */
export function serializeHistoryRecord(r: HistoryRecord): CleartextRecord {
  if (r.kind === 'tombstone') return { ...r.extra, id: r.id, deleted: true };
  return { ...r.extra, id: r.id, histUri: r.histUri, title: r.title ?? '', visits: r.visits };
}

// Schemes Places will not store (History::CanAddURI) and file: (HistoryEngine.shouldSyncURL), and
// browser-internal pages of Chromium-based browsers, which mean nothing in another browser.
const EXCLUDED_SCHEMES = new Set([
  'about:', 'imap:', 'news:', 'mailbox:', 'moz-anno:', 'moz-extension:', 'view-source:', 'chrome:', 'resource:',
  'data:', 'wyciwyg:', 'javascript:', 'blob:', 'file:', 'chrome-extension:', 'chrome-untrusted:', 'chrome-search:',
  'devtools:', 'edge:', 'brave:', 'opera:', 'vivaldi:', 'extension:', 'filesystem:', 'intent:', 'moz-icon:', 'moz-page-thumb:',
]);

/** Whether Firefox would sync a page with this URL (and so whether we upload or apply it). */
export function isSyncableUrl(url: string): boolean {
  return urlAllowed(url, EXCLUDED_SCHEMES);
}

/** A visit's identity for deduplication: its date to the millisecond and its type (as Firefox). */
export function visitKey(dateUs: number, type: number): string {
  return `${Math.floor(dateUs / 1000)},${type}`;
}

/** Future dates become now, far-past ones 1993 (PlacesSyncUtils.history.clampVisitDate). */
export function clampVisitDateUs(dateUs: number, nowMs: number): number {
  const ms = Math.floor(dateUs / 1000);
  if (ms > nowMs) return nowMs * 1000;
  if (ms < EARLIEST_VISIT_MS) return EARLIEST_VISIT_MS * 1000;
  return dateUs;
}

/** The visits of a record Firefox would apply: integer dates, known types, each (ms, type) once. */
export function applicableVisits(visits: readonly RawVisit[], nowMs: number): Visit[] {
  const out: Visit[] = [];
  const seen = new Set<string>();
  for (const v of visits) {
    const { date, type } = v;
    if (typeof date !== 'number' || !Number.isInteger(date) || date <= 0 || !isVisitType(type)) continue;
    const clamped = clampVisitDateUs(date, nowMs);
    const key = visitKey(clamped, type);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ date: clamped, type });
  }
  return out.sort((a, b) => b.date - a.date);
}

// Firefox's frecency, in the shape of nsNavHistory's calculation: the most recent visits are
// sampled, each worth its transition's bonus weighted by its age bucket; the page's score is the
// average sample times its visit count. The sortindex only orders a first download by relevance.
const SAMPLED_VISITS = 10;
const BONUS: Record<number, number> = { 1: 100, 2: 2000, 3: 75, 4: 0, 5: 50, 6: 0, 7: 0, 8: 0, 9: 0 };
const DAY_MS = 24 * 3600 * 1000;
function ageWeight(ageMs: number): number {
  const days = ageMs / DAY_MS;
  if (days <= 4) return 100;
  if (days <= 14) return 70;
  if (days <= 31) return 50;
  if (days <= 90) return 30;
  return 10;
}

/** The sortindex Firefox would give the page: its frecency from how often and how recently it was visited. */
export function frecency(visits: readonly Visit[], nowMs: number, visitCount = visits.length): number {
  if (visits.length === 0) return 0;
  const sample = [...visits].sort((a, b) => b.date - a.date).slice(0, SAMPLED_VISITS);
  let points = 0;
  for (const v of sample) points += (ageWeight(nowMs - v.date / 1000) * (BONUS[v.type] ?? 0)) / 100;
  return Math.ceil(Math.max(visitCount, visits.length) * Math.ceil(points / sample.length));
}
