// Sole owner of the `account` store: the signed-in account (with its keys and refresh token), the
// person's server choice, a web sign-in in progress, the device name, this device's command keys
// (send tab: private keys and auth secrets) and the index of the last device command it handled.
// Holds secrets: it is read
// only in the background, and nothing from it is logged or sent to pages as is.
// A password sign-in waiting for its code is not written here: its session token, keyFetchToken and
// password-derived unwrapBKey live in the memory-only session area (storage.session), see
// src/account/pendingSignIn.ts.
import type { FxaSession } from '../account/authClient.ts';
import { isStoredAccount, type StoredAccount } from '../account/credentials.ts';
import { isStoredCommandKeys, type CommandKeyStore, type StoredCommandKeys } from '../account/commandKeys.ts';
import type { CommandIndexStore } from '../account/deviceCommands.ts';
import type { PendingWebSignIn } from '../account/oauthClient.ts';
import { decodePendingPassword, encodePendingPassword, type SessionArea } from '../account/pendingSignIn.ts';
import type { ServerChoice } from '../shared/account.ts';
import type { SyncbridgeDB } from './schema.ts';

export const DEFAULT_SERVER_CHOICE: ServerChoice = { accountsUrl: 'https://accounts.firefox.com', tokenServerUrl: null };

export type PendingSignIn =
  | { kind: 'web'; pending: PendingWebSignIn; tabId: number | null }
  | { kind: 'password'; session: FxaSession; /** ms since epoch */ expiresAt: number }
  /** A password sign-in that waited too long and was forgotten: nothing secret, only who it was for. */
  | { kind: 'password-expired'; email: string };

/** The session-area key of a password sign-in waiting for its code. */
const PENDING_PASSWORD_KEY = 'pendingPasswordSignIn';

export class AccountStore implements CommandKeyStore, CommandIndexStore {
  constructor(
    private readonly db: SyncbridgeDB,
    /** Memory-only storage for the password sign-in in progress (storage.session in the browser). */
    private readonly session: SessionArea,
  ) {}

  async account(): Promise<StoredAccount | null> {
    const a = await this.db.get('account', 'account');
    return isStoredAccount(a) ? a : null;
  }

  async saveAccount(account: StoredAccount): Promise<void> {
    await this.db.put('account', account, 'account');
  }

  async server(): Promise<ServerChoice> {
    return { ...DEFAULT_SERVER_CHOICE, ...((await this.db.get('account', 'server')) as Partial<ServerChoice> | undefined) };
  }

  async saveServer(choice: ServerChoice): Promise<void> {
    await this.db.put('account', choice, 'server');
  }

  async pending(): Promise<PendingSignIn | null> {
    const onDisk = (await this.db.get('account', 'pending')) as { kind?: unknown } | undefined;
    if (onDisk?.kind === 'web') return onDisk as PendingSignIn;
    // Versions before issue 9 #15 kept a waiting password sign-in (with its secrets) on disk: forget it.
    if (onDisk !== undefined) await this.db.delete('account', 'pending');
    const inMemory = decodePendingPassword(await this.session.get(PENDING_PASSWORD_KEY));
    if (inMemory === null) return null;
    if ('expired' in inMemory) return { kind: 'password-expired', email: inMemory.email };
    return { kind: 'password', session: inMemory.session, expiresAt: inMemory.expiresAt };
  }

  /** Web sign-ins go to IndexedDB (their CryptoKey is not JSON); password ones only to the session area. */
  async savePending(p: PendingSignIn | null): Promise<void> {
    if (p?.kind === 'web') {
      await this.session.remove(PENDING_PASSWORD_KEY);
      await this.db.put('account', p, 'pending');
      return;
    }
    await this.db.delete('account', 'pending');
    if (p === null) await this.session.remove(PENDING_PASSWORD_KEY);
    else if (p.kind === 'password') await this.session.set(PENDING_PASSWORD_KEY, encodePendingPassword(p));
    else await this.session.set(PENDING_PASSWORD_KEY, { expired: true, email: p.email });
  }

  async deviceName(): Promise<string | null> {
    return ((await this.db.get('account', 'deviceName')) as string | undefined) ?? null;
  }

  async saveDeviceName(name: string): Promise<void> {
    await this.db.put('account', name, 'deviceName');
  }

  /** This device's send-tab and close-tab keys (with their private halves). */
  async commandKeys(): Promise<StoredCommandKeys | null> {
    const v = await this.db.get('account', 'commandKeys');
    return isStoredCommandKeys(v) ? v : null;
  }

  /**
   * Keeps the keys only while their account is the one signed in, checked in the same
   * transaction: a sync still running when the person signed out must not leave new keys behind.
   */
  async saveCommandKeys(keys: StoredCommandKeys): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    const account = await tx.store.get('account');
    if (isStoredAccount(account) && account.uid === keys.uid) await tx.store.put(keys, 'commandKeys');
    await tx.done;
  }

  /** The index of the last device command handled for this device id (null: none yet). */
  async commandIndex(deviceId: string): Promise<number | null> {
    const v = (await this.db.get('account', 'commandIndex')) as { deviceId?: unknown; index?: unknown } | undefined;
    return v?.deviceId === deviceId && typeof v.index === 'number' ? v.index : null;
  }

  async saveCommandIndex(deviceId: string, index: number): Promise<void> {
    await this.db.put('account', { deviceId, index }, 'commandIndex');
  }

  /**
   * Sign-out: the account, any sign-in in progress, the command keys and the handled-command index
   * go; the server choice and device name stay.
   */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    await tx.store.delete('account');
    await tx.store.delete('pending');
    await tx.store.delete('commandKeys');
    await tx.store.delete('commandIndex');
    await tx.done;
    await this.session.remove(PENDING_PASSWORD_KEY);
  }
}
