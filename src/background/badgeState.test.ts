import { describe, expect, test } from 'vitest';
import type { LastRun, RunProblem, StatusView } from '../shared/status.ts';
import { ALERT_COLOUR, FIRST_SYNC_MARK_AFTER_MS, PERSISTS_AFTER, badgeState, notificationChange, type ProblemNotification } from './badgeState.ts';
import { classifyRunError } from '../accountSync/problems.ts';
import { AccountError } from '../account/errors.ts';
import { AuthError, InvalidGenerationError, NetworkError, ServerBusyError, StaleKeysError, UserActionNeededError } from '../sync/errors.ts';
import { KeysUndecryptableError, StorageVersionTooNewError } from '../sync/setup/setupErrors.ts';

const NOW = 50_000_000;
const MIN = 60_000;
const base: StatusView = {
  signedIn: true, accountEmail: 'a@b.c', accountNotice: null, syncing: false, lastRun: null, lastSuccessAt: NOW - 10 * MIN,
  failures: null, runningSince: null, autoSync: true, backoffUntil: null, nextSyncAt: null, extensionVersion: '1', progress: null,
};
const ok: LastRun = { startedAt: NOW - 10 * MIN, finishedAt: NOW - 10 * MIN + 500, outcome: 'success', message: 'Synced.', trigger: 'alarm' };
const failedRun = (problem: RunProblem, message = 'It failed.', finishedAt = NOW - MIN): LastRun =>
  ({ startedAt: finishedAt - 500, finishedAt, outcome: 'error', message, trigger: 'alarm', problem });
const state = (s: Partial<StatusView>, decision: Parameters<typeof badgeState>[0]['decision'] = null, now = NOW) =>
  badgeState({ status: { ...base, ...s }, decision, now });

describe('toolbar badge', () => {
  test('nothing when all is well: synced, signed out, a single failure, a sync running, a server backoff', () => {
    for (const s of [
      { lastRun: ok },
      { signedIn: false, accountEmail: null, lastRun: null, lastSuccessAt: null },
      { lastRun: failedRun('transient'), failures: { count: 1, since: NOW - MIN - 500 } },
      { syncing: true, runningSince: NOW - 30_000, lastRun: ok },
      { lastRun: failedRun('transient'), failures: { count: 1, since: NOW - MIN }, backoffUntil: NOW + 3_600_000 },
      // The bookmarks question the last run stopped at was answered: the next run carries it out.
      { lastRun: failedRun('decision') },
    ] satisfies Array<Partial<StatusView>>) {
      const b = state(s);
      expect(b, JSON.stringify(s)).toMatchObject({ text: '', title: 'Syncbridge', problem: null, opens: null, notification: null });
    }
  });

  test('sign in again: "!", a tooltip saying so, and its notification, which opens the account section', () => {
    const b = state({ lastRun: failedRun('sign-in-again', 'Your sign-in is no longer valid. Please sign in again.') });
    expect(b).toMatchObject({ text: '!', colour: ALERT_COLOUR, problem: 'sign-in-again', opens: 'account' });
    expect(b.title).toMatch(/^Syncbridge: sign in again\./);
    expect(b.notification).toEqual({ key: 'sign-in-again', title: 'Sign in to Syncbridge again', message: expect.stringMatching(/no longer valid/), opens: 'account' });
    // While a new run tries again, the problem is still there.
    expect(state({ lastRun: failedRun('sign-in-again'), syncing: true, runningSince: NOW }).text).toBe('!');
  });

  test('a bookmarks decision waiting: first-sync choice without a notification; large deletions with one, opening the bookmarks section', () => {
    const first = state({ lastRun: failedRun('decision'), lastSuccessAt: null }, { kind: 'first-sync' });
    expect(first).toMatchObject({ text: '!', problem: 'decision', opens: 'bookmarks', notification: null });
    expect(first.title).toMatch(/choose how to combine them/);

    const here = state({ lastRun: failedRun('decision') }, { kind: 'large-deletion', deletions: 61 });
    expect(here).toMatchObject({ text: '!', problem: 'decision', opens: 'bookmarks' });
    expect(here.title).toBe('Syncbridge is waiting for your approval: syncing would delete 61 bookmarks in this browser. Review it in Settings; nothing has been deleted yet.');
    expect(here.notification).toEqual({
      key: 'large-deletion', title: 'A large change is waiting for your approval',
      message: 'Syncing would delete 61 bookmarks in this browser. Click to review it; nothing has been deleted yet.', opens: 'bookmarks',
    });

    const there = state({ lastRun: failedRun('decision') }, { kind: 'large-remote-deletion', deletions: 7 });
    expect(there.title).toMatch(/would delete 7 bookmarks in your account/);
    expect(there.notification).toMatchObject({ key: 'large-remote-deletion', message: expect.stringMatching(/7 bookmarks in your account/) });
  });

  test('something only the person can fix: "!" with the problem in words, no notification', () => {
    const b = state({ lastRun: failedRun('action', 'Your Sync storage is full.') });
    expect(b).toMatchObject({ text: '!', problem: 'action', title: 'Syncbridge needs you: Your Sync storage is full.', notification: null });
  });

  test('a failure that persists: at least three runs in a row, over an hour', () => {
    const message = 'The Sync server is busy right now.';
    const last = failedRun('transient', message, NOW);
    const since = NOW - PERSISTS_AFTER.ms;
    expect(state({ lastRun: last, failures: { count: PERSISTS_AFTER.runs - 1, since: since - 5 * MIN } }).text).toBe('');
    expect(state({ lastRun: last, failures: { count: 12, since: NOW - 20 * MIN } }).text).toBe(''); // many, but within minutes
    const b = state({ lastRun: last, failures: { count: 6, since } });
    expect(b).toMatchObject({ text: '!', problem: 'server-error', opens: 'account', notification: null });
    expect(b.title).toBe(`Syncbridge could not sync the last 6 times: ${message}`);
    // A success in between ends it.
    expect(state({ lastRun: ok, failures: null }).text).toBe('');
  });

  test('a long first sync: a subtle mark after a few seconds, and when to look again before that', () => {
    const running = { syncing: true, lastSuccessAt: null, lastRun: null, runningSince: NOW - 1000 };
    expect(state(running)).toMatchObject({ text: '', recheckAt: NOW - 1000 + FIRST_SYNC_MARK_AFTER_MS });
    const later = state({ ...running, runningSince: NOW - FIRST_SYNC_MARK_AFTER_MS });
    expect(later).toMatchObject({ text: '…', problem: null, notification: null, recheckAt: null, title: 'Syncbridge: first sync in progress' });
    expect(later.colour).not.toBe(ALERT_COLOUR);
    // Not a first sync: no mark however long it runs.
    expect(state({ ...running, lastSuccessAt: NOW - MIN, runningSince: NOW - 10 * MIN }).text).toBe('');
  });

  test('signed out because the browser discarded Syncbridge’s data: "!" with the notice', () => {
    const b = state({ signedIn: false, accountEmail: null, accountNotice: 'Sign in again and Syncbridge merges them.' });
    expect(b).toMatchObject({ text: '!', problem: 'sign-in-again', opens: 'account', title: 'Syncbridge needs you: Sign in again and Syncbridge merges them.' });
  });

  test('sign in again comes before a waiting decision, which comes before a persisting failure', () => {
    expect(state({ lastRun: failedRun('sign-in-again') }, { kind: 'large-deletion', deletions: 60 }).problem).toBe('sign-in-again');
    expect(state({ lastRun: failedRun('transient', 'x', NOW), failures: { count: 9, since: NOW - 3 * PERSISTS_AFTER.ms } }, { kind: 'first-sync' }).problem)
      .toBe('decision');
  });
});

