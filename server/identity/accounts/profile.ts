// Minimal profile server (`${profile_server_base_url}/v1/profile`) for clients that show who is signed in.
import type { ServerRequest } from '../../core/http.ts';
import { findAccessToken } from '../oauth/tokens.ts';
import type { IdentityState } from '../state.ts';
import { errors } from '../util/errors.ts';
import type { Route } from '../util/router.ts';
import { ok } from '../util/router.ts';

export function profileRoutes(state: IdentityState): Route[] {
  async function profile(req: ServerRequest) {
    const match = /^Bearer ([0-9a-f]{64})$/.exec(String(req.headers.authorization ?? ''));
    const access = match?.[1] ? findAccessToken(state, match[1]) : null;
    const account = access ? state.accounts.get(access.uid) : undefined;
    if (!access || !account || !access.scope.some((s) => s === 'profile' || s.startsWith('profile:'))) {
      throw errors.invalidToken('Unauthorized');
    }
    return ok(state, {
      uid: account.uid,
      email: account.email,
      locale: 'en-US',
      displayName: null,
      avatar: `${state.ctx.origin}/profile/avatar/default.png`,
      avatarDefault: true,
      amrValues: account.totpSecret ? ['pwd', 'otp'] : ['pwd', 'email'],
      twoFactorAuthentication: !!account.totpSecret,
      subscriptions: [],
    });
  }
  return [{ method: 'GET', path: '/profile/v1/profile', handle: profile }];
}
