// Decides when a sync runs and makes sure only one runs at a time.
// Browser-free: alarms come in through a port so Node tests drive it with fake-indexeddb.
//
// Single flight has two layers. Inside one worker, `current` holds the running promise. Across
// worker restarts, a lease in IndexedDB names the worker instance that runs; the extension has one
// background context at a time, so a lease held by another instance means that instance was killed
// mid-run: we take over at once and report the interruption (engines resume from persisted progress).
import type { LeaseLock } from '../db/leaseLock.ts';
import type { SettingsStore } from '../db/settingsStore.ts';
import type { StatusStore } from '../db/statusStore.ts';
import type { Logger } from '../log/logger.ts';
import type { SyncNowResult } from '../shared/messages.ts';
import { ASKED_TRIGGERS, type FailureStreak, type LastRun, type RunProblem, type StatusView, type SyncProgress, type SyncTrigger } from '../shared/status.ts';

export const PERIODIC_ALARM = 'syncbridge-periodic';

export interface AlarmInfo {
  scheduledTime: number;
  periodInMinutes?: number;
}

export interface AlarmsPort {
  get(name: string): Promise<AlarmInfo | undefined>;
  create(name: string, info: { periodInMinutes: number; delayInMinutes: number }): Promise<void>;
  /** Removes the alarm (absent: the port cannot, and the alarm's syncs are refused instead). */
  clear?(name: string): Promise<void>;
}

export interface RunContext {
  trigger: SyncTrigger;
  log: Logger;
  /** True when the previous run was cut off (worker killed); the job resumes its persisted steps. */
  resumingInterrupted: boolean;
  /** For the progress bar; cheap to call often (broadcasts are throttled). */
  reportProgress(p: SyncProgress): void;
  /**
   * The server asked for quiet until then (X-Weave-Backoff, Retry-After). Kept whatever the run's
   * outcome: a run that fails after the header arrived must not forget it.
   */
  reportBackoff(until: number): void;
  /** Aborted by `cancelRun` (sign-out): the job stops at its next request. */
  signal: AbortSignal;
}

export interface JobResult {
  outcome: 'success' | 'skipped';
  /** Plain words for the person. */
  message: string;
}

export type SyncJob = (ctx: RunContext) => Promise<JobResult>;

export interface SchedulerDeps {
  instanceId: string;
  lock: LeaseLock;
  status: StatusStore;
  settings: SettingsStore;
  alarms: AlarmsPort;
  job: SyncJob;
  log: Logger;
  /** Account e-mail for the status view; null when signed out. */
  accountEmail: () => Promise<string | null>;
  /** Why the person is signed out when they may not expect it, for the status view. */
  accountNotice?: () => Promise<string | null>;
  extensionVersion: string;
  /** `progressOnly`: the same status as the last call but for the running sync's progress. */
  onStatusChange?: (status: StatusView, change: { progressOnly: boolean }) => void;
  /** How often a running sync renews its lease and calls keepAlive (under Chromium's 30 s idle limit). */
  heartbeatMs?: number;
  /**
   * Called on every heartbeat while a run is in progress. Chromium stops an extension service
   * worker that makes no extension API call for 30 s, even mid-fetch; a cheap call keeps it alive.
   */
  keepAlive?: () => void;
  now?: () => number;
  /** Describes a thrown error in words for the person (typed errors map to specific advice). */
  describeError?: (e: unknown) => string;
  /** What kind of problem a thrown error is for the person (accountSync/problems.ts); absent: none recorded. */
  classifyError?: (e: unknown) => RunProblem;
}

export class Scheduler {
  private current: Promise<void> | null = null;

