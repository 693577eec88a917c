// Registered OAuth clients. The built-in ones are Mozilla's public clients that Sync clients use
// (protocol.md §2.5); tests can register more through the control API.
import { OLDSYNC_SCOPE } from '../accounts/auth.ts';
import { errors } from '../util/errors.ts';

export interface OAuthClient {
  id: string;
  name: string;
  redirectUri: string;
  publicClient: boolean;
  /** May use the `fxa-credentials` grant (direct grant from a session token). */
  canGrant: boolean;
  allowedScopes: string[];
}

const SYNC_SCOPES = ['profile', OLDSYNC_SCOPE];

export function builtInClients(origin: string): OAuthClient[] {
  return [
    {
      id: '5882386c6d801776',
      name: 'Firefox',
      redirectUri: 'urn:ietf:wg:oauth:2.0:oob:oauth-redirect-webchannel',
      publicClient: true,
      canGrant: true,
      allowedScopes: SYNC_SCOPES,
    },
    {
      id: 'a2270f727f45f648',
      name: 'Firefox for Android',
      redirectUri: `${origin}/oauth/success/a2270f727f45f648`,
      publicClient: true,
      canGrant: true,
      allowedScopes: SYNC_SCOPES,
    },
    {
      id: 'e7ce535d93522896',
      name: 'Firefox Lockwise',
      redirectUri: 'https://lockbox.firefox.com/fxa/android-redirect.html',
      publicClient: true,
      canGrant: true,
      allowedScopes: SYNC_SCOPES,
    },
    {
      id: '98adfa37698f255b',
      name: 'Firefox Lockwise',
      redirectUri: 'https://lockbox.firefox.com/fxa/ios-redirect.html',
      publicClient: true,
      canGrant: true,
      allowedScopes: SYNC_SCOPES,
    },
  ];
}

export class ClientRegistry {
  private readonly clients = new Map<string, OAuthClient>();

  constructor(initial: OAuthClient[]) {
    for (const client of initial) this.clients.set(client.id, client);
  }

  register(client: OAuthClient): void {
    this.clients.set(client.id, client);
  }

  get(id: unknown): OAuthClient | undefined {
    return typeof id === 'string' ? this.clients.get(id.toLowerCase()) : undefined;
  }
}

/** Space-separated scope string → unique list; every scope must be allowed for the client. */
export function parseScope(scope: string, client: OAuthClient): string[] {
  const scopes = [...new Set(scope.split(/\s+/).filter((s) => s.length > 0))];
  if (scopes.length === 0) throw errors.oauthInvalidScopes([]);
  const invalid = scopes.filter((s) => !client.allowedScopes.includes(s) && !s.startsWith('profile:'));
  if (invalid.length > 0) throw errors.oauthInvalidScopes(invalid);
  return scopes;
}
