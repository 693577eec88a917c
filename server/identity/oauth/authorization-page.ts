// The OAuth sign-in page (`/authorization`), standing in for accounts.firefox.com's web UI: a plain
// HTML form (no JavaScript) that checks the password, asks for a TOTP or emailed code when the
// account requires one, derives kB as FxA's content server does, and redirects with code + state.
import { randomBytes } from 'node:crypto';
import type { ServerRequest, ServerResponse } from '../../core/http.ts';
import { OLDSYNC_SCOPE } from '../accounts/auth.ts';
import { checkEmailCode, sendCodeEmail } from '../accounts/email-codes.ts';
import { checkAuthPW } from '../accounts/store.ts';
import { checkNotThrottled, clearFailedLogins, recordFailedLogin } from '../accounts/throttle.ts';
import type { Account, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { escapeHtml, xor } from '../util/encoding.ts';
import { FxaError } from '../util/errors.ts';
import { encryptJweEcdhEs, parseKeysJwk } from '../util/jwe.ts';
import { credentialsV1 } from '../util/kdf.ts';
import type { Route } from '../util/router.ts';
import { verifyTotp } from '../util/totp.ts';
import type { ClientRegistry } from './clients.ts';
import { parseScope } from './clients.ts';
import { oldsyncScopedKeys } from './scoped-keys.ts';

const PARAMS = ['client_id', 'redirect_uri', 'state', 'scope', 'code_challenge', 'code_challenge_method', 'keys_jwk', 'access_type', 'response_type', 'action', 'email'] as const;
type Params = Partial<Record<(typeof PARAMS)[number], string>>;

interface ValidRequest {
  params: Params;
  clientId: string;
  clientName: string;
  redirectUri: string;
  scope: string[];
}

interface PendingSignIn {
  uid: string;
  kB: Buffer;
  step: 'totp' | 'email';
  expiresAt: number;
}

class PageError extends Error {}

function html(status: number, body: string, headers: Record<string, string> = {}): ServerResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'x-frame-options': 'DENY', ...headers },
    body,
  };
}

function page(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f9f9fb;color:#15141a}
main{max-width:26rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px rgba(0,0,0,.15)}
label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;margin-top:.25rem;padding:.6rem;font-size:1rem;border:1px solid #8f8f9d;border-radius:4px}
input:focus{outline:2px solid #0060df;outline-offset:1px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font-size:1rem;font-weight:600;color:#fff;background:#0060df;border:0;border-radius:4px;cursor:pointer}
button:focus{outline:2px solid #15141a;outline-offset:2px}
[role=alert]{margin-top:1rem;padding:.75rem;border-radius:4px;background:#fde8ea;color:#a4000f;border:1px solid #a4000f}
</style>
</head>
<body>
<main>
${content}
</main>
</body>
</html>
`;
}

function hiddenFields(params: Params): string {
  return PARAMS.filter((k) => k !== 'email' && params[k] !== undefined)
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params[k] ?? '')}">`)
    .join('\n');
}

function alertBox(message: string | null): string {
  return message ? `<p role="alert" id="signin-error">${escapeHtml(message)}</p>` : '';
}

function signInForm(req: ValidRequest, error: string | null, email: string): string {
  return page(
    'Sign in – Mozilla account',
    `<h1>Sign in</h1>
<p>Continue to ${escapeHtml(req.clientName)} with your Mozilla account.</p>
${alertBox(error)}
<form method="post" action="/authorization">
${hiddenFields(req.params)}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}"${error ? ' aria-describedby="signin-error"' : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${error ? ' aria-describedby="signin-error" autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
  );
}

function codeForm(req: ValidRequest, pendingId: string, step: PendingSignIn['step'], error: string | null): string {
  const label = step === 'totp' ? 'Authentication code' : 'Confirmation code';
  const hint =
    step === 'totp'
      ? 'Enter the 6-digit code from your authentication app.'
      : 'We emailed you a 6-digit confirmation code. Enter it to finish signing in.';
  return page(
    `${label} – Mozilla account`,
    `<h1>${escapeHtml(label)}</h1>
<p id="code-hint">${escapeHtml(hint)}</p>
${alertBox(error)}
<form method="post" action="/authorization">
${hiddenFields(req.params)}
<input type="hidden" name="signin_token" value="${escapeHtml(pendingId)}">
<label for="code">${escapeHtml(label)}</label>
<input id="code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required aria-describedby="code-hint${error ? ' signin-error' : ''}">
<button type="submit">Confirm</button>
</form>`,
  );
}

function errorPage(message: string): ServerResponse {
  return html(400, page('Error – Mozilla account', `<h1>Bad request</h1>\n${alertBox(message)}`));
}

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