  /** Whether a sync runs in this worker now. */
  get running(): boolean {
    return this.current !== null;
  }
  private abort: AbortController | null = null;
  private progress: SyncProgress | null = null;
  private lastProgressBroadcast = 0;
  /** The status last broadcast: a progress report during a run changes only its progress. */
  private lastView: StatusView | null = null;
  private runningSince: number | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: SchedulerDeps) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * Creates the periodic alarm, or re-creates it when the interval setting changed; removes it
   * while the person syncs only when asked (the status then shows no next sync).
   */
  async ensurePeriodicAlarm(): Promise<void> {
    const { syncIntervalMinutes, autoSync } = await this.deps.settings.get();
    const existing = await this.deps.alarms.get(PERIODIC_ALARM);
    if (!autoSync) {
      if (existing && this.deps.alarms.clear) {
        await this.deps.alarms.clear(PERIODIC_ALARM);
        this.deps.log.info('Periodic sync off: Syncbridge syncs only when asked');
      }
      return;
    }
    if (existing && existing.periodInMinutes === syncIntervalMinutes) return;
    await this.deps.alarms.create(PERIODIC_ALARM, {
      periodInMinutes: syncIntervalMinutes,
      delayInMinutes: syncIntervalMinutes,
    });
    this.deps.log.info('Periodic sync scheduled', { everyMinutes: syncIntervalMinutes });
  }

  /**
   * Starts a run unless one is running, the server asked us to back off, or the trigger is
   * automatic while the person syncs only when asked (then only Sync now and answers run).
   * Does not wait for the run.
   */
  async requestSync(trigger: SyncTrigger): Promise<SyncNowResult> {
    if (this.current) return { outcome: 'already-running' };
    if (!ASKED_TRIGGERS.has(trigger) && !(await this.deps.settings.get()).autoSync) {
      this.deps.log.debug('Sync not started: Syncbridge syncs only when asked', { trigger });
      return { outcome: 'manual-only' };
    }
    const { backoffUntil } = await this.deps.status.get();
    if (backoffUntil !== null && backoffUntil > this.now()) {
      this.deps.log.info('Sync skipped: the server asked us to wait', { trigger, until: new Date(backoffUntil).toISOString() });
      return { outcome: 'backing-off', until: backoffUntil };
    }
    // Re-check after the await: another request may have started meanwhile.
    if (this.current) return { outcome: 'already-running' };
    const run = this.run(trigger);
    this.current = run;
    void run.finally(() => {
      if (this.current === run) this.current = null;
    });
    return { outcome: 'started' };
  }

  /** Stops the running sync, if any, at its next request (sign-out); resolves when it has ended. */
  async cancelRun(): Promise<void> {
    this.abort?.abort();
    await this.whenIdle();
  }

  /** Resolves when no run is in progress in this worker. */
  async whenIdle(): Promise<void> {
    while (this.current) await this.current;
  }

  async statusView(): Promise<StatusView> {
    const [persisted, holder, alarm, email, notice, settings] = await Promise.all([
      this.deps.status.get(),
      this.deps.lock.holder(),
      this.deps.alarms.get(PERIODIC_ALARM),
      this.deps.accountEmail(),
      this.deps.accountNotice?.() ?? Promise.resolve(null),
      this.deps.settings.get(),
    ]);
    const syncing = this.current !== null || (holder !== null && holder.owner === this.deps.instanceId);
    return {
      signedIn: email !== null,
      accountEmail: email,
      accountNotice: email === null ? notice : null,
      syncing,
      lastRun: persisted.lastRun,
      lastSuccessAt: persisted.lastSuccessAt,
      failures: persisted.failures,
      runningSince: syncing ? this.runningSince : null,
      autoSync: settings.autoSync,
      backoffUntil: persisted.backoffUntil !== null && persisted.backoffUntil > this.now() ? persisted.backoffUntil : null,
      nextSyncAt: alarm?.scheduledTime ?? null,
      extensionVersion: this.deps.extensionVersion,
      progress: this.current !== null ? this.progress : null,
    };
  }

  private async run(trigger: SyncTrigger): Promise<void> {
    const { lock, status, log, instanceId } = this.deps;
    const acquired = await lock.acquire(instanceId, (holder) => holder.owner !== instanceId);
    if (!acquired.acquired) {
      // Only reachable if another background context exists at once; stay out of its way.
      log.warn('Sync not started: another sync holds the lock', { holder: acquired.heldBy.owner });
      return;
    }
    const startedAt = this.now();
    this.runningSince = startedAt;
    this.abort = new AbortController();
    const interrupted = acquired.tookOverExpired;
    if (interrupted) log.warn('The previous sync was interrupted before it finished; resuming it');
    log.info('Sync started', { trigger });
    await this.broadcast();

    const heartbeat = setInterval(() => {
      void lock.renew(instanceId);
      this.deps.keepAlive?.();
    }, this.deps.heartbeatMs ?? 20_000);
    let lastRun: LastRun;
    const patch: { lastSuccessAt?: number; backoffUntil?: number | null; failures?: FailureStreak | null } = {};
    let backoffUntil: number | null = null;
    const reportBackoff = (until: number): void => {
      backoffUntil = Math.max(backoffUntil ?? 0, until);
    };
    try {
      const reportProgress = (p: SyncProgress): void => {
        this.progress = p;
        const t = this.now();
        if (t - this.lastProgressBroadcast >= 250 || p.done === p.total) {
          this.lastProgressBroadcast = t;
          this.broadcastProgress();
        }
      };
      const result = await this.deps.job({ trigger, log, resumingInterrupted: interrupted, reportProgress, reportBackoff, signal: (this.abort as AbortController).signal });
      lastRun = { startedAt, finishedAt: this.now(), outcome: result.outcome, message: result.message, trigger };
      if (result.outcome === 'success') {
        patch.lastSuccessAt = lastRun.finishedAt;
        patch.failures = null;
      }
      log.info('Sync finished', { outcome: result.outcome, ms: lastRun.finishedAt - startedAt });
    } catch (e) {
      const message = this.deps.describeError ? this.deps.describeError(e) : e instanceof Error ? e.message : String(e);
      // A run stopped on purpose (sign-out) is not a failure to report.
      const cancelled = (e as { kind?: unknown } | null)?.kind === 'cancelled';
      lastRun = { startedAt, finishedAt: this.now(), outcome: cancelled ? 'skipped' : 'error', message, trigger };
      const problem = cancelled ? undefined : this.deps.classifyError?.(e);
      if (problem !== undefined) lastRun.problem = problem;
      // Only transient failures make a streak: the others say at once what the person must do.
      if (problem === 'transient') {
        const before = (await status.get()).failures;
        patch.failures = { count: (before?.count ?? 0) + 1, since: before?.since ?? startedAt };
      }
      // A busy server's Retry-After is a promise we keep: no run starts before it has passed.
      const retryAfterMs = (e as { retryAfterMs?: unknown } | null)?.retryAfterMs;
      if (typeof retryAfterMs === 'number' && retryAfterMs > 0) reportBackoff(lastRun.finishedAt + retryAfterMs);
      if (cancelled) log.info('Sync stopped: signed out');
      else log.error('Sync failed', { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    } finally {
      clearInterval(heartbeat);
      this.abort = null;
    }
    if (backoffUntil !== null) patch.backoffUntil = backoffUntil;
    await status.update({ lastRun, ...patch });
    await lock.release(instanceId);
    this.current = null;
    this.progress = null;
    this.runningSince = null;
    await this.broadcast();
  }

  /** Tells the pages the current status (also after changes made outside a run, e.g. sign-out). */
  async broadcast(): Promise<void> {
    if (!this.deps.onStatusChange) return;
    try {
      const view = await this.statusView();
      this.lastView = view;
      this.deps.onStatusChange(view, { progressOnly: false });
    } catch (e) {
      this.deps.log.debug('Status broadcast failed', { error: String(e) });
    }
  }

  /**
   * The running sync's progress, on the status last broadcast: nothing else changes within a run
   * without its own broadcast (sign-out, settings), and re-reading six stores for each step
   * slowed the sync it reported on.
   */
  private broadcastProgress(): void {
    if (!this.deps.onStatusChange) return;
    if (!this.lastView?.syncing) {
      void this.broadcast();
      return;
    }
    this.deps.onStatusChange({ ...this.lastView, progress: this.progress }, { progressOnly: true });
  }
}
