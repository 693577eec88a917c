import { describe, expect, it } from 'vitest';
import { backoffSignals, BackoffTracker, parseRetryAfter } from './backoff.ts';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T12:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('10', now)).toBe(10_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });
  it('returns null for absent or garbage values', () => {
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('', now)).toBeNull();
    expect(parseRetryAfter('-5', now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('backoffSignals / BackoffTracker', () => {
  it('reports every header and keeps the latest end', () => {
    const headers = new Headers({ 'x-weave-backoff': '300', 'retry-after': '60', 'x-backoff': 'junk' });
    const signals = backoffSignals(headers, 503, 'https://s/x', 1_000);
    expect(signals).toEqual([
      { source: 'x-weave-backoff', delayMs: 300_000, until: 301_000, status: 503, url: 'https://s/x' },
      { source: 'retry-after', delayMs: 60_000, until: 61_000, status: 503, url: 'https://s/x' },
    ]);
    const t = new BackoffTracker();
    expect(t.until).toBeNull();
    signals.forEach(t.observe);
    expect(t.until).toBe(301_000);
    expect(t.active(300_999)).toBe(true);
    expect(t.active(301_000)).toBe(false);
  });
});
