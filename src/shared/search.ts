// What the popup's search shows: the search index's best results for a query (src/search/).
import type { SearchKind } from '../db/schema.ts';

export type { SearchKind };

export interface SearchResultView {
  kind: SearchKind;
  url: string;
  title: string;
  /** The device, for a tab from another device. */
  device: string | null;
  /** Other kinds the same address was found as (a tab that is also a bookmark). */
  also: SearchKind[];
}

export interface SearchView {
  /** Best first. */
  results: SearchResultView[];
  /** Signed out, nothing is searched: the index belongs to no account. */
  signedIn: boolean;
}

/** Results the popup asks for at most. */
export const POPUP_SEARCH_LIMIT = 20;
