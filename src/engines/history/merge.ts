// How a page's record and this browser's visits of it combine, as Firefox combines them: the union
// of visits, each (millisecond, type) once, the newest 20 kept, the title of whichever side visited
// last. A visit is never dropped because another device lacks it, and the server's visit objects
// are kept whole (their unknown fields, their µs dates) — a local visit at the same millisecond and
// type is the same visit, and the server's copy of it stands.
import type { SyncedPage } from '../../db/historyStore.ts';
import type { LocalVisit } from './local/browserHistory.ts';
import { LOOSE_TYPES } from './transitions.ts';
import { MAX_TITLE_LENGTH, MAX_VISITS, applicableVisits, visitKey, type RawVisit, type Visit } from './record.ts';

export interface PageUpload {
  visits: RawVisit[];
  title: string;
  /** The local visits the record did not have (this browser's contribution). */
  added: LocalVisit[];
  /** Whether the record differs from the server's version. */
  changed: boolean;
}

/** The local visits a record's visits do not already contain. */
export function missingVisits(recordVisits: readonly Visit[], local: readonly LocalVisit[]): LocalVisit[] {
  const keys = new Set(recordVisits.map((v) => visitKey(v.date, v.type)));
  const looseMs = new Set(recordVisits.filter((v) => LOOSE_TYPES.has(v.type)).map((v) => Math.floor(v.date / 1000)));
  const out: LocalVisit[] = [];
  for (const v of local) {
    const key = visitKey(v.date, v.type);
    if (keys.has(key) || (v.loose && looseMs.has(Math.floor(v.date / 1000)))) continue;
    keys.add(key);
    out.push(v);
  }
  return out;
}

/** The newest `MAX_VISITS` of a list of visit objects; objects without a usable date go last. */
export function newestVisits(visits: readonly RawVisit[]): RawVisit[] {
  const dateOf = (v: RawVisit): number => (typeof v.date === 'number' && Number.isFinite(v.date) ? v.date : -Infinity);
  return [...visits].sort((a, b) => dateOf(b) - dateOf(a)).slice(0, MAX_VISITS);
}

/** The record to send for a page, given the server's version (null: none) and this browser's visits and title. */
export function pageUpload(server: SyncedPage | null, local: readonly LocalVisit[], localTitle: string, nowMs: number): PageUpload {
  const serverRaw = server?.visits ?? [];
  const serverVisits = applicableVisits(serverRaw, nowMs);
  const missing = missingVisits(serverVisits, local);
  const merged = missing.length === 0 && server ? serverRaw : newestVisits([...serverRaw, ...missing.map((v) => ({ date: v.date, type: v.type }))]);
  // Local visits older than the record's newest 20 do not make it in: they change nothing.
  const kept = new Set(merged.map((v) => v.date));
  const added = missing.filter((v) => kept.has(v.date));
  const visits = added.length === 0 && server ? serverRaw : merged;
  const newestLocal = local.reduce((m, v) => Math.max(m, v.date), 0);
  const newestServer = serverVisits.reduce((m, v) => Math.max(m, v.date), 0);
  const serverTitle = server?.title ?? '';
  const title = localTitle !== '' && (newestLocal >= newestServer || serverTitle === '') ? localTitle.slice(0, MAX_TITLE_LENGTH) : serverTitle;
  const changed = server === null || server.modified === null || added.length > 0 || title !== serverTitle;
  return { visits, title, added, changed };
}

/** ms of the newest visit in `visits` not contributed by this browser (0: none). */
export function lastForeignVisit(visits: readonly RawVisit[], own: readonly number[], nowMs: number): number {
  const mine = new Set(own);
  let newest = 0;
  for (const v of applicableVisits(visits, nowMs)) if (!mine.has(v.date) && v.date > newest) newest = v.date;
  return Math.floor(newest / 1000);
}

/** This browser's visit dates that are still in the record (so `own` stays as small as the record). */
export function ownDatesIn(visits: readonly RawVisit[], own: Iterable<number>): number[] {
  const present = new Set(visits.map((v) => v.date).filter((d): d is number => typeof d === 'number'));
  return [...new Set(own)].filter((d) => present.has(d));
}
