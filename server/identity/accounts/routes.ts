// FxA auth-server account and session routes (mozilla/fxa lib/routes/account.ts, session.ts, totp.js).
import { randomBytes } from 'node:crypto';
import type { ServerRequest } from '../../core/http.ts';
import type { Account, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { isHex } from '../util/encoding.ts';
import { errors } from '../util/errors.ts';
import { optionalString, readJsonObject, requireString } from '../util/respond.ts';
import type { Route } from '../util/router.ts';
import { ok, wantsKeys } from '../util/router.ts';
import { verifyTotp } from '../util/totp.ts';
import { authenticateKeyFetch, authenticateSession } from './auth.ts';
import { checkEmailCode, sendCodeEmail } from './email-codes.ts';
import { checkAuthPW, storeAccount } from './store.ts';
import { checkNotThrottled, clearFailedLogins, recordFailedLogin } from './throttle.ts';
import { destroySession, issueKeyFetchToken, issueSessionToken, sessionIsVerified } from './tokens.ts';

const VERIFICATION_METHODS = new Set(['email', 'email-otp', 'email-2fa', 'email-captcha', 'totp-2fa']);

function hexParam(body: Record<string, unknown>, key: string, length: number): Buffer {
  const value = requireString(body, key);
  if (!isHex(value, length)) throw errors.invalidParameter(key);
  return Buffer.from(value, 'hex');
}

function optionalHexParam(body: Record<string, unknown>, key: string, length: number): Buffer | undefined {
  return body[key] === undefined ? undefined : hexParam(body, key, length);
}

function emailParam(body: Record<string, unknown>, key = 'email'): string {
  const email = requireString(body, key);
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 255) throw errors.invalidParameter(key);
  return email;
}

function verificationMethodParam(body: Record<string, unknown>): string | undefined {
  const method = optionalString(body, 'verificationMethod');
  if (method !== undefined && !VERIFICATION_METHODS.has(method)) throw errors.invalidParameter('verificationMethod');
  return method;
}

/** FxA `getSessionVerificationStatus`. */
function verificationStatus(account: Account, verified: boolean, mustVerify: boolean, method: string | undefined) {
  if (!account.emailVerified) {
    return { verified: false, verificationMethod: method === 'email-otp' ? 'email-otp' : 'email', verificationReason: 'signup' };
  }
  if (mustVerify && !verified) {
    return { verified: false, verificationMethod: method ?? 'email', verificationReason: 'login' };
  }
  return { verified: true };
}

