import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StartedServer } from '../start.ts';
import { json, startStorageOnly, TestClient } from './testClient.ts';

let server: StartedServer;
let c: TestClient;

beforeAll(async () => {
  server = await startStorageOnly();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.store.reset();
  server.clock.offsetMs = 0;
  c = new TestClient(server, '1234');
});

async function nothingStored(): Promise<void> {
  expect(server.store.collectionTimestamps('1234')).toEqual([]);
}

describe('Hawk verification', () => {
  it('accepts a correctly signed request (MAC covers method, path+query, host, port)', async () => {
    const r = await c.post('/storage/tabs?batch=true&commit=true', [{ id: 'x', payload: 'y' }]);
    expect(r.status).toBe(200);
  });

  it('rejects a missing or malformed Authorization header with 401 body 0', async () => {
    const none = await c.get('/info/collections', { noAuth: true });
    expect(none.status).toBe(401);
    expect(none.text).toBe('0');
    expect(none.headers.get('x-weave-timestamp')).toMatch(/^\d+\.\d{2}$/);
    const junk = await c.get('/info/collections', { noAuth: true, headers: { authorization: 'Hawk id="x"' } });
    expect(junk.status).toBe(401);
  });

  it('rejects a bad MAC (key mismatch, or request changed after signing) and stores nothing', async () => {
    const wrongKey = await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }], { credentials: { id: c.credentials.id, key: 'not-the-key' } });
    expect(wrongKey.status).toBe(401);
    const signed = (await import('../../src/sync/crypto/hawk.ts')).hawkHeader({
      method: 'POST',
      url: c.url('/storage/tabs'),
      id: c.credentials.id,
      key: c.credentials.key,
    });
    const moved = await fetch(c.url('/storage/forms'), {
      method: 'POST',
      headers: { authorization: signed, 'content-type': 'application/json' },
      body: '[{"id":"x","payload":"y"}]',
    });
    expect(moved.status).toBe(401);
    await nothingStored();
  });

  it('rejects a tampered token id', async () => {
    const id = c.credentials.id;
    const raw = Buffer.from(id, 'base64url');
    raw[5] = raw[5]! ^ 1;
    const tampered = raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
    expect(server.ctx.hawkTokens.lookup(tampered)).toBeNull();
    expect((await c.get('/info/collections', { credentials: { id: tampered, key: c.credentials.key } })).status).toBe(401);
  });

  it('rejects timestamps outside ±60 s with X-Weave-Timestamp for clock correction', async () => {
    const stale = Math.floor(Date.now() / 1000) - 120;
    const r = await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }], { ts: stale });
    expect(r.status).toBe(401);
    const serverTs = Number(r.headers.get('x-weave-timestamp'));
    expect(Math.abs(serverTs * 1000 - Date.now())).toBeLessThan(5000);
    await nothingStored();
    // A client that corrects its clock with the offset succeeds.
    expect((await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }], { ts: Math.floor(serverTs) })).status).toBe(200);
  });

  it('rejects a replayed nonce', async () => {
    const ts = Math.floor(Date.now() / 1000);
    expect((await c.get('/info/collections', { ts, nonce: 'abc123' })).status).toBe(200);
    expect((await c.get('/info/collections', { ts, nonce: 'abc123' })).status).toBe(401);
  });

  it('checks a payload hash when the header carries one', async () => {
    const body = JSON.stringify([{ id: 'x', payload: 'y' }]);
    expect((await c.call('POST', '/storage/tabs', { body, hashPayload: body })).status).toBe(200);
    const lie = await c.call('POST', '/storage/forms', { body, hashPayload: '[]' });
    expect(lie.status).toBe(401);
    expect(server.store.collection('1234', 'forms')).toBeUndefined();
  });

  it('expired tokens get 401, except on GET info/collections (as syncstorage)', async () => {
    c.credentials = c.issue(1);
    server.clock.offsetMs = 2000;
    expect((await c.get('/info/collections')).status).toBe(200);
    expect((await c.get('/storage/tabs')).status).toBe(401);
    expect((await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }])).status).toBe(401);
    await nothingStored();
  });

  it('a token for another uid gets 400 (syncstorage "conflicts with payload")', async () => {
    const other = new TestClient(server, '99');
    const r = await fetch(c.url('/info/collections'), {
      headers: {
        authorization: (await import('../../src/sync/crypto/hawk.ts')).hawkHeader({
          method: 'GET',
          url: c.url('/info/collections'),
          id: other.credentials.id,
          key: other.credentials.key,
        }),
      },
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toBe('0');
  });

  it('after node reassignment old tokens get 401 and the new node is empty', async () => {
    await c.post('/storage/tabs', [{ id: 'x', payload: 'y' }]);
    server.ctx.nodes.reassign('1234');
    expect((await c.get('/storage/tabs')).status).toBe(401);
    c.credentials = c.issue();
    expect(json(await c.get('/info/collections'))).toEqual({});
  });
});
