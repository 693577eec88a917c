// The signed-in account as we persist it, and an access-token source that refreshes through the
// refresh token (protocol.md §2.4). Holds key material: never log a StoredAccount.
import { base64ToBytes, bytesToBase64 } from '../sync/crypto/index.ts';
import type { ServerConfig } from './config.ts';
import { AccountError } from './errors.ts';
import type { TransportOptions } from './http.ts';
import type { AccessToken } from './oauthClient.ts';
import { refreshAccessToken } from './oauthClient.ts';

export const STORED_ACCOUNT_VERSION = 1;

export interface StoredAccount {
  version: typeof STORED_ACCOUNT_VERSION;
  email: string;
  /** FxA uid, 32 hex. */
  uid: string;
  server: ServerConfig;
  /** The OAuth client the refresh token belongs to. */
  clientId: string;
  signedInWith: 'password' | 'web';
  /** OAuth refresh token (scope includes oldsync): mints access tokens, authenticates device calls. */
  refreshToken: string;
  /** Standard base64 of the 64-byte Sync root key (encKey | hmacKey). */
  kSync: string;
  /** Standard base64 of the 16-byte key fingerprint SHA-256(kB)[0..16]. */
  kXCS: string;
  /** X-KeyID for the token server: "<keyRotationTimestamp ms>-<b64url(kXCS)>". */
  keyId: string;
  /** Last access token, so a restarted worker need not refresh at once. */
  accessToken: AccessToken | null;
  /** Our FxA device record id, once registered. */
  deviceId: string | null;
  /** The device name last registered with the account, to know when to rename it. */
  registeredDeviceName?: string | null;
  /** ms since epoch. */
  signedInAt: number;
}

export function encodeKey(bytes: Uint8Array): string {
  return bytesToBase64(bytes);
}

/** The Sync key material as bytes. */
export function accountKeys(account: Pick<StoredAccount, 'kSync' | 'kXCS'>): { kSync: Uint8Array; kXCS: Uint8Array } {
  const kSync = base64ToBytes(account.kSync);
  const kXCS = base64ToBytes(account.kXCS);
  if (kSync.length !== 64 || kXCS.length !== 16) throw new TypeError('stored Sync keys have the wrong size');
  return { kSync, kXCS };
}

function isString(v: unknown): v is string {
  return typeof v === 'string';
}

/** Checks a value loaded from storage before trusting it (shape only; keys are not verified). */
export function isStoredAccount(value: unknown): value is StoredAccount {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  const server = a.server as Record<string, unknown> | null | undefined;
  const token = a.accessToken as Record<string, unknown> | null | undefined;
  return (
    a.version === STORED_ACCOUNT_VERSION &&
    isString(a.email) &&
    isString(a.uid) &&
    typeof server === 'object' && server !== null &&
    ['accountsUrl', 'authUrl', 'oauthUrl', 'profileUrl', 'tokenServerUrl'].every((k) => isString(server[k])) &&
    isString(a.clientId) &&
    (a.signedInWith === 'password' || a.signedInWith === 'web') &&
    isString(a.refreshToken) &&
    isString(a.kSync) &&
    isString(a.kXCS) &&
    isString(a.keyId) &&
    (token === null || (typeof token === 'object' && isString(token.token) && typeof token.expiresAt === 'number' && isString(token.scope))) &&
    (a.deviceId === null || isString(a.deviceId)) &&
    typeof a.signedInAt === 'number'
  );
}

export interface AccessTokenProviderOptions extends TransportOptions {
  account: Pick<StoredAccount, 'server' | 'clientId' | 'refreshToken' | 'accessToken'>;
  /** Called with each new access token (persist it into the stored account). */
  onToken?: (token: AccessToken) => void | Promise<void>;
  /** Refresh this long before expiry (default 60 s). */
  marginMs?: number;
  /** Requested lifetime in seconds for new tokens (server-capped). */
  ttl?: number;
}

/**
 * Hands out a valid OAuth access token, refreshing with the refresh token when the cached one is
 * (nearly) expired or was rejected. Concurrent callers share one refresh. A dead refresh token
 * surfaces as AccountError('invalid-grant'): the person has to sign in again.
 */
export class AccessTokenProvider {
  readonly #opts: AccessTokenProviderOptions;
  readonly #now: () => number;
  #cached: AccessToken | null;
  #inflight: Promise<AccessToken> | null = null;

  constructor(opts: AccessTokenProviderOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#cached = opts.account.accessToken;
  }

  #fresh(token: AccessToken | null): token is AccessToken {
    return token !== null && token.expiresAt - (this.#opts.marginMs ?? 60_000) > this.#now();
  }

  /** A token valid for at least the margin; refreshes when needed. */
  async getAccessToken(): Promise<AccessToken> {
    if (this.#inflight) return this.#inflight;
    if (this.#fresh(this.#cached)) return this.#cached;
    return this.#refresh();
  }

  /**
   * The server answered 401 to `rejectedToken`. Returns a different token: the one another caller
   * already refreshed to, or a newly refreshed one.
   */
  async tokenRejected(rejectedToken: string): Promise<AccessToken> {
    if (this.#inflight) return this.#inflight;
    const cached = this.#cached;
    if (cached && cached.token !== rejectedToken && this.#fresh(cached)) return cached;
    this.#cached = null;
    return this.#refresh();
  }

  /** Forget the cached token (e.g. on sign-out). */
  clear(): void {
    this.#cached = null;
  }

  #refresh(): Promise<AccessToken> {
    const run = async (): Promise<AccessToken> => {
      const { account } = this.#opts;
      if (!account.refreshToken) throw new AccountError('invalid-grant', { serverMessage: 'no refresh token' });
      try {
        const token = await refreshAccessToken({
          config: account.server,
          clientId: account.clientId,
          refreshToken: account.refreshToken,
          ...(this.#opts.ttl !== undefined ? { ttl: this.#opts.ttl } : {}),
          ...(this.#opts.fetch ? { fetch: this.#opts.fetch } : {}),
          now: this.#now,
        });
        this.#cached = token;
        await this.#opts.onToken?.(token);
        return token;
      } catch (err) {
        this.#cached = null;
        throw err;
      }
    };
    const p = run().finally(() => {
      if (this.#inflight === p) this.#inflight = null;
    });
    this.#inflight = p;
    return p;
  }
}
