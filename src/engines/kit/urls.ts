// Which addresses an engine sends to other devices: each engine names the schemes Firefox leaves
// out for its data (history and tabs differ a little); the parsing and the length limit are shared.

/** Places' URI_LENGTH_MAX: Firefox stores no longer address. */
export const MAX_URL_LENGTH = 65_536;

/** Whether `url` parses, is within Firefox's length limit, and has none of the `excluded` schemes ("file:"…). */
export function urlAllowed(url: string, excluded: ReadonlySet<string>): boolean {
  if (url.length === 0 || url.length > MAX_URL_LENGTH) return false;
  try {
    return !excluded.has(new URL(url).protocol);
  } catch {
    return false;
  }
}
