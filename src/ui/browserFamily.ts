// Which browser a page runs in, for wording and settings that mean something in one family only.
import { browser } from '../browser/api.ts';

/**
 * Firefox alone implements runtime.getBrowserInfo; Chromium's `browser` (native or the polyfill's)
 * has none, whatever the polyfill's types say.
 */
export function isFirefox(): boolean {
  return typeof (browser.runtime as { getBrowserInfo?: unknown }).getBrowserInfo === 'function';
}
