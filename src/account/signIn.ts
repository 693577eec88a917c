// The two sign-in flows end to end, each ending in the account shape we persist (protocol.md §0):
//  - password: login → (confirm) → kB → kSync/kXCS → fxa-credentials grant → scoped-key-data → kid
//  - web: /authorization tab → redirect with code → code + PKCE exchange → keys_jwe → kSync/kid
// and sign-out. The caller (background) owns persistence and the UI that asks for codes.
import { deriveSyncKey, keyId as makeKeyId, OLDSYNC_SCOPE } from '../sync/crypto/index.ts';
import type { FxaSession, PasswordSignInOptions, VerificationMethod } from './authClient.ts';
import { destroySession, fetchKeys, passwordSignIn, verifySession } from './authClient.ts';
import type { StoredAccount } from './credentials.ts';
import { encodeKey, STORED_ACCOUNT_VERSION } from './credentials.ts';
import { destroyDevice, registerDevice } from './devices.ts';
import { AccountError, isAccountError } from './errors.ts';
import type { TransportOptions } from './http.ts';
import { resolveTransport } from './http.ts';
import type { PendingWebSignIn } from './oauthClient.ts';
import {
  completeWebSignIn,
  DEFAULT_CLIENT_ID,
  destroyRefreshToken,
  fetchProfile,
  fxaCredentialsGrant,
  getScopedKeyData,
} from './oauthClient.ts';

export { passwordSignIn as startPasswordSignIn } from './authClient.ts';
export { startWebSignIn } from './oauthClient.ts';

export interface DeviceToRegister {
  name: string;
  availableCommands?: Record<string, string>;
}

export interface FinishOptions extends TransportOptions {
  clientId?: string;
  /** Register our FxA device (with the refresh token) as part of sign-in. */
  device?: DeviceToRegister;
}

function transportOpts(opts: TransportOptions): TransportOptions {
  const out: TransportOptions = {};
  if (opts.fetch) out.fetch = opts.fetch;
  if (opts.now) out.now = opts.now;
  if (opts.authMode) out.authMode = opts.authMode;
  return out;
}

async function maybeRegisterDevice(
  account: StoredAccount,
  device: DeviceToRegister | undefined,
  opts: TransportOptions,
): Promise<StoredAccount> {
  if (!device) return account;
  try {
    const record = await registerDevice({
      ...transportOpts(opts),
      config: account.server,
      auth: { refreshToken: account.refreshToken },
      device: { name: device.name, type: 'desktop', availableCommands: device.availableCommands ?? {} },
    });
    return { ...account, deviceId: record.id, registeredDeviceName: device.name };
  } catch {
    // Not worth failing a finished sign-in for (the keys are already fetched); deviceId stays null
    // and the background registers later.
    return account;
  }
}

/**
 * Second half of the password flow, once the session is verified: fetch kB, derive the Sync keys,
 * get an offline OAuth grant and the key id. The session token is destroyed afterwards unless
 * `keepSession` (we keep only the narrower refresh token).
 */
export async function finishPasswordSignIn(
  opts: FinishOptions & { session: FxaSession; keepSession?: boolean },
): Promise<StoredAccount> {
  const { session } = opts;
  if (!session.verified) throw new AccountError('unverified');
  const t = { ...transportOpts(opts), authMode: session.authMode };
  const clientId = opts.clientId ?? DEFAULT_CLIENT_ID;
  const { kB } = await fetchKeys(session, t);
  let kSync: Uint8Array;
  let kXCS: Uint8Array;
  try {
    ({ kSync, kXCS } = deriveSyncKey(kB));
  } finally {
    kB.fill(0);
  }
  let account: StoredAccount;
  try {
    const tokens = await fxaCredentialsGrant({
      ...t,
      config: session.config,
      sessionToken: session.sessionToken,
      clientId,
      scope: OLDSYNC_SCOPE,
      accessType: 'offline',
    });
    const keyData = await getScopedKeyData({ ...t, config: session.config, sessionToken: session.sessionToken, clientId });
    account = {
      version: STORED_ACCOUNT_VERSION,
      email: session.email,
      uid: session.uid,
      server: session.config,
      clientId,
      signedInWith: 'password',
      refreshToken: tokens.refreshToken ?? '',
      kSync: encodeKey(kSync),
      kXCS: encodeKey(kXCS),
      keyId: makeKeyId(keyData.keyRotationTimestamp, kXCS),
      accessToken: tokens.accessToken,
      deviceId: null,
      signedInAt: resolveTransport(t).now(),
    };
  } catch (err) {
    // The keyFetchToken is spent, so this session cannot finish a sign-in any more.
    if (!opts.keepSession) await destroySession(session, t).catch(() => undefined);
    throw err;
  } finally {
    kSync.fill(0);
  }
  account = await maybeRegisterDevice(account, opts.device, t);
  if (!opts.keepSession) {
    // Best effort: a leftover session only shows up in the person's "connected devices" list.
    await destroySession(session, t).catch(() => undefined);
  }
  return account;
}

