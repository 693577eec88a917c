import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encryptPayload } from '../../src/sync/crypto/records.ts';
import { randomKeyBundle } from '../../src/sync/crypto/keyBundle.ts';
import type { StartedServer } from '../start.ts';
import { json, startStorageOnly, TestClient } from './testClient.ts';

let server: StartedServer;
let c: TestClient;
const TS = /^\d+\.\d{2}$/;

beforeAll(async () => {
  server = await startStorageOnly();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.store.reset();
  server.clock.offsetMs = 0;
  c = new TestClient(server, '7');
});

describe('info endpoints', () => {
  it('info/configuration serves syncstorage-rs defaults without auth', async () => {
    const r = await c.get('/info/configuration', { noAuth: true });
    expect(r.status).toBe(200);
    expect(r.text).toBe(
      '{"max_post_bytes":2621440,"max_post_records":100,"max_record_payload_bytes":2621440,"max_request_bytes":2625536,"max_total_bytes":262144000,"max_total_records":10000,"max_quota_limit":2097152000}',
    );
    expect(r.headers.get('x-last-modified')).toBe('0.00');
    expect(r.headers.get('x-weave-timestamp')).toMatch(TS);
  });

  it('info/collections, counts, usage and quota reflect writes', async () => {
    const empty = await c.get('/info/collections');
    expect(empty.status).toBe(200);
    expect(empty.text).toBe('{}');
    expect(empty.headers.get('x-weave-records')).toBe('0');
    expect(empty.headers.get('x-last-modified')).toBe('0.00');

    const bundle = randomKeyBundle();
    const payload = await encryptPayload({ id: 'aaaaaaaaaaaa', title: 'x' }, bundle);
    const p = await c.post('/storage/bookmarks', [{ id: 'aaaaaaaaaaaa', payload }, { id: 'bbbbbbbbbbbb', payload: 'x'.repeat(1024) }]);
    expect(p.status).toBe(200);
    const modified = p.headers.get('x-last-modified')!;
    const meta = '{"syncID":"abc","storageVersion":5}';
    await c.put('/storage/meta/global', { payload: meta });

    const info = await c.get('/info/collections');
    const colls = json<Record<string, number>>(info);
    expect(Object.keys(colls).sort()).toEqual(['bookmarks', 'meta']);
    expect(info.text).toContain(`"bookmarks":${modified}`);
    expect(info.headers.get('x-weave-records')).toBe('2');

    const counts = await c.get('/info/collection_counts');
    expect(json(counts)).toEqual({ bookmarks: 2, meta: 1 });

    const usage = json<Record<string, number>>(await c.get('/info/collection_usage'));
    expect(usage.bookmarks).toBeCloseTo((payload.length + 1024) / 1024, 9);

    const quota = await c.get('/info/quota');
    expect(quota.text).toMatch(/^\[[0-9.]+,null\]$/);
    expect(json<[number, null]>(quota)[0]).toBeCloseTo((payload.length + 1024 + meta.length) / 1024, 9);
  });

  it('X-If-Modified-Since on info/collections answers 304 until storage changes', async () => {
    const p = await c.post('/storage/tabs', [{ id: 'one', payload: 'a' }]);
    const lm = p.headers.get('x-last-modified')!;
    const not = await c.get('/info/collections', { headers: { 'x-if-modified-since': lm } });
    expect(not.status).toBe(304);
    expect(not.text).toBe('');
    expect(not.headers.get('x-last-modified')).toBe(lm);
    await c.post('/storage/tabs', [{ id: 'two', payload: 'b' }]);
    expect((await c.get('/info/collections', { headers: { 'x-if-modified-since': lm } })).status).toBe(200);
  });
});

