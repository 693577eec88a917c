// Sole owner of the `account` object store: the signed-in account and any sign-in in progress
// (so a restarted service worker can finish it). Everything here is secret: never send it to pages.
import type { SyncbridgeDB } from '../db/schema.ts';
import type { FxaSession } from './authClient.ts';
import type { StoredAccount } from './credentials.ts';
import { isStoredAccount } from './credentials.ts';
import type { AccessToken, PendingWebSignIn } from './oauthClient.ts';

const ACCOUNT = 'account';
const PENDING_WEB = 'pendingWebSignIn';
const PENDING_PASSWORD = 'pendingPasswordSignIn';

/** A web sign-in older than this is dropped on read (FxA's codes live 10 minutes anyway). */
export const PENDING_MAX_AGE_MS = 60 * 60 * 1000;

export interface PendingPasswordSignIn {
  session: FxaSession;
  /** ms since epoch. */
  startedAt: number;
}

export class AccountStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly now: () => number = Date.now,
  ) {}

  /** The signed-in account, or null (also for a record this version cannot read). */
  async get(): Promise<StoredAccount | null> {
    const value: unknown = await this.db.get('account', ACCOUNT);
    return isStoredAccount(value) ? value : null;
  }

  /** Saves a finished sign-in and forgets any pending one, in one transaction. */
  async save(account: StoredAccount): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    await tx.store.put(account, ACCOUNT);
    await tx.store.delete(PENDING_WEB);
    await tx.store.delete(PENDING_PASSWORD);
    await tx.done;
  }

  /** Read-modify-write of the stored account (no-op when signed out); returns the new value. */
  async update(change: (account: StoredAccount) => StoredAccount): Promise<StoredAccount | null> {
    const tx = this.db.transaction('account', 'readwrite');
    const current: unknown = await tx.store.get(ACCOUNT);
    if (!isStoredAccount(current)) {
      await tx.done;
      return null;
    }
    const next = change(current);
    await tx.store.put(next, ACCOUNT);
    await tx.done;
    return next;
  }

  /** For AccessTokenProvider's onToken. */
  setAccessToken(token: AccessToken): Promise<StoredAccount | null> {
    return this.update((a) => ({ ...a, accessToken: token }));
  }

  setDeviceId(deviceId: string | null): Promise<StoredAccount | null> {
    return this.update((a) => ({ ...a, deviceId }));
  }

  /** Sign-out (after signOut() told the server): forgets the account, keys and anything pending. */
  async clear(): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    await Promise.all([tx.store.delete(ACCOUNT), tx.store.delete(PENDING_WEB), tx.store.delete(PENDING_PASSWORD)]);
    await tx.done;
  }

  async savePendingWebSignIn(pending: PendingWebSignIn): Promise<void> {
    await this.db.put('account', pending, PENDING_WEB);
  }

  async getPendingWebSignIn(): Promise<PendingWebSignIn | null> {
    const value = (await this.db.get('account', PENDING_WEB)) as PendingWebSignIn | undefined;
    if (!value || typeof value.state !== 'string' || typeof value.startedAt !== 'number') return null;
    if (this.now() - value.startedAt > PENDING_MAX_AGE_MS) {
      await this.db.delete('account', PENDING_WEB);
      return null;
    }
    return value;
  }

  async savePendingPasswordSignIn(session: FxaSession): Promise<void> {
    const record: PendingPasswordSignIn = { session, startedAt: this.now() };
    await this.db.put('account', record, PENDING_PASSWORD);
  }

  async getPendingPasswordSignIn(): Promise<FxaSession | null> {
    const value = (await this.db.get('account', PENDING_PASSWORD)) as PendingPasswordSignIn | undefined;
    if (!value || typeof value.startedAt !== 'number' || typeof value.session?.sessionToken !== 'string') return null;
    if (this.now() - value.startedAt > PENDING_MAX_AGE_MS) {
      await this.db.delete('account', PENDING_PASSWORD);
      return null;
    }
    return value.session;
  }

  /** Cancel: forget any sign-in in progress (the caller destroys its server session first). */
  async clearPending(): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    await Promise.all([tx.store.delete(PENDING_WEB), tx.store.delete(PENDING_PASSWORD)]);
    await tx.done;
  }
}
