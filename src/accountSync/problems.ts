// What kind of problem stopped a run, for the toolbar badge and the notifications
// (background/badge.ts): does the person have to sign in again, answer a question, fix something
// only they can fix, or is it a failure that retrying may cure? Browser-free.
import { isAccountError } from '../account/errors.ts';
import { AuthError, UserActionNeededError, isSyncError } from '../sync/errors.ts';
import { KeysUndecryptableError } from '../sync/setup/setupErrors.ts';
import type { RunProblem } from '../shared/status.ts';

export function classifyRunError(e: unknown): RunProblem {
  // A refresh token the accounts server no longer accepts, a session ended elsewhere, or a sign-in
  // that still needs confirming: no retry helps, only signing in again does.
  if (isAccountError(e, 'invalid-grant') || isAccountError(e, 'session-expired') || isAccountError(e, 'unverified')) return 'sign-in-again';
  // The account's keys changed (password reset): the token server refuses these keys for good.
  if (e instanceof AuthError && e.reason === 'invalid-generation') return 'sign-in-again';
  if (e instanceof KeysUndecryptableError) return 'sign-in-again';
  if (e instanceof UserActionNeededError) {
    if (e.reason === 'stale-keys') return 'sign-in-again';
    if (e.reason === 'first-sync-choice' || e.reason === 'large-deletion' || e.reason === 'large-remote-deletion') return 'decision';
    return 'action';
  }
  // Other setup stops (a newer storage format, the account's setup records missing) wait for the person too.
  if (isSyncError(e) && e.kind === 'user-action-needed') return 'action';
  return 'transient';
}
