import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StartedServer } from '../start.ts';
import { json, startStorageOnly, TestClient } from '../storage/testClient.ts';

let server: StartedServer;
let c: TestClient;

async function control(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${server.origin}${path}`, {
    method,
    ...(body !== undefined ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

beforeAll(async () => {
  server = await startStorageOnly();
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  await control('POST', '/__test__/faults/reset');
  await control('POST', '/__test__/storage/reset');
  c = new TestClient(server, '42');
});

describe('fault switches', () => {
  it('error: 503 with Retry-After on matching paths, `count` times, then normal service', async () => {
    const armed = await control('POST', '/__test__/faults', { kind: 'error', retryAfter: 30, count: 1, match: { path: '/storage/1.5/42/storage/tabs' } });
    expect(armed.status).toBe(201);
    expect((await c.get('/info/collections')).status).toBe(200);
    const r = await c.get('/storage/tabs');
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('30');
    expect(r.headers.get('x-weave-timestamp')).toMatch(/^\d+\.\d{2}$/);
    expect((await c.get('/storage/tabs')).status).toBe(200);
    expect(((await control('GET', '/__test__/faults')).body as { faults: unknown[] }).faults).toEqual([]);
  });

  it('error faults on a POST store nothing', async () => {
    await control('POST', '/__test__/faults', { kind: 'error', status: 503, match: { method: 'POST' } });
    expect((await c.post('/storage/tabs', [{ id: 'a', payload: 'x' }])).status).toBe(503);
    expect(server.store.collectionTimestamps('42')).toEqual([]);
  });

  it('backoff: adds X-Weave-Backoff to successful responses', async () => {
    await control('POST', '/__test__/faults', { kind: 'backoff', seconds: 900 });
    const r = await c.get('/info/collections');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-weave-backoff')).toBe('900');
  });

  it('expire-tokens: revoke → 401 everywhere; expire → 401 except info/collections; new tokens work', async () => {
    await control('POST', '/__test__/faults/expire-tokens', { uid: '42' });
    expect((await c.get('/info/collections')).status).toBe(401);
    c.credentials = c.issue();
    expect((await c.get('/info/collections')).status).toBe(200);
    await control('POST', '/__test__/faults/expire-tokens', { uid: '42', mode: 'expire' });
    expect((await c.get('/info/collections')).status).toBe(200);
    expect((await c.get('/storage/tabs')).status).toBe(401);
  });

  it('reassign: bumps the generation, old tokens 401, storage empty', async () => {
    await c.post('/storage/tabs', [{ id: 'a', payload: 'x' }]);
    const r = await control('POST', '/__test__/faults/reassign', { uid: '42' });
    expect(r.body).toEqual({ uid: '42', generation: 1 });
    expect((await c.get('/storage/tabs')).status).toBe(401);
    c.credentials = c.issue();
    expect(json(await c.get('/storage/tabs'))).toEqual([]);
  });

  it('concurrent-write: the next X-If-Unmodified-Since write gets 412', async () => {
    const p = await c.post('/storage/bookmarks', [{ id: 'a', payload: 'x' }]);
    const lm = p.headers.get('x-last-modified')!;
    const bumped = await control('POST', '/__test__/faults/concurrent-write', { uid: '42', collection: 'bookmarks' });
    expect((bumped.body as { modified: number }).modified).toBeGreaterThan(Number(lm));
    const r = await c.post('/storage/bookmarks', [{ id: 'b', payload: 'y' }], { headers: { 'x-if-unmodified-since': lm } });
    expect(r.status).toBe(412);
    expect(json(await c.get('/storage/bookmarks'))).toEqual(['a']);
  });

  it('concurrentWrite armed on a path fires right before the matching request', async () => {
    const p = await c.post('/storage/bookmarks', [{ id: 'a', payload: 'x' }]);
    await control('POST', '/__test__/faults', { kind: 'concurrentWrite', count: 1, match: { method: 'POST', path: '/storage/1.5/42/storage/bookmarks' } });
    const r = await c.post('/storage/bookmarks', [{ id: 'b', payload: 'y' }], { headers: { 'x-if-unmodified-since': p.headers.get('x-last-modified')! } });
    expect(r.status).toBe(412);
  });

  it('delay: the response is held for the given time', async () => {
    await control('POST', '/__test__/faults', { kind: 'delay', ms: 150, count: 1 });
    const started = Date.now();
    expect((await c.get('/info/collections')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('drop before: the Nth POST of a batch loses its connection and its records', async () => {
    await control('POST', '/__test__/faults', { kind: 'drop', when: 'before', skip: 1, count: 1, match: { method: 'POST', query: 'batch=' } });
    const first = await c.post('/storage/history?batch=true', [{ id: 'a', payload: 'x' }]);
    expect(first.status).toBe(202);
    const id = encodeURIComponent(json<{ batch: string }>(first).batch);
    await expect(c.post(`/storage/history?batch=${id}`, [{ id: 'b', payload: 'y' }])).rejects.toThrow();
    const commit = await c.post(`/storage/history?batch=${id}&commit=true`, [{ id: 'c', payload: 'z' }]);
    expect(commit.status).toBe(200);
    expect(json<string[]>(await c.get('/storage/history')).sort()).toEqual(['a', 'c']);
  });

  it('drop after: the write happens but the response is cut off mid-body', async () => {
    await control('POST', '/__test__/faults', { kind: 'drop', when: 'after', count: 1, match: { method: 'POST' } });
    await expect(c.post('/storage/tabs', [{ id: 'a', payload: 'x' }])).rejects.toThrow();
    expect(json(await c.get('/storage/tabs'))).toEqual(['a']);
  });

  it('malformedJson: the body is not parseable JSON', async () => {
    await c.post('/storage/tabs', [{ id: 'a', payload: 'x' }]);
    await control('POST', '/__test__/faults', { kind: 'malformedJson', count: 1, match: { path: '/storage/1.5/42/info/collections' } });
    const r = await c.get('/info/collections');
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text) as unknown).toThrow();
    const after = (await c.get('/info/collections')).text;
    expect(() => JSON.parse(after) as unknown).not.toThrow();
  });

  it('staleWeaveTimestamp: X-Weave-Timestamp is X-Last-Modified when there is one (go-syncstorage)', async () => {
    const p = await c.post('/storage/tabs', [{ id: 'a', payload: 'x' }]);
    const lm = p.headers.get('x-last-modified')!;
    await control('POST', '/__test__/faults/clock', { offsetMs: 600_000 });
    const plain = await c.get('/storage/tabs');
    expect(Number(plain.headers.get('x-weave-timestamp')) * 1000).toBeGreaterThan(Number(lm) * 1000 + 590_000);
    await control('POST', '/__test__/faults', { kind: 'staleWeaveTimestamp' });
    const r = await c.get('/storage/tabs');
    expect(r.status).toBe(200);
    expect(r.headers.get('x-last-modified')).toBe(lm);
    expect(r.headers.get('x-weave-timestamp')).toBe(lm);
    expect(Math.abs(Date.parse(r.headers.get('date')!) - (Date.now() + 600_000))).toBeLessThan(5_000);
    // Without an X-Last-Modified (a refusal) it is the server's time, as go-syncstorage sends.
    const refused = await c.get('/storage/tabs', { ts: Math.floor(Date.now() / 1000) });
    expect(refused.status).toBe(401);
    expect(Math.abs(Number(refused.headers.get('x-weave-timestamp')) * 1000 - (Date.now() + 600_000))).toBeLessThan(5_000);
  });

  it('skewReject: a stale Hawk ts gets 403 (or 401 with a signed WWW-Authenticate ts); other 401s stay', async () => {
    await control('POST', '/__test__/faults', { kind: 'skewReject', count: 1 });
    const stale = Math.floor(Date.now() / 1000) - 120;
    const forbidden = await c.get('/info/collections', { ts: stale });
    expect(forbidden.status).toBe(403);
    expect(forbidden.text).toBe('0');
    expect(Math.abs(Date.parse(forbidden.headers.get('date')!) - Date.now())).toBeLessThan(5_000);

    await control('POST', '/__test__/faults', { kind: 'skewReject', status: 401, hawkTs: true });
    const r = await c.get('/info/collections', { ts: stale });
    expect(r.status).toBe(401);
    const m = /^Hawk ts="(\d+)", tsm="([^"]+)", error="Stale timestamp"$/.exec(r.headers.get('www-authenticate') ?? '');
    expect(m).not.toBeNull();
    expect(Math.abs(Number(m![1]) * 1000 - Date.now())).toBeLessThan(5_000);
    expect(m![2]).toBe(createHmac('sha256', Buffer.from(c.credentials.key, 'utf8')).update(`hawk.1.ts\n${m![1]}\n`).digest('base64'));

    await control('POST', '/__test__/faults/expire-tokens', { uid: '42' });
    const expired = await c.get('/storage/tabs');
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toBeNull();
  });

  it('arming validates the spec; faults can be listed, removed and cleared', async () => {
    expect((await control('POST', '/__test__/faults', { kind: 'nope' })).status).toBe(400);
    expect((await control('POST', '/__test__/faults', { kind: 'delay', ms: -1 })).status).toBe(400);
    const a = (await control('POST', '/__test__/faults', { kind: 'backoff', seconds: 5 })).body as { id: string };
    await control('POST', '/__test__/faults', { kind: 'delay', ms: 1 });
    expect(((await control('GET', '/__test__/faults')).body as { faults: unknown[] }).faults).toHaveLength(2);
    expect((await control('DELETE', `/__test__/faults/${a.id}`)).status).toBe(200);
    expect(((await control('GET', '/__test__/faults')).body as { faults: unknown[] }).faults).toHaveLength(1);
    await control('DELETE', '/__test__/faults');
    expect(((await control('GET', '/__test__/faults')).body as { faults: unknown[] }).faults).toHaveLength(0);
  });

  it('clock: moves server time (token expiry, batch expiry, Date) and resets', async () => {
    await control('POST', '/__test__/faults/clock', { offsetMs: 7_200_000 });
    expect(server.clock.offsetMs).toBe(7_200_000);
    const r = await c.get('/storage/tabs');
    expect(r.status).toBe(401);
    // Date is the stack's clock, not the host's.
    expect(Math.abs(Date.parse(r.headers.get('date')!) - (Date.now() + 7_200_000))).toBeLessThan(5_000);
    await control('POST', '/__test__/faults/reset');
    expect(server.clock.offsetMs).toBe(0);
  });
});

describe('storage control API', () => {
  it('seeds, inspects and wipes a user', async () => {
    const seeded = await control('POST', '/__test__/storage/42/bookmarks', [{ id: 'x', payload: 'p', sortindex: 2 }]);
    expect(seeded.status).toBe(200);
    expect(json(await c.get('/storage/bookmarks'))).toEqual(['x']);
    const dump = (await control('GET', '/__test__/storage/42')).body as { collections: Record<string, { records: Array<{ id: string }> }> };
    expect(dump.collections.bookmarks!.records.map((r) => r.id)).toEqual(['x']);
    expect((await control('POST', '/__test__/storage/42/bookmarks', [{ id: '', payload: 'p' }])).status).toBe(400);
    await control('DELETE', '/__test__/storage/42');
    expect(json(await c.get('/info/collections'))).toEqual({});
  });

  it('in-process StorageBackend applies the same rules', () => {
    const backend = server.ctx.storage;
    const { modified } = backend.putRecords('42', 'forms', [{ id: 'f1', payload: 'a', ttl: 60 }]);
    expect(String(modified)).toMatch(/^\d+(\.\d{1,2})?$/);
    expect(backend.getRecords('42', 'forms')).toEqual([expect.objectContaining({ id: 'f1', payload: 'a', modified })]);
    expect(() => backend.putRecords('42', 'forms', [{ id: 'f2', payload: 'a', sortindex: 1e10 }])).toThrow();
    backend.deleteAll('42');
    expect(backend.getRecords('42', 'forms')).toEqual([]);
  });
});

describe('test mode off', () => {
  it('has no /__test__ routes and no fault layer', async () => {
    const prod = await startStorageOnly({ testMode: false });
    try {
      const r = await fetch(`${prod.origin}/__test__/faults`, { method: 'POST', body: '{"kind":"error"}' });
      expect(r.status).toBe(404);
    } finally {
      await prod.close();
    }
  });
});
