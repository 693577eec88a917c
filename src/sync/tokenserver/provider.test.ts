import { describe, expect, it } from 'vitest';
import type { SyncToken } from './client.ts';
import { CachingTokenProvider } from './provider.ts';

function tokenAt(n: number, expiresAt: number): SyncToken {
  return { id: `id${n}`, key: 'k', uid: '1', apiEndpoint: 'https://s/1.5/1', duration: 3600, hashedFxaUid: '', nodeType: 'x', expiresAt, serverClockOffsetMs: 0 };
}

describe('CachingTokenProvider', () => {
  it('shares one fetch, caches until expiry, and refetches after invalidate', async () => {
    let now = 0;
    let fetches = 0;
    const p = new CachingTokenProvider(
      async () => {
        fetches++;
        return tokenAt(fetches, now + 1000);
      },
      { now: () => now },
    );
    const [a, b] = await Promise.all([p.getToken(), p.getToken()]);
    expect(a).toBe(b);
    expect(fetches).toBe(1);
    now = 999;
    expect((await p.getToken()).id).toBe('id1');
    now = 1000;
    expect((await p.getToken()).id).toBe('id2');
    p.invalidate();
    expect((await p.getToken()).id).toBe('id3');
    expect(p.current?.id).toBe('id3');
  });

  it('does not cache a failure', async () => {
    let fail = true;
    const p = new CachingTokenProvider(async () => {
      if (fail) throw new Error('down');
      return tokenAt(1, Number.MAX_SAFE_INTEGER);
    });
    await expect(p.getToken()).rejects.toThrow('down');
    fail = false;
    expect((await p.getToken()).id).toBe('id1');
  });
});
