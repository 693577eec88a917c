import { describe, expect, test } from 'vitest';
import type { SyncedPageView } from '../shared/history.ts';
import {
  dayHeading, displayHost, displayTitle, filterPages, groupByDay, indexPages, isLinkable, localDayKey, pageHaystack, queryWords,
} from './list.ts';

// Local-time constructors keep these tests right in any time zone the machine runs in.
const at = (y: number, m: number, d: number, h = 12, min = 0): number => new Date(y, m - 1, d, h, min).getTime();
const view = (url: string, title: string, lastVisit: number, visitCount = 1): SyncedPageView => ({ url, title, lastVisit, visitCount });

describe('days', () => {
  const now = at(2024, 5, 10, 9);

  test('today, yesterday (by calendar day, not 24 hours), then dates in the browser’s language', () => {
    expect(dayHeading(at(2024, 5, 10, 0, 1), now, 'en-US')).toBe('Today');
    expect(dayHeading(at(2024, 5, 9, 23, 59), now, 'en-US')).toBe('Yesterday');
    expect(dayHeading(at(2024, 5, 9, 0, 1), now, 'en-US')).toBe('Yesterday');
    expect(dayHeading(at(2024, 5, 8, 23), now, 'en-US')).toBe('Wednesday, May 8');
    expect(dayHeading(at(2024, 5, 8, 23), now, 'de-DE')).toBe('Mittwoch, 8. Mai');
    expect(dayHeading(at(2023, 12, 31), now, 'en-US')).toBe('Sunday, December 31, 2023');
  });

  test('yesterday across a month and a year boundary', () => {
    expect(dayHeading(at(2024, 4, 30, 22), at(2024, 5, 1, 1), 'en-US')).toBe('Yesterday');
    expect(dayHeading(at(2023, 12, 31, 22), at(2024, 1, 1, 1), 'en-US')).toBe('Yesterday');
  });

  test('pages grouped by local day, newest day and newest page first', () => {
    const pages = [
      view('https://a/', 'a', at(2024, 5, 9, 8)),
      view('https://b/', 'b', at(2024, 5, 10, 8)),
      view('https://c/', 'c', at(2024, 5, 9, 20)),
      view('https://d/', 'd', at(2024, 5, 1, 20)),
      view('https://e/', 'e', at(2024, 5, 10, 7)),
    ];
    const groups = groupByDay(pages, now, 'en-US');
    expect(groups.map((g) => [g.key, g.heading, g.items.map((p) => p.title).join('')])).toEqual([
      ['2024-05-10', 'Today', 'be'],
      ['2024-05-09', 'Yesterday', 'ca'],
      ['2024-05-01', 'Wednesday, May 1', 'd'],
    ]);
    expect(localDayKey(at(2024, 1, 2, 0, 0))).toBe('2024-01-02');
  });

  test('no pages, no groups', () => {
    expect(groupByDay([], now)).toEqual([]);
  });
});

describe('rows', () => {
  test('only web addresses become links', () => {
    for (const url of ['https://example.com/', 'http://example.com/a?b#c', 'ftp://files.example.com/x', 'HTTPS://EXAMPLE.COM/']) {
      expect(isLinkable(url), url).toBe(true);
    }
    for (const url of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'chrome://settings',
      'about:config', 'moz-extension://x/y', 'blob:https://example.com/1', 'not a url', '']) {
      expect(isLinkable(url), url).toBe(false);
    }
  });

  test('host and title shown', () => {
    expect(displayHost('https://www.example.com:8443/a')).toBe('www.example.com:8443');
    expect(displayHost('about:blank')).toBe('');
    expect(displayHost('::')).toBe('');
    expect(displayTitle(view('https://x.example/', '', 1))).toBe('https://x.example/');
    expect(displayTitle(view('https://x.example/', 'X', 1))).toBe('X');
  });
});

describe('search', () => {
  const pages = [
    view('https://developer.mozilla.org/en-US/docs/Web/API/fetch', 'fetch() global function - Web APIs | MDN', 3),
    view('https://example.com/caf%C3%A9', 'Menu', 2),
    view('https://news.example/story', 'Rust 2024 Edition released', 1),
  ];
  const index = indexPages(pages, (p) => p);
  const titles = (q: string): string[] => filterPages(index, q).map((p) => p.title);

  test('every word must match the title or the URL, in any case and order', () => {
    expect(titles('')).toEqual(pages.map((p) => p.title));
    expect(titles('   ')).toHaveLength(3);
    expect(titles('MDN fetch')).toEqual(['fetch() global function - Web APIs | MDN']);
    expect(titles('mozilla fetch')).toEqual(['fetch() global function - Web APIs | MDN']);
    expect(titles('mozilla rust')).toEqual([]);
    expect(titles('EDITION   rust\t')).toEqual(['Rust 2024 Edition released']);
    expect(titles('news.example/story')).toEqual(['Rust 2024 Edition released']);
  });

  test('an escaped URL matches as written and as read', () => {
    expect(titles('café')).toEqual(['Menu']);
    expect(titles('%c3%a9')).toEqual(['Menu']);
    expect(pageHaystack(view('https://x.example/%E0%A4%A', 'Bad escape', 1))).toBe('bad escape\nhttps://x.example/%e0%a4%a');
  });

  test('query words are lowercased and split on any whitespace', () => {
    expect(queryWords('  Foo\tBAR  baz\n')).toEqual(['foo', 'bar', 'baz']);
  });

  test('filtering 5,000 pages as the person types stays fast', () => {
    const many = Array.from({ length: 5000 }, (_, i) => view(`https://site${i}.example.org/articles/${i}/some-long-path-segment`, `Article number ${i} about things`, i));
    const big = indexPages(many, (p) => p);
    const t = performance.now();
    for (const q of ['a', 'ar', 'art', 'arti', 'article 12', 'article 123', 'article 1234 things', 'zzz']) filterPages(big, q);
    // Eight keystrokes; each must fit well inside a frame on a slow machine.
    expect((performance.now() - t) / 8).toBeLessThan(16);
    expect(filterPages(big, 'article 1234 things').map((p) => p.lastVisit)).toEqual([1234]);
  });
});
