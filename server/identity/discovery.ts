// `/.well-known/fxa-client-configuration`: base URLs without /v1, as accounts.firefox.com serves them.
import type { IdentityState } from './state.ts';
import type { Route } from './util/router.ts';

export function discoveryRoutes(state: IdentityState): Route[] {
  const origin = state.ctx.origin;
  return [
    {
      method: 'GET',
      path: '/.well-known/fxa-client-configuration',
      handle: () => ({
        status: 200,
        headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' },
        body: JSON.stringify({
          auth_server_base_url: origin,
          oauth_server_base_url: origin,
          pairing_server_base_uri: `${origin.replace(/^http/, 'ws')}/pairing`,
          profile_server_base_url: `${origin}/profile`,
          sync_tokenserver_base_url: `${origin}/token`,
        }),
      }),
    },
  ];
}
