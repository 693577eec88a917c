// Account creation: from an HTTP `account/create` payload (what a real client sends) or from a
// plain password (the server plays the client, for tests, the demo and the control API).
import { randomBytes } from 'node:crypto';
import type { Account, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { xor } from '../util/encoding.ts';
import { errors } from '../util/errors.ts';
import { NS, credentialsV1, credentialsV2, safeEqual, verifyHash } from '../util/kdf.ts';
import { base32Decode } from '../util/totp.ts';

export interface AccountCredentials {
  email: string;
  authPW: Buffer;
  wrapKb: Buffer;
  authPWVersion2?: Buffer;
  wrapKbVersion2?: Buffer;
  clientSalt?: string;
  verified: boolean;
}

export async function storeAccount(state: IdentityState, creds: AccountCredentials): Promise<Account> {
  if (findAccountByEmail(state, creds.email)) throw errors.accountExists(creds.email);
  const authSalt = randomBytes(32);
  const now = state.ctx.now();
  const account: Account = {
    uid: randomBytes(16).toString('hex'),
    email: creds.email,
    createdAt: now,
    emailVerified: creds.verified,
    emailCode: randomBytes(16).toString('hex'),
    authSalt,
    verifyHash: await verifyHash(creds.authPW, authSalt),
    verifyHashV2: creds.authPWVersion2 ? await verifyHash(creds.authPWVersion2, authSalt) : null,
    clientSalt: creds.authPWVersion2 ? (creds.clientSalt ?? null) : null,
    kA: randomBytes(32),
    wrapKb: creds.wrapKb,
    wrapKbV2: creds.authPWVersion2 ? (creds.wrapKbVersion2 ?? null) : null,
    keysChangedAt: now,
    totpSecret: null,
    requireEmailCode: false,
    forceVerifyNextLogin: false,
    blockNextLogin: false,
    unblockCode: null,
    failedLogins: [],
  };
  state.accounts.set(account.uid, account);
  return account;
}

export interface PasswordAccountOptions {
  email: string;
  password: string;
  verified?: boolean;
  /** Base32, as an authenticator app would be given it. */
  totpSecret?: string;
  requireEmailCode?: boolean;
  kB?: Uint8Array;
}

export function newClientSalt(): string {
  return `${NS}quickStretchV2:${randomBytes(16).toString('hex')}`;
}

/** Derives both verifiers and wraps kB exactly as an FxA client does at sign-up (protocol.md §1.3). */
export async function createAccountFromPassword(state: IdentityState, opts: PasswordAccountOptions): Promise<Account> {
  const kB = opts.kB ? Buffer.from(opts.kB) : randomBytes(32);
  if (kB.length !== 32) throw new Error('kB must be 32 bytes');
  const clientSalt = newClientSalt();
  const [v1, v2] = await Promise.all([credentialsV1(opts.email, opts.password), credentialsV2(clientSalt, opts.password)]);
  const account = await storeAccount(state, {
    email: opts.email,
    authPW: v1.authPW,
    wrapKb: xor(kB, v1.unwrapBKey),
    authPWVersion2: v2.authPW,
    wrapKbVersion2: xor(kB, v2.unwrapBKey),
    clientSalt,
    verified: opts.verified ?? true,
  });
  if (opts.totpSecret) account.totpSecret = base32Decode(opts.totpSecret);
  account.requireEmailCode = opts.requireEmailCode ?? false;
  return account;
}

export type PasswordMatch = { version: 1 | 2 } | null;

/** Which stored verifier (v1 or v2 key stretching) the presented authPW matches, if any. */
export async function checkAuthPW(account: Account, authPW: Buffer): Promise<PasswordMatch> {
  const hash = await verifyHash(authPW, account.authSalt);
  if (safeEqual(hash, account.verifyHash)) return { version: 1 };
  if (account.verifyHashV2 && safeEqual(hash, account.verifyHashV2)) return { version: 2 };
  return null;
}

/**
 * Account reset without a recovery key (FxA `/account/reset`): new kB and verifiers, keysChangedAt
 * bumped, and every session, key-fetch token, OAuth token, device and queued command dropped.
 */
export async function resetAccountKeys(state: IdentityState, account: Account, password: string, kB?: Uint8Array): Promise<void> {
  const newKb = kB ? Buffer.from(kB) : randomBytes(32);
  const clientSalt = newClientSalt();
  const [v1, v2] = await Promise.all([credentialsV1(account.email, password), credentialsV2(clientSalt, password)]);
  account.authSalt = randomBytes(32);
  account.verifyHash = await verifyHash(v1.authPW, account.authSalt);
  account.verifyHashV2 = await verifyHash(v2.authPW, account.authSalt);
  account.clientSalt = clientSalt;
  account.kA = randomBytes(32);
  account.wrapKb = xor(newKb, v1.unwrapBKey);
  account.wrapKbV2 = xor(newKb, v2.unwrapBKey);
  account.keysChangedAt = Math.max(state.ctx.now(), account.keysChangedAt + 1);
  const uid = account.uid;
  for (const [id, s] of state.sessions) if (s.uid === uid) state.sessions.delete(id);
  for (const [id, k] of state.keyFetchTokens) if (k.uid === uid) state.keyFetchTokens.delete(id);
  for (const [id, t] of state.accessTokens) if (t.uid === uid) state.accessTokens.delete(id);
  for (const [id, t] of state.refreshTokens) if (t.uid === uid) state.refreshTokens.delete(id);
  for (const [id, d] of state.devices) if (d.uid === uid) state.devices.delete(id);
  for (const [code, c] of state.codes) if (c.uid === uid) state.codes.delete(code);
  state.commands = state.commands.filter((c) => c.uid !== uid);
}
