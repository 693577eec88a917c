// Sole owner of the `account` store: the signed-in account (with its keys and refresh token), the
// person's server choice, a sign-in in progress, and the device name. Holds secrets: it is read
// only in the background, and nothing from it is logged or sent to pages as is.
import type { FxaSession } from '../account/authClient.ts';
import { isStoredAccount, type StoredAccount } from '../account/credentials.ts';
import type { PendingWebSignIn } from '../account/oauthClient.ts';
import type { ServerChoice } from '../shared/account.ts';
import type { SyncbridgeDB } from './schema.ts';

export const DEFAULT_SERVER_CHOICE: ServerChoice = { accountsUrl: 'https://accounts.firefox.com', tokenServerUrl: null };

export type PendingSignIn =
  | { kind: 'web'; pending: PendingWebSignIn; tabId: number | null }
  | { kind: 'password'; session: FxaSession };

export class AccountStore {
  constructor(private readonly db: SyncbridgeDB) {}

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
    return ((await this.db.get('account', 'pending')) as PendingSignIn | undefined) ?? null;
  }

  async savePending(p: PendingSignIn | null): Promise<void> {
    if (p) await this.db.put('account', p, 'pending');
    else await this.db.delete('account', 'pending');
  }

  async deviceName(): Promise<string | null> {
    return ((await this.db.get('account', 'deviceName')) as string | undefined) ?? null;
  }

  async saveDeviceName(name: string): Promise<void> {
    await this.db.put('account', name, 'deviceName');
  }

  /** Sign-out: the account and any sign-in in progress go; the server choice and device name stay. */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction('account', 'readwrite');
    await tx.store.delete('account');
    await tx.store.delete('pending');
    await tx.done;
  }
}
