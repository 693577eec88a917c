import { describe, expect, test } from 'vitest';
import { syncRefreshGate } from './syncRefresh.ts';

describe('re-reading the log while a sync broadcasts its progress', () => {
  test('a sync four broadcasts a second is read at its start, every two seconds, and at its end', () => {
    let now = 1_000_000;
    const gate = syncRefreshGate(2_000, () => now);
    const read: number[] = [];
    // Idle broadcasts (settings saved, sign-in): each is read.
    expect(gate({ syncing: false })).toBe(true);
    expect(gate({ syncing: false })).toBe(true);
    const start = now;
    for (let i = 0; i < 24; i++) {
      if (gate({ syncing: true })) read.push(now - start);
      now += 250;
    }
    expect(read).toEqual([0, 2_000, 4_000]);
    expect(gate({ syncing: false })).toBe(true);
  });

  test('the next sync is read at its start even soon after the last read', () => {
    let now = 0;
    const gate = syncRefreshGate(2_000, () => now);
    expect(gate({ syncing: true })).toBe(true);
    now += 100;
    expect(gate({ syncing: false })).toBe(true);
    now += 100;
    expect(gate({ syncing: true })).toBe(true);
    now += 100;
    expect(gate({ syncing: true })).toBe(false);
  });
});
