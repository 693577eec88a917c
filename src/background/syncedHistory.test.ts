import { describe, expect, test } from 'vitest';
import type { SyncedPage } from '../db/schema.ts';
import { SYNCED_HISTORY_LIMIT, syncedHistorySource } from './syncedHistory.ts';

const stored = (id: string, url: string, lastForeign: number): SyncedPage => ({
  id, url, title: url, visits: [{ date: lastForeign * 1000, type: 1 }], extra: {}, modified: '1.00', own: [], imported: [], lastForeign,
});

describe('synced history source', () => {
  test('signed in: the store’s newest pages, merged per URL, with the engine switch', async () => {
    const limits: number[] = [];
    const source = syncedHistorySource({
      recentForeign: async (limit) => {
        limits.push(limit);
        return [stored('aaaaaaaaaaaa', 'https://a/', 3), stored('bbbbbbbbbbbb', 'https://b/', 2), stored('cccccccccccc', 'https://a/', 1)];
      },
      signedIn: async () => true,
      engineEnabled: async () => false,
    });
    expect(await source()).toEqual({
      signedIn: true, engineEnabled: false,
      pages: [
        { url: 'https://a/', title: 'https://a/', lastVisit: 3, visitCount: 2 },
        { url: 'https://b/', title: 'https://b/', lastVisit: 2, visitCount: 1 },
      ],
    });
    expect(limits).toEqual([SYNCED_HISTORY_LIMIT]);
  });

  test('signed out: no pages, and the store is not read', async () => {
    let reads = 0;
    const source = syncedHistorySource({
      recentForeign: async () => {
        reads++;
        return [stored('aaaaaaaaaaaa', 'https://a/', 3)];
      },
      signedIn: async () => false,
      engineEnabled: async () => true,
    });
    expect(await source()).toEqual({ pages: [], signedIn: false, engineEnabled: true });
    expect(reads).toBe(0);
  });
});