describe('single BSOs', () => {
  it('PUT creates, GET returns two-decimal fields, DELETE removes', async () => {
    const put = await c.put('/storage/clients/abcdefghijkl', { payload: 'hello', sortindex: 3, ttl: 600 });
    expect(put.status).toBe(200);
    expect(put.text).toMatch(TS);
    expect(put.headers.get('x-last-modified')).toBe(put.text);
    const get = await c.get('/storage/clients/abcdefghijkl');
    expect(get.status).toBe(200);
    expect(get.text).toBe(`{"id":"abcdefghijkl","modified":${put.text},"payload":"hello","sortindex":3}`);
    expect(get.headers.get('x-last-modified')).toBe(put.text);

    const del = await c.delete('/storage/clients/abcdefghijkl');
    expect(del.status).toBe(200);
    expect(del.text).toMatch(/^\{"modified":\d+\.\d{2}\}$/);
    const gone = await c.get('/storage/clients/abcdefghijkl');
    expect(gone.status).toBe(404);
    expect(gone.text).toBe('0');
    expect((await c.delete('/storage/clients/abcdefghijkl')).status).toBe(404);
  });

  it('PUT keeps omitted fields; a TTL-only update keeps modified', async () => {
    const first = await c.put('/storage/prefs/p1', { payload: 'v1', sortindex: 9 });
    await c.put('/storage/prefs/p1', { payload: 'v2' });
    const b = json<{ payload: string; sortindex: number; modified: number }>(await c.get('/storage/prefs/p1'));
    expect(b.payload).toBe('v2');
    expect(b.sortindex).toBe(9);
    const before = (await c.get('/storage/prefs/p1')).headers.get('x-last-modified');
    const ttlOnly = await c.put('/storage/prefs/p1', { ttl: 1000 });
    expect(ttlOnly.status).toBe(200);
    expect((await c.get('/storage/prefs/p1')).headers.get('x-last-modified')).toBe(before);
    expect(Number(ttlOnly.text)).toBeGreaterThan(Number(first.text));
    // The collection itself was still touched.
    expect(json<Record<string, number>>(await c.get('/info/collections')).prefs).toBe(Number(ttlOnly.text));
  });

  it('timestamps are strictly increasing per user', async () => {
    const stamps: number[] = [];
    for (let i = 0; i < 5; i++) stamps.push(Number((await c.put(`/storage/forms/f${i}`, { payload: 'x' })).text));
    for (let i = 1; i < stamps.length; i++) expect(stamps[i]!).toBeGreaterThan(stamps[i - 1]!);
  });

  it('X-If-Unmodified-Since: 0 creates only if absent; stale values get 412 and change nothing', async () => {
    const created = await c.put('/storage/meta/global', { payload: 'a' }, { headers: { 'x-if-unmodified-since': '0' } });
    expect(created.status).toBe(200);
    const again = await c.put('/storage/meta/global', { payload: 'b' }, { headers: { 'x-if-unmodified-since': '0' } });
    expect(again.status).toBe(412);
    expect(again.headers.get('x-last-modified')).toBe(created.text);
    expect(json<{ payload: string }>(await c.get('/storage/meta/global')).payload).toBe('a');
    const ok = await c.put('/storage/meta/global', { payload: 'c' }, { headers: { 'x-if-unmodified-since': created.text } });
    expect(ok.status).toBe(200);
    const notMod = await c.get('/storage/meta/global', { headers: { 'x-if-modified-since': ok.text } });
    expect(notMod.status).toBe(304);
  });

  it('TTL: expired records are invisible everywhere', async () => {
    await c.post('/storage/clients', [
      { id: 'short', payload: 'x', ttl: 10 },
      { id: 'long', payload: 'y' },
    ]);
    server.clock.offsetMs = 11_000;
    expect((await c.get('/storage/clients/short')).status).toBe(404);
    expect(json(await c.get('/storage/clients'))).toEqual(['long']);
    expect(json(await c.get('/info/collection_counts'))).toEqual({ clients: 1 });
    expect((await c.delete('/storage/clients/short')).status).toBe(404);
  });
});

