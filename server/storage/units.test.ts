import { describe, expect, it } from 'vitest';
import { formatTs, parseTs, toSyncMs } from './syncTime.ts';
import { rustFloat, bsoJson } from './json.ts';
import { replyFormat, parseBatchParams } from './validate.ts';
import { LocalHawkTokens } from '../core/hawkTokens.ts';

describe('sync timestamps', () => {
  it('quantise to 10 ms and print exactly two decimals', () => {
    expect(toSyncMs(1700000000123)).toBe(1700000000120);
    expect(formatTs(1700000000120)).toBe('1700000000.12');
    expect(formatTs(1700000000000)).toBe('1700000000.00');
    expect(formatTs(0)).toBe('0.00');
    expect(parseTs('1700000000.12')).toBe(1700000000120);
    expect(parseTs('32.1')).toBe(32100);
    expect(parseTs('-1')).toBeNull();
    expect(parseTs('abc')).toBeNull();
    expect(parseTs('')).toBeNull();
  });

  it('renders like serde_json', () => {
    expect(rustFloat(1)).toBe('1.0');
    expect(rustFloat(0.5)).toBe('0.5');
    expect(bsoJson({ id: 'a', modified: 1700000000100, payload: 'p' })).toBe('{"id":"a","modified":1700000000.10,"payload":"p"}');
  });
});

describe('Accept and batch params', () => {
  it('picks the reply format like get_accepted', () => {
    expect(replyFormat(undefined)).toBe('json');
    expect(replyFormat('application/newlines')).toBe('newlines');
    expect(replyFormat('application/json;q=0.9,application/newlines')).toBe('newlines');
    expect(replyFormat('*/*')).toBe('json');
    expect(replyFormat('text/plain')).toBeNull();
    expect(replyFormat('image/png')).toBeNull();
  });

  it('parses batch/commit', () => {
    expect(parseBatchParams(new URLSearchParams('batch=true'))).toEqual({ ok: true, value: { batch: { id: null, commit: false } } });
    expect(parseBatchParams(new URLSearchParams('batch=abc&commit=TRUE'))).toEqual({ ok: true, value: { batch: { id: 'abc', commit: true } } });
    expect(parseBatchParams(new URLSearchParams('commit=true')).ok).toBe(false);
  });
});

describe('token issuer', () => {
  const secrets = { signing: Buffer.alloc(32, 1), master: Buffer.alloc(32, 2) };
  let now = 1_000_000;
  const tokens = new LocalHawkTokens(secrets, () => now);

  it('round-trips and derives the same key', () => {
    const t = tokens.issue({ uid: '12', generation: 3, ttlSeconds: 60 });
    expect(t.id).toMatch(/^[A-Za-z0-9_-]+=*$/);
    expect(tokens.lookup(t.id)).toEqual({ key: t.key, uid: '12', generation: 3, expiresAt: now + 60_000 });
  });

  it('returns null on tamper or garbage', () => {
    const t = tokens.issue({ uid: '12', generation: 0, ttlSeconds: 60 });
    const raw = Buffer.from(t.id, 'base64url');
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0xff;
    expect(tokens.lookup(raw.toString('base64url'))).toBeNull();
    expect(tokens.lookup('AAAA')).toBeNull();
    expect(tokens.lookup('not base64!')).toBeNull();
  });

  it('revokeAll: revoke → null; expire → expired at revocation time; new tokens work', () => {
    const a = tokens.issue({ uid: '44', generation: 0, ttlSeconds: 60 });
    tokens.revokeAll('44', 'expire');
    expect(tokens.lookup(a.id)?.expiresAt).toBe(now);
    const b = tokens.issue({ uid: '44', generation: 0, ttlSeconds: 60 });
    tokens.revokeAll('44', 'revoke');
    expect(tokens.lookup(b.id)).toBeNull();
    now += 5;
    const fresh = tokens.issue({ uid: '44', generation: 0, ttlSeconds: 60 });
    expect(tokens.lookup(fresh.id)?.uid).toBe('44');
  });
});
