// FxA auth-server account routes: sign-up, login and key fetching (mozilla/fxa lib/routes/account.ts).
import { randomBytes } from 'node:crypto';
import type { ServerRequest } from '../../core/http.ts';
import type { Account, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { errors } from '../util/errors.ts';
import { optionalString, readJsonObject } from '../util/respond.ts';
import type { Route } from '../util/router.ts';
import { ok, wantsKeys } from '../util/router.ts';
import { authenticateKeyFetch, authenticateSession } from './auth.ts';
import { sendCodeEmail, sendUnblockCode, useUnblockCode } from './email-codes.ts';
import { emailParam, hexParam, optionalHexParam, verificationMethodParam, verificationStatus } from './params.ts';
import { checkAuthPW, storeAccount } from './store.ts';
import { checkNotThrottled, clearFailedLogins, recordFailedLogin } from './throttle.ts';
import { issueKeyFetchToken, issueSessionToken } from './tokens.ts';

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
    const unblockCode = optionalString(body, 'unblockCode');
    // Sign-in unblock, checked before the password as FxA's customs check is: errno 125 →
    // emailed code → login with unblockCode (127 if wrong). A used unblock code proves inbox
    // access, so FxA treats the session as confirmed.
    const blocked = findAccountByEmail(state, email);
    let unblocked = false;
    if (blocked && unblockCode !== undefined) {
      if (!useUnblockCode(state, blocked, unblockCode)) throw errors.invalidUnblockCode();
      unblocked = true;
      blocked.blockNextLogin = false;
    } else if (blocked?.blockNextLogin) {
      throw errors.requestBlocked();
    }
    const { account, version } = await checkPassword(email, authPW);
    const method = verificationMethodFor(account, requested);
    const keys = wantsKeys(req);

    // Like FxA's forced confirmation ('global'/'suspect'), a forced or required code applies even
    // without keys; otherwise only key-fetching sessions must be confirmed.
    const forced = account.forceVerifyNextLogin || account.requireEmailCode;
    account.forceVerifyNextLogin = false;
    const needsVerification = !account.emailVerified || (forced && !unblocked) || method === 'totp-2fa';
    const mustVerify = needsVerification && (keys || forced || method === 'totp-2fa');
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

  async function sendUnblock(req: ServerRequest) {
    const body = readJsonObject(req);
    const email = emailParam(body);
    const account = findAccountByEmail(state, email);
    if (!account) throw errors.unknownAccount(email);
    sendUnblockCode(state, account);
    return ok(state, {});
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

  return [
    { method: 'POST', path: '/v1/account/create', handle: create },
    { method: 'POST', path: '/v1/account/status', handle: accountStatus },
    { method: 'POST', path: '/v1/account/credentials/status', handle: credentialsStatus },
    { method: 'POST', path: '/v1/account/login', handle: login },
    { method: 'POST', path: '/v1/account/login/send_unblock_code', handle: sendUnblock },
    { method: 'POST', path: '/v1/session/reauth', handle: reauth },
    { method: 'GET', path: '/v1/account/keys', handle: keys },
  ];
}
