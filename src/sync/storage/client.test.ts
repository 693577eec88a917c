// StorageClient against the real local Sync stack (server/, port 0). No response mocks: every
// failure comes from the server's fault API or its own rules.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomKeyBundle } from '../crypto/keyBundle.ts';
import { AuthError, BadResponseError, ConflictError, NetworkError, NodeReassignedError, ServerBusyError } from '../errors.ts';
import { BackoffTracker } from '../http/backoff.ts';
import { decryptBsos, encryptBso } from '../records/bso.ts';
import { describeForPerson } from '../../background/messageHandlers.ts';
import { StorageClient } from './client.ts';
import { armFault, control, freshUid, MintingTokenProvider, startStorageStack, storedRecords, type TestStack } from './testServer.ts';
import type { Bso, OutgoingBso } from './types.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStorageStack();
});

afterAll(async () => {
  await stack.close();
});

beforeEach(async () => {
  await control(stack.origin, 'faults/reset');
});

function records(n: number, prefix = 'r', payloadBytes = 20): OutgoingBso[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}${String(i).padStart(4, '0')}`, payload: 'x'.repeat(payloadBytes) }));
}

function client(uid = freshUid(), extra: { tracker?: BackoffTracker; timeoutMs?: number } = {}): { c: StorageClient; tokens: MintingTokenProvider; uid: string } {
  const tokens = new MintingTokenProvider(stack.server, uid);
  const c = new StorageClient({
    tokens,
    ...(extra.tracker ? { onBackoff: extra.tracker.observe } : {}),
    ...(extra.timeoutMs !== undefined ? { timeoutMs: extra.timeoutMs } : {}),
  });
  return { c, tokens, uid };
}

async function collect<T>(gen: AsyncGenerator<{ items: T[] }>): Promise<T[][]> {
  const pages: T[][] = [];
  for await (const p of gen) pages.push(p.items);
  return pages;
}

describe('info', () => {
  it('info/collections answers 304 until something changes', async () => {
    const { c } = client();
    const empty = await c.getInfoCollections();
    expect(empty).toMatchObject({ status: 'ok', collections: {} });

    const up = await c.uploadRecords('bookmarks', records(3), { ifUnmodifiedSince: '0' });
    const info = await c.getInfoCollections();
    if (info.status !== 'ok') throw new Error('expected 200');
    expect(info.collections).toEqual({ bookmarks: up.lastModified });
    expect(info.lastModified).toBe(up.lastModified);

    const same = await c.getInfoCollections({ ifModifiedSince: info.lastModified! });
    expect(same.status).toBe('not-modified');

    const put = await c.putRecord('history', { id: 'h1', payload: 'p' }, { ifUnmodifiedSince: '0' });
    const changed = await c.getInfoCollections({ ifModifiedSince: info.lastModified! });
    expect(changed).toMatchObject({ status: 'ok', collections: { bookmarks: up.lastModified, history: put } });
  });

  it('info/configuration returns the server limits', async () => {
    const { c } = client();
    const limits = await c.getInfoConfiguration();
    expect(limits).toMatchObject({
      maxPostRecords: stack.server.limits.max_post_records,
      maxPostBytes: stack.server.limits.max_post_bytes,
      maxRequestBytes: stack.server.limits.max_request_bytes,
      maxRecordPayloadBytes: stack.server.limits.max_record_payload_bytes,
      maxTotalRecords: stack.server.limits.max_total_records,
      maxTotalBytes: stack.server.limits.max_total_bytes,
    });
  });
});

describe('reads', () => {
  it('pages through a collection larger than the page size', async () => {
    const { c } = client();
    const up = await c.uploadRecords('history', records(25), { ifUnmodifiedSince: '0' });
    expect(up.success).toHaveLength(25);

    const pages: Bso[][] = [];
    const stamps: Array<string | null> = [];
    for await (const page of c.getRecords('history', { full: true, limit: 10, sort: 'oldest' })) {
      pages.push(page.items);
      stamps.push(page.lastModified);
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    const ids = pages.flat().map((b) => b.id);
    expect(new Set(ids).size).toBe(25);
    expect(ids.sort()).toEqual(records(25).map((r) => r.id));
    expect(stamps).toEqual([up.lastModified, up.lastModified, up.lastModified]);
    expect(pages[0]![0]).toMatchObject({ payload: 'x'.repeat(20), modified: up.lastModified });

    // Later pages were guarded by the first page's X-Last-Modified.
    const gets = stack.log.filter((e) => e.method === 'GET' && e.path.includes('/storage/history') && e.path.includes('offset='));
    expect(gets.length).toBeGreaterThanOrEqual(2);

    const idPages = await collect(c.getRecords('history', { full: false, limit: 7 }));
    expect(idPages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
    expect(idPages.flat().every((id) => typeof id === 'string')).toBe(true);
  });

  it('filters by newer= and ids=, and returns null for a missing record', async () => {
    const { c } = client();
    const first = await c.uploadRecords('tabs', records(3, 'a'), { ifUnmodifiedSince: '0' });
    const second = await c.uploadRecords('tabs', records(2, 'b'), { ifUnmodifiedSince: first.lastModified });
    const newer = (await collect(c.getRecords('tabs', { full: true, newer: first.lastModified }))).flat();
    expect(newer.map((b) => b.id).sort()).toEqual(['b0000', 'b0001']);
    expect(newer.every((b) => b.modified === second.lastModified)).toBe(true);

    const byIds = (await collect(c.getRecords('tabs', { full: true, ids: ['a0001', 'b0000', 'nope'] }))).flat();
    expect(byIds.map((b) => b.id).sort()).toEqual(['a0001', 'b0000']);

    expect(await c.getRecord('tabs', 'a0002')).toMatchObject({ id: 'a0002', modified: first.lastModified });
    expect(await c.getRecord('tabs', 'missing')).toBeNull();
  });

  it('a concurrent write between pages is a ConflictError (412)', async () => {
    const { c, uid } = client();
    await c.uploadRecords('bookmarks', records(12), { ifUnmodifiedSince: '0' });
    await armFault(stack.origin, {
      kind: 'concurrentWrite',
      match: { method: 'GET', path: `/storage/1.5/${uid}/storage/bookmarks` },
      skip: 1,
      count: 1,
    });
    const seen: number[] = [];
    const run = async (): Promise<void> => {
      for await (const page of c.getRecords('bookmarks', { full: true, limit: 5 })) seen.push(page.items.length);
    };
    await expect(run()).rejects.toBeInstanceOf(ConflictError);
    expect(seen).toEqual([5]);
  });

  it('malformed JSON from the server is a BadResponseError', async () => {
    const { c, uid } = client();
    await armFault(stack.origin, { kind: 'malformedJson', match: { path: `/storage/1.5/${uid}/info/collections` }, count: 1 });
    const err = await c.getInfoCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect((err as BadResponseError).kind).toBe('bad-response');
    expect((err as BadResponseError).userMessage).toMatch(/could not understand/);
  });
});

describe('writes', () => {
  it('putRecord with X-If-Unmodified-Since 0 creates once, then conflicts', async () => {
    const { c } = client();
    const ts = await c.putRecord('meta', { id: 'global', payload: '{"syncID":"abc","storageVersion":5}' }, { ifUnmodifiedSince: '0' });
    expect(ts).toMatch(/^\d+\.\d{2}$/);
    await expect(c.putRecord('meta', { id: 'global', payload: '{}' }, { ifUnmodifiedSince: '0' })).rejects.toBeInstanceOf(ConflictError);
    const again = await c.putRecord('meta', { id: 'global', payload: '{"v":2}' }, { ifUnmodifiedSince: ts });
    expect((await c.getRecord('meta', 'global'))?.payload).toBe('{"v":2}');
    expect(again > ts).toBe(true);
  });

  it('deletes records, collections and everything, each guarded', async () => {
    const { c } = client();
    const up = await c.uploadRecords('history', records(150), { ifUnmodifiedSince: '0' });
    const ids = records(120).map((r) => r.id);
    // More ids than the server takes in one request (100): sent in two GETs.
    const fetched = (await collect(c.getRecords('history', { full: false, ids }))).flat();
    expect(fetched.sort()).toEqual(ids);
    // 120 ids → two DELETE requests (≤100 ids each), the second guarded by the first's timestamp.
    const afterDelete = await c.deleteRecords('history', ids, { ifUnmodifiedSince: up.lastModified });
    const left = (await collect(c.getRecords('history', { full: false }))).flat();
    expect(left).toHaveLength(30);
    await expect(c.deleteCollection('history', { ifUnmodifiedSince: up.lastModified })).rejects.toBeInstanceOf(ConflictError);
    await c.deleteCollection('history', { ifUnmodifiedSince: afterDelete });
    const info = await c.getInfoCollections();
    expect(info).toMatchObject({ status: 'ok', collections: {} });

    const more = await c.uploadRecords('tabs', records(2), { ifUnmodifiedSince: '0' });
    const infoNow = await c.getInfoCollections();
    expect(infoNow.lastModified).toBe(more.lastModified);
    await c.deleteAll({ ifUnmodifiedSince: infoNow.lastModified! });
    expect(await c.getInfoCollections()).toMatchObject({ status: 'ok', collections: {} });
  });
});

describe('uploads', () => {
  let small: TestStack;
  beforeAll(async () => {
    small = await startStorageStack({ limits: { max_post_records: 5, max_record_payload_bytes: 1000 } });
  });
  afterAll(async () => {
    await small.close();
  });

  function smallClient(): { c: StorageClient; uid: string } {
    const uid = freshUid();
    return { c: new StorageClient({ tokens: new MintingTokenProvider(small.server, uid) }), uid };
  }

  it('uploads more than max_post_records as one batch committed at the end', async () => {
    const { c, uid } = smallClient();
    const before = small.log.length;
    const result = await c.uploadRecords('bookmarks', records(23), { ifUnmodifiedSince: '0' });
    expect(result.success.sort()).toEqual(records(23).map((r) => r.id));
    expect(result.failed).toEqual({});

    const posts = small.log.slice(before).filter((e) => e.method === 'POST');
    expect(posts.map((p) => p.status)).toEqual([202, 202, 202, 202, 200]);
    expect(posts[0]!.path).toMatch(/\?batch=true$/);
    expect(posts.slice(1, 4).every((p) => /\?batch=[^&]+$/.test(p.path))).toBe(true);
    expect(posts[4]!.path).toMatch(/\?batch=[^&]+&commit=true$/);

    const stored = await storedRecords(small.origin, uid, 'bookmarks');
    expect(stored.records).toHaveLength(23);
    // Committed atomically: every record carries the commit timestamp.
    expect(new Set(stored.records.map((r) => r.modified.toFixed(2)))).toEqual(new Set([result.lastModified]));
  });

  it('reports a record over max_record_payload_bytes as failed without sending it', async () => {
    const { c, uid } = smallClient();
    const recs = [...records(3, 'ok'), { id: 'huge', payload: 'y'.repeat(1001) }, ...records(2, 'ok2')];
    const before = small.log.length;
    const result = await c.uploadRecords('history', recs, { ifUnmodifiedSince: '0' });
    expect(result.success.sort()).toEqual(['ok0000', 'ok0001', 'ok0002', 'ok20000', 'ok20001']);
    expect(Object.keys(result.failed)).toEqual(['huge']);
    expect(result.failed.huge).toMatch(/max_record_payload_bytes/);
    expect(result.sent).toBe(5);
    expect(result.failures).toMatchObject([{ recordId: 'huge', reason: 'too-large', kind: 'bad-record' }]);
    const bytesSent = small.log.slice(before).filter((e) => e.method === 'POST').reduce((n, e) => n + e.requestBytes, 0);
    expect(bytesSent).toBeLessThan(1001);
    const stored = await storedRecords(small.origin, uid, 'history');
    expect(stored.records.map((r) => r.id).sort()).toEqual(['ok0000', 'ok0001', 'ok0002', 'ok20000', 'ok20001']);
  });

  it('a concurrent writer before the commit gives ConflictError and commits nothing', async () => {
    const { c, uid } = smallClient();
    await armFault(small.origin, { kind: 'concurrentWrite', match: { method: 'POST', query: 'commit=true' }, count: 1 });
    await expect(c.uploadRecords('clients', records(12), { ifUnmodifiedSince: '0' })).rejects.toBeInstanceOf(ConflictError);
    expect((await storedRecords(small.origin, uid, 'clients')).records).toEqual([]);
  });

  it('a dropped connection mid-batch is a NetworkError and commits nothing', async () => {
    const { c, uid } = smallClient();
    await armFault(small.origin, { kind: 'drop', when: 'before', match: { method: 'POST' }, skip: 1, count: 1 });
    const err = await c.uploadRecords('forms', records(12), { ifUnmodifiedSince: '0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).timedOut).toBe(false);
    expect((await storedRecords(small.origin, uid, 'forms')).records).toEqual([]);
    // A later retry of the whole upload works (the abandoned batch is never committed).
    const retry = await c.uploadRecords('forms', records(12), { ifUnmodifiedSince: '0' });
    expect(retry.success).toHaveLength(12);
  });
});

describe('uploads across several batches', () => {
  let tight: TestStack;
  beforeAll(async () => {
    tight = await startStorageStack({ limits: { max_post_records: 3, max_total_records: 7, max_post_bytes: 200, max_request_bytes: 400 } });
  });
  afterAll(async () => {
    await tight.close();
  });

  it('commits one batch per max_total_records, each guarded by the previous commit', async () => {
    const uid = freshUid();
    const c = new StorageClient({ tokens: new MintingTokenProvider(tight.server, uid) });
    const before = tight.log.length;
    const result = await c.uploadRecords('history', records(20, 'r', 50), { ifUnmodifiedSince: '0' });
    expect(result.success).toHaveLength(20);
    const posts = tight.log.slice(before).filter((e) => e.method === 'POST');
    expect(posts.map((p) => p.status)).toEqual([202, 202, 200, 202, 202, 200, 202, 200]);
    expect(posts.every((p) => p.requestBytes <= 400)).toBe(true);
    const stored = await storedRecords(tight.origin, uid, 'history');
    expect(stored.records).toHaveLength(20);
    expect(new Set(stored.records.map((r) => r.modified)).size).toBe(3);
    expect(stored.modified.toFixed(2)).toBe(result.lastModified);
  });
});

describe('server signals', () => {
  it('503 + Retry-After is a ServerBusyError and reaches the backoff observer', async () => {
    const tracker = new BackoffTracker();
    const { c, uid } = client(freshUid(), { tracker });
    await armFault(stack.origin, { kind: 'error', status: 503, retryAfter: 120, match: { path: `/storage/1.5/${uid}/info/collections` }, count: 1 });
    const err = await c.getInfoCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerBusyError);
    expect((err as ServerBusyError).retryAfterMs).toBe(120_000);
    expect((err as ServerBusyError).userMessage).toMatch(/2 minutes/);
    expect(tracker.seen).toMatchObject([{ source: 'retry-after', delayMs: 120_000, status: 503 }]);
    expect(tracker.active(Date.now())).toBe(true);
  });

  it('X-Weave-Backoff on a successful response is observed', async () => {
    const tracker = new BackoffTracker();
    const { c, uid } = client(freshUid(), { tracker });
    await armFault(stack.origin, { kind: 'backoff', seconds: 300, match: { path: `/storage/1.5/${uid}/info/collections` }, count: 1 });
    const info = await c.getInfoCollections();
    expect(info.status).toBe('ok');
    expect(tracker.seen).toMatchObject([{ source: 'x-weave-backoff', delayMs: 300_000, status: 200 }]);
    await c.getInfoCollections();
    expect(tracker.seen).toHaveLength(1);
  });

  it('maps 409, 400 code 14, 400 code 16 and 513 to the right kinds', async () => {
    const { c, uid } = client();
    const path = `/storage/1.5/${uid}/storage/bookmarks`;
    const attempt = async (fault: Record<string, unknown>): Promise<unknown> => {
      await armFault(stack.origin, { kind: 'error', match: { path }, count: 1, ...fault });
      return c.uploadRecords('bookmarks', records(1), { ifUnmodifiedSince: '0' }).catch((e: unknown) => e);
    };
    expect(await attempt({ status: 409, retryAfter: 5 })).toMatchObject({ kind: 'server-busy', status: 409, retryAfterMs: 5_000 });
    expect(await attempt({ status: 400, body: '14' })).toMatchObject({ kind: 'user-action-needed', reason: 'over-quota' });
    expect(await attempt({ status: 400, body: '16' })).toMatchObject({ kind: 'user-action-needed', reason: 'client-upgrade' });
    expect(await attempt({ status: 400, body: '17' })).toMatchObject({ kind: 'bad-response', status: 400, code: 17 });
    expect(await attempt({ status: 513, body: '' })).toMatchObject({ kind: 'user-action-needed', reason: 'service-ended' });
    expect(await attempt({ status: 500, body: '' })).toMatchObject({ kind: 'server-busy', status: 500, retryAfterMs: null });
  });

  it('a request that outlives the timeout is a NetworkError (timedOut)', async () => {
    const { c, uid } = client(freshUid(), { timeoutMs: 150 });
    await armFault(stack.origin, { kind: 'delay', ms: 3000, match: { path: `/storage/1.5/${uid}/info/collections` }, count: 1 });
    const err = await c.getInfoCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).timedOut).toBe(true);
  });
});

describe('auth', () => {
  it('after the token is expired server-side, retries once with a fresh token', async () => {
    const { c, tokens, uid } = client();
    await c.putRecord('meta', { id: 'global', payload: '{}' }, { ifUnmodifiedSince: '0' });
    await control(stack.origin, 'faults/expire-tokens', { uid });
    const before = stack.log.length;
    expect((await c.getRecord('meta', 'global'))?.payload).toBe('{}');
    expect(stack.log.slice(before).map((e) => e.status)).toEqual([401, 200]);
    expect(tokens.minted).toBe(2);
    expect(tokens.invalidations).toBe(1);
  });

  it('gives up with AuthError when a fresh token is refused too', async () => {
    const { c, tokens, uid } = client();
    await armFault(stack.origin, { kind: 'expireTokens', match: { path: `/storage/1.5/${uid}/storage/` } });
    const before = stack.log.length;
    const err = await c.getRecord('meta', 'global').catch((e: unknown) => e);
    expect(stack.log.slice(before).map((e) => e.status)).toEqual([401, 401]);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).reason).toBe('storage-unauthorized');
    expect(tokens.minted).toBe(2);
  });

  it('a fresh token for another node is reported as NodeReassignedError', async () => {
    const { c, tokens, uid } = client();
    await c.getInfoCollections();
    const newUid = freshUid();
    await control(stack.origin, 'faults/reassign', { uid });
    tokens.uid = newUid; // the token server now hands out the new node's storage
    const err = await c.getInfoCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeReassignedError);
    expect((err as NodeReassignedError).newEndpoint).toBe(`${stack.origin}/storage/1.5/${newUid}`);
    // The caller resets its state; the client carries on against the new node.
    expect(await c.getInfoCollections()).toMatchObject({ status: 'ok', collections: {} });
    expect(c.apiEndpoint).toBe(`${stack.origin}/storage/1.5/${newUid}`);
  });

  it('corrects its clock from the Date of a skew reject, without a new token', async () => {
    const { c, tokens } = client();
    await control(stack.origin, 'faults/clock', { offsetMs: 10 * 60 * 1000 });
    const first = stack.log.length;
    const info = await c.getInfoCollections();
    expect(info.status).toBe('ok');
    // The server's Hawk window is 60 s: the first attempt is refused, the corrected one accepted.
    expect(stack.log.slice(first).map((e) => e.status)).toEqual([401, 200]);
    expect(tokens.minted).toBe(1);
    expect(tokens.invalidations).toBe(0);
    expect(Math.abs(c.serverClockOffsetMs - 10 * 60 * 1000)).toBeLessThan(5_000);
    // Later requests are signed with the corrected clock straight away.
    const before = stack.log.length;
    await c.getInfoCollections();
    expect(stack.log.slice(before).map((e) => e.status)).toEqual([200]);
  });
});

// Issue 9, item 11. go-syncstorage sends the resource's last-modified time as X-Weave-Timestamp,
// so that header is not the server's clock; some deployments refuse a stale Hawk ts with 403.
describe('clock skew learned from X-Weave-Timestamp (issue 9, item 11)', () => {
  const TEN_MINUTES = 10 * 60 * 1000;

  function statusesSince(index: number): number[] {
    return stack.log.slice(index).map((e) => e.status);
  }

  it('clock skew learned from X-Weave-Timestamp: a stale last-modified there is never taken for the server clock', async () => {
    const { c, uid } = client();
    // Data written ten minutes ago (server time); the server's clock itself is right.
    await control(stack.origin, 'faults/clock', { offsetMs: -TEN_MINUTES });
    await control(stack.origin, `storage/${uid}/bookmarks`, [{ id: 'old', payload: 'p' }]);
    await control(stack.origin, 'faults/clock', { offsetMs: 0 });
    // go-syncstorage's X-Weave-Timestamp, and a server that refuses a stale Hawk ts with 403.
    await armFault(stack.origin, { kind: 'staleWeaveTimestamp', match: { path: `/storage/1.5/${uid}/` } });
    await armFault(stack.origin, { kind: 'skewReject', match: { path: `/storage/1.5/${uid}/` } });
    const before = stack.log.length;

    const info = await c.getInfoCollections();
    expect(info.status).toBe('ok');
    expect(Math.abs(c.serverClockOffsetMs)).toBeLessThan(5_000);
    expect((await c.getRecord('bookmarks', 'old'))?.payload).toBe('p');
    const pages = await collect(c.getRecords('bookmarks', { full: true }));
    expect(pages.flat().map((b) => b.id)).toEqual(['old']);
    expect(Math.abs(c.serverClockOffsetMs)).toBeLessThan(5_000);
    expect(statusesSince(before)).toEqual([200, 200, 200]);
  });

  it('clock skew learned from X-Weave-Timestamp: a real skew is learned from Date and recovered from on 401', async () => {
    const { c, uid, tokens } = client();
    await control(stack.origin, `storage/${uid}/bookmarks`, [{ id: 'old', payload: 'p' }]);
    await control(stack.origin, 'faults/clock', { offsetMs: TEN_MINUTES });
    await armFault(stack.origin, { kind: 'staleWeaveTimestamp', match: { path: `/storage/1.5/${uid}/` } });
    const first = stack.log.length;

    expect((await c.getInfoCollections()).status).toBe('ok');
    expect(statusesSince(first)).toEqual([401, 200]);
    expect(Math.abs(c.serverClockOffsetMs - TEN_MINUTES)).toBeLessThan(5_000);
    // The 200 carried a ten-minute-old X-Weave-Timestamp: the offset must survive it.
    const later = stack.log.length;
    expect((await c.getRecord('bookmarks', 'old'))?.payload).toBe('p');
    await c.getInfoCollections();
    expect(statusesSince(later)).toEqual([200, 200]);
    expect(Math.abs(c.serverClockOffsetMs - TEN_MINUTES)).toBeLessThan(5_000);
    expect(tokens.invalidations).toBe(0);
  });

  it('clock skew learned from X-Weave-Timestamp: a skew reject answered with 403 is retried once with the corrected clock', async () => {
    const { c, uid, tokens } = client();
    await control(stack.origin, 'faults/clock', { offsetMs: TEN_MINUTES });
    await armFault(stack.origin, { kind: 'skewReject', match: { path: `/storage/1.5/${uid}/` } });
    const first = stack.log.length;

    const put = await c.putRecord('meta', { id: 'global', payload: '{}' }, { ifUnmodifiedSince: '0' });
    expect(put).toMatch(/^\d+\.\d{2}$/);
    expect(statusesSince(first)).toEqual([403, 200]);
    expect(Math.abs(c.serverClockOffsetMs - TEN_MINUTES)).toBeLessThan(5_000);
    expect(tokens.invalidations).toBe(0);
    const later = stack.log.length;
    expect((await c.getRecord('meta', 'global'))?.payload).toBe('{}');
    expect(statusesSince(later)).toEqual([200]);
  });

  it('clock skew learned from X-Weave-Timestamp: the Hawk WWW-Authenticate ts of a 401 corrects the clock', async () => {
    const { c, uid, tokens } = client();
    await control(stack.origin, 'faults/clock', { offsetMs: -TEN_MINUTES });
    await armFault(stack.origin, { kind: 'skewReject', status: 401, hawkTs: true, match: { path: `/storage/1.5/${uid}/` } });
    await armFault(stack.origin, { kind: 'staleWeaveTimestamp', match: { path: `/storage/1.5/${uid}/` } });
    const first = stack.log.length;
    expect((await c.getInfoCollections()).status).toBe('ok');
    expect(statusesSince(first)).toEqual([401, 200]);
    expect(Math.abs(c.serverClockOffsetMs + TEN_MINUTES)).toBeLessThan(5_000);
    expect(tokens.invalidations).toBe(0);
  });

  it('clock skew learned from X-Weave-Timestamp: a 403 that is not a quota error does not say the storage is full', async () => {
    const { c, uid, tokens } = client();
    const path = `/storage/1.5/${uid}/storage/bookmarks`;
    await c.getInfoConfiguration(); // limits cached: the upload is one request
    await armFault(stack.origin, { kind: 'error', status: 403, body: '0', match: { path }, count: 1 });
    const before = stack.log.length;
    const err = await c.uploadRecords('bookmarks', records(1), { ifUnmodifiedSince: '0' }).catch((e: unknown) => e);
    // The clocks agree, so this is no skew reject: no retry, no new token.
    expect(statusesSince(before)).toEqual([403]);
    expect(tokens.invalidations).toBe(0);
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err).toMatchObject({ kind: 'bad-response', status: 403 });
    expect((err as BadResponseError).userMessage).not.toMatch(/full|quota/i);
    expect((err as BadResponseError).userMessage).toMatch(/refused/);
    expect(describeForPerson(err)).not.toMatch(/full/i);

    // syncstorage's quota error is 403 (or 400) with the Weave code 14 as its body.
    await armFault(stack.origin, { kind: 'error', status: 403, body: '14', match: { path }, count: 1 });
    const quota = await c.uploadRecords('bookmarks', records(1), { ifUnmodifiedSince: '0' }).catch((e: unknown) => e);
    expect(quota).toMatchObject({ kind: 'user-action-needed', reason: 'over-quota' });
    expect(describeForPerson(quota)).toMatch(/storage is full/);
  });

  it('clock skew learned from X-Weave-Timestamp: a 403 that stays after the clock is corrected is a plain refusal', async () => {
    const { c, uid } = client();
    await control(stack.origin, 'faults/clock', { offsetMs: TEN_MINUTES });
    await armFault(stack.origin, { kind: 'error', status: 403, body: '0', match: { path: `/storage/1.5/${uid}/info/collections` } });
    const before = stack.log.length;
    const err = await c.getInfoCollections().catch((e: unknown) => e);
    expect(statusesSince(before)).toEqual([403, 403]);
    expect(err).toMatchObject({ kind: 'bad-response', status: 403 });
    expect(describeForPerson(err)).not.toMatch(/full/i);
  });
});

describe('records through the server', () => {
  it('a bad-HMAC record among good ones yields N-1 records and one failure', async () => {
    const { c } = client();
    const keys = randomKeyBundle();
    const good = await Promise.all([1, 2, 3, 4].map((i) => encryptBso({ id: `good${i}`, title: `t${i}` }, keys, { sortindex: i })));
    const foreign = await encryptBso({ id: 'bad', title: 'x' }, randomKeyBundle());
    const up = await c.uploadRecords('bookmarks', [...good, foreign], { ifUnmodifiedSince: '0' });
    expect(up.success).toHaveLength(5);
    const downloaded = (await collect(c.getRecords('bookmarks', { full: true }))).flat();
    const result = await decryptBsos(downloaded, keys);
    expect(result.records.map((r) => r.cleartext.id).sort()).toEqual(['good1', 'good2', 'good3', 'good4']);
    expect(result.records.find((r) => r.id === 'good3')).toMatchObject({ sortindex: 3, cleartext: { title: 't3' } });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]).toMatchObject({ recordId: 'bad', reason: 'hmac', kind: 'bad-record' });
  });
});
