// HttpClient against the real local stack: cut connections, refused connections, caller aborts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkError } from '../errors.ts';
import { armFault, control, startStorageStack, type TestStack } from '../storage/testServer.ts';
import { BackoffTracker } from './backoff.ts';
import { HttpClient, parseJsonBody } from './request.ts';

let stack: TestStack;
// info/configuration needs no Hawk, so it is a plain endpoint for transport tests.
const path = '/storage/1.5/7/info/configuration';

beforeAll(async () => {
  stack = await startStorageStack();
});
afterAll(async () => {
  await stack.close();
});

describe('HttpClient', () => {
  it('reads the whole body and reports backoff headers, even if the observer throws', async () => {
    await control(stack.origin, 'faults/reset');
    await armFault(stack.origin, { kind: 'backoff', seconds: 42, match: { path }, count: 1 });
    const tracker = new BackoffTracker();
    let calls = 0;
    const http = new HttpClient({
      onBackoff: (s) => {
        calls++;
        tracker.observe(s);
        throw new Error('observer bug');
      },
    });
    const res = await http.request({ method: 'GET', url: stack.origin + path });
    expect(res.status).toBe(200);
    expect(parseJsonBody(res, 'config')).toMatchObject({ max_post_records: 100 });
    expect(calls).toBe(1);
    expect(tracker.seen[0]).toMatchObject({ source: 'x-weave-backoff', delayMs: 42_000 });
  });

  it('a connection cut in the middle of the body is a NetworkError', async () => {
    await control(stack.origin, 'faults/reset');
    await armFault(stack.origin, { kind: 'drop', when: 'after', partialBytes: 10, match: { path }, count: 1 });
    const err = await new HttpClient().request({ method: 'GET', url: stack.origin + path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).userMessage).toMatch(/internet connection/);
  });

  it('a refused connection is a NetworkError', async () => {
    const other = await startStorageStack();
    const origin = other.origin;
    await other.close();
    const err = await new HttpClient().request({ method: 'GET', url: origin + path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).timedOut).toBe(false);
  });

  it('a caller abort is rethrown as the abort reason, not as a NetworkError', async () => {
    await control(stack.origin, 'faults/reset');
    await armFault(stack.origin, { kind: 'delay', ms: 2000, match: { path }, count: 1 });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const pending = new HttpClient().request({ method: 'GET', url: stack.origin + path, signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
