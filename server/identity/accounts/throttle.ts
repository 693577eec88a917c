// Login throttling in the spirit of FxA's customs server: too many wrong passwords for one account
// within a window earns 429 errno 114 with `retryAfter` seconds.
import type { Account, IdentityState } from '../state.ts';
import { errors } from '../util/errors.ts';

export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_MS = 15 * 60 * 1000;

function recentFailures(state: IdentityState, account: Account): number[] {
  const cutoff = state.ctx.now() - FAILED_LOGIN_WINDOW_MS;
  account.failedLogins = account.failedLogins.filter((t) => t > cutoff);
  return account.failedLogins;
}

export function checkNotThrottled(state: IdentityState, account: Account): void {
  const failures = recentFailures(state, account);
  if (failures.length >= MAX_FAILED_LOGINS) {
    const oldest = failures[0] ?? state.ctx.now();
    const retryAfter = Math.max(1, Math.ceil((oldest + FAILED_LOGIN_WINDOW_MS - state.ctx.now()) / 1000));
    throw errors.tooManyRequests(retryAfter);
  }
}

export function recordFailedLogin(state: IdentityState, account: Account): void {
  recentFailures(state, account).push(state.ctx.now());
}

export function clearFailedLogins(account: Account): void {
  account.failedLogins = [];
}
