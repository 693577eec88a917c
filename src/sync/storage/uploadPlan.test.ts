import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVER_LIMITS, compareServerTs, toServerTimestamp, type OutgoingBso, type ServerLimits } from './types.ts';
import { bsoWireJson, planUpload } from './uploadPlan.ts';

const NO_LIMITS: ServerLimits = {
  maxRequestBytes: Infinity,
  maxPostRecords: Infinity,
  maxPostBytes: Infinity,
  maxTotalRecords: Infinity,
  maxTotalBytes: Infinity,
  maxRecordPayloadBytes: Infinity,
};

function recs(n: number, payload = 'p'.repeat(10)): OutgoingBso[] {
  return Array.from({ length: n }, (_, i) => ({ id: `id${i}`, payload }));
}

const shape = (plan: ReturnType<typeof planUpload>): number[][] => plan.batches.map((b) => b.posts.map((p) => p.records.length));

describe('planUpload', () => {
  it('splits posts at max_post_records and batches at max_total_records', () => {
    expect(shape(planUpload(recs(23), { ...NO_LIMITS, maxPostRecords: 5 }))).toEqual([[5, 5, 5, 5, 3]]);
    expect(shape(planUpload(recs(12), { ...NO_LIMITS, maxPostRecords: 3, maxTotalRecords: 7 }))).toEqual([[3, 3, 1], [3, 2]]);
  });

  it('counts payload bytes (UTF-8) against max_post_bytes and max_total_bytes', () => {
    // "é" is 2 bytes: each payload is 10 bytes.
    const r = recs(5, 'é'.repeat(5));
    expect(shape(planUpload(r, { ...NO_LIMITS, maxPostBytes: 20 }))).toEqual([[2, 2, 1]]);
    expect(shape(planUpload(r, { ...NO_LIMITS, maxPostBytes: 19 }))).toEqual([[1, 1, 1, 1, 1]]);
    expect(shape(planUpload(r, { ...NO_LIMITS, maxTotalBytes: 30 }))).toEqual([[3], [2]]);
  });

  it('counts brackets and commas against max_request_bytes, exactly', () => {
    const r = recs(3);
    const one = new TextEncoder().encode(bsoWireJson(r[0]!)).length;
    const exactTwo = 2 + one * 2 + 1;
    expect(shape(planUpload(r, { ...NO_LIMITS, maxRequestBytes: exactTwo }))).toEqual([[2, 1]]);
    expect(shape(planUpload(r, { ...NO_LIMITS, maxRequestBytes: exactTwo - 1 }))).toEqual([[1, 1, 1]]);
    const plan = planUpload(r, { ...NO_LIMITS, maxRequestBytes: exactTwo });
    expect(new TextEncoder().encode(plan.batches[0]!.posts[0]!.body).length).toBe(exactTwo);
    expect(JSON.parse(plan.batches[0]!.posts[0]!.body)).toEqual([r[0], r[1]]);
  });

  it('reports records that can never fit, and sends the rest', () => {
    const r = [...recs(2), { id: 'big', payload: 'x'.repeat(101) }, { id: 'edge', payload: 'x'.repeat(100) }];
    const plan = planUpload(r, { ...NO_LIMITS, maxRecordPayloadBytes: 100 });
    expect([...plan.tooLarge.keys()]).toEqual(['big']);
    expect(plan.batches[0]!.posts[0]!.records.map((x) => x.id)).toEqual(['id0', 'id1', 'edge']);
    const tight = planUpload([{ id: 'a', payload: 'x'.repeat(50) }], { ...NO_LIMITS, maxRequestBytes: 40 });
    expect(tight.batches).toEqual([]);
    expect(tight.tooLarge.get('a')).toMatch(/max_request_bytes/);
  });

  it('keeps sortindex and ttl on the wire and refuses duplicate ids', () => {
    expect(JSON.parse(bsoWireJson({ id: 'a', payload: 'p', sortindex: 7, ttl: 60 }))).toEqual({ id: 'a', payload: 'p', sortindex: 7, ttl: 60 });
    expect(() => planUpload([{ id: 'a', payload: '' }, { id: 'a', payload: '' }], DEFAULT_SERVER_LIMITS)).toThrow(/duplicate/);
    expect(planUpload([], DEFAULT_SERVER_LIMITS).batches).toEqual([]);
  });
});

describe('server timestamps', () => {
  it('normalises numbers and text to two decimals without float drift', () => {
    expect(toServerTimestamp(1700000000.1)).toBe('1700000000.10');
    expect(toServerTimestamp(1700000000.07)).toBe('1700000000.07');
    expect(toServerTimestamp('1700000000.5')).toBe('1700000000.50');
    expect(toServerTimestamp('0')).toBe('0.00');
    expect(toServerTimestamp('-1')).toBeNull();
    expect(toServerTimestamp('1e5')).toBeNull();
    expect(toServerTimestamp(null)).toBeNull();
  });

  it('compares exactly', () => {
    expect(compareServerTs('1700000000.10', '1700000000.09')).toBe(1);
    expect(compareServerTs('1700000000.1', '1700000000.10')).toBe(0);
    expect(compareServerTs('0', '0.01')).toBe(-1);
  });
});
