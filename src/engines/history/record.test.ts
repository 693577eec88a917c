import { describe, expect, test } from 'vitest';
import { applicableVisits, frecency, isSyncableUrl, isValidGuid, parseHistoryRecord, serializeHistoryRecord, EARLIEST_VISIT_MS } from './record.ts';
import { transitionFor, visitTypeFor } from './transitions.ts';
import { missingVisits, pageUpload } from './merge.ts';

const NOW = Date.UTC(2026, 11, 2);

describe('history records', () => {
  test('parse keeps unknown page and visit fields; serialize writes them back', () => {
    const c = { id: 'abcdefghijkl', histUri: 'https://a.example/', title: 'A', later: 1, visits: [{ date: 5, type: 1, x: true }, 'junk'] };
    const r = parseHistoryRecord(c)!;
    expect(r).toEqual({ kind: 'page', id: c.id, histUri: c.histUri, title: 'A', visits: [{ date: 5, type: 1, x: true }], extra: { later: 1 } });
    expect(serializeHistoryRecord(r)).toEqual({ later: 1, id: c.id, histUri: c.histUri, title: 'A', visits: [{ date: 5, type: 1, x: true }] });
    expect(parseHistoryRecord({ id: 'abcdefghijkl', deleted: true })).toEqual({ kind: 'tombstone', id: 'abcdefghijkl', extra: {} });
    expect(parseHistoryRecord({ id: 'abcdefghijkl', histUri: 'https://a/', visits: 'no' })).toBeNull();
    expect(parseHistoryRecord({ id: '', histUri: 'https://a/' })).toBeNull();
  });

  test('visits Firefox would apply: integer µs dates, types 1–9, each (ms, type) once, clamped, newest first', () => {
    const got = applicableVisits([
      { date: 1_700_000_000_000_100, type: 1 }, { date: 1_700_000_000_000_900, type: 1 }, // same ms, same type
      { date: 1_700_000_000_000_900, type: 2 }, { date: 1.5, type: 1 }, { date: 1_700_000_000_000_000, type: 10 },
      { date: '1700000000000000', type: 1 }, { date: (NOW + 3600_000) * 1000, type: 9 }, { date: 1000, type: 3 },
    ], NOW);
    expect(got).toEqual([
      { date: NOW * 1000, type: 9 }, { date: 1_700_000_000_000_900, type: 2 }, { date: 1_700_000_000_000_100, type: 1 }, { date: EARLIEST_VISIT_MS * 1000, type: 3 },
    ]);
  });

  test('URLs Firefox does not sync', () => {
    for (const u of ['file:///a', 'chrome://history', 'about:blank', 'data:,x', 'javascript:1', 'view-source:https://a/', 'chrome-extension://x/y', 'moz-extension://x/y', 'blob:https://a/1', 'not a url']) expect(isSyncableUrl(u), u).toBe(false);
    for (const u of ['https://a.example/', 'http://127.0.0.1:8000/x', 'ftp://files.example/']) expect(isSyncableUrl(u), u).toBe(true);
    expect(isSyncableUrl(`https://a.example/${'x'.repeat(65_536)}`)).toBe(false);
    expect(isValidGuid('abcdefghij-_')).toBe(true);
    expect(isValidGuid('abc')).toBe(false);
  });

  test('frecency: typed and recent visits weigh more', () => {
    const day = 24 * 3600 * 1000;
    const link = frecency([{ date: (NOW - day) * 1000, type: 1 }], NOW);
    expect(link).toBe(100);
    expect(frecency([{ date: (NOW - day) * 1000, type: 2 }], NOW)).toBeGreaterThan(link);
    expect(frecency([{ date: (NOW - 60 * day) * 1000, type: 1 }], NOW)).toBeLessThan(link);
    expect(frecency([], NOW)).toBe(0);
  });
});

describe('transitions', () => {
  test('only visit types Places keeps are written to Firefox', () => {
    expect([1, 2, 3, 8, 9].map((t) => transitionFor(t as 1))).toEqual(['link', 'typed', 'auto_bookmark', 'manual_subframe', 'reload']);
    // Redirects and downloads have no name; Places keeps no embed visit.
    for (const t of [4, 5, 6, 7]) expect(transitionFor(t as 4)).toBeNull();
    expect(visitTypeFor('something_new')).toBe(1);
  });
});

describe('merging a page', () => {
  test('a Firefox `link` visit matches a redirect or download at the same millisecond', () => {
    const record = [{ date: 1_700_000_000_000_500, type: 5 as const }];
    expect(missingVisits(record, [{ date: 1_700_000_000_000_000, type: 1, loose: true }])).toEqual([]);
    expect(missingVisits(record, [{ date: 1_700_000_000_000_000, type: 1, loose: false }])).toHaveLength(1);
  });

  test('the title of whichever side visited last; unchanged when nothing is added', () => {
    const server = { id: 'abcdefghijkl', url: 'https://a/', title: 'Old', visits: [{ date: 1_700_000_002_000_000, type: 1 }], extra: {}, modified: '1.00', own: [], imported: [], lastForeign: 2 };
    expect(pageUpload(server, [{ date: 1_700_000_003_000_000, type: 1, loose: false }], 'New', NOW)).toMatchObject({ title: 'New', changed: true });
    expect(pageUpload(server, [{ date: 1_700_000_001_000_000, type: 1, loose: false }], 'New', NOW)).toMatchObject({ title: 'Old', changed: true });
    expect(pageUpload(server, [{ date: 1_700_000_002_000_000, type: 1, loose: false }], '', NOW)).toMatchObject({ title: 'Old', changed: false, visits: server.visits });
  });
});
