import { describe, expect, test } from 'vitest';
import { toPageViews, type SyncedPageInput } from './history.ts';

const US = 1000; // µs per ms
const page = (p: Partial<SyncedPageInput> & { url: string }): SyncedPageInput => ({
  title: null, visits: [], own: [], lastForeign: 0, ...p,
});

describe('synced history view from the store', () => {
  test('counts only other devices’ visits; the newest page comes first', () => {
    const views = toPageViews([
      page({ url: 'https://a.example/', title: 'A', lastForeign: 2_000, visits: [{ date: 2_000 * US, type: 1 }, { date: 1_500 * US, type: 2 }, { date: 3_000 * US, type: 1 }], own: [3_000 * US] }),
      page({ url: 'https://b.example/', title: 'B', lastForeign: 5_000, visits: [{ date: 5_000 * US, type: 1 }] }),
    ]);
    expect(views).toEqual([
      { url: 'https://b.example/', title: 'B', lastVisit: 5_000, visitCount: 1 },
      { url: 'https://a.example/', title: 'A', lastVisit: 2_000, visitCount: 2 },
    ]);
  });

  test('pages whose every visit is this browser’s are left out', () => {
    expect(toPageViews([page({ url: 'https://mine.example/', title: 'Mine', visits: [{ date: 1, type: 1 }], own: [1], lastForeign: 0 })])).toEqual([]);
  });

  test('one URL under two GUIDs is one line: newest visit, visits counted once, the newer record’s title', () => {
    const views = toPageViews([
      page({ url: 'https://same.example/', title: 'Old title', lastForeign: 1_000, visits: [{ date: 1_000 * US, type: 1 }, { date: 900 * US, type: 1 }] }),
      page({ url: 'https://same.example/', title: 'New title', lastForeign: 4_000, visits: [{ date: 4_000 * US, type: 1 }, { date: 1_000 * US, type: 1 }] }),
    ]);
    expect(views).toEqual([{ url: 'https://same.example/', title: 'New title', lastVisit: 4_000, visitCount: 3 }]);
  });

  test('an empty title does not hide another record’s title; titles are trimmed; a missing title is empty', () => {
    expect(toPageViews([
      page({ url: 'https://t.example/', title: '  Kept  ', lastForeign: 1_000, visits: [{ date: 1_000 * US, type: 1 }] }),
      page({ url: 'https://t.example/', title: '', lastForeign: 2_000, visits: [{ date: 2_000 * US, type: 1 }] }),
    ])[0]?.title).toBe('Kept');
    expect(toPageViews([page({ url: 'https://u.example/', lastForeign: 1, visits: [{ date: 1 * US, type: 1 }] })])[0]?.title).toBe('');
  });

  test('visits without a numeric date are not counted; a page with a foreign visit counts at least one', () => {
    const [v] = toPageViews([page({
      url: 'https://odd.example/', lastForeign: 7_000,
      visits: [{ date: '7000000', type: 1 }, { type: 1 }, { date: Number.NaN, type: 1 }],
    })]);
    expect(v).toEqual({ url: 'https://odd.example/', title: '', lastVisit: 7_000, visitCount: 1 });
  });

  test('5,000 pages of 20 visits each build quickly', () => {
    const pages = Array.from({ length: 5000 }, (_, i) => page({
      url: `https://site${i % 4000}.example/path/${i}`, title: `Page ${i}`, lastForeign: 1_700_000_000_000 - i * 60_000,
      visits: Array.from({ length: 20 }, (_, j) => ({ date: (1_700_000_000_000 - i * 60_000 - j * 1000) * US, type: 1 })),
    }));
    const t = performance.now();
    const views = toPageViews(pages);
    expect(performance.now() - t).toBeLessThan(500);
    expect(views).toHaveLength(5000);
    expect(views[0]?.visitCount).toBe(20);
  });
});
