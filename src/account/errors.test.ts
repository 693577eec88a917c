// errno → kind mapping (Mozilla's numbers, lib/error.js),
// and the transport's handling of non-JSON walls, made by the real stack's fault API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountError, errorFromFxaResponse } from './errors.ts';
import { passwordSignIn } from './authClient.ts';
import type { TestStack } from './testStack.ts';
import { startTestStack } from './testStack.ts';

describe('errorFromFxaResponse', () => {
  const cases: Array<[number, number, string]> = [
    [400, 102, 'unknown-account'],
    [400, 103, 'wrong-password'],
    [400, 104, 'unverified'],
    [400, 105, 'invalid-code'],
    [401, 110, 'session-expired'],
    [400, 120, 'email-case'],
    [400, 125, 'blocked'],
    [400, 127, 'invalid-code'],
    [400, 138, 'unverified'],
    [400, 142, 'secondary-email'],
    [400, 160, 'totp-required'],
    [400, 183, 'invalid-code'],
    [503, 201, 'server-error'],
    [400, 999, 'bad-response'],
  ];
  for (const [status, errno, kind] of cases) {
    it(`auth errno ${errno} → ${kind}`, () => {
      const err = errorFromFxaResponse(status, { errno, message: 'm' }, 'auth', null);
      expect(err.kind).toBe(kind);
      expect(err.errno).toBe(errno);
    });
  }

  it('throttled carries retryAfter into the message', () => {
    const err = errorFromFxaResponse(429, { errno: 114, retryAfter: 600 }, 'auth', null);
    expect(err.kind).toBe('throttled');
    expect(err.retryAfter).toBe(600);
    expect(err.userMessage).toContain('10 minutes');
    expect(errorFromFxaResponse(429, { errno: 114 }, 'auth', '45').userMessage).toContain('45 seconds');
  });

  it('OAuth numbering: bad codes and tokens are invalid-grant, 114 is not throttling', () => {
    for (const errno of [105, 106, 107, 108, 117, 118]) {
      expect(errorFromFxaResponse(400, { errno }, 'oauth', null).kind).toBe('invalid-grant');
    }
    expect(errorFromFxaResponse(401, { errno: 110 }, 'oauth', null).kind).toBe('invalid-grant');
    expect(errorFromFxaResponse(401, { errno: 104 }, 'oauth', null).kind).toBe('unverified');
    expect(errorFromFxaResponse(400, { errno: 114 }, 'oauth', null).kind).toBe('bad-response');
  });

  it('keeps the server email for the errno-120 retry', () => {
    expect(errorFromFxaResponse(400, { errno: 120, email: 'A@b.c' }, 'auth', null).email).toBe('A@b.c');
  });
});

describe('walls in front of FxA (real stack, fault API)', () => {
  // The stack's fault layer answers like Fastly's anti-bot wall, a rate limiter or a broken proxy.
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
    await stack.createV1Account('walls@example.org', 'walls password');
  });
  afterAll(async () => {
    await stack.close();
  });

  async function signInError(fault: Record<string, unknown>): Promise<AccountError> {
    await stack.armFault({ count: 1, match: { method: 'POST', path: '/v1/account/login' }, ...fault });
    const err = await passwordSignIn({ config: stack.config, email: 'walls@example.org', password: 'walls password' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccountError);
    return err as AccountError;
  }

  it('406 with an empty body is the anti-bot challenge', async () => {
    const err = await signInError({ kind: 'error', status: 406, body: '' });
    expect(err.kind).toBe('bot-challenge');
    expect(err.userMessage).toMatch(/browser/i);
  });
  it('429 HTML is throttling with Retry-After', async () => {
    const err = await signInError({ kind: 'error', status: 429, retryAfter: 30, body: '<h1>slow down</h1>' });
    expect(err.kind).toBe('throttled');
    expect(err.retryAfter).toBe(30);
    expect(err.userMessage).toContain('30 seconds');
  });
  it('a 503 FxA error is a server error', async () => {
    expect((await signInError({ kind: 'error', status: 503 })).kind).toBe('server-error');
  });
  it('a 200 that is not JSON is a bad response', async () => {
    expect((await signInError({ kind: 'malformedJson' })).kind).toBe('bad-response');
  });
  it('signs in normally once the wall is gone', async () => {
    const ok = await passwordSignIn({ config: stack.config, email: 'walls@example.org', password: 'walls password' });
    expect(ok.state).toBe('verified');
  });
});
