import { describe, expect, test } from 'vitest';
import { MAX_WORDS, MAX_WORD_LENGTH, entryWords, normalize, queryTerms, urlWords, words } from './tokenize.ts';

describe('search words', () => {
  test('NFKD, lower case, diacritics dropped: what a person types matches however it was written', () => {
    expect(normalize('Café Ångström')).toBe('cafe angstrom');
    expect(normalize('ﬁle Ｆｕｌｌ')).toBe('file full'); // ligature and full-width letters decompose
    expect(words('Crème brûlée — 2 Rezepte: Süßes!')).toEqual(['creme', 'brulee', '2', 'rezepte', 'süßes'.normalize('NFKD').replace(/\p{M}/gu, '')]);
    expect(words('Ärger über Öl')).toEqual(['arger', 'uber', 'ol']);
  });

  test('splits on anything but letters and digits, in any script', () => {
    expect(words('foo_bar-baz.qux/1,2')).toEqual(['foo', 'bar', 'baz', 'qux', '1', '2']);
    expect(words('Москва — столица')).toEqual(['москва', 'столица']);
    expect(words('')).toEqual([]);
    expect(words('  ...  ')).toEqual([]);
  });

  test('addresses give their host labels (not "www") and their decoded path words, not the scheme or query', () => {
    expect(urlWords('https://www.Mozilla.org/en-US/firefox/')).toEqual(['mozilla', 'org', 'en', 'us', 'firefox']);
    expect(urlWords('https://example.com/caf%C3%A9/men%C3%BC?q=secret#frag')).toEqual(['example', 'com', 'cafe', 'menu']);
    expect(urlWords('https://example.com/%E0%A4%A')).toEqual(['example', 'com', 'e0', 'a4', 'a']); // a malformed escape stays as written
    expect(urlWords('not a url')).toEqual(['not', 'a', 'url']);
  });

  test('an entry is listed under each word of its title and address once, with long tokens cut and the count capped', () => {
    expect(entryWords('Mozilla Firefox', 'https://www.mozilla.org/firefox')).toEqual(['mozilla', 'firefox', 'org']);
    const long = 'x'.repeat(100);
    expect(entryWords(long, 'https://a.example/')[0]).toHaveLength(MAX_WORD_LENGTH);
    const many = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    expect(entryWords(many, 'https://a.example/')).toHaveLength(MAX_WORDS);
  });

  test('query terms are the same words, each once', () => {
    expect(queryTerms('  Sourdough  SOURDOUGH basics ')).toEqual(['sourdough', 'basics']);
    expect(queryTerms('   ')).toEqual([]);
  });
});
