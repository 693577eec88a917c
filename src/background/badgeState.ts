// What the toolbar button says about sync, as a pure function of the status and the bookmarks
// question waiting (if any): nothing when all is well; "!" and a tooltip saying what is wrong when
// sync needs the person (sign in again, a decision waiting, something only they can fix, a failure
// that persists); a subtle mark while a long first sync runs. It also names the notification that
// belongs to the state (sign in again, a large deletion waiting for approval), which
// notificationChange turns into "raise it" or "clear it" so each problem is raised once.
// DOM- and browser-free (t() answers in English outside a browser): unit-tested in Node.
import { formatNumber, t } from '../i18n/i18n.ts';
import type { StatusView } from '../shared/status.ts';

/** The bookmarks question waiting for the person (db/safetyStore.ts `waitingForPerson`). */
export type WaitingDecision =
  | { kind: 'first-sync' }
  | { kind: 'large-deletion'; deletions: number }
  | { kind: 'large-remote-deletion'; deletions: number };

/** Where the person deals with it: a section of the options page. */
export type Place = 'account' | 'bookmarks';

export type BadgeProblem = 'sign-in-again' | 'decision' | 'action' | 'server-error';

export interface ProblemNotification {
  /** The same problem keeps its key while it lasts (a notification is raised once per key). */
  key: string;
  title: string;
  message: string;
  opens: Place;
}

export interface BadgeState {
  text: '' | '!' | '…';
  /** Badge background colour (CSS hex). */
  colour: string;
  /** The toolbar button's tooltip. */
  title: string;
  problem: BadgeProblem | null;
  /** Where the person deals with the problem (null: nothing to deal with). */
  opens: Place | null;
  notification: ProblemNotification | null;
  /** The state changes at this time without any new status (the first-sync mark appears): compute again then. */
  recheckAt: number | null;
}

/** A transient failure "persists" once this many runs in a row failed over at least this long. */
export const PERSISTS_AFTER = { runs: 3, ms: 60 * 60_000 } as const;
/** A first sync still running after this long gets the subtle mark (quick ones never flash it). */
export const FIRST_SYNC_MARK_AFTER_MS = 3000;

export const ALERT_COLOUR = '#D70022';
export const SUBTLE_COLOUR = '#5B5B66';

export interface BadgeInput {
  status: StatusView;
  decision: WaitingDecision | null;
  now: number;
}

export function badgeState({ status: s, decision, now }: BadgeInput): BadgeState {
  const calm: BadgeState = { text: '', colour: SUBTLE_COLOUR, title: t('extensionName'), problem: null, opens: null, notification: null, recheckAt: null };
  const alert = (problem: BadgeProblem, title: string, opens: Place, notification: ProblemNotification | null = null): BadgeState =>
    ({ text: '!', colour: ALERT_COLOUR, title, problem, opens, notification, recheckAt: null });

  if (!s.signedIn) {
    // Signed out on purpose (or never signed in) is not a problem; signed out because the browser
    // discarded Syncbridge's data is one the person may not know about.
    return s.accountNotice ? alert('sign-in-again', t('badgeTitleAction', s.accountNotice), 'account') : calm;
  }
  const last = s.lastRun;
  const failed = last?.outcome === 'error';
  if (failed && last.problem === 'sign-in-again') {
    return alert('sign-in-again', t('badgeTitleSignInAgain'), 'account', {
      key: 'sign-in-again', title: t('notificationSignInAgainTitle'), message: t('notificationSignInAgainMessage'), opens: 'account',
    });
  }
  if (decision?.kind === 'first-sync') return alert('decision', t('badgeTitleFirstSyncChoice'), 'bookmarks');
  if (decision?.kind === 'large-deletion') {
    return alert('decision', t('badgeTitleLargeDeletion', formatNumber(decision.deletions)), 'bookmarks', {
      key: 'large-deletion', title: t('notificationApprovalTitle'), message: t('notificationLargeDeletionMessage', formatNumber(decision.deletions)), opens: 'bookmarks',
    });
  }
  if (decision?.kind === 'large-remote-deletion') {
    return alert('decision', t('badgeTitleLargeRemoteDeletion', formatNumber(decision.deletions)), 'bookmarks', {
      key: 'large-remote-deletion', title: t('notificationApprovalTitle'), message: t('notificationLargeRemoteDeletionMessage', formatNumber(decision.deletions)), opens: 'bookmarks',
    });
  }
  if (failed && last.problem === 'action') return alert('action', t('badgeTitleAction', last.message), 'account');
  // One failure, or a few within minutes (offline for a moment, a server restarting), is routine:
  // the next runs retry. Failing run after run for an hour is worth the person's attention.
  const streak = s.failures;
  if (failed && last.problem === 'transient' && streak && streak.count >= PERSISTS_AFTER.runs && last.finishedAt - streak.since >= PERSISTS_AFTER.ms) {
    return alert('server-error', t('badgeTitleServerError', formatNumber(streak.count), last.message), 'account');
  }
  // No success yet with this account: this run is the first sync, which can take minutes.
  if (s.syncing && s.lastSuccessAt === null && s.runningSince !== null) {
    const markAt = s.runningSince + FIRST_SYNC_MARK_AFTER_MS;
    if (now < markAt) return { ...calm, recheckAt: markAt };
    return { ...calm, text: '…', title: t('badgeTitleFirstSync') };
  }
  return calm;
}

/** Where a notification's problem is dealt with, from its key. */
export function placeOf(key: string): Place {
  return key === 'large-deletion' || key === 'large-remote-deletion' ? 'bookmarks' : 'account';
}

export interface NotificationChange {
  /** Raise this one (a new problem, or one that came back after it was resolved). */
  raise: ProblemNotification | null;
  /** Clear the notification of this key (its problem was resolved, or another took its place). */
  clear: string | null;
  /** The key to remember as notified from now on. */
  notified: string | null;
}

/** Raised once per problem: not again while it lasts, again after it was resolved and came back. */
export function notificationChange(notified: string | null, wanted: ProblemNotification | null): NotificationChange {
  if (wanted === null) return { raise: null, clear: notified, notified: null };
  if (wanted.key === notified) return { raise: null, clear: null, notified };
  return { raise: wanted, clear: notified, notified: wanted.key };
}
