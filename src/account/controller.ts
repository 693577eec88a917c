// The account side of the background: server choice, both sign-in flows with their in-between
// states (the worker may be stopped while a person reads their e-mail), sign-out.
// A password sign-in waiting for its code is kept in memory-only storage for at most 15 minutes
// (see pendingSignIn.ts); a web sign-in is finished only by a redirect in the tab it opened.
// Browser-free: tabs and alarms are reached through injected functions, so Node tests drive it.
import { LOST_DATA_NOTICE, type SignedInMarker } from './signedInMarker.ts';
import type { AccountStore } from '../db/accountStore.ts';
import { t, tCount } from '../i18n/i18n.ts';
import type { Logger } from '../log/logger.ts';
import type { AccountView, ServerChoice } from '../shared/account.ts';
import { resendCode, verifySession, destroySession } from './authClient.ts';
import { discoverServer, normalizeAccountsUrl, normalizeTokenServerUrl, serverOrigins, type ServerConfig } from './config.ts';
import { AccessTokenProvider, type StoredAccount } from './credentials.ts';
import { AccountError } from './errors.ts';
import type { FetchLike } from './http.ts';
import { isRedirectFor, redirectMatchesState } from './oauthClient.ts';
import { PENDING_PASSWORD_TTL_MINUTES, PENDING_PASSWORD_TTL_MS } from './pendingSignIn.ts';
import { finishPasswordSignIn, finishWebSignIn, signOut, startPasswordSignIn, startWebSignIn } from './signIn.ts';
import type { PendingSignIn } from '../db/accountStore.ts';

export interface AccountControllerDeps {
  store: AccountStore;
  log: Logger;
  /** Opens the sign-in page; returns the tab id when there is one. */
  openTab(url: string): Promise<number | null>;
  closeTab(tabId: number): Promise<void>;
  /** What this browser is called until the person names it, e.g. "Chromium on Linux". */
  defaultDeviceName(): Promise<string>;
  /**
   * Called after sign-in (start a sync) and after sign-out (clear sync state). `returning`: this
   * browser was signed in to this account when its database was lost (signedInMarker.ts).
   */
  onSignedIn(account: StoredAccount, info?: { returning: boolean }): Promise<void>;
  onSignedOut(): Promise<void>;
  /**
   * Wakes the background at `at` (ms since epoch) to forget a password sign-in still waiting for its
   * code (an alarm that calls expirePendingSignIn); null cancels it. Absent in tests.
   */
  scheduleExpiry?(at: number | null): Promise<void>;
  /** The storage node the token server last named (from the saved Sync token), for host access. */
  storageEndpoint?(): Promise<string | null>;
  /** The note outside IndexedDB that this browser is signed in (absent: no such note is kept). */
  marker?: SignedInMarker;
  fetch?: FetchLike;
  now?: () => number;
}

function expiredError(): AccountError {
  return new AccountError('session-expired', { serverMessage: 'password sign-in waited too long for its code' },
    t('errorPendingSignInExpired', tCount('waitMinutes', PENDING_PASSWORD_TTL_MINUTES)));
}

export class AccountController {
  private tokenProvider: { account: StoredAccount; provider: AccessTokenProvider } | null = null;

  constructor(private readonly d: AccountControllerDeps) {}

