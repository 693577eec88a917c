// Caches one Sync token until it expires (refetching every sync was a real bug,
// application-services#2616) and shares one in-flight fetch between concurrent callers.
import type { SyncToken } from './client.ts';

/** What the storage client needs: a valid token now, and a way to drop a token the server refused. */
export interface TokenProvider {
  getToken(): Promise<SyncToken>;
  /** Forget the cached token (after a storage 401); the next getToken() fetches a new one. */
  invalidate(): void | Promise<void>;
}

export class CachingTokenProvider implements TokenProvider {
  private token: SyncToken | null = null;
  private inFlight: Promise<SyncToken> | null = null;
  private readonly now: () => number;

  /** `fetchToken` is usually `() => fetchSyncToken({...})` with a fresh OAuth access token. */
  constructor(
    private readonly fetchToken: () => Promise<SyncToken>,
    opts: { now?: () => number; initial?: SyncToken | null } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.token = opts.initial ?? null;
  }

  getToken(): Promise<SyncToken> {
    if (this.token && this.now() < this.token.expiresAt) return Promise.resolve(this.token);
    if (!this.inFlight) {
      this.inFlight = this.fetchToken().then(
        (t) => {
          this.token = t;
          this.inFlight = null;
          return t;
        },
        (e: unknown) => {
          this.inFlight = null;
          throw e;
        },
      );
    }
    return this.inFlight;
  }

  invalidate(): void {
    this.token = null;
  }

  /** The cached token, for persisting across service-worker restarts. */
  get current(): SyncToken | null {
    return this.token;
  }
}