export function accountRoutes(state: IdentityState): Route[] {
  const now = () => state.ctx.now();

  async function create(req: ServerRequest) {
    const body = readJsonObject(req);
    const email = emailParam(body);
    const authPW = hexParam(body, 'authPW', 64);
    const authPWVersion2 = optionalHexParam(body, 'authPWVersion2', 64);
    const wrapKbVersion2 = optionalHexParam(body, 'wrapKbVersion2', 64);
    const clientSalt = optionalString(body, 'clientSalt');
    if (authPWVersion2 && (!wrapKbVersion2 || body.wrapKb === undefined || !clientSalt)) {
      throw errors.missingParameter(!wrapKbVersion2 ? 'wrapKbVersion2' : !clientSalt ? 'clientSalt' : 'wrapKb');
    }
    if (clientSalt !== undefined && !/^identity\.mozilla\.com\/picl\/v1\/quickStretchV2:[0-9a-f]{32}$/.test(clientSalt)) {
      throw errors.invalidParameter('clientSalt');
    }
    const verificationMethod = verificationMethodParam(body);
    // Without v2 credentials FxA generates the wrapped key itself (random kB).
    const wrapKb = optionalHexParam(body, 'wrapKb', 64) ?? randomBytes(32);
    // A test server honours preVerified so suites can skip the email loop.
    const verified = body.preVerified === true;
    const account = await storeAccount(state, {
      email,
      authPW,
      wrapKb,
      ...(authPWVersion2 ? { authPWVersion2 } : {}),
      ...(wrapKbVersion2 ? { wrapKbVersion2 } : {}),
      ...(clientSalt ? { clientSalt } : {}),
      verified,
    });
    const { token, session } = issueSessionToken(state, account, { verified, mustVerify: wantsKeys(req) });
    if (!verified) sendCodeEmail(state, account, 'verifyShortCode');
    const response: Record<string, unknown> = { uid: account.uid, sessionToken: token, authAt: Math.floor(session.authAt / 1000) };
    if (wantsKeys(req)) {
      response.keyFetchToken = issueKeyFetchToken(state, account, session, 1);
      if (authPWVersion2) response.keyFetchTokenVersion2 = issueKeyFetchToken(state, account, session, 2);
    }
    if (verificationMethod) response.verificationMethod = verificationMethod;
    return ok(state, response);
  }

  async function credentialsStatus(req: ServerRequest) {
    const body = readJsonObject(req);
    const email = emailParam(body);
    const account = findAccountByEmail(state, email);
    if (!account) throw errors.unknownAccount(email);
    const hasV2 = account.verifyHashV2 !== null;
    return ok(state, {
      upgradeNeeded: !hasV2,
      currentVersion: hasV2 ? 'v2' : 'v1',
      ...(hasV2 ? { clientSalt: account.clientSalt } : {}),
    });
  }

  async function accountStatus(req: ServerRequest) {
    const body = readJsonObject(req);
    const email = emailParam(body);
    return ok(state, { exists: !!findAccountByEmail(state, email) });
  }

  /** Shared by login and reauth: throttling, verifier check and FxA's incorrect-email-case signal. */
  async function checkPassword(email: string, authPW: Buffer) {
    const account = findAccountByEmail(state, email);
    if (!account) throw errors.unknownAccount(email);
    checkNotThrottled(state, account);
    const match = await checkAuthPW(account, authPW);
    if (!match) {
      if (account.email !== email) throw errors.incorrectEmailCase(account.email);
      recordFailedLogin(state, account);
      throw errors.incorrectPassword(account.email);
    }
    clearFailedLogins(account);
    return { account, version: match.version };
  }

  function verificationMethodFor(account: Account, requested: string | undefined): string | undefined {
    if (account.totpSecret) return 'totp-2fa';
    if (requested === 'totp-2fa') throw errors.totpRequired();
    return requested;
  }

  async function login(req: ServerRequest) {
    const body = readJsonObject(req);
    const email = emailParam(body);
    const authPW = hexParam(body, 'authPW', 64);
    if (body.originalLoginEmail !== undefined) emailParam(body, 'originalLoginEmail');
    const requested = verificationMethodParam(body);
    const { account, version } = await checkPassword(email, authPW);
    const method = verificationMethodFor(account, requested);
    const keys = wantsKeys(req);

    const needsVerification =
      !account.emailVerified || account.requireEmailCode || account.forceVerifyNextLogin || method === 'totp-2fa';
    account.forceVerifyNextLogin = false;
    const mustVerify = needsVerification && (keys || method === 'totp-2fa' || account.requireEmailCode);
    const { token, session } = issueSessionToken(state, account, {
      verified: !needsVerification,
      mustVerify,
      verificationMethod: method ?? null,
    });
    if (!account.emailVerified) sendCodeEmail(state, account, 'verifyShortCode');
    else if (mustVerify && method !== 'totp-2fa') sendCodeEmail(state, account, 'verifyLoginCode');

    const response: Record<string, unknown> = {
      uid: account.uid,
      sessionToken: token,
      authAt: Math.floor(session.authAt / 1000),
      metricsEnabled: true,
    };
    if (keys) {
      const kft = issueKeyFetchToken(state, account, session, version);
      if (version === 2) response.keyFetchTokenVersion2 = kft;
      else response.keyFetchToken = kft;
    }
    Object.assign(response, verificationStatus(account, session.verified, mustVerify, method));
    return ok(state, response);
  }

  async function reauth(req: ServerRequest) {
    const { session } = authenticateSession(state, req);
    const body = readJsonObject(req);
    const email = emailParam(body);
    const authPW = hexParam(body, 'authPW', 64);
    const requested = verificationMethodParam(body);
    const { account, version } = await checkPassword(email, authPW);
    if (account.uid !== session.uid) throw errors.invalidToken();
    const method = verificationMethodFor(account, requested);
    session.authAt = now();
    if (!session.mustVerify && (wantsKeys(req) || method)) session.mustVerify = true;
    const response: Record<string, unknown> = { uid: account.uid, authAt: Math.floor(session.authAt / 1000) };
    if (wantsKeys(req)) response.keyFetchToken = issueKeyFetchToken(state, account, session, version);
    Object.assign(response, verificationStatus(account, session.verified, session.mustVerify, method));
    return ok(state, response);
  }

  async function keys(req: ServerRequest) {
    const { token, account } = authenticateKeyFetch(state, req);
    const session = state.sessions.get(token.sessionTokenId);
    const verified = !!session && session.verified && account.emailVerified;
    // Mozilla keeps the keyFetchToken until the session is verified ("don't delete the token on
    // use until the account is verified", lib/routes/account.ts keys()); a client may retry with it.
    if (!verified) throw errors.unverifiedAccount();
    state.keyFetchTokens.delete(token.id);
    return ok(state, { bundle: token.bundle });
  }

  async function sessionDestroy(req: ServerRequest) {
    const { session } = authenticateSession(state, req);
    const body = readJsonObject(req);
    const custom = optionalString(body, 'customSessionToken');
    if (custom !== undefined) {
      const other = state.sessions.get(custom);
      if (!other || other.uid !== session.uid) throw errors.invalidToken('Invalid session token');
      destroySession(state, other.id);
    } else {
      destroySession(state, session.id);
    }
    return ok(state, {});
  }

  async function sessionStatus(req: ServerRequest) {
    const { session } = authenticateSession(state, req);
    return ok(state, { state: sessionIsVerified(state, session) ? 'verified' : 'unverified', uid: session.uid });
  }

  async function recoveryEmailStatus(req: ServerRequest) {
    const { session, account } = authenticateSession(state, req);
    return ok(state, {
      email: account.email,
      verified: sessionIsVerified(state, session),
      sessionVerified: session.verified,
      emailVerified: account.emailVerified,
    });
  }

  async function verifyCode(req: ServerRequest) {
    const { session, account } = authenticateSession(state, req);
    const body = readJsonObject(req);
    const code = requireString(body, 'code');
    if (!/^\d+$/.test(code)) throw errors.invalidParameter('code');
    if (!checkEmailCode(state, account, code)) throw errors.invalidOrExpiredOtpCode();
    session.verified = true;
    session.verificationMethod = 'email-2fa';
    account.emailVerified = true;
    return ok(state, {});
  }

  async function resendCode(req: ServerRequest) {
    const { account } = authenticateSession(state, req);
    sendCodeEmail(state, account, account.emailVerified ? 'verifyLoginCode' : 'verifyShortCode');
    return ok(state, {});
  }

  async function verifyTotpRoute(req: ServerRequest) {
    const { session, account } = authenticateSession(state, req);
    const body = readJsonObject(req);
    const code = requireString(body, 'code');
    if (!/^\d{1,32}$/.test(code)) throw errors.invalidParameter('code');
    if (!account.totpSecret) throw errors.totpRequired();
    const success = verifyTotp(account.totpSecret, code, now(), { digits: 6, stepSeconds: 30, window: 1 });
    if (success) {
      session.verified = true;
      session.verificationMethod = 'totp-2fa';
    }
    return ok(state, { success });
  }

  return [
    { method: 'POST', path: '/v1/account/create', handle: create },
    { method: 'POST', path: '/v1/account/status', handle: accountStatus },
    { method: 'POST', path: '/v1/account/credentials/status', handle: credentialsStatus },
    { method: 'POST', path: '/v1/account/login', handle: login },
    { method: 'POST', path: '/v1/session/reauth', handle: reauth },
    { method: 'GET', path: '/v1/account/keys', handle: keys },
    { method: 'POST', path: '/v1/session/destroy', handle: sessionDestroy },
    { method: 'GET', path: '/v1/session/status', handle: sessionStatus },
    { method: 'GET', path: '/v1/recovery_email/status', handle: recoveryEmailStatus },
    { method: 'POST', path: '/v1/session/verify_code', handle: verifyCode },
    { method: 'POST', path: '/v1/session/resend_code', handle: resendCode },
    { method: 'POST', path: '/v1/session/verify/totp', handle: verifyTotpRoute },
  ];
}
