import { describe, expect, it } from 'vitest';
import type { AccessLogEntry } from './accessLog.ts';
import { json } from './http.ts';
import { dispatchTo, serve } from './serve.ts';

describe('serve', () => {
  it('dispatches to handlers in order, 404 JSON otherwise, caps bodies with 413, logs each request', async () => {
    const log: AccessLogEntry[] = [];
    const http = await serve({
      host: '127.0.0.1',
      port: 0,
      maxBodyBytes: 1024,
      log: (e) => log.push(e),
      dispatch: dispatchTo([
        async (req) => (req.url.pathname === '/a' ? json(200, { handler: 'a', bytes: req.body.length, raw: req.rawTarget }) : null),
        async (req) => (req.url.pathname.startsWith('/a') || req.url.pathname === '/b' ? json(200, { handler: 'b' }) : null),
        async (req) => (req.url.pathname === '/drop' ? { status: 200, body: 'x'.repeat(100), dropConnection: true, partialBody: 10 } : null),
      ]),
    });
    try {
      const a = await fetch(`${http.origin}/a?q=1%2C2`, { method: 'POST', body: 'hello' });
      expect(await a.json()).toEqual({ handler: 'a', bytes: 5, raw: '/a?q=1%2C2' });
      expect(await (await fetch(`${http.origin}/b`)).json()).toEqual({ handler: 'b' });
      const missing = await fetch(`${http.origin}/zzz`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('application/json');
      const big = await fetch(`${http.origin}/a`, { method: 'POST', body: 'x'.repeat(2048) });
      expect(big.status).toBe(413);
      await expect(fetch(`${http.origin}/drop`).then((r) => r.text())).rejects.toThrow();
      expect(log.map((e) => [e.method, e.path, e.status])).toEqual([
        ['POST', '/a?q=1%2C2', 200],
        ['GET', '/b', 200],
        ['GET', '/zzz', 404],
        ['POST', '/a', 413],
        ['GET', '/drop', 200],
      ]);
      expect(log.at(-1)?.dropped).toBe(true);
    } finally {
      await http.close();
    }
  });
});
