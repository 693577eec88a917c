// Test control API (`/__test__/…`): lets suites create accounts, read "emailed" codes, force
// verification and expire OAuth tokens without going through a mailbox or waiting for clocks.
import type { Handler, ServerRequest, ServerResponse } from '../core/http.ts';
import { json } from '../core/http.ts';
import { lastEmailTo } from './accounts/email-codes.ts';
import type { PasswordAccountOptions } from './accounts/store.ts';
import { resetAccountKeys } from './accounts/store.ts';
import type { ClientRegistry } from './oauth/clients.ts';
import { OLDSYNC_SCOPE } from './accounts/auth.ts';
import type { IdentityState } from './state.ts';
import { findAccountByEmail } from './state.ts';
import { FxaError } from './util/errors.ts';
import { DemoCommandError, demoCloseTabs, demoReceived, demoSendTab } from './demo/commands.ts';
import { readJsonObject } from './util/respond.ts';

export interface ControlDeps {
  state: IdentityState;
  clients: ClientRegistry;
  createAccount(opts: PasswordAccountOptions): Promise<{ uid: string }>;
  seedDemo(): Promise<{ email: string; password: string }>;
}

function body(req: ServerRequest): Record<string, unknown> {
  try {
    return readJsonObject(req);
  } catch (err) {
    if (err instanceof FxaError) throw new ControlError(400, 'body must be a JSON object');
    throw err;
  }
}

class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function str(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || v.length === 0) throw new ControlError(400, `${key} is required`);
  return v;
}

function demoOpts(b: Record<string, unknown>): { target?: string; ttl?: number } {
  const out: { target?: string; ttl?: number } = {};
  if (typeof b.target === 'string') out.target = b.target;
  if (typeof b.ttl === 'number') out.ttl = b.ttl;
  return out;
}

/** The demo device's refusals (and the server's 123/157) as 409 with the reason. */
async function asDemo<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof DemoCommandError) throw new ControlError(409, err.message);
    if (err instanceof FxaError) throw new ControlError(409, `errno ${err.errno}: ${err.message}`);
    throw err;
  }
}

export function controlHandler(deps: ControlDeps): Handler {
  const { state } = deps;

  function accountFor(email: string) {
    const account = findAccountByEmail(state, email);
    if (!account) throw new ControlError(404, `no account ${email}`);
    return account;
  }

  const routes: Record<string, (req: ServerRequest) => Promise<ServerResponse>> = {
    'POST /__test__/accounts': async (req) => {
      const b = body(req);
      const opts: PasswordAccountOptions = { email: str(b, 'email'), password: str(b, 'password') };
      if (typeof b.verified === 'boolean') opts.verified = b.verified;
      if (typeof b.totpSecret === 'string') opts.totpSecret = b.totpSecret;
      if (typeof b.requireEmailCode === 'boolean') opts.requireEmailCode = b.requireEmailCode;
      if (typeof b.kB === 'string') opts.kB = Buffer.from(b.kB, 'hex');
      try {
        return json(200, await deps.createAccount(opts));
      } catch (err) {
        if (err instanceof FxaError) throw new ControlError(409, err.message);
        throw err;
      }
    },
    'GET /__test__/accounts/email-code': async (req) => {
      const email = req.url.searchParams.get('email') ?? '';
      const mail = lastEmailTo(state, email);
      if (!mail) throw new ControlError(404, `no email sent to ${email}`);
      return json(200, { email: mail.to, code: mail.code, template: mail.template, sentAt: mail.sentAt });
    },
    'POST /__test__/accounts/require-verification': async (req) => {
      accountFor(str(body(req), 'email')).forceVerifyNextLogin = true;
      return json(200, {});
    },
    'POST /__test__/accounts/block-next-login': async (req) => {
      accountFor(str(body(req), 'email')).blockNextLogin = true;
      return json(200, {});
    },
    'POST /__test__/accounts/reset-keys': async (req) => {
      const b = body(req);
      const account = accountFor(str(b, 'email'));
      await resetAccountKeys(state, account, str(b, 'password'), typeof b.kB === 'string' ? Buffer.from(b.kB, 'hex') : undefined);
      return json(200, { uid: account.uid, keysChangedAt: account.keysChangedAt });
    },
    'POST /__test__/accounts/expire-access-tokens': async (req) => {
      const b = body(req);
      const uid = typeof b.email === 'string' ? accountFor(b.email).uid : null;
      let expired = 0;
      for (const token of state.accessTokens.values()) {
        if (uid !== null && token.uid !== uid) continue;
        token.expiresAt = Math.min(token.expiresAt, state.ctx.now());
        expired++;
      }
      return json(200, { expired });
    },
    'POST /__test__/accounts/demo': async () => json(200, await deps.seedDemo()),
    // The demo desktop ("Firefox on Demo Desktop") as a Send Tab peer: it sends a tab or a close-tabs
    // request to `target` (or to every other device of the demo account that accepts it), and shows
    // what other devices sent it, decrypted with its keys (server/identity/demo/commands.ts).
    'POST /__test__/demo/send-tab': async (req) => {
      const b = body(req);
      return json(200, { sent: await asDemo(() => demoSendTab(state, { url: str(b, 'url'), ...demoOpts(b), ...(typeof b.title === 'string' ? { title: b.title } : {}) })) });
    },
    'POST /__test__/demo/close-tabs': async (req) => {
      const b = body(req);
      const urls = Array.isArray(b.urls) ? b.urls.filter((u): u is string => typeof u === 'string') : [];
      if (urls.length === 0) throw new ControlError(400, 'urls (strings) required');
      return json(200, { sent: await asDemo(() => demoCloseTabs(state, { urls, ...demoOpts(b) })) });
    },
    'GET /__test__/demo/received': async () => json(200, { commands: await asDemo(() => demoReceived(state)) }),
    'POST /__test__/oauth/clients': async (req) => {
      const b = body(req);
      const id = str(b, 'client_id').toLowerCase();
      if (!/^[0-9a-f]{16}$/.test(id)) throw new ControlError(400, 'client_id must be 16 hex digits');
      deps.clients.register({
        id,
        name: typeof b.name === 'string' ? b.name : 'Test client',
        redirectUri: str(b, 'redirect_uri'),
        publicClient: true,
        canGrant: true,
        allowedScopes: ['profile', OLDSYNC_SCOPE],
      });
      return json(200, {});
    },
  };

  return async (req) => {
    const p = req.url.pathname;
    if (!p.startsWith('/__test__/accounts') && !p.startsWith('/__test__/oauth') && !p.startsWith('/__test__/demo/')) return null;
    const route = routes[`${req.method.toUpperCase()} ${req.url.pathname}`];
    if (!route) return json(404, { error: 'unknown control route' });
    try {
      return await route(req);
    } catch (err) {
      if (err instanceof ControlError) return json(err.status, { error: err.message });
      throw err;
    }
  };
}
