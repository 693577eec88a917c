import { describe, expect, test } from 'vitest';
import type { RemoteTabsDevice, RemoteTabView } from '../shared/tabs.ts';
import {
  FILTER_AFTER_TABS, NO_MATCHING_TABS, faviconSrc, filterGroups, filterSummary, groupTabs, matchingRows, showsFilter, tabRow, totalTabs,
} from './remoteTabs.ts';
import { displayHost, isLinkable } from './links.ts';

const tab = (url: string, title: string, lastUsed: number, icon: string | null = null): RemoteTabView => ({ url, title, lastUsed, icon });
const device = (clientId: string, name: string, type: string, tabs: RemoteTabView[]): RemoteTabsDevice => ({ clientId, name, type, tabs });

describe('grouping', () => {
  test('per device, tabs most recently used first, the most recently used device first; devices without tabs left out', () => {
    const groups = groupTabs({
      devices: [
        device('a', 'Laptop', 'desktop', [tab('https://a.example/1', 'A1', 100), tab('https://a.example/2', 'A2', 300)]),
        device('b', 'Phone', 'mobile', [tab('https://b.example/1', 'B1', 200), tab('https://b.example/2', 'B2', 900)]),
        device('c', 'Old tablet', 'tablet', []),
      ],
    });
    expect(groups.map((g) => [g.name, g.typeLabel, g.rows.map((r) => r.title)])).toEqual([
      ['Phone', 'Mobile', ['B2', 'B1']],
      ['Laptop', 'Desktop', ['A2', 'A1']],
    ]);
    expect(totalTabs(groups)).toBe(4);
  });

  test('a device without a name is still named; unknown types are shown as given', () => {
    const [g] = groupTabs({ devices: [device('a', '  ', 'smartwatch', [tab('https://x.example/', 'X', 1)])] });
    expect(g!.name).toBe('Unnamed device');
    expect(g!.typeLabel).toBe('Smartwatch');
    expect(groupTabs({ devices: [device('a', 'D', '', [tab('https://x.example/', 'X', 1)])] })[0]!.typeLabel).toBe('Device');
  });

  test('does not reorder the view it is given', () => {
    const tabs = [tab('https://a.example/1', 'A1', 1), tab('https://a.example/2', 'A2', 2)];
    groupTabs({ devices: [device('a', 'Laptop', 'desktop', tabs)] });
    expect(tabs.map((t) => t.title)).toEqual(['A1', 'A2']);
  });
});

describe('rows', () => {
  test('title, else the address; the host under it', () => {
    expect(tabRow(tab('https://news.example.com:8443/a?b', 'News', 1))).toMatchObject({ title: 'News', host: 'news.example.com:8443', linkable: true });
    expect(tabRow(tab('https://news.example.com/a', '', 1))).toMatchObject({ title: 'https://news.example.com/a', host: 'news.example.com' });
    expect(tabRow(tab('https://news.example.com/a', '   ', 1)).title).toBe('https://news.example.com/a');
  });

  test('an address without a host is shown in full under its title, not twice when it is the title', () => {
    expect(tabRow(tab('about:reader?url=x', 'Reader', 1))).toMatchObject({ title: 'Reader', host: 'about:reader?url=x', linkable: false });
    expect(tabRow(tab('about:blank', '', 1))).toMatchObject({ title: 'about:blank', host: '' });
  });

  test('only http, https and ftp addresses are links', () => {
    for (const url of ['http://a.example/', 'https://a.example/', 'ftp://files.example/pub/']) expect(isLinkable(url), url).toBe(true);
    for (const url of [
      'javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'about:config', 'chrome://settings/',
      'moz-extension://abc/page.html', 'blob:https://a.example/1', 'view-source:https://a.example/', 'not a url', '',
    ]) expect(isLinkable(url), url).toBe(false);
    expect(tabRow(tab('JavaScript:alert(1)', 'x', 1)).linkable).toBe(false);
  });

  test('hosts', () => {
    expect(displayHost('https://www.example.org/path')).toBe('www.example.org');
    expect(displayHost('http://[::1]:8080/')).toBe('[::1]:8080');
    expect(displayHost('https://xn--caf-dma.example/')).toBe('xn--caf-dma.example');
    expect(displayHost('mailto:a@b.c')).toBe('');
    expect(displayHost('garbage')).toBe('');
  });

  test('favicons are loaded only from http(s) addresses; anything else gets the placeholder', () => {
    expect(faviconSrc('https://a.example/favicon.ico')).toBe('https://a.example/favicon.ico');
    expect(faviconSrc('http://a.example/f.png')).toBe('http://a.example/f.png');
    for (const icon of [null, undefined, '', 'data:image/png;base64,AAAA', 'javascript:alert(1)', 'chrome://favicon/x', 'page-icon:https://a.example/', 'nonsense']) {
      expect(faviconSrc(icon), String(icon)).toBeNull();
    }
    expect(tabRow(tab('https://a.example/', 'A', 1, 'data:image/png;base64,AAAA')).icon).toBeNull();
  });
});

describe('filter', () => {
  const many = (n: number): RemoteTabView[] => Array.from({ length: n }, (_, i) => tab(`https://site${i}.example/`, `Tab ${i}`, i));

  test(`shown when there are more than ${FILTER_AFTER_TABS} tabs in all`, () => {
    expect(showsFilter(groupTabs({ devices: [device('a', 'A', 'desktop', many(FILTER_AFTER_TABS))] }))).toBe(false);
    expect(showsFilter(groupTabs({
      devices: [device('a', 'A', 'desktop', many(FILTER_AFTER_TABS - 2)), device('b', 'B', 'mobile', many(3))],
    }))).toBe(true);
  });

  const groups = groupTabs({
    devices: [
      device('a', 'Laptop', 'desktop', [
        tab('https://recipes.example/sourdough', 'Sourdough basics', 5),
        tab('https://example.com/caf%C3%A9', 'Menu', 4),
        tab('https://news.example/', 'Morning News', 3),
      ]),
      device('b', 'Phone', 'mobile', [tab('https://maps.example/route', 'Route to the bakery', 2)]),
    ],
  });

  test('by title and address, every word, any case; a device left without tabs is dropped', () => {
    expect(filterGroups(groups, 'SOURDOUGH').map((g) => [g.name, g.rows.map((r) => r.title)])).toEqual([['Laptop', ['Sourdough basics']]]);
    expect(filterGroups(groups, 'maps.example').map((g) => g.name)).toEqual(['Phone']);
    expect(filterGroups(groups, 'example route').flatMap((g) => g.rows.map((r) => r.title))).toEqual(['Route to the bakery']);
    expect(filterGroups(groups, 'café').flatMap((g) => g.rows.map((r) => r.title))).toEqual(['Menu']);
    expect(filterGroups(groups, 'nothing-like-this')).toEqual([]);
  });

  test('a blank query shows everything', () => {
    expect(matchingRows(groups, '   ').size).toBe(4);
    expect(filterGroups(groups, '')).toEqual(groups);
  });

  test('what the status line says', () => {
    expect(filterSummary(4, 4)).toBe('');
    expect(filterSummary(1, 4)).toBe('1 of 4 tabs');
    expect(filterSummary(0, 4)).toBe(NO_MATCHING_TABS);
    expect(NO_MATCHING_TABS).toBe('No tabs match');
  });
});
