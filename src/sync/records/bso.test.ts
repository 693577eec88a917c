import { describe, expect, it } from 'vitest';
import { randomKeyBundle } from '../crypto/keyBundle.ts';
import { encryptPayloadString } from '../crypto/records.ts';
import { RecordError } from '../errors.ts';
import type { Bso } from '../storage/types.ts';
import { decryptBso, decryptBsos, encryptBso } from './bso.ts';

const keys = randomKeyBundle();

function asIncoming(id: string, payload: string): Bso {
  return { id, payload, modified: '1700000000.10' };
}

describe('encryptBso / decryptBso', () => {
  it('round-trips a record with sortindex and ttl', async () => {
    const out = await encryptBso({ id: 'abc', title: 'Ünïcode', n: 1 }, keys, { sortindex: 100, ttl: 3600 });
    expect(out).toMatchObject({ id: 'abc', sortindex: 100, ttl: 3600 });
    expect(Object.keys(JSON.parse(out.payload) as object).sort()).toEqual(['IV', 'ciphertext', 'hmac']);
    const back = await decryptBso({ ...asIncoming('abc', out.payload), sortindex: 100 }, keys);
    expect(back).toEqual({ ok: true, id: 'abc', modified: '1700000000.10', sortindex: 100, cleartext: { id: 'abc', title: 'Ünïcode', n: 1 } });
  });

  it('reports each kind of bad record without throwing', async () => {
    const wrongKey = await encryptBso({ id: 'w' }, randomKeyBundle());
    const swapped = await encryptBso({ id: 'other' }, keys);
    const notObject = await encryptPayloadString('[1,2]', keys);
    const notJson = await encryptPayloadString('{nope', keys);
    const cases: Array<[Bso, string]> = [
      [asIncoming('w', wrongKey.payload), 'hmac'],
      [asIncoming('s', swapped.payload), 'id-mismatch'],
      [asIncoming('a', notObject), 'format'],
      [asIncoming('j', notJson), 'format'],
      [asIncoming('p', 'not json at all'), 'format'],
      [asIncoming('q', '{"ciphertext":1}'), 'format'],
    ];
    for (const [bso, reason] of cases) {
      const r = await decryptBso(bso, keys);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).toBeInstanceOf(RecordError);
      expect(r.error).toMatchObject({ recordId: bso.id, reason, kind: 'bad-record' });
      expect(r.error.userMessage).toMatch(/skipped/);
    }
  });

  it('decryptBsos separates good records from failures', async () => {
    const good = await Promise.all(['a', 'b', 'c'].map((id) => encryptBso({ id }, keys)));
    const bad = await encryptBso({ id: 'x' }, randomKeyBundle());
    const result = await decryptBsos([...good, bad].map((b) => asIncoming(b.id, b.payload)), keys);
    expect(result.records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(result.failures.map((f) => [f.recordId, f.reason])).toEqual([['x', 'hmac']]);
  });

  it('refuses a cleartext without an id', async () => {
    await expect(encryptBso({ id: '' }, keys)).rejects.toThrow(TypeError);
  });
});