describe('collections', () => {
  async function seed(n: number): Promise<string[]> {
    const stamps: string[] = [];
    for (let i = 0; i < n; i++) {
      const r = await c.post('/storage/history', [{ id: `id${String(i).padStart(2, '0')}`, payload: `p${i}`, sortindex: i % 3 }]);
      stamps.push(r.headers.get('x-last-modified')!);
    }
    return stamps;
  }

  it('lists ids by default and full objects with full=', async () => {
    await seed(3);
    const ids = await c.get('/storage/history');
    expect(json(ids)).toEqual(['id00', 'id01', 'id02']);
    expect(ids.headers.get('x-weave-records')).toBe('3');
    const full = json<Array<{ id: string; payload: string }>>(await c.get('/storage/history?full=1'));
    expect(full.map((b) => b.payload)).toEqual(['p0', 'p1', 'p2']);
    expect(json(await c.get('/storage/nothing-here'))).toEqual([]);
  });

  it('newer/older/ids/sort filter and order', async () => {
    const stamps = await seed(4);
    expect(json(await c.get(`/storage/history?newer=${stamps[1]}&sort=oldest`))).toEqual(['id02', 'id03']);
    expect(json(await c.get(`/storage/history?older=${stamps[2]}&sort=newest`))).toEqual(['id01', 'id00']);
    expect(json(await c.get('/storage/history?ids=id03,id01&sort=oldest'))).toEqual(['id01', 'id03']);
    const byIndex = json<string[]>(await c.get('/storage/history?sort=index'));
    expect(byIndex.slice(0, 1)).toEqual(['id02']);
  });

  it('pages with limit and X-Weave-Next-Offset, guarded by X-If-Unmodified-Since', async () => {
    await seed(5);
    const first = await c.get('/storage/history?full=1&sort=oldest&limit=2');
    expect(json<unknown[]>(first)).toHaveLength(2);
    expect(first.headers.get('x-weave-next-offset')).toBe('2');
    const lm = first.headers.get('x-last-modified')!;
    const second = await c.get('/storage/history?full=1&sort=oldest&limit=2&offset=2', { headers: { 'x-if-unmodified-since': lm } });
    expect(json<Array<{ id: string }>>(second).map((b) => b.id)).toEqual(['id02', 'id03']);
    expect(second.headers.get('x-weave-next-offset')).toBe('4');
    const last = await c.get('/storage/history?full=1&sort=oldest&limit=2&offset=4');
    expect(json<unknown[]>(last)).toHaveLength(1);
    expect(last.headers.get('x-weave-next-offset')).toBeNull();
    await c.post('/storage/history', [{ id: 'late', payload: 'x' }]);
    const stale = await c.get('/storage/history?full=1&sort=oldest&limit=2&offset=2', { headers: { 'x-if-unmodified-since': lm } });
    expect(stale.status).toBe(412);
  });

  it('answers application/newlines when asked, 406 for unsupported Accept', async () => {
    await seed(2);
    const r = await c.get('/storage/history?full=1', { headers: { accept: 'application/newlines' } });
    expect(r.headers.get('content-type')).toBe('application/newlines');
    const lines = r.text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['id00', 'id01']);
    expect((await c.get('/storage/history', { headers: { accept: 'text/html' } })).status).toBe(406);
  });

  it('DELETE with ids removes those; DELETE collection removes it from info/collections', async () => {
    await seed(3);
    const del = await c.delete('/storage/history?ids=id00,id01');
    expect(del.status).toBe(200);
    expect(del.text).toMatch(TS);
    expect(del.headers.get('x-last-modified')).toBe(del.text);
    expect(json(await c.get('/storage/history'))).toEqual(['id02']);
    const all = await c.delete('/storage/history');
    expect(all.status).toBe(200);
    expect(json(await c.get('/info/collections'))).toEqual({});
    // The storage timestamp moved on (tombstone) so X-If-Modified-Since clients notice.
    expect(Number(all.text)).toBeGreaterThan(Number(del.text));
  });

  it('DELETE /storage wipes the user; X-If-Unmodified-Since guards it', async () => {
    const p = await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }]);
    await c.post('/storage/tabs', [{ id: 'z', payload: 'y' }]);
    const guarded = await c.delete('/storage', { headers: { 'x-if-unmodified-since': p.headers.get('x-last-modified')! } });
    expect(guarded.status).toBe(412);
    expect(json(await c.get('/storage/tabs'))).toEqual(['x', 'z']);
    const r = await c.delete('/storage');
    expect(r.status).toBe(200);
    expect(r.text).toBe('null');
    expect(json(await c.get('/info/collections'))).toEqual({});
    expect((await c.delete('')).status).toBe(200);
  });

  it('POST answers success/failed with syncstorage reasons', async () => {
    const r = await c.post('/storage/bookmarks', [
      { id: 'good', payload: 'x' },
      { id: 'badsort', payload: 'x', sortindex: 1_000_000_000 },
      { id: 'extra', payload: 'x', color: 'red' },
      { id: 'neg', payload: 'x', ttl: -1 },
    ]);
    expect(r.status).toBe(200);
    const body = json<{ modified: number; success: string[]; failed: Record<string, string> }>(r);
    expect(body.success).toEqual(['good']);
    expect(Object.keys(body.failed).sort()).toEqual(['badsort', 'extra', 'neg']);
    expect(body.failed.extra).toBe('unknown field color');
    expect(r.text).toMatch(/^\{"modified":\d+\.\d{2},/);
    expect(json(await c.get('/storage/bookmarks'))).toEqual(['good']);
  });
});
