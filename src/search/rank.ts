// Ranking of the index's candidates for a query. Every word of the query must start a word of the
// entry; a word found in the title counts more than one found only in the address, a whole word
// more than a prefix of one; recently used items rise; an address found as several kinds (a tab
// that is also bookmarked) is shown once, with its best match's score, and counts a little more; between
// equally good results a tab from another device comes first, then a page, then a bookmark.
import type { SearchEntry, SearchKind } from '../db/schema.ts';
import { urlWords, words } from './tokenize.ts';

export interface SearchResult {
  kind: SearchKind;
  url: string;
  title: string;
  /** The device, for a tab. */
  device: string | null;
  /** ms (see SearchEntry.when). */
  when: number;
  /** Other kinds this address was also found as ("bookmark" for a bookmarked tab). */
  also: SearchKind[];
  score: number;
}

export const POINTS = { titleWord: 10, titlePrefix: 6, urlWord: 4, urlPrefix: 2, phrase: 5, titleStart: 2, perOtherKind: 1 } as const;
/** At most this much for being used just now, halving every RECENCY_HALF_LIFE_MS. */
export const RECENCY_POINTS = 4;
export const RECENCY_HALF_LIFE_MS = 7 * 24 * 3600 * 1000;

const KIND_ORDER: Readonly<Record<SearchKind, number>> = { tab: 0, history: 1, bookmark: 2 };

function termPoints(term: string, title: ReadonlySet<string>, titleList: readonly string[], url: readonly string[]): number {
  if (title.has(term)) return POINTS.titleWord;
  if (titleList.some((w) => w.startsWith(term))) return POINTS.titlePrefix;
  if (url.includes(term)) return POINTS.urlWord;
  if (url.some((w) => w.startsWith(term))) return POINTS.urlPrefix;
  return 0;
}

/** An entry's score for the query's terms, or null when some term matches none of its words. */
export function score(entry: SearchEntry, terms: readonly string[], now: number): number | null {
  if (terms.length === 0) return null;
  const titleList = words(entry.title);
  const title = new Set(titleList);
  const url = urlWords(entry.url);
  let total = 0;
  for (const term of terms) {
    const p = termPoints(term, title, titleList, url);
    if (p === 0) return null;
    total += p;
  }
  const normalizedTitle = titleList.join(' ');
  if (terms.length > 1 && normalizedTitle.includes(terms.join(' '))) total += POINTS.phrase;
  if (titleList[0]?.startsWith(terms[0]!)) total += POINTS.titleStart;
  const age = Math.max(0, now - entry.when);
  if (entry.when > 0) total += RECENCY_POINTS * Math.pow(0.5, age / RECENCY_HALF_LIFE_MS);
  return total;
}

/** Half-point buckets: results this close are "equally good", and the kind decides. */
const bucket = (s: number): number => Math.round(s * 2);

export function compareResults(a: SearchResult, b: SearchResult): number {
  return bucket(b.score) - bucket(a.score) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.when - a.when ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0);
}

/** The best `limit` results for the terms, one per address. */
export function rank(entries: Iterable<SearchEntry>, terms: readonly string[], now: number, limit: number): SearchResult[] {
  const byUrl = new Map<string, SearchResult[]>();
  for (const e of entries) {
    const s = score(e, terms, now);
    if (s === null) continue;
    const r: SearchResult = { kind: e.kind, url: e.url, title: e.title, device: e.device, when: e.when, also: [], score: s };
    const list = byUrl.get(e.url);
    if (list) list.push(r);
    else byUrl.set(e.url, [r]);
  }
  const out: SearchResult[] = [];
  for (const list of byUrl.values()) {
    list.sort(compareResults);
    // The address ranks as its best match; it is shown as its most telling kind (a tab names its
    // device), since opening any of them opens the same page.
    const best = list[0]!;
    const shown = list.reduce((a, b) => (KIND_ORDER[b.kind] < KIND_ORDER[a.kind] ? b : a));
    const kinds = new Set(list.map((r) => r.kind));
    kinds.delete(shown.kind);
    const also = [...kinds].sort((a, b) => KIND_ORDER[a] - KIND_ORDER[b]);
    // The best-matching title, or any, when one has none (a tab still loading, a page never titled).
    const title = [best, shown, ...list].find((r) => r.title.trim() !== '')?.title ?? '';
    out.push({ ...shown, title, also, when: Math.max(...list.map((r) => r.when)), score: best.score + POINTS.perOtherKind * also.length });
  }
  return out.sort(compareResults).slice(0, limit);
}
