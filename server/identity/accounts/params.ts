// Request-body validation shared by the account and session routes (FxA's Joi validators, in short).
import { errors } from '../util/errors.ts';
import { isHex } from '../util/encoding.ts';
import { optionalString, requireString } from '../util/respond.ts';
import type { Account } from '../state.ts';

const VERIFICATION_METHODS = new Set(['email', 'email-otp', 'email-2fa', 'email-captcha', 'totp-2fa']);

export function hexParam(body: Record<string, unknown>, key: string, length: number): Buffer {
  const value = requireString(body, key);
  if (!isHex(value, length)) throw errors.invalidParameter(key);
  return Buffer.from(value, 'hex');
}

export function optionalHexParam(body: Record<string, unknown>, key: string, length: number): Buffer | undefined {
  return body[key] === undefined ? undefined : hexParam(body, key, length);
}

export function emailParam(body: Record<string, unknown>, key = 'email'): string {
  const email = requireString(body, key);
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 255) throw errors.invalidParameter(key);
  return email;
}

export function verificationMethodParam(body: Record<string, unknown>): string | undefined {
  const method = optionalString(body, 'verificationMethod');
  if (method !== undefined && !VERIFICATION_METHODS.has(method)) throw errors.invalidParameter('verificationMethod');
  return method;
}

/** FxA `getSessionVerificationStatus`. */
export function verificationStatus(account: Account, verified: boolean, mustVerify: boolean, method: string | undefined) {
  if (!account.emailVerified) {
    return { verified: false, verificationMethod: method === 'email-otp' ? 'email-otp' : 'email', verificationReason: 'signup' };
  }
  if (mustVerify && !verified) {
    return { verified: false, verificationMethod: method ?? 'email', verificationReason: 'login' };
  }
  return { verified: true };
}

