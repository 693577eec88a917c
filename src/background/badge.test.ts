import { describe, expect, test } from 'vitest';
import { createLogHub } from '../log/logger.ts';
import type { LastRun, StatusView } from '../shared/status.ts';
import { BadgeService, PROBLEM_PREFIX, type BadgePorts } from './badge.ts';
import { FIRST_SYNC_MARK_AFTER_MS, type Place, type WaitingDecision } from './badgeState.ts';

const NOW = 50_000_000;
const base: StatusView = {
  signedIn: true, accountEmail: 'a@b.c', accountNotice: null, syncing: false, lastRun: null, lastSuccessAt: NOW - 60_000,
  failures: null, runningSince: null, autoSync: true, backoffUntil: null, nextSyncAt: null, extensionVersion: '1', progress: null,
};
const signInAgain: LastRun = { startedAt: NOW - 1000, finishedAt: NOW - 500, outcome: 'error', message: 'Sign in again.', trigger: 'alarm', problem: 'sign-in-again' };
const synced: LastRun = { startedAt: NOW - 1000, finishedAt: NOW - 500, outcome: 'success', message: 'Synced.', trigger: 'alarm' };

function setup() {
  const calls: string[] = [];
  const shown = new Map<string, { title: string; message: string }>();
  const opened: Place[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  let notified: string | null = null;
  let decision: WaitingDecision | null = null;
  let status: StatusView = base;
  const ports: BadgePorts = {
    action: {
      setBadgeText: async (text) => void calls.push(`text:${text}`),
      setBadgeBackgroundColor: async (c) => void calls.push(`colour:${c}`),
      setTitle: async (title) => void calls.push(`title:${title}`),
    },
    notifications: {
      show: async (id, title, message) => void shown.set(id, { title, message }),
      clear: async (id) => void shown.delete(id),
    },
    openOptions: async (place) => void opened.push(place),
  };
  const service = new BadgeService({
    ports,
    status: async () => status,
    decision: async () => decision,
    notified: { get: async () => notified, set: async (k) => void (notified = k) },
    log: createLogHub({ console: null }).logger,
    now: () => NOW,
    timer: { set: (fn, ms) => timers.push({ fn, ms }), clear: () => undefined },
  });
  return {
    service, calls, shown, opened, timers,
    set: (s: Partial<StatusView>) => void (status = { ...base, ...s }),
    decide: (d: WaitingDecision | null) => void (decision = d),
    notified: () => notified,
  };
}

describe('badge service', () => {
  test('the button is set when its state changes, not on every status broadcast', async () => {
    const b = setup();
    await b.service.update();
    expect(b.calls.filter((c) => c.startsWith('text:'))).toEqual(['text:']);
    await b.service.update();
    await b.service.update();
    expect(b.calls.filter((c) => c.startsWith('text:'))).toEqual(['text:']);
    b.set({ lastRun: signInAgain });
    await b.service.update();
    expect(b.calls.filter((c) => c.startsWith('text:'))).toEqual(['text:', 'text:!']);
    expect(b.calls.at(-1)).toMatch(/^title:Syncbridge: sign in again\./);
  });

  test('sign in again is notified once while it lasts, cleared when resolved, notified again when it comes back', async () => {
    const b = setup();
    b.set({ lastRun: signInAgain });
    await b.service.update();
    const id = `${PROBLEM_PREFIX}sign-in-again`;
    expect([...b.shown.keys()]).toEqual([id]);
    expect(b.shown.get(id)?.title).toBe('Sign in to Syncbridge again');
    // The person closes it; later syncs fail the same way: not raised again.
    b.shown.clear();
    await b.service.update();
    await b.service.update();
    expect(b.shown.size).toBe(0);
    // Resolved (signed out and in again, synced): cleared and forgotten.
    b.shown.set(id, { title: 'still there', message: '' });
    b.set({ lastRun: synced });
    await b.service.update();
    expect(b.shown.size).toBe(0);
    expect(b.notified()).toBeNull();
    // It comes back: raised again.
    b.set({ lastRun: signInAgain });
    await b.service.update();
    expect([...b.shown.keys()]).toEqual([id]);
  });

  test('a large deletion waiting: notified; the click opens the bookmarks section; sign in again opens the account section', async () => {
    const b = setup();
    b.decide({ kind: 'large-deletion', deletions: 61 });
    await b.service.update();
    const id = `${PROBLEM_PREFIX}large-deletion`;
    expect(b.shown.get(id)).toEqual({ title: 'A large change is waiting for your approval', message: expect.stringMatching(/61 bookmarks in this browser/) });
    await b.service.notificationClicked(id);
    expect(b.opened).toEqual(['bookmarks']);
    expect(b.shown.size).toBe(0);
    await b.service.notificationClicked(`${PROBLEM_PREFIX}sign-in-again`);
    expect(b.opened).toEqual(['bookmarks', 'account']);
    // Other notifications (Send Tab's) are not ours.
    await b.service.notificationClicked('syncbridge-tab-received:4:1');
    expect(b.opened).toHaveLength(2);
    // Approved: the question is gone, and so is its notification.
    b.decide(null);
    b.shown.set(id, { title: '', message: '' });
    await b.service.update();
    expect(b.shown.size).toBe(0);
  });

  test('routine syncs raise nothing', async () => {
    const b = setup();
    for (const s of [{ syncing: true, runningSince: NOW }, { lastRun: synced }, { lastRun: { ...synced, outcome: 'error' as const, problem: 'transient' as const } }]) {
      b.set(s);
      await b.service.update();
    }
    expect(b.shown.size).toBe(0);
    expect(b.notified()).toBeNull();
  });

  test('a first sync gets its mark when it has run long enough, without another status change', async () => {
    const b = setup();
    b.set({ syncing: true, lastSuccessAt: null, runningSince: NOW });
    await b.service.update();
    expect(b.timers).toEqual([{ fn: expect.any(Function), ms: FIRST_SYNC_MARK_AFTER_MS }]);
    b.set({ syncing: true, lastSuccessAt: null, runningSince: NOW - FIRST_SYNC_MARK_AFTER_MS });
    b.timers[0]!.fn();
    await b.service.update();
    expect(b.calls.filter((c) => c.startsWith('text:')).at(-1)).toBe('text:…');
  });
});
