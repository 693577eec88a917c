import { describe, expect, test } from 'vitest';
import type { SearchResult } from './rank.ts';
import { OMNIBOX_SUGGESTIONS, createOmniboxProvider, describe as describeResult, escapeXml, markMatches, type Disposition, type OmniboxSuggestion } from './omnibox.ts';

const result = (over: Partial<SearchResult>): SearchResult => ({
  kind: 'bookmark', url: 'https://example.com/', title: 'Example', device: null, when: 0, also: [], score: 10, ...over,
});

function harness(opts: { markup: boolean; results?: (text: string) => SearchResult[] | null; delay?: (text: string) => Promise<void> }) {
  const defaults: string[] = [];
  const opened: Array<[string, Disposition]> = [];
  const searched: string[] = [];
  const provider = createOmniboxProvider({
    markup: opts.markup,
    search: async (text, limit) => {
      searched.push(text);
      await opts.delay?.(text);
      const r = opts.results ? opts.results(text) : [];
      return r === null ? null : r.slice(0, limit);
    },
    setDefaultSuggestion: (d) => defaults.push(d),
    open: async (url, d) => void opened.push([url, d]),
  });
  const changed = async (text: string): Promise<OmniboxSuggestion[] | undefined> => {
    let got: OmniboxSuggestion[] | undefined;
    await provider.inputChanged(text, (s) => (got = s));
    return got;
  };
  return { provider, defaults, opened, searched, changed };
}

describe('address bar keyword', () => {
  test('Chromium: XML descriptions, escaped, the query words marked, the kind dimmed, the address as a URL', () => {
    expect(escapeXml(`a & b <c> "d" 'e'\u0001`)).toBe('a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;');
    expect(markMatches('Crème <brûlée> & more', ['creme', 'bru'])).toBe('<match>Crème</match> &lt;<match>brûlée</match>&gt; &amp; more');
    const r = result({ kind: 'tab', device: 'Firefox & Co', title: 'Tom & Jerry', url: 'https://example.com/?a=1&b=2', also: ['bookmark'] });
    expect(describeResult(r, ['tom'], true)).toBe('<match>Tom</match> &amp; Jerry <dim>— Tab on Firefox &amp; Co · also bookmarked</dim> <url>https://example.com/?a=1&amp;b=2</url>');
    // Firefox shows text as it is.
    expect(describeResult(r, ['tom'], false)).toBe('Tom & Jerry — Tab on Firefox & Co · also bookmarked — https://example.com/?a=1&b=2');
    expect(describeResult(result({ title: '  ', kind: 'history' }), [], false)).toBe('https://example.com/ — Visited on another device — https://example.com/');
  });

  test('typing suggests: the best result becomes the default (Enter opens it), the others are listed with their addresses as content', async () => {
    const all = Array.from({ length: 10 }, (_, i) => result({ url: `https://e.example/${i}`, title: `Page ${i}` }));
    const h = harness({ markup: true, results: () => all });
    const suggestions = await h.changed('page');
    expect(h.defaults.at(-1)).toBe('<match>Page</match> 0 <dim>— Bookmark</dim> <url>https://e.example/0</url>');
    expect(suggestions?.map((s) => s.content)).toEqual(all.slice(1, OMNIBOX_SUGGESTIONS + 1).map((r) => r.url));
    expect(suggestions?.[0]?.description).toContain('<match>Page</match> 1');
  });

  test('nothing typed, nothing found, signed out: the default line says so, in plain text for Firefox', async () => {
    const h = harness({ markup: false, results: (text) => (text === 'signed-out' ? null : []) });
    h.provider.inputStarted();
    expect(h.defaults.at(-1)).toBe('Search your synced tabs, history and bookmarks');
    expect(await h.changed('  ')).toEqual([]);
    expect(h.searched).toEqual([]);
    expect(await h.changed('<zzz>')).toEqual([]);
    expect(h.defaults.at(-1)).toBe('No synced tab, page or bookmark matches “<zzz>”');
    await h.changed('signed-out');
    expect(h.defaults.at(-1)).toBe('Sign in to Syncbridge to search your synced tabs, history and bookmarks');
    // Chromium gets the same lines escaped.
    const c = harness({ markup: true, results: () => [] });
    await c.changed('<zzz>');
    expect(c.defaults.at(-1)).toBe('No synced tab, page or bookmark matches “&lt;zzz&gt;”');
  });

  test('a slower answer for earlier text is dropped: only the latest text is suggested', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = harness({ markup: true, results: (text) => [result({ title: text, url: `https://e.example/${text}` }), result({ title: `${text} 2`, url: `https://e.example/${text}2` })], delay: (text) => (text === 'mo' ? gate : Promise.resolve()) });
    const slow: OmniboxSuggestion[][] = [];
    const first = h.provider.inputChanged('mo', (s) => slow.push(s));
    const latest = await h.changed('moz');
    release();
    await first;
    expect(slow).toEqual([]);
    expect(latest?.map((s) => s.content)).toEqual(['https://e.example/moz2']);
    expect(h.defaults.at(-1)).toContain('https://e.example/moz<');
  });

  test('Enter opens the chosen suggestion, or the best result for the typed text, as the browser asks; never an unsafe address', async () => {
    const h = harness({ markup: true, results: (text) => (text === 'mdn' ? [result({ url: 'https://developer.mozilla.org/' })] : text === 'evil' ? [result({ url: 'javascript:alert(1)' })] : []) });
    await h.provider.inputEntered('https://lwn.net/', 'newForegroundTab');
    await h.provider.inputEntered('mdn', 'currentTab');
    await h.provider.inputEntered('mdn', 'newBackgroundTab');
    await h.provider.inputEntered('mdn', 'somethingNew');
    await h.provider.inputEntered('javascript:alert(1)', 'currentTab');
    await h.provider.inputEntered('data:text/html,hi', 'currentTab');
    await h.provider.inputEntered('evil', 'currentTab');
    await h.provider.inputEntered('nothing here', 'currentTab');
    expect(h.opened).toEqual([
      ['https://lwn.net/', 'newForegroundTab'],
      ['https://developer.mozilla.org/', 'currentTab'],
      ['https://developer.mozilla.org/', 'newBackgroundTab'],
      ['https://developer.mozilla.org/', 'currentTab'],
    ]);
  });
});
