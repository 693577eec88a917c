import type { FailureStreak, LastRun } from '../shared/status.ts';
import type { SyncbridgeDB } from './schema.ts';

export interface PersistedStatus {
  lastRun: LastRun | null;
  lastSuccessAt: number | null;
  /** Server-requested quiet period (X-Weave-Backoff / Retry-After), ms since epoch. */
  backoffUntil: number | null;
  /** Transient failures in a row since the last success (what "a server error that persists" is measured by). */
  failures: FailureStreak | null;
  /** The problem the person was last notified of (background/badge.ts), so it is raised once, not every sync. */
  notified: string | null;
}

const KEY = 'status';
const EMPTY: PersistedStatus = { lastRun: null, lastSuccessAt: null, backoffUntil: null, failures: null, notified: null };

/** Sole owner of the `status` store. */
export class StatusStore {
  constructor(private readonly db: SyncbridgeDB) {}

  async get(): Promise<PersistedStatus> {
    return { ...EMPTY, ...((await this.db.get('status', KEY)) as Partial<PersistedStatus> | undefined) };
  }

  async update(patch: Partial<PersistedStatus>): Promise<PersistedStatus> {
    const tx = this.db.transaction('status', 'readwrite');
    const next = { ...EMPTY, ...((await tx.store.get(KEY)) as Partial<PersistedStatus> | undefined), ...patch };
    await tx.store.put(next, KEY);
    await tx.done;
    return next;
  }

  /**
   * Sign-out: what the runs learned about the account being forgotten (its successes, its failures,
   * the problem its last run hit) goes; the last run's words stay for the status line ("Sync
   * stopped: you signed out."). The server's backoff stays: it is about the server, not the account.
   */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction('status', 'readwrite');
    const current = { ...EMPTY, ...((await tx.store.get(KEY)) as Partial<PersistedStatus> | undefined) };
    let lastRun = current.lastRun;
    if (lastRun?.problem !== undefined) {
      const { problem: _forgotten, ...rest } = lastRun;
      lastRun = rest;
    }
    await tx.store.put({ ...current, lastRun, lastSuccessAt: null, failures: null }, KEY);
    await tx.done;
  }
}
