// Addresses and search text shared by the pages that list other devices' pages (history, tabs).
// DOM-free, so it is tested in Node.

const LINK_SCHEMES = new Set(['http:', 'https:', 'ftp:']);

/**
 * Whether an address may be a link (or be opened or sent) here. Another device can hold any scheme
 * (javascript:, data:, file:, a browser's internal pages); only web addresses are safe and
 * meaningful to open.
 */
export function isLinkable(url: string): boolean {
  try {
    return LINK_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

/** The host shown under a title ("example.com:8080"); empty for addresses without one. */
export function displayHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/**
 * The lowercase text a query is matched against, computed once per item (not per keystroke).
 * The decoded URL is included so "café" finds https://example.com/caf%C3%A9.
 */
export function searchHaystack(title: string, url: string): string {
  let decoded = url;
  try {
    decoded = decodeURI(url);
  } catch {
    // A malformed escape: match the URL as written.
  }
  return (decoded === url ? `${title}\n${url}` : `${title}\n${url}\n${decoded}`).toLowerCase();
}

/** The query's words, lowercased; none for a blank query (which matches everything). */
export function queryWords(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((w) => w !== '');
}

/** Every word must appear somewhere in the haystack. */
export function matchesWords(haystack: string, words: readonly string[]): boolean {
  for (const w of words) if (!haystack.includes(w)) return false;
  return true;
}
