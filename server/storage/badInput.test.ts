import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StartedServer } from '../start.ts';
import { json, startStorageOnly, TestClient } from './testClient.ts';

let server: StartedServer;
let c: TestClient;

beforeAll(async () => {
  server = await startStorageOnly({ limits: { max_record_payload_bytes: 100, max_post_bytes: 150, max_request_bytes: 2000 } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.store.reset();
  c = new TestClient(server, '5');
});

function nothingStored(): void {
  expect(server.store.collectionTimestamps('5')).toEqual([]);
}

describe('bad input', () => {
  it('malformed JSON bodies are 400 with Weave code 8 and store nothing', async () => {
    for (const body of ['[{"id":"a"', '{"id":"a","payload":"x"}', '[1,2]', '[{"payload":"no id"}]', '[{"id":"d","payload":"1"},{"id":"d","payload":"2"}]']) {
      const r = await c.call('POST', '/storage/tabs', { body });
      expect(r.status, body).toBe(400);
      expect(r.text).toBe('8');
    }
    const put = await c.call('PUT', '/storage/meta/global', { body: '{"payload": ' });
    expect(put.status).toBe(400);
    expect(put.text).toBe('8');
    expect((await c.put('/storage/meta/global', { payload: 'x', surprise: 1 })).status).toBe(400);
    nothingStored();
  });

  it('application/newlines bodies are accepted for POST', async () => {
    const body = '{"id":"a","payload":"1"}\n{"id":"b","payload":"2"}\n';
    const r = await c.call('POST', '/storage/tabs', { body, contentType: 'application/newlines' });
    expect(r.status).toBe(200);
    expect(json(await c.get('/storage/tabs'))).toEqual(['a', 'b']);
  });

  it('unsupported or missing Content-Type is 415', async () => {
    expect((await c.call('POST', '/storage/tabs', { body: '[]', contentType: 'text/html' })).status).toBe(415);
    // A Buffer body makes fetch send no Content-Type at all.
    expect((await c.call('POST', '/storage/tabs', { body: Buffer.from('[]'), contentType: null })).status).toBe(415);
    nothingStored();
  });

  it('oversize payloads: PUT → 400 code 8; POST → failed "retry bytes"; body over max_request_bytes → 413', async () => {
    const big = 'x'.repeat(101);
    const put = await c.put('/storage/tabs/a', { payload: big });
    expect(put.status).toBe(400);
    expect(put.text).toBe('8');
    nothingStored();
    const post = await c.post('/storage/tabs', [
      { id: 'a', payload: big },
      // The running total counts rejected payloads too (101 + 40 fits 150, + 40 more does not).
      { id: 'b', payload: 'y'.repeat(40) },
      { id: 'c', payload: 'z'.repeat(40) },
    ]);
    expect(post.status).toBe(200);
    expect(json(post)).toMatchObject({ success: ['b'], failed: { a: 'retry bytes', c: 'retry bytes' } });
    server.store.reset();
    const huge = await c.call('POST', '/storage/tabs', { body: JSON.stringify([{ id: 'a', payload: 'x'.repeat(2100) }]) });
    expect(huge.status).toBe(413);
    nothingStored();
  });

  it('sortindex out of range and bad ids', async () => {
    const put = await c.put('/storage/tabs/a', { payload: 'x', sortindex: 1_000_000_000 });
    expect(put.status).toBe(400);
    expect(put.text).toBe('8');
    expect((await c.get('/storage/tabs?ids=' + 'x'.repeat(65))).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) => `i${i}`).join(',');
    expect((await c.get(`/storage/tabs?ids=${tooMany}`)).status).toBe(400);
    expect((await c.get('/storage/tabs/' + 'y'.repeat(65))).status).toBe(404);
    expect((await c.get('/storage/tabs/%0A')).status).toBe(400);
    // 64 characters once decoded, 66 on the wire: a valid id.
    const spaced = 'x'.repeat(62) + ' y';
    expect((await c.put('/storage/tabs/' + encodeURIComponent(spaced), { payload: 'p' })).status).toBe(200);
    expect((await c.get('/storage/tabs/' + encodeURIComponent(spaced))).status).toBe(200);
    await c.call('DELETE', '/storage/tabs');
    expect((await c.get('/storage/not*valid')).status).toBe(404);
    const post = await c.post('/storage/tabs', [{ id: 'z'.repeat(65), payload: 'x' }]);
    expect(json<{ failed: Record<string, string> }>(post).failed['z'.repeat(65)]).toMatch(/^invalid bso/);
    expect(json(await c.get('/storage/tabs'))).toEqual([]);
  });

  it('bad query values and precondition headers are 400 body 0', async () => {
    for (const q of ['newer=abc', 'older=-1', 'limit=-1', 'limit=x', 'offset=y', 'sort=random']) {
      const r = await c.get(`/storage/tabs?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text).toBe('0');
    }
    const both = await c.get('/storage/tabs', { headers: { 'x-if-modified-since': '1.00', 'x-if-unmodified-since': '1.00' } });
    expect(both.status).toBe(400);
    expect((await c.get('/storage/tabs', { headers: { 'x-if-modified-since': 'yesterday' } })).status).toBe(400);
    expect((await c.get('/storage/tabs?offset=123:4')).status).toBe(412);
  });

  it('crypto/keys with an all-zero IV is refused', async () => {
    const payload = JSON.stringify({ ciphertext: 'abc', IV: 'AAAAAAAAAAAAAAAAAAAAAA==', hmac: '00' });
    expect((await c.put('/storage/crypto/keys', { payload })).status).toBe(400);
    expect((await c.post('/storage/crypto', [{ id: 'keys', payload }])).status).toBe(400);
    nothingStored();
  });

  it('unknown paths under storage are 404 body 0; wrong methods are 405', async () => {
    const r = await c.get('/nope');
    expect(r.status).toBe(404);
    expect(r.text).toBe('0');
    expect((await c.call('PUT', '/storage/tabs', { body: '[]' })).status).toBe(405);
    expect((await c.call('POST', '/info/collections', { body: '[]' })).status).toBe(405);
  });
});