describe('problem notifications', () => {
  const signIn: ProblemNotification = { key: 'sign-in-again', title: 'T', message: 'M', opens: 'account' };
  const approval: ProblemNotification = { key: 'large-deletion', title: 'T', message: 'M', opens: 'bookmarks' };

  test('raised once per problem, cleared when resolved, raised again when it comes back', () => {
    expect(notificationChange(null, null)).toEqual({ raise: null, clear: null, notified: null });
    expect(notificationChange(null, signIn)).toEqual({ raise: signIn, clear: null, notified: 'sign-in-again' });
    expect(notificationChange('sign-in-again', signIn)).toEqual({ raise: null, clear: null, notified: 'sign-in-again' });
    expect(notificationChange('sign-in-again', null)).toEqual({ raise: null, clear: 'sign-in-again', notified: null });
    expect(notificationChange(null, signIn).raise).toBe(signIn);
  });

  test('another problem takes the place of the first', () => {
    expect(notificationChange('sign-in-again', approval)).toEqual({ raise: approval, clear: 'sign-in-again', notified: 'large-deletion' });
  });
});

describe('what kind of problem stopped a run', () => {
  test('the sign-in or the keys are no longer valid: sign in again', () => {
    for (const e of [
      new AccountError('invalid-grant'), new AccountError('session-expired'), new StaleKeysError('401 invalid-keysChangedAt', 'invalid-keysChangedAt'),
      new InvalidGenerationError('401 invalid-generation'), new KeysUndecryptableError('hmac'),
    ]) expect(classifyRunError(e), e.message).toBe('sign-in-again');
  });

  test('a bookmarks question: decision; something else only the person can fix: action', () => {
    for (const reason of ['first-sync-choice', 'large-deletion', 'large-remote-deletion'] as const) {
      expect(classifyRunError(new UserActionNeededError('x', { reason }))).toBe('decision');
    }
    expect(classifyRunError(new UserActionNeededError('x', { reason: 'over-quota' }))).toBe('action');
    expect(classifyRunError(new StorageVersionTooNewError(6))).toBe('action');
  });

  test('everything else may pass by itself: transient', () => {
    for (const e of [new NetworkError('offline'), new ServerBusyError('503', { status: 503, retryAfterMs: null }), new AuthError('401'), new Error('bug'), 'thrown string']) {
      expect(classifyRunError(e)).toBe('transient');
    }
  });
});
