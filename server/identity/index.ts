// Identity half of the local Sync stack: FxA accounts + OAuth, the sign-in page, devices and
// commands, the token server, and the demo seeder. See server/README.md "Accounts, OAuth and token server".
import { randomBytes } from 'node:crypto';
import type { ServerContext } from '../core/context.ts';
import type { Handler } from '../core/http.ts';
import { accountRoutes } from './accounts/account-routes.ts';
import { sessionRoutes } from './accounts/session-routes.ts';
import { profileRoutes } from './accounts/profile.ts';
import type { PasswordAccountOptions } from './accounts/store.ts';
import { createAccountFromPassword } from './accounts/store.ts';
import { controlHandler } from './control.ts';
import { seedDemoAccount } from './demo/seed.ts';
import { deviceRoutes } from './devices/routes.ts';
import { discoveryRoutes } from './discovery.ts';
import { authorizationRoutes } from './oauth/authorization-page.ts';
import { ClientRegistry, builtInClients } from './oauth/clients.ts';
import { oauthRoutes } from './oauth/token-route.ts';
import { identityFile, loadState, saveState } from './persist.ts';
import type { IdentityState } from './state.ts';
import { createState } from './state.ts';
import { tokenserverRoutes } from './tokenserver/route.ts';
import { routeHandler } from './util/router.ts';

export interface IdentityService {
  handler: Handler;
  control: Handler;
  seedDemo(): Promise<{ email: string; password: string }>;
  createAccount(opts: PasswordAccountOptions): Promise<{ uid: string }>;
}

export interface IdentityServiceInternals extends IdentityService {
  /** For tests in this folder: direct access to the in-memory state. */
  readonly state: IdentityState;
  readonly clients: ClientRegistry;
}

function tokenserverFallback(state: IdentityState): Handler {
  // Unknown application/version under the token server: syncstorage-rs answers 404 with its error shape.
  return async (req) => {
    if (!req.url.pathname.startsWith('/token/')) return null;
    const isSync = /^\/token\/1\.0\/sync\/[^/]+$/.test(req.url.pathname);
    const name = isSync ? req.url.pathname.split('/').pop() ?? '' : 'application';
    return {
      status: 404,
      headers: { 'content-type': 'application/json', 'x-timestamp': String(Math.floor(state.ctx.now() / 1000)) },
      body: JSON.stringify({
        status: 'error',
        errors: [{ location: 'url', name, description: isSync ? 'Unsupported application version' : 'Unsupported application' }],
      }),
    };
  };
}

export function createIdentityService(ctx: ServerContext): IdentityServiceInternals {
  const state = createState(ctx, randomBytes(32));
  const file = ctx.dataDir ? identityFile(ctx.dataDir) : null;
  if (file) loadState(state, file);
  const persist = () => {
    if (file) saveState(state, file);
  };
  const clients = new ClientRegistry(builtInClients(ctx.origin));
  const handlers: Handler[] = [
    routeHandler(state, discoveryRoutes(state), null),
    routeHandler(state, tokenserverRoutes(state), null),
    tokenserverFallback(state),
    routeHandler(state, authorizationRoutes(state, clients), null),
    routeHandler(state, profileRoutes(state), null),
    routeHandler(state, [...accountRoutes(state), ...sessionRoutes(state), ...oauthRoutes(state, clients), ...deviceRoutes(state)], '/v1/'),
  ];
  const handler: Handler = async (req) => {
    for (const h of handlers) {
      const res = await h(req);
      if (res) {
        persist();
        return res;
      }
    }
    return null;
  };
  const createAccount = async (opts: PasswordAccountOptions) => {
    const { uid } = await createAccountFromPassword(state, opts);
    persist();
    return { uid };
  };
  const seedDemo = async () => {
    const { email, password } = await seedDemoAccount(state);
    persist();
    return { email, password };
  };
  const controlRoutes = controlHandler({ state, clients, createAccount, seedDemo });
  const control: Handler = async (req) => {
    const res = await controlRoutes(req);
    if (res) persist();
    return res;
  };
  return { handler, control, seedDemo, createAccount, state, clients };
}
