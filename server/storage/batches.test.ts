import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StartedServer } from '../start.ts';
import { json, startStorageOnly, TestClient } from './testClient.ts';
import { decodeBatchId, encodeBatchId } from './batches.ts';

let server: StartedServer;
let c: TestClient;

interface BatchReply {
  batch?: string;
  success: string[];
  failed: Record<string, string>;
  modified?: number;
}

// Small limits so "across limits" needs only a few records.
beforeAll(async () => {
  server = await startStorageOnly({ limits: { max_post_records: 3, max_total_records: 7, max_total_bytes: 1000 } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.store.reset();
  server.clock.offsetMs = 0;
  c = new TestClient(server, '23');
});

const recs = (from: number, n: number, size = 10): Array<{ id: string; payload: string }> =>
  Array.from({ length: n }, (_, i) => ({ id: `r${from + i}`, payload: 'x'.repeat(size) }));

describe('batch uploads', () => {
  it('ids are base64 of the millisecond timestamp plus uid % 10', () => {
    expect(encodeBatchId(1700000000003)).toBe(Buffer.from('1700000000003').toString('base64'));
    expect(decodeBatchId(encodeBatchId(1700000000003))).toBe(1700000000003);
    expect(decodeBatchId('1700000000003')).toBe(1700000000003);
    expect(decodeBatchId('not a batch')).toBeNull();
  });

  it('several POSTs then commit: records invisible until commit, all share the commit timestamp', async () => {
    const first = await c.post('/storage/bookmarks?batch=true', recs(0, 3));
    expect(first.status).toBe(202);
    const { batch } = json<BatchReply>(first);
    expect(batch).toBeDefined();
    expect(first.text).toBe(`{"batch":${JSON.stringify(batch)},"failed":{},"success":["r0","r1","r2"]}`);
    expect(decodeBatchId(batch!)! % 10).toBe(3);
    expect(first.headers.get('x-last-modified')).toBe('0.00');

    const id = encodeURIComponent(batch!);
    const second = await c.post(`/storage/bookmarks?batch=${id}`, recs(3, 3));
    expect(second.status).toBe(202);
    expect(json(await c.get('/storage/bookmarks'))).toEqual([]);
    expect(json(await c.get('/info/collections'))).toEqual({});

    const commit = await c.post(`/storage/bookmarks?batch=${id}&commit=true`, recs(6, 1));
    expect(commit.status).toBe(200);
    const body = json<BatchReply>(commit);
    expect(body.success).toEqual(['r6']);
    expect(commit.text).toMatch(/^\{"failed":\{\},"modified":\d+\.\d{2},"success":\["r6"\]\}$/);
    const all = json<Array<{ id: string; modified: number }>>(await c.get('/storage/bookmarks?full=1'));
    expect(all.map((b) => b.id).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(new Set(all.map((b) => b.modified))).toEqual(new Set([body.modified]));
    expect(commit.headers.get('x-last-modified')).toBe(String(body.modified!.toFixed(2)));

    // A committed batch is gone.
    expect((await c.post(`/storage/bookmarks?batch=${id}&commit=true`, [])).status).toBe(400);
  });

  it('batch=true&commit=true is a plain POST', async () => {
    const r = await c.post('/storage/tabs?batch=true&commit=true', recs(0, 2));
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/^\{"modified":/);
    expect(json(await c.get('/storage/tabs'))).toEqual(['r0', 'r1']);
  });

  it('trims beyond max_post_records into failed "retry bso"', async () => {
    const r = await c.post('/storage/tabs?batch=true', recs(0, 5));
    const body = json<BatchReply>(r);
    expect(body.success).toEqual(['r0', 'r1', 'r2']);
    expect(body.failed).toEqual({ r3: 'retry bso', r4: 'retry bso' });
  });

  it('rejects unknown, malformed, other-collection and expired batch ids with 400 and stores nothing', async () => {
    expect((await c.post('/storage/tabs?batch=MTIz', recs(0, 1))).status).toBe(400);
    const garbage = await c.post('/storage/tabs?batch=%25%25%25', recs(0, 1));
    expect(garbage.status).toBe(400);
    expect(garbage.text).toBe('0');
    const { batch } = json<BatchReply>(await c.post('/storage/tabs?batch=true', recs(0, 1)));
    const id = encodeURIComponent(batch!);
    expect((await c.post(`/storage/forms?batch=${id}&commit=true`, [])).status).toBe(400);
    server.clock.offsetMs = 2 * 3600 * 1000 + 60_000;
    c.credentials = c.issue(); // the old token expired meanwhile, too
    expect((await c.post(`/storage/tabs?batch=${id}&commit=true`, [])).status).toBe(400);
    server.clock.offsetMs = 0;
    expect(json(await c.get('/storage/tabs'))).toEqual([]);
    expect(json(await c.get('/storage/forms'))).toEqual([]);
  });

  it('commit without batch and non-true commit values are 400', async () => {
    expect((await c.post('/storage/tabs?commit=true', recs(0, 1))).status).toBe(400);
    expect((await c.post('/storage/tabs?batch=true&commit=yes', recs(0, 1))).status).toBe(400);
  });

  it('enforces per-batch totals (records and bytes) with 400 code 17, keeping the batch intact', async () => {
    const { batch } = json<BatchReply>(await c.post('/storage/history?batch=true', recs(0, 3)));
    const id = encodeURIComponent(batch!);
    expect((await c.post(`/storage/history?batch=${id}`, recs(3, 3))).status).toBe(202);
    const over = await c.post(`/storage/history?batch=${id}`, recs(6, 2));
    expect(over.status).toBe(400);
    expect(over.text).toBe('17');
    const bytes = await c.post('/storage/forms?batch=true', recs(0, 2, 600));
    expect(bytes.status).toBe(400);
    expect(bytes.text).toBe('17');
    const commit = await c.post(`/storage/history?batch=${id}&commit=true`, recs(6, 1));
    expect(commit.status).toBe(200);
    expect(json<string[]>(await c.get('/storage/history'))).toHaveLength(7);
    expect(json(await c.get('/storage/forms'))).toEqual([]);
  });

  it('X-Weave-Total-Records above the limit is 400 code 17 up front', async () => {
    const r = await c.post('/storage/history?batch=true', recs(0, 1), { headers: { 'x-weave-total-records': '8' } });
    expect(r.status).toBe(400);
    expect(r.text).toBe('17');
    const bad = await c.post('/storage/history?batch=true', recs(0, 1), { headers: { 'x-weave-records': 'many' } });
    expect(bad.status).toBe(400);
    expect(bad.text).toBe('0');
  });

  it('X-If-Unmodified-Since applies to every batch request', async () => {
    const base = await c.post('/storage/passwords', recs(0, 1));
    const lm = base.headers.get('x-last-modified')!;
    const opts = { headers: { 'x-if-unmodified-since': lm } };
    const { batch } = json<BatchReply>(await c.post('/storage/passwords?batch=true', recs(1, 1), opts));
    const id = encodeURIComponent(batch!);
    await c.post('/storage/passwords', recs(9, 1));
    const commit = await c.post(`/storage/passwords?batch=${id}&commit=true`, [], opts);
    expect(commit.status).toBe(412);
    expect(json<string[]>(await c.get('/storage/passwords')).sort()).toEqual(['r0', 'r9']);
  });

  it('a later chunk overrides fields of the same id; omitted fields keep stored values', async () => {
    await c.post('/storage/addons', [{ id: 'a', payload: 'old', sortindex: 5 }]);
    const { batch } = json<BatchReply>(await c.post('/storage/addons?batch=true', [{ id: 'a', payload: 'v1' }]));
    const id = encodeURIComponent(batch!);
    await c.post(`/storage/addons?batch=${id}`, [{ id: 'a', payload: 'v2' }]);
    await c.post(`/storage/addons?batch=${id}&commit=true`, []);
    const rec = json<{ payload: string; sortindex: number }>(await c.get('/storage/addons/a'));
    expect(rec).toMatchObject({ payload: 'v2', sortindex: 5 });
  });
});
