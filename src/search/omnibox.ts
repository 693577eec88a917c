// The address bar's keyword search ("fx" then a word): suggestions from the search index as the
// person types, the best one as the default (Enter opens it), and opening the chosen address as
// the browser asks (this tab, a new tab, a background tab). Chromium's descriptions are XML with
// <match>, <dim> and <url>; Firefox shows plain text. Browser-free: the background gives it its ports.
import { t } from '../i18n/i18n.ts';
import { isLinkable } from '../ui/links.ts';
import { resultDetail } from './labels.ts';
import type { SearchResult } from './rank.ts';
import { normalize, queryTerms } from './tokenize.ts';

/** Chromium lists about this many below the default; more would be cut. */
export const OMNIBOX_SUGGESTIONS = 6;

export type Disposition = 'currentTab' | 'newForegroundTab' | 'newBackgroundTab';

export interface OmniboxSuggestion {
  content: string;
  description: string;
}

export interface OmniboxPorts {
  /** The search (the indexer's), or null while signed out. */
  search(text: string, limit: number): Promise<SearchResult[] | null>;
  /** Chromium: descriptions are XML markup. Firefox: plain text. */
  markup: boolean;
  setDefaultSuggestion(description: string): void;
  open(url: string, disposition: Disposition): Promise<void>;
}

export interface OmniboxProvider {
  inputStarted(): void;
  inputChanged(text: string, suggest: (suggestions: OmniboxSuggestion[]) => void): Promise<void>;
  inputEntered(text: string, disposition: string): Promise<void>;
}

/** XML 1.0 has no place for most control characters, and Chromium rejects a description with one. */
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeXml(text: string): string {
  return text.replace(CONTROL, '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** The title with each word that a query word starts marked <match>, escaped around it. */
export function markMatches(title: string, terms: readonly string[]): string {
  return title.split(/([\p{L}\p{N}\p{M}]+)/u).map((part, i) => {
    if (i % 2 === 0) return escapeXml(part); // the separators between words
    const w = normalize(part);
    return terms.some((term) => w.startsWith(term)) ? `<match>${escapeXml(part)}</match>` : escapeXml(part);
  }).join('');
}

export function describe(r: SearchResult, terms: readonly string[], markup: boolean): string {
  const title = r.title.trim() !== '' ? r.title : r.url;
  const kind = resultDetail(r);
  if (!markup) return `${title} — ${kind} — ${r.url}`.replace(CONTROL, '');
  return `${markMatches(title, terms)} <dim>— ${escapeXml(kind)}</dim> <url>${escapeXml(r.url)}</url>`;
}

function asDisposition(d: string): Disposition {
  return d === 'newForegroundTab' || d === 'newBackgroundTab' ? d : 'currentTab';
}

export function createOmniboxProvider(p: OmniboxPorts): OmniboxProvider {
  const plain = (text: string): string => (p.markup ? escapeXml(text) : text);
  let latest = 0;
  return {
    inputStarted() {
      p.setDefaultSuggestion(plain(t('searchOmniboxStart')));
    },
    async inputChanged(text, suggest) {
      const mine = ++latest;
      const query = text.trim();
      if (query === '') {
        p.setDefaultSuggestion(plain(t('searchOmniboxStart')));
        suggest([]);
        return;
      }
      const results = await p.search(query, OMNIBOX_SUGGESTIONS + 1);
      // Typing goes on while the index answers: only the latest text's answer is shown.
      if (mine !== latest) return;
      if (results === null) {
        p.setDefaultSuggestion(plain(t('searchOmniboxSignedOut')));
        suggest([]);
        return;
      }
      const terms = queryTerms(query);
      const [best, ...rest] = results;
      p.setDefaultSuggestion(best ? describe(best, terms, p.markup) : plain(t('searchOmniboxNoMatch', query)));
      // The best is the default (Enter opens it); the others below, each opening its address.
      suggest(rest.map((r) => ({ content: r.url, description: describe(r, terms, p.markup) })));
    },
    async inputEntered(text, disposition) {
      const chosen = text.trim();
      // A suggestion's content is its address; anything else is the typed query, whose best result opens.
      let url: string | null = isLinkable(chosen) && /^[a-z]+:\/\//i.test(chosen) ? chosen : null;
      if (url === null) url = (await p.search(chosen, 1))?.[0]?.url ?? null;
      if (url === null || !isLinkable(url)) return;
      await p.open(url, asDisposition(disposition));
    },
  };
}
