// What the popup and options page show about sync. Built by the background from persisted state.

export type RunOutcome = 'success' | 'skipped' | 'error' | 'interrupted';

export interface LastRun {
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  /** Plain words for the person: what happened and what to do next. */
  message: string;
  trigger: SyncTrigger;
  /** A failed run: what kind of problem stopped it (accountSync/problems.ts); absent otherwise. */
  problem?: RunProblem;
}

/**
 * What started a run. The person asked for it: 'manual' (Sync now) and 'decision' (an answer to a
 * bookmarks question or a restore, whose button says it syncs now); these run even with "Sync
 * automatically" off. Every other trigger is automatic: 'sign-in', 'rename' (the device name),
 * 'settings' (an engine switch), 'local-change' (the change trackers), 'alarm', 'startup', 'installed'.
 */
export type SyncTrigger = 'alarm' | 'manual' | 'startup' | 'installed' | 'local-change' | 'sign-in' | 'rename' | 'settings' | 'decision';

/** The triggers that are the person asking for a sync (they run whatever "Sync automatically" says). */
export const ASKED_TRIGGERS: ReadonlySet<SyncTrigger> = new Set<SyncTrigger>(['manual', 'decision']);

/**
 * Why a run failed, as far as the person is concerned: 'sign-in-again' (the account's sign-in or
 * keys are no longer valid), 'decision' (a bookmarks question waits in Settings), 'action'
 * (something only the person can fix: storage full, server shut down, Syncbridge too old…),
 * 'transient' (network, a busy or failing server: retrying may help; it matters once it persists).
 */
export type RunProblem = 'sign-in-again' | 'decision' | 'action' | 'transient';

export interface StatusView {
  signedIn: boolean;
  accountEmail: string | null;
  /** Signed out: why, when the person may not expect it (the browser discarded Syncbridge's data). */
  accountNotice?: string | null;
  syncing: boolean;
  lastRun: LastRun | null;
  lastSuccessAt: number | null;
  /** Runs that failed in a row with a transient problem, and when the first of them started; null after a success. */
  failures: FailureStreak | null;
  /** While syncing: when this run started. */
  runningSince: number | null;
  /** The person turned "Sync automatically" off: only Sync now syncs. */
  autoSync: boolean;
  /** ms since epoch until which the server asked us not to sync, or null. */
  backoffUntil: number | null;
  /** When the periodic alarm fires next, or null when none is scheduled. */
  nextSyncAt: number | null;
  extensionVersion: string;
  /** While syncing: the current step and how far it got, for a progress bar. */
  progress: SyncProgress | null;
}

export interface FailureStreak {
  count: number;
  since: number;
}

export interface SyncProgress {
  engine: string;
  step: 'download' | 'merge' | 'apply' | 'upload';
  done: number;
  total: number;
}
