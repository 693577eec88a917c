// The token server statuses the local stack never produces (invalid-generation, 403
// new-users-disabled, 504, unparseable bodies), checked on the pure mapping function.
import { describe, expect, it } from 'vitest';
import { AuthError, BadResponseError, InvalidGenerationError, ServerBusyError, StaleKeysError, UserActionNeededError, describeSyncError } from '../errors.ts';
import type { HttpResponse } from '../http/request.ts';
import { tokenServerError } from './client.ts';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: new Headers(headers), text: typeof body === 'string' ? body : JSON.stringify(body), url: 'https://t/1.0/sync/1.5' };
}
const err = (status: string) => ({ status, errors: [{ location: 'body', name: '', description: 'Unauthorized' }] });

describe('tokenServerError', () => {
  it('maps each 401 status to its own error', () => {
    expect(tokenServerError(answer(401, err('invalid-generation')), 0)).toBeInstanceOf(InvalidGenerationError);
    const kca = tokenServerError(answer(401, err('invalid-keysChangedAt')), 0);
    expect(kca).toBeInstanceOf(StaleKeysError);
    expect(kca).toMatchObject({ serverStatus: 'invalid-keysChangedAt' });
    expect(tokenServerError(answer(401, err('invalid-key-id')), 0)).toMatchObject({ kind: 'auth', reason: 'invalid-key-id' });
    expect(tokenServerError(answer(401, 'not json'), 0)).toMatchObject({ kind: 'auth', reason: 'unauthorized' });
  });

  it('maps 403 new-users-disabled, 5xx and odd statuses', () => {
    const closed = tokenServerError(answer(403, err('new-users-disabled')), 0);
    expect(closed).toBeInstanceOf(UserActionNeededError);
    expect(closed).toMatchObject({ reason: 'new-users-disabled' });
    expect(tokenServerError(answer(403, err('error')), 0)).toBeInstanceOf(AuthError);
    // 503 without a usable Retry-After: app-services' 10 s default.
    expect(tokenServerError(answer(503, '', { 'retry-after': 'later' }), 0)).toMatchObject({ retryAfterMs: 10_000 });
    const elapsed = tokenServerError(answer(504, err('elapsed')), 0);
    expect(elapsed).toBeInstanceOf(ServerBusyError);
    expect(elapsed).toMatchObject({ retryAfterMs: null });
    expect(tokenServerError(answer(404, err('error')), 0)).toBeInstanceOf(BadResponseError);
  });

  it('gives every error words for the person', () => {
    for (const e of [answer(401, err('invalid-generation')), answer(401, err('invalid-client-state')), answer(503, '')].map((r) => tokenServerError(r, 0))) {
      expect(describeSyncError(e).length).toBeGreaterThan(20);
    }
    expect(describeSyncError(new Error('x'))).toMatch(/unexpected problem/);
  });
});
