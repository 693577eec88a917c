import { describe, expect, it } from 'vitest';
import { normalizeUrl, sameUrl } from './sides.ts';

describe('URLs as the browser stores them', () => {
  it('compares URLs as Chromium normalizes them, the same answer every time it is asked (parsed once)', () => {
    for (let round = 0; round < 2; round++) {
      expect(normalizeUrl('HTTPS://Example.COM')).toBe('https://example.com/');
      expect(sameUrl('HTTPS://Example.COM', 'https://example.com/')).toBe(true);
      expect(sameUrl('https://example.com/a', 'https://example.com/b')).toBe(false);
      // Unparseable URLs compare as written.
      expect(normalizeUrl('not a url')).toBe('not a url');
      expect(sameUrl('not a url', 'not a url')).toBe(true);
      expect(sameUrl('not a url', 'Not a url')).toBe(false);
      expect(sameUrl(null, undefined)).toBe(true);
      expect(sameUrl(null, 'https://example.com/')).toBe(false);
    }
  });
});
