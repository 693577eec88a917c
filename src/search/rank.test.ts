import { describe, expect, test } from 'vitest';
import type { SearchEntry, SearchKind } from '../db/schema.ts';
import { POINTS, RECENCY_POINTS, rank, score } from './rank.ts';
import { entryWords } from './tokenize.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 24 * 3600 * 1000;

function entry(kind: SearchKind, title: string, url: string, when = 0, device: string | null = kind === 'tab' ? 'Firefox on Desktop' : null, id = `${title}|${url}`): SearchEntry {
  return { key: `${kind}:${id}`, kind, url, title, device, when, words: entryWords(title, url) };
}

describe('ranking', () => {
  test('every word must match: a title word, a prefix of one, or an address word', () => {
    const e = entry('bookmark', 'Sourdough basics', 'https://bread.example.org/sourdough');
    expect(score(e, ['sourdough', 'basics'], NOW)).not.toBeNull();
    expect(score(e, ['sour', 'bas'], NOW)).not.toBeNull();
    expect(score(e, ['bread'], NOW)).not.toBeNull();
    expect(score(e, ['sourdough', 'pancakes'], NOW)).toBeNull();
    expect(score(e, ['ough'], NOW)).toBeNull(); // words are matched from their start
    expect(score(e, [], NOW)).toBeNull();
  });

  test('title over address, whole word over prefix', () => {
    const inTitle = entry('bookmark', 'Rust book', 'https://a.example/x');
    const inUrl = entry('bookmark', 'A language', 'https://rust.example/x');
    const prefixInTitle = entry('bookmark', 'Rustacean station', 'https://b.example/y');
    expect(score(inTitle, ['rust'], NOW)).toBe(POINTS.titleWord + POINTS.titleStart);
    expect(score(prefixInTitle, ['rust'], NOW)).toBe(POINTS.titlePrefix + POINTS.titleStart);
    expect(score(inUrl, ['rust'], NOW)).toBe(POINTS.urlWord);
    expect(rank([inUrl, prefixInTitle, inTitle], ['rust'], NOW, 10).map((r) => r.title)).toEqual(['Rust book', 'Rustacean station', 'A language']);
  });

  test('recent items rise; the bonus halves each week', () => {
    const fresh = entry('history', 'Weather report', 'https://w.example/1', NOW);
    const weekOld = entry('history', 'Weather report', 'https://w.example/2', NOW - 7 * DAY);
    expect(score(fresh, ['weather'], NOW)! - score(weekOld, ['weather'], NOW)!).toBeCloseTo(RECENCY_POINTS / 2);
    expect(rank([weekOld, fresh], ['weather'], NOW, 10).map((r) => r.url)).toEqual(['https://w.example/1', 'https://w.example/2']);
  });

  test('equally good: a tab from another device first, then a page, then a bookmark', () => {
    const when = NOW - 30 * DAY;
    const results = rank([
      entry('bookmark', 'Hacker News', 'https://news.ycombinator.com/b', when),
      entry('history', 'Hacker News', 'https://news.ycombinator.com/h', when),
      entry('tab', 'Hacker News', 'https://news.ycombinator.com/t', when),
    ], ['hacker'], NOW, 10);
    expect(results.map((r) => r.kind)).toEqual(['tab', 'history', 'bookmark']);
  });

  test('one result per address, as its best kind, telling what else it is; the device stays with the tab', () => {
    const url = 'https://developer.mozilla.org/en-US/';
    const results = rank([
      entry('bookmark', 'MDN Web Docs', url, NOW - 300 * DAY),
      entry('history', 'MDN Web Docs', url, NOW - 2 * DAY),
      entry('tab', 'MDN Web Docs', url, NOW - 2 * DAY, 'Firefox on Laptop'),
      entry('bookmark', 'MDN Web Docs', url, NOW - 100 * DAY, null, 'second copy'),
      entry('bookmark', 'MDN plus', 'https://developer.mozilla.org/plus', 0),
    ], ['mdn'], NOW, 10);
    expect(results.map((r) => [r.kind, r.url, r.device, r.also])).toEqual([
      ['tab', url, 'Firefox on Laptop', ['history', 'bookmark']],
      ['bookmark', 'https://developer.mozilla.org/plus', null, []],
    ]);
  });

  test('a title missing on the winner is taken from another kind; results are capped', () => {
    const url = 'https://example.com/page';
    const [r] = rank([entry('tab', '', url, NOW), entry('bookmark', 'Example page', url, 0)], ['example'], NOW, 10);
    expect(r).toMatchObject({ kind: 'tab', title: 'Example page' });
    const many = Array.from({ length: 50 }, (_, i) => entry('bookmark', `Note ${i}`, `https://n.example/${i}`));
    expect(rank(many, ['note'], NOW, 7)).toHaveLength(7);
  });

  test('the words in the order typed, in the title, rank above the same words apart', () => {
    const together = entry('bookmark', 'Fluffy pancakes recipe', 'https://a.example/1');
    const apart = entry('bookmark', 'Pancakes: not so fluffy', 'https://a.example/2');
    expect(rank([apart, together], ['fluffy', 'pancakes'], NOW, 10).map((r) => r.url)).toEqual(['https://a.example/1', 'https://a.example/2']);
  });
});
