// Words for the search index and for queries, made the same way on both sides so a typed word finds
// what it should: compatibility-decomposed (NFKD: "ﬁ" → "fi", full-width → ASCII), diacritics
// dropped ("Café" → "cafe"), lower case, split on anything that is not a letter or a digit.
// Addresses add their host's labels and their path's words (percent-decoded), not their scheme.

/** Longer "words" (tokens, hashes, base64 in URLs) are cut: nobody types them, and keys stay small. */
export const MAX_WORD_LENGTH = 32;
/** Words kept per entry: a title and an address rarely have more; an endless query string does. */
export const MAX_WORDS = 48;

const COMBINING_MARKS = /\p{M}+/gu;
const NOT_WORD = /[^\p{L}\p{N}]+/u;

/** NFKD, without combining marks, lower case. */
export function normalize(text: string): string {
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase();
}

/** The words of a text, in order, repeats included. */
export function words(text: string): string[] {
  if (text === '') return [];
  return normalize(text).split(NOT_WORD).filter((w) => w !== '').map((w) => w.slice(0, MAX_WORD_LENGTH));
}

/** Host labels and path words of an address ("https://www.Mozilla.org/en-US/firefox" → mozilla, org, en, us, firefox). */
export function urlWords(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return words(url);
  }
  // "www" is in half of all addresses: a word that finds everything finds nothing.
  const host = words(parsed.hostname).filter((w) => w !== 'www');
  let path = parsed.pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: the words as written.
  }
  return [...host, ...words(path)];
}

/** What an entry is listed under: its title's and its address's words, each once, title first. */
export function entryWords(title: string, url: string): string[] {
  const out = new Set<string>();
  for (const w of words(title)) out.add(w);
  for (const w of urlWords(url)) out.add(w);
  return [...out].slice(0, MAX_WORDS);
}

/** A query's words, each once; the last may be half typed (every word is matched as a prefix). */
export function queryTerms(query: string): string[] {
  return [...new Set(words(query))].slice(0, 8);
}