  private get transport(): { fetch?: FetchLike; now?: () => number } {
    return { ...(this.d.fetch ? { fetch: this.d.fetch } : {}), ...(this.d.now ? { now: this.d.now } : {}) };
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /** The sign-in in progress; a password one past its expiry is forgotten here (on the server too). */
  private async pending(): Promise<PendingSignIn | null> {
    const pending = await this.d.store.pending();
    if (pending?.kind !== 'password' || this.now() < pending.expiresAt) return pending;
    await this.d.store.savePending({ kind: 'password-expired', email: pending.session.email });
    await this.d.scheduleExpiry?.(null).catch(() => undefined);
    await destroySession(pending.session, this.transport).catch(() => undefined);
    this.d.log.info('A sign-in waiting for its code expired and was forgotten');
    return { kind: 'password-expired', email: pending.session.email };
  }

  /** The expiry alarm: forgets a password sign-in that has waited too long, even if nobody looks. */
  async expirePendingSignIn(): Promise<void> {
    await this.pending();
  }

  async view(): Promise<AccountView> {
    const [account, server, pending] = await Promise.all([this.d.store.account(), this.d.store.server(), this.pending()]);
    if (account) {
      const storage = (await this.d.storageEndpoint?.().catch(() => null)) ?? null;
      return { state: 'signed-in', server, email: account.email, deviceName: await this.deviceName(), hosts: serverOrigins(account.server, storage) };
    }
    if (pending?.kind === 'web') return { state: 'web-pending', server, hosts: serverOrigins(pending.pending.config) };
    if (pending?.kind === 'password') {
      const method = pending.session.verificationMethod ?? 'email-otp';
      return { state: 'needs-verification', server, email: pending.session.email, method, hosts: serverOrigins(pending.session.config) };
    }
    if (pending?.kind === 'password-expired') return { state: 'signed-out', server, notice: expiredError().userMessage };
    if (await this.dataLost()) return { state: 'signed-out', server, notice: LOST_DATA_NOTICE };
    return { state: 'signed-out', server };
  }

  async deviceName(): Promise<string> {
    return (await this.d.store.deviceName()) ?? (await this.d.defaultDeviceName());
  }

  async setDeviceName(name: string): Promise<AccountView> {
    const clean = name.trim();
    if (clean === '') throw new Error(t('errorDeviceNameEmpty'));
    if (clean.length > 255) throw new Error(t('errorDeviceNameTooLong'));
    await this.d.store.saveDeviceName(clean);
    return this.view();
  }

  /** Checks the server answers as a Mozilla accounts server before keeping the choice. */
  async setServer(choice: ServerChoice): Promise<AccountView> {
    if (await this.d.store.account()) throw new Error(t('errorSignOutFirstServer'));
    const accountsUrl = normalizeAccountsUrl(choice.accountsUrl);
    const tokenServerUrl = choice.tokenServerUrl ? normalizeTokenServerUrl(choice.tokenServerUrl) : null;
    const discovered = await discoverServer(accountsUrl, this.transport);
    const config = tokenServerUrl ? { ...discovered, tokenServerUrl } : discovered;
    const before = await this.d.store.server();
    await this.d.store.saveServer({ accountsUrl, tokenServerUrl });
    await this.d.store.savePending(null);
    if (before.accountsUrl !== accountsUrl || before.tokenServerUrl !== tokenServerUrl) {
      this.d.log.info('Sync server chosen', { accountsUrl, customTokenServer: tokenServerUrl !== null });
    }
    // Every host this server uses, so the options page can ask for access before signing in.
    return { ...(await this.view()), hosts: serverOrigins(config) };
  }

  private async serverConfig(): Promise<ServerConfig> {
    const choice = await this.d.store.server();
    const config = await discoverServer(choice.accountsUrl, this.transport);
    return choice.tokenServerUrl ? { ...config, tokenServerUrl: choice.tokenServerUrl } : config;
  }

  // ---- web sign-in (OAuth in a tab) ----

  async startWebSignIn(): Promise<void> {
    await this.refuseIfSignedIn();
    const config = await this.serverConfig();
    const pending = await startWebSignIn({ config, ...(this.d.now ? { now: this.d.now } : {}) });
    await this.d.store.savePending({ kind: 'web', pending, tabId: null });
    const tabId = await this.d.openTab(pending.url);
    await this.d.store.savePending({ kind: 'web', pending, tabId });
    this.d.log.info('Web sign-in started');
  }

  /**
   * Every tab navigation goes through here while a web sign-in is pending; the redirect carries
   * the code. Only the tab the sign-in opened counts, and only a redirect carrying our `state`:
   * anything else leaves the pending sign-in as it is (another tab or page cannot end it).
   * Returns true when it was our redirect (handled, successfully or not).
   */
  async handleNavigation(url: string, tabId: number | null): Promise<boolean> {
    const pending = await this.d.store.pending();
    if (pending?.kind !== 'web' || pending.tabId === null || tabId !== pending.tabId || !isRedirectFor(url, pending.pending)) return false;
    if (!redirectMatchesState(url, pending.pending)) {
      this.d.log.warn('Ignored a sign-in redirect that answers another request (wrong state)');
      throw new AccountError('state-mismatch', { serverMessage: 'redirect state does not match the pending sign-in; sign-in kept' });
    }
    // Claim it before the slow part: the browser reports the same navigation more than once.
    await this.d.store.savePending(null);
    await this.d.closeTab(tabId).catch(() => undefined);
    try {
      const account = await finishWebSignIn({
        ...this.transport, redirectUrl: url, pending: pending.pending, device: { name: await this.deviceName() },
      });
      await this.completeSignIn(account);
    } catch (e) {
      this.d.log.warn('Web sign-in failed', { error: e instanceof Error ? e.message : String(e) });
      throw e;
    }
    return true;
  }

  // ---- password sign-in ----

  async passwordSignIn(email: string, password: string): Promise<AccountView> {
    await this.refuseIfSignedIn();
    if (!email.includes('@')) throw new AccountError('unknown-account', {}, t('errorEnterEmail'));
    if (password === '') throw new AccountError('wrong-password', {}, t('errorEnterPassword'));
    const config = await this.serverConfig();
    const started = await startPasswordSignIn({ ...this.transport, config, email, password, verificationMethod: 'email-otp' });
    if (started.state === 'needs-verification') {
      const expiresAt = this.now() + PENDING_PASSWORD_TTL_MS;
      await this.d.store.savePending({ kind: 'password', session: started.session, expiresAt });
      await this.d.scheduleExpiry?.(expiresAt);
      this.d.log.info('Sign-in needs a verification code', { method: started.method });
      return this.view();
    }
    await this.finishPassword(started.session);
    return this.view();
  }

  /** The password sign-in waiting for a code, or the words saying why there is none. */
  private async waitingForCode(): Promise<Extract<PendingSignIn, { kind: 'password' }>> {
    const pending = await this.pending();
    if (pending?.kind === 'password') return pending;
    if (pending?.kind === 'password-expired') {
      await this.d.store.savePending(null);
      throw expiredError();
    }
    throw new Error(t('errorNoPendingCode'));
  }

  async verifyCode(code: string): Promise<AccountView> {
    const pending = await this.waitingForCode();
    const session = await verifySession(pending.session, code, this.transport);
    await this.finishPassword(session);
    return this.view();
  }

  async resendCode(): Promise<void> {
    const pending = await this.waitingForCode();
    await resendCode(pending.session, this.transport);
  }

  async cancelSignIn(): Promise<AccountView> {
    const pending = await this.d.store.pending();
    await this.d.store.savePending(null);
    if (pending?.kind === 'password') await this.d.scheduleExpiry?.(null).catch(() => undefined);
    if (pending?.kind === 'password') await destroySession(pending.session, this.transport).catch(() => undefined);
    if (pending?.kind === 'web' && pending.tabId !== null) await this.d.closeTab(pending.tabId).catch(() => undefined);
    return this.view();
  }

  private async finishPassword(session: Parameters<typeof finishPasswordSignIn>[0]['session']): Promise<void> {
    await this.d.store.savePending(null);
    await this.d.scheduleExpiry?.(null).catch(() => undefined);
    const account = await finishPasswordSignIn({ ...this.transport, session, device: { name: await this.deviceName() } });
    await this.completeSignIn(account);
  }

  private async completeSignIn(account: StoredAccount): Promise<void> {
    const note = (await this.d.store.account()) === null ? await this.d.marker?.read() : null;
    const returning = note?.uid === account.uid;
    await this.d.store.saveAccount(account);
    await this.d.marker?.write({ uid: account.uid, email: account.email });
    this.tokenProvider = null;
    this.d.log.info('Signed in', { with: account.signedInWith, ...(returning ? { afterLostData: true } : {}) });
    await this.d.onSignedIn(account, { returning });
  }

  /** Signed out, yet the note says this browser was signed in: its database was discarded. */
  async dataLost(): Promise<boolean> {
    if (!this.d.marker || (await this.d.store.account())) return false;
    return (await this.d.marker.read()) !== null;
  }

  private async refuseIfSignedIn(): Promise<void> {
    if (await this.d.store.account()) throw new Error(t('errorAlreadySignedIn'));
  }

  // ---- signed in ----

  /** Access tokens for the current account; new ones are saved so a restarted worker reuses them. */
  accessTokens(account: StoredAccount): AccessTokenProvider {
    if (this.tokenProvider?.account.refreshToken === account.refreshToken) return this.tokenProvider.provider;
    const provider = new AccessTokenProvider({
      ...this.transport,
      account,
      onToken: async (token) => {
        const current = await this.d.store.account();
        if (current && current.refreshToken === account.refreshToken) await this.d.store.saveAccount({ ...current, accessToken: token });
      },
    });
    this.tokenProvider = { account, provider };
    return provider;
  }

  /** Revokes our tokens and device on the server (best effort), then forgets the keys. Browser data stays. */
  async signOut(): Promise<AccountView> {
    const account = await this.d.store.account();
    if (account) {
      const result = await signOut({ ...this.transport, account });
      if (!result.revoked) this.d.log.warn('Could not revoke the sign-in on the server; it expires by itself', { error: result.error?.message ?? null });
    }
    await this.d.store.forgetAccount();
    await this.d.marker?.clear();
    this.tokenProvider = null;
    await this.d.onSignedOut();
    this.d.log.info('Signed out');
    return this.view();
  }
}
