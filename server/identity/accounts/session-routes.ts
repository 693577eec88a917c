// FxA auth-server session routes: status, destroy and confirming a session by emailed code or
// TOTP (mozilla/fxa lib/routes/session.ts, totp.js, emails.js).
import type { ServerRequest } from '../../core/http.ts';
import type { IdentityState } from '../state.ts';
import { errors } from '../util/errors.ts';
import { optionalString, readJsonObject, requireString } from '../util/respond.ts';
import type { Route } from '../util/router.ts';
import { ok } from '../util/router.ts';
import { verifyTotp } from '../util/totp.ts';
import { authenticateSession } from './auth.ts';
import { checkEmailCode, sendCodeEmail } from './email-codes.ts';
import { destroySession, sessionIsVerified } from './tokens.ts';

export function sessionRoutes(state: IdentityState): Route[] {
  const now = () => state.ctx.now();

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
    { method: 'POST', path: '/v1/session/destroy', handle: sessionDestroy },
    { method: 'GET', path: '/v1/session/status', handle: sessionStatus },
    { method: 'GET', path: '/v1/recovery_email/status', handle: recoveryEmailStatus },
    { method: 'POST', path: '/v1/session/verify_code', handle: verifyCode },
    { method: 'POST', path: '/v1/session/resend_code', handle: resendCode },
    { method: 'POST', path: '/v1/session/verify/totp', handle: verifyTotpRoute },
  ];
}
