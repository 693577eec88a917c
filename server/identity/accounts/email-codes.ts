// "Emailed" verification codes. Like FxA (routes/utils/otp), the code is a time-based OTP keyed by the
// account's emailCode secret, so resending within the window repeats the same code. Mail goes to an
// in-memory outbox that the control API exposes to tests.
import { randomBytes } from 'node:crypto';
import type { Account, IdentityState, SentEmail } from '../state.ts';
import { totp, verifyTotp } from '../util/totp.ts';

const EMAIL_OTP = { digits: 6, stepSeconds: 600, algorithm: 'sha1' as const };

export function currentEmailCode(state: IdentityState, account: Account): string {
  return totp(Buffer.from(account.emailCode, 'hex'), state.ctx.now(), EMAIL_OTP);
}

export function sendCodeEmail(state: IdentityState, account: Account, template: SentEmail['template']): SentEmail {
  const mail: SentEmail = { to: account.email, template, code: currentEmailCode(state, account), sentAt: state.ctx.now() };
  state.outbox.push(mail);
  return mail;
}

export function checkEmailCode(state: IdentityState, account: Account, code: string): boolean {
  return verifyTotp(Buffer.from(account.emailCode, 'hex'), code, state.ctx.now(), { ...EMAIL_OTP, window: 1 });
}

/** Unblock codes are 8 characters from FxA's base32-like alphabet, valid for an hour. */
const UNBLOCK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const UNBLOCK_LIFETIME_MS = 60 * 60 * 1000;

export function sendUnblockCode(state: IdentityState, account: Account): SentEmail {
  const bytes = randomBytes(8);
  const code = [...bytes].map((b) => UNBLOCK_ALPHABET[b % 32]).join('');
  account.unblockCode = { code, expiresAt: state.ctx.now() + UNBLOCK_LIFETIME_MS };
  const mail: SentEmail = { to: account.email, template: 'unblockCode', code, sentAt: state.ctx.now() };
  state.outbox.push(mail);
  return mail;
}

/** Consumes the account's unblock code if `code` matches it (case-insensitive, single use). */
export function useUnblockCode(state: IdentityState, account: Account, code: string): boolean {
  const current = account.unblockCode;
  if (!current || current.expiresAt < state.ctx.now() || current.code !== code.toUpperCase()) return false;
  account.unblockCode = null;
  return true;
}

export function lastEmailTo(state: IdentityState, email: string): SentEmail | undefined {
  const wanted = email.toLowerCase();
  for (let i = state.outbox.length - 1; i >= 0; i--) {
    const mail = state.outbox[i];
    if (mail && mail.to.toLowerCase() === wanted) return mail;
  }
  return undefined;
}
