import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import type { LogEntry } from '../shared/logEntry.ts';
import { formatLogEntry } from '../shared/logEntry.ts';
import { createLogHub } from './logger.ts';
import { LogStore } from './logStore.ts';
import { REDACTED, redactString, redactValue } from './redact.ts';

describe('redaction', () => {
  test('removes tokens, keys and auth headers from messages and fields', () => {
    const token = 'a'.repeat(64);
    expect(redactString(`session ${token} ok`)).toBe(`session ${REDACTED} ok`);
    expect(redactString('Authorization: Bearer fxs_0123abcd')).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(redactString('Hawk id="abc", ts="1", nonce="x", mac="y"')).toBe(`Hawk ${REDACTED}`);
    expect(redactString('key=' + 'Zm9vYmFy'.repeat(8))).toBe(`key=${REDACTED}`);
    expect(redactValue({ refreshToken: 'short', kSync: [1, 2], email: 'a@b.c', count: 3, hasKeys: true })).toEqual({
      refreshToken: REDACTED, kSync: REDACTED, email: 'a@b.c', count: 3, hasKeys: true,
    });
    expect(redactValue({ nested: { password: 'hunter2' } })).toEqual({ nested: { password: REDACTED } });
  });

  test('leaves ordinary words, URLs and numbers alone', () => {
    const s = 'GET https://example.com/storage/1.5/123/info/collections took 120 ms';
    expect(redactString(s)).toBe(s);
  });
});

describe('logger', () => {
  test('stores entries at or above the store level, in order, redacted', async () => {
    const stored: LogEntry[] = [];
    let t = 0;
    const hub = createLogHub({ sink: { append: async (e) => void stored.push(...e) }, storeLevel: 'info', console: null, now: () => ++t });
    const log = hub.logger.child('test');
    log.debug('not kept');
    log.info('first', { token: 'abc' });
    log.warn('second');
    log.error(`third ${'f'.repeat(40)}`);
    await hub.flush();
    expect(stored.map((e) => [e.level, e.message])).toEqual([['info', 'first'], ['warn', 'second'], ['error', `third ${REDACTED}`]]);
    expect(stored[0]).toMatchObject({ source: 'test', fields: { token: REDACTED } });
  });

  test('entries logged before the sink exists are kept until it is set', async () => {
    const stored: LogEntry[] = [];
    const hub = createLogHub({ console: null });
    hub.logger.info('early');
    await hub.flush();
    hub.setSink({ append: async (e) => void stored.push(...e) });
    await hub.flush();
    expect(stored.map((e) => e.message)).toEqual(['early']);
  });

  test('a failing sink does not break logging', async () => {
    const errors: unknown[] = [];
    const quiet = { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => void errors.push(a) };
    const hub = createLogHub({ sink: { append: async () => { throw new Error('disk full'); } }, console: quiet });
    hub.logger.info('x');
    await hub.flush();
    hub.logger.info('y');
    await hub.flush();
    expect(errors.length).toBe(2);
  });

  test('formats one line per entry', () => {
    expect(formatLogEntry({ time: 0, level: 'warn', source: 'sync', message: 'hi', fields: { n: 1 } }))
      .toBe('1970-01-01T00:00:00.000Z WARN  [sync] hi {"n":1}');
  });
});

describe('LogStore', () => {
  test('keeps the newest entries up to its cap and lists them oldest first', async () => {
    const store = new LogStore(await freshDatabase(), 5);
    const entries = Array.from({ length: 8 }, (_, i): LogEntry => ({ time: i, level: 'info', source: 's', message: `m${i}` }));
    await store.append(entries.slice(0, 4));
    await store.append(entries.slice(4));
    expect((await store.recent(100)).map((e) => e.message)).toEqual(['m3', 'm4', 'm5', 'm6', 'm7']);
    expect((await store.recent(2)).map((e) => e.message)).toEqual(['m6', 'm7']);
    expect(await store.clear()).toBe(5);
    expect(await store.recent(10)).toEqual([]);
  });
});
