// What the popup and options page show about sync. Built by the background from persisted state.

export type RunOutcome = 'success' | 'skipped' | 'error' | 'interrupted';

export interface LastRun {
  startedAt: number;
  finishedAt: number;
  outcome: RunOutcome;
  /** Plain words for the person: what happened and what to do next. */
  message: string;
  trigger: SyncTrigger;
}

export type SyncTrigger = 'alarm' | 'manual' | 'startup' | 'installed' | 'local-change';

export interface StatusView {
  signedIn: boolean;
  accountEmail: string | null;
  /** Signed out: why, when the person may not expect it (the browser discarded Syncbridge's data). */
  accountNotice?: string | null;
  syncing: boolean;
  lastRun: LastRun | null;
  lastSuccessAt: number | null;
  /** ms since epoch until which the server asked us not to sync, or null. */
  backoffUntil: number | null;
  /** When the periodic alarm fires next, or null when none is scheduled. */
  nextSyncAt: number | null;
  extensionVersion: string;
  /** While syncing: the current step and how far it got, for a progress bar. */
  progress: SyncProgress | null;
}

export interface SyncProgress {
  engine: string;
  step: 'download' | 'merge' | 'apply' | 'upload';
  done: number;
  total: number;
}
