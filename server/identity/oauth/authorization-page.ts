// The OAuth sign-in page (`/authorization`), standing in for accounts.firefox.com's web UI: a plain
// HTML form (no JavaScript) that checks the password, asks for a TOTP or emailed code when the
// account requires one, derives kB as FxA's content server does, and redirects with code + state.
import { randomBytes } from 'node:crypto';
import type { ServerRequest, ServerResponse } from '../../core/http.ts';
import type { Params, ValidRequest } from './sign-in-html.ts';
import { PARAMS, codeForm, errorPage, html, signInForm } from './sign-in-html.ts';
import { OLDSYNC_SCOPE } from '../accounts/auth.ts';
import { checkEmailCode, sendCodeEmail } from '../accounts/email-codes.ts';
import { checkAuthPW } from '../accounts/store.ts';
import { checkNotThrottled, clearFailedLogins, recordFailedLogin } from '../accounts/throttle.ts';
import type { Account, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { xor } from '../util/encoding.ts';
import { FxaError } from '../util/errors.ts';
import { encryptJweEcdhEs, parseKeysJwk } from '../util/jwe.ts';
import { credentialsV1 } from '../util/kdf.ts';
import type { Route } from '../util/router.ts';
import { verifyTotp } from '../util/totp.ts';
import type { ClientRegistry } from './clients.ts';
import { parseScope } from './clients.ts';
import { oldsyncScopedKeys } from './scoped-keys.ts';

interface PendingSignIn {
  uid: string;
  kB: Buffer;
  step: 'totp' | 'email';
  expiresAt: number;
}

class PageError extends Error {}

export function authorizationRoutes(state: IdentityState, clients: ClientRegistry): Route[] {
  const pending = new Map<string, PendingSignIn>();

  function validate(source: URLSearchParams): ValidRequest {
    const params: Params = {};
    for (const key of PARAMS) {
      const value = source.get(key);
      if (value !== null) params[key] = value;
    }
    const client = clients.get(params.client_id);
    if (!client) throw new PageError('Unknown client_id.');
    if (params.redirect_uri !== undefined && params.redirect_uri !== client.redirectUri) throw new PageError('Incorrect redirect_uri.');
    if (params.response_type !== undefined && params.response_type !== 'code') throw new PageError('Invalid response_type.');
    if (!params.state) throw new PageError('Missing state parameter.');
    let scope: string[];
    try {
      scope = parseScope(params.scope ?? '', client);
    } catch (err) {
      if (err instanceof FxaError) throw new PageError('Requested scopes are not allowed.');
      throw err;
    }
    if (client.publicClient) {
      if (!params.code_challenge || params.code_challenge_method !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(params.code_challenge)) {
        throw new PageError('Public clients require PKCE OAuth parameters (code_challenge with code_challenge_method=S256).');
      }
    }
    if (params.access_type !== undefined && params.access_type !== 'online' && params.access_type !== 'offline') {
      throw new PageError('Invalid access_type.');
    }
    if (params.keys_jwk !== undefined) {
      try {
        parseKeysJwk(params.keys_jwk);
      } catch {
        throw new PageError('Invalid keys_jwk.');
      }
    }
    return { params, clientId: client.id, clientName: client.name, redirectUri: client.redirectUri, scope };
  }

  /** Issues the authorization code and redirects back to the client, as FxA does after sign-in. */
  function complete(req: ValidRequest, account: Account, kB: Buffer): ServerResponse {
    const now = state.ctx.now();
    const keysJwe =
      req.params.keys_jwk !== undefined && req.scope.includes(OLDSYNC_SCOPE)
        ? encryptJweEcdhEs(JSON.stringify(oldsyncScopedKeys(account, kB)), parseKeysJwk(req.params.keys_jwk))
        : null;
    const code = randomBytes(32).toString('hex');
    state.codes.set(code, {
      code,
      uid: account.uid,
      clientId: req.clientId,
      scope: req.scope,
      redirectUri: req.redirectUri,
      codeChallenge: req.params.code_challenge ?? null,
      keysJwe,
      offline: req.params.access_type === 'offline',
      authAt: now,
      createdAt: now,
    });
    const target = new URL(req.redirectUri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', req.params.state ?? '');
    return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' }, body: '' };
  }

  async function signIn(req: ValidRequest, form: URLSearchParams): Promise<ServerResponse> {
    const email = (form.get('email') ?? '').trim();
    const password = form.get('password') ?? '';
    const account = email ? findAccountByEmail(state, email) : undefined;
    if (!account) return html(400, signInForm(req, 'Unknown account. Check the email address and try again.', email));
    try {
      checkNotThrottled(state, account);
    } catch (err) {
      if (err instanceof FxaError) return html(429, signInForm(req, 'Too many attempts. Please wait a few minutes and try again.', email));
      throw err;
    }
    // The web UI stretches the password with the address the account was created with.
    const creds = await credentialsV1(account.email, password);
    if (!(await checkAuthPW(account, creds.authPW))) {
      recordFailedLogin(state, account);
      return html(400, signInForm(req, 'Incorrect password. Try again.', email));
    }
    clearFailedLogins(account);
    const kB = xor(account.wrapKb, creds.unwrapBKey);
    const step = account.totpSecret ? 'totp' : account.requireEmailCode || account.forceVerifyNextLogin || !account.emailVerified ? 'email' : null;
    if (!step) return complete(req, account, kB);
    account.forceVerifyNextLogin = false;
    for (const [key, entry] of pending) if (entry.expiresAt < state.ctx.now()) pending.delete(key);
    const id = randomBytes(16).toString('hex');
    pending.set(id, { uid: account.uid, kB, step, expiresAt: state.ctx.now() + 10 * 60 * 1000 });
    if (step === 'email') sendCodeEmail(state, account, account.emailVerified ? 'verifyLoginCode' : 'verifyShortCode');
    return html(200, codeForm(req, id, step, null));
  }

  function confirmCode(req: ValidRequest, form: URLSearchParams, id: string): ServerResponse {
    const entry = pending.get(id);
    const account = entry ? state.accounts.get(entry.uid) : undefined;
    if (!entry || !account || entry.expiresAt < state.ctx.now()) {
      pending.delete(id);
      return html(400, signInForm(req, 'Your sign-in expired. Please sign in again.', ''));
    }
    const code = (form.get('code') ?? '').trim();
    const valid =
      entry.step === 'totp'
        ? !!account.totpSecret && verifyTotp(account.totpSecret, code, state.ctx.now(), { digits: 6, stepSeconds: 30, window: 1 })
        : checkEmailCode(state, account, code);
    if (!valid) return html(400, codeForm(req, id, entry.step, 'Invalid or expired code. Try again.'));
    pending.delete(id);
    if (entry.step === 'email') account.emailVerified = true;
    return complete(req, account, entry.kB);
  }

  async function get(req: ServerRequest): Promise<ServerResponse> {
    try {
      const valid = validate(req.url.searchParams);
      return html(200, signInForm(valid, null, valid.params.email ?? ''));
    } catch (err) {
      if (err instanceof PageError) return errorPage(err.message);
      throw err;
    }
  }

  async function post(req: ServerRequest): Promise<ServerResponse> {
    const form = new URLSearchParams(req.body.toString('utf8'));
    try {
      const valid = validate(form);
      const pendingId = form.get('signin_token');
      return pendingId ? confirmCode(valid, form, pendingId) : await signIn(valid, form);
    } catch (err) {
      if (err instanceof PageError) return errorPage(err.message);
      throw err;
    }
  }

  return [
    { method: 'GET', path: '/authorization', handle: get },
    { method: 'POST', path: '/authorization', handle: post },
    { method: 'GET', path: '/oauth/authorization', handle: get },
  ];
}
