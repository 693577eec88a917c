// Everything the identity services remember, in memory. One instance per createIdentityService().
import type { ServerContext } from '../core/context.ts';

export interface Account {
  uid: string;
  /** Address exactly as created: the v1 password salt depends on it. */
  email: string;
  createdAt: number;
  emailVerified: boolean;
  /** Per-account secret the emailed one-time codes are derived from (FxA's `emailCode`). */
  emailCode: string;
  authSalt: Buffer;
  verifyHash: Buffer;
  verifyHashV2: Buffer | null;
  clientSalt: string | null;
  kA: Buffer;
  wrapKb: Buffer;
  wrapKbV2: Buffer | null;
  /** ms; surfaces as keyRotationTimestamp and in the kid. */
  keysChangedAt: number;
  totpSecret: Buffer | null;
  requireEmailCode: boolean;
  forceVerifyNextLogin: boolean;
  /** Control API switch: the next login is refused with errno 125 until an unblock code is used. */
  blockNextLogin: boolean;
  /** Current sign-in unblock code (FxA: 8 characters, emailed), or null. */
  unblockCode: { code: string; expiresAt: number } | null;
  failedLogins: number[];
}

export interface SessionToken {
  id: string;
  uid: string;
  reqHMACkey: Buffer;
  createdAt: number;
  authAt: number;
  verified: boolean;
  mustVerify: boolean;
  verificationMethod: string | null;
  lastAccessTime: number;
}

export interface KeyFetchToken {
  id: string;
  uid: string;
  reqHMACkey: Buffer;
  /** hex of ciphertext(kA|wrapKb) | mac, computed at issue time like FxA's keyBundle. */
  bundle: string;
  /** Verification follows the session it was issued with. */
  sessionTokenId: string;
}

export interface AccessToken {
  token: string;
  uid: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  expiresAt: number;
  authAt: number;
}

export interface RefreshToken {
  /** sha256(token) hex: FxA stores refresh tokens hashed. */
  id: string;
  uid: string;
  clientId: string;
  scope: string[];
  createdAt: number;
  authAt: number;
  lastUsedAt: number;
}

export interface AuthorizationCode {
  code: string;
  uid: string;
  clientId: string;
  scope: string[];
  redirectUri: string;
  codeChallenge: string | null;
  keysJwe: string | null;
  offline: boolean;
  authAt: number;
  createdAt: number;
}

export interface Device {
  id: string;
  uid: string;
  sessionTokenId: string | null;
  refreshTokenId: string | null;
  name: string;
  type: string;
  createdAt: number;
  lastAccessTime: number;
  availableCommands: Record<string, string>;
  pushCallback: string | null;
  pushPublicKey: string | null;
  pushAuthKey: string | null;
  pushEndpointExpired: boolean;
}

export interface DeviceCommand {
  index: number;
  uid: string;
  deviceId: string;
  data: { command: string; payload: Record<string, unknown>; sender?: string };
  expiresAt: number;
}

export interface SentEmail {
  to: string;
  template: 'verifyShortCode' | 'verifyLoginCode' | 'unblockCode';
  code: string;
  sentAt: number;
}

/** Per-account token server user row (syncstorage-rs `users` table, simplified). */
export interface TokenserverUser {
  fxaUid: string;
  storageUid: string;
  clientState: string;
  keysChangedAt: number | null;
  generation: number;
  oldClientStates: Set<string>;
  /** Times the user was moved to a new storage node (fault switch); part of the storage uid. */
  nodeMoves?: number;
}

export interface IdentityState {
  ctx: ServerContext;
  accounts: Map<string, Account>;
  sessions: Map<string, SessionToken>;
  keyFetchTokens: Map<string, KeyFetchToken>;
  accessTokens: Map<string, AccessToken>;
  refreshTokens: Map<string, RefreshToken>;
  codes: Map<string, AuthorizationCode>;
  devices: Map<string, Device>;
  commands: DeviceCommand[];
  nextCommandIndex: number;
  outbox: SentEmail[];
  tokenserverUsers: Map<string, TokenserverUser>;
  /** Hawk nonces seen recently, keyed by `${id}:${nonce}`, valued by expiry ms. */
  hawkNonces: Map<string, number>;
  metricsSecret: Buffer;
}

export function createState(ctx: ServerContext, metricsSecret: Buffer): IdentityState {
  return {
    ctx,
    accounts: new Map(),
    sessions: new Map(),
    keyFetchTokens: new Map(),
    accessTokens: new Map(),
    refreshTokens: new Map(),
    codes: new Map(),
    devices: new Map(),
    commands: [],
    nextCommandIndex: 1,
    outbox: [],
    tokenserverUsers: new Map(),
    hawkNonces: new Map(),
    metricsSecret,
  };
}

export function findAccountByEmail(state: IdentityState, email: string): Account | undefined {
  const wanted = email.toLowerCase();
  for (const account of state.accounts.values()) {
    if (account.email.toLowerCase() === wanted) return account;
  }
  return undefined;
}