export interface CodePrompt {
  method: VerificationMethod;
  email: string;
  /** 1-based. */
  attempt: number;
  /** Set when the previous code was refused. */
  lastError: AccountError | null;
}

async function confirmWithPrompts(
  session: FxaSession,
  method: VerificationMethod,
  opts: TransportOptions & { getVerificationCode: (prompt: CodePrompt) => Promise<string | null>; maxCodeAttempts?: number },
): Promise<void> {
  let lastError: AccountError | null = null;
  const max = opts.maxCodeAttempts ?? 3;
  for (let attempt = 1; attempt <= max; attempt++) {
    const code = await opts.getVerificationCode({ method, email: session.email, attempt, lastError });
    if (code === null) throw new AccountError('unverified');
    try {
      await verifySession(session, code, transportOpts(opts));
      return;
    } catch (err) {
      if (!isAccountError(err, 'invalid-code')) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new AccountError('unverified');
}

/**
 * The whole password flow. `getVerificationCode` is asked for the emailed or TOTP code when FxA
 * wants the sign-in confirmed; return null to give up (throws 'unverified').
 */
export async function signInWithPassword(
  opts: PasswordSignInOptions &
    FinishOptions & {
      getVerificationCode: (prompt: CodePrompt) => Promise<string | null>;
      maxCodeAttempts?: number;
      keepSession?: boolean;
    },
): Promise<StoredAccount> {
  const started = await passwordSignIn(opts);
  const { session } = started;
  if (started.state === 'needs-verification') {
    try {
      await confirmWithPrompts(session, started.method, opts);
    } catch (err) {
      // Nothing can use this session now; don't leave it behind on the server.
      await destroySession(session, transportOpts(opts)).catch(() => undefined);
      throw err;
    }
  }
  return finishPasswordSignIn({ ...opts, session });
}

/**
 * Second half of the web flow, given the captured redirect URL. Needs the `profile` scope (the
 * default) to learn the account's uid and email.
 */
export async function finishWebSignIn(
  opts: FinishOptions & { redirectUrl: string; pending: PendingWebSignIn },
): Promise<StoredAccount> {
  const t = transportOpts(opts);
  const result = await completeWebSignIn({ ...t, redirectUrl: opts.redirectUrl, pending: opts.pending });
  let profile: { uid: string; email: string };
  try {
    profile = await fetchProfile({ ...t, config: opts.pending.config, accessToken: result.accessToken.token });
  } catch (err) {
    result.kSync.fill(0);
    // Without uid/email we cannot keep the account; don't leave its refresh token alive.
    await destroyRefreshToken({ ...t, config: opts.pending.config, clientId: opts.pending.clientId, refreshToken: result.refreshToken }).catch(
      () => undefined,
    );
    throw err;
  }
  let account: StoredAccount = {
    version: STORED_ACCOUNT_VERSION,
    email: profile.email,
    uid: profile.uid,
    server: opts.pending.config,
    clientId: opts.pending.clientId,
    signedInWith: 'web',
    refreshToken: result.refreshToken,
    kSync: encodeKey(result.kSync),
    kXCS: encodeKey(result.kXCS),
    keyId: result.keyId,
    accessToken: result.accessToken,
    deviceId: null,
    signedInAt: resolveTransport(t).now(),
  };
  result.kSync.fill(0);
  account = await maybeRegisterDevice(account, opts.device, t);
  return account;
}

/**
 * Ends the account on the server: removes our device record and revokes the refresh token. Never
 * throws; `revoked` says whether the server confirmed. The caller forgets the keys either way.
 */
export async function signOut(
  opts: TransportOptions & { account: Pick<StoredAccount, 'server' | 'clientId' | 'refreshToken' | 'deviceId'> },
): Promise<{ revoked: boolean; error: AccountError | null }> {
  const t = transportOpts(opts);
  const { account } = opts;
  let error: AccountError | null = null;
  const note = (err: unknown) => {
    if (error === null) {
      error = isAccountError(err) ? err : new AccountError('bad-response', { cause: err, serverMessage: String(err) });
    }
  };
  if (account.deviceId) {
    await destroyDevice({ ...t, config: account.server, auth: { refreshToken: account.refreshToken }, id: account.deviceId }).catch(
      (err: unknown) => {
        // Already gone (token or device revoked elsewhere) is fine.
        if (!isAccountError(err, 'session-expired')) note(err);
      },
    );
  }
  let revoked = false;
  try {
    await destroyRefreshToken({ ...t, config: account.server, clientId: account.clientId, refreshToken: account.refreshToken });
    revoked = true;
  } catch (err) {
    if (isAccountError(err, 'invalid-grant')) revoked = true;
    else note(err);
  }
  return { revoked, error };
}
