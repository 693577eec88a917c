// The background's account controller against the real local stack: both sign-in paths with their
// persisted in-between states, the messages people see, and sign-out.
import { afterEach, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../test-support/syncHarness.ts';
import { browserSignIn, totpCode, base32ToBytes } from './testStack.ts';
import { listDevices } from './devices.ts';
import { AccountController } from './controller.ts';
import { AccountStore } from '../db/accountStore.ts';
import { isAccountError } from './errors.ts';
import { bearerForToken } from '../sync/crypto/index.ts';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const control = async (path: string, body?: unknown, method = 'POST'): Promise<Record<string, unknown>> => {
  const res = await fetch(h.origin + path, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path} → ${res.status} ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
};
const emailCode = async (email: string): Promise<string> =>
  String((await control(`/__test__/accounts/email-code?email=${encodeURIComponent(email)}`, undefined, 'GET'))['code']);

describe('password sign-in', () => {
  test('with an emailed code: a wrong code keeps the sign-in waiting, the right one finishes it', async () => {
    h = await startHarness();
    await control('/__test__/accounts', { email: 'code@example.com', password: 'pw-one-two', verified: true, requireEmailCode: true });
    const view = await h.controller.passwordSignIn('code@example.com', 'pw-one-two');
    expect(view).toMatchObject({ state: 'needs-verification', email: 'code@example.com', method: 'email-otp' });
    expect(await h.accounts.account()).toBeNull();

    const wrong = await h.controller.verifyCode('000000').catch((e: unknown) => e);
    expect(isAccountError(wrong, 'invalid-code')).toBe(true);
    expect((wrong as { userMessage: string }).userMessage).toMatch(/code/i);
    expect((await h.controller.view()).state).toBe('needs-verification');

    const done = await h.controller.verifyCode(await emailCode('code@example.com'));
    expect(done).toMatchObject({ state: 'signed-in', email: 'code@example.com', deviceName: 'Chromium on Linux' });
    const account = (await h.accounts.account())!;
    expect(account.signedInWith).toBe('password');
    expect(account.deviceId).not.toBeNull();
  });

  test('a controller built after a worker restart still finishes a sign-in waiting for its code', async () => {
    h = await startHarness();
    await control('/__test__/accounts', { email: 'restart@example.com', password: 'pw', verified: true, requireEmailCode: true });
    await h.controller.passwordSignIn('restart@example.com', 'pw');
    // A restarted worker: a new store over the same database and the same (memory-only) session area.
    const fresh = new AccountController({
      store: new AccountStore(h.db, h.sessionArea), log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
      openTab: async () => null, closeTab: async () => undefined,
      defaultDeviceName: async () => 'Restarted', onSignedIn: async () => undefined, onSignedOut: async () => undefined,
    });
    expect(await fresh.verifyCode(await emailCode('restart@example.com'))).toMatchObject({ state: 'signed-in' });
  });

  test('with TOTP', async () => {
    h = await startHarness();
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await control('/__test__/accounts', { email: 'totp@example.com', password: 'pw', verified: true, totpSecret: secret });
    const view = await h.controller.passwordSignIn('totp@example.com', 'pw');
    expect(view).toMatchObject({ state: 'needs-verification', method: 'totp-2fa' });
    const code = await totpCode(base32ToBytes(secret), h.server.ctx.now());
    expect(await h.controller.verifyCode(code)).toMatchObject({ state: 'signed-in' });
  });

  test('wrong password and unknown account are explained in plain words, leaving the person signed out', async () => {
    h = await startHarness();
    await h.createAccount('known@example.com', 'right');
    const wrong = await h.controller.passwordSignIn('known@example.com', 'wrong').catch((e: unknown) => e);
    expect(isAccountError(wrong, 'wrong-password')).toBe(true);
    expect((wrong as { userMessage: string }).userMessage).toMatch(/password/i);
    const unknown = await h.controller.passwordSignIn('nobody@example.com', 'x').catch((e: unknown) => e);
    expect(isAccountError(unknown, 'unknown-account')).toBe(true);
    expect((await h.controller.view()).state).toBe('signed-out');
  });

  test('an e-mail typed in another case signs in to the same account', async () => {
    h = await startHarness();
    await h.createAccount('Case@Example.com', 'pw');
    expect(await h.controller.passwordSignIn('case@example.com', 'pw')).toMatchObject({ state: 'signed-in' });
    const typedLower = (await h.accounts.account())!;
    await h.controller.signOut();
    await h.controller.passwordSignIn('Case@Example.com', 'pw');
    const exact = (await h.accounts.account())!;
    expect(typedLower.uid).toBe(exact.uid);
    expect(typedLower.kSync).toBe(exact.kSync);
  });
});

describe('web sign-in (OAuth in a tab)', () => {
  test('opens the server’s page, captures the redirect, and ends signed in with the same keys as the password path', async () => {
    h = await startHarness();
    await h.createAccount('web@example.com', 'web-pass');
    await h.controller.startWebSignIn();
    expect((await h.controller.view()).state).toBe('web-pending');
    const [url] = h.openedTabs;
    expect(url).toMatch(new RegExp(`^${h.origin}/authorization\\?`));
    const step = await browserSignIn(url!, { email: 'web@example.com', password: 'web-pass' });
    expect(step.status).toBe(302);
    // Unrelated navigations are ignored; the redirect is ours.
    expect(await h.controller.handleNavigation('https://example.org/', 7)).toBe(false);
    expect(await h.controller.handleNavigation(step.location!, 1)).toBe(true);
    expect(h.closedTabs).toEqual([1]);
    const web = (await h.accounts.account())!;
    expect(web).toMatchObject({ signedInWith: 'web', email: 'web@example.com' });

    await h.controller.signOut();
    await h.controller.passwordSignIn('web@example.com', 'web-pass');
    const pw = (await h.accounts.account())!;
    expect(pw.kSync).toBe(web.kSync);
    expect(pw.keyId).toBe(web.keyId);
  });

  test('a redirect with a forged state is refused and nothing is stored', async () => {
    h = await startHarness();
    await h.createAccount('forge@example.com', 'pw');
    await h.controller.startWebSignIn();
    const step = await browserSignIn(h.openedTabs[0]!, { email: 'forge@example.com', password: 'pw' });
    const forged = new URL(step.location!);
    forged.searchParams.set('state', 'attacker');
    const err = await h.controller.handleNavigation(forged.href, 1).catch((e: unknown) => e);
    expect(isAccountError(err, 'state-mismatch')).toBe(true);
    expect(await h.accounts.account()).toBeNull();
  });
});

describe('signing out', () => {
  test('revokes the device and token on the server and forgets the keys', async () => {
    h = await startHarness();
    await h.createAccount('out@example.com', 'pw');
    const account = await h.signIn('out@example.com', 'pw');
    await h.sync();
    expect(await h.controller.signOut()).toMatchObject({ state: 'signed-out' });
    expect(await h.accounts.account()).toBeNull();
    expect(await h.syncState.loadSyncToken()).toBeNull();
    const after = await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } }).catch((e: unknown) => e);
    expect(isAccountError(after)).toBe(true); // the refresh token no longer works
  });

  test('the server choice is checked before it is kept', async () => {
    h = await startHarness();
    const err = await h.controller.setServer({ accountsUrl: 'http://127.0.0.1:9', tokenServerUrl: null }).catch((e: unknown) => e);
    expect(isAccountError(err, 'server-unreachable')).toBe(true);
    expect((await h.controller.view()).server.accountsUrl).toBe(h.origin);
  });
});

// Issue 9 #14: the options page's server choice took plain http:// for any host.
describe('the server choice refuses plain http:// unless the server is on this computer', () => {
  test('an http:// token server or accounts server on another computer is refused in words, and the choice is not kept', async () => {
    h = await startHarness();
    const token = await h.controller.setServer({ accountsUrl: h.origin, tokenServerUrl: 'http://token.example.org/1.0/sync/1.5' }).catch((e: unknown) => e);
    expect(isAccountError(token, 'insecure-server')).toBe(true);
    expect((token as { userMessage: string }).userMessage).toMatch(/token server.*http:\/\/token\.example\.org.*not encrypted/s);
    const accounts = await h.controller.setServer({ accountsUrl: 'http://fxa.example.org', tokenServerUrl: null }).catch((e: unknown) => e);
    expect(isAccountError(accounts, 'insecure-server')).toBe(true);
    expect((await h.controller.view()).server).toEqual({ accountsUrl: h.origin, tokenServerUrl: null });
    // The local stack (loopback) stays fine, with its own token server or an explicit one.
    await h.controller.setServer({ accountsUrl: h.origin, tokenServerUrl: `${h.origin}/token/1.0/sync/1.5` });
    expect((await h.controller.view()).server.tokenServerUrl).toBe(`${h.origin}/token/1.0/sync/1.5`);
  });
});

/** Every value in every IndexedDB store, as text (bytes as their numbers), to look for secrets. */
async function everythingOnDisk(): Promise<string> {
  const out: unknown[] = [];
  for (const name of Array.from(h.db.objectStoreNames)) {
    out.push(name, await h.db.getAllKeys(name), await h.db.getAll(name));
  }
  return JSON.stringify(out, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
}

// Issue 9 #15: a password sign-in waiting for its code kept the session token, keyFetchToken and the
// password-derived unwrapBKey in IndexedDB indefinitely.
describe('a password sign-in waiting for its code stays in memory only, and not for long', () => {
  test('nothing of the waiting sign-in is written to IndexedDB; it is in the memory-only session area', async () => {
    h = await startHarness();
    await control('/__test__/accounts', { email: 'disk@example.com', password: 'pw', verified: true, requireEmailCode: true });
    expect(await h.controller.passwordSignIn('disk@example.com', 'pw')).toMatchObject({ state: 'needs-verification' });
    const disk = await everythingOnDisk();
    for (const secret of ['sessionToken', 'keyFetchToken', 'unwrapBKey', '"password"']) expect(disk).not.toContain(secret);
    const memory = JSON.stringify([...h.sessionArea.entries()]);
    expect(memory).toContain('sessionToken');
    expect(memory).toContain('unwrapBKey');
    // And it finishes from there.
    expect(await h.controller.verifyCode(await emailCode('disk@example.com'))).toMatchObject({ state: 'signed-in' });
    expect(h.sessionArea.size).toBe(0);
  });

  test('a sign-in left waiting for 15 minutes is forgotten, on the server too, and the person is told to sign in again', async () => {
    h = await startHarness();
    await control('/__test__/accounts', { email: 'late@example.com', password: 'pw', verified: true, requireEmailCode: true });
    let skew = 0;
    const alarms: Array<number | null> = [];
    const controller = new AccountController({
      store: h.accounts, log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
      openTab: async () => null, closeTab: async () => undefined,
      defaultDeviceName: async () => 'Late', onSignedIn: async () => undefined, onSignedOut: async () => undefined,
      now: () => Date.now() + skew,
      scheduleExpiry: async (at) => void alarms.push(at),
    });
    const started = Date.now();
    await controller.passwordSignIn('late@example.com', 'pw');
    const sessionToken = /"sessionToken":"([0-9a-f]{64})"/.exec(JSON.stringify([...(h.sessionArea?.entries() ?? [])]) + (await everythingOnDisk()))?.[1];
    expect(sessionToken).toMatch(/^[0-9a-f]{64}$/);

    skew = 14 * 60_000;
    expect((await controller.view()).state).toBe('needs-verification');
    skew = 15 * 60_000 + 1;
    // The options page, opened again, says why the person is signed out...
    expect(await controller.view()).toMatchObject({ state: 'signed-out', notice: expect.stringMatching(/15 minutes.*sign in again/is) });
    // ...and a code typed into a page left open is refused in the same words.
    const late = await controller.verifyCode(await emailCode('late@example.com')).catch((e: unknown) => e);
    expect(isAccountError(late)).toBe(true);
    expect((late as { userMessage: string }).userMessage).toMatch(/15 minutes.*sign in again/is);
    expect(await h.accounts.account()).toBeNull();
    expect(JSON.stringify([...(h.sessionArea?.entries() ?? [])]) + (await everythingOnDisk())).not.toContain(sessionToken);
    expect(await controller.view()).toEqual({ state: 'signed-out', server: { accountsUrl: h.origin, tokenServerUrl: null } });
    // The server no longer accepts that session either.
    const status = await fetch(`${h.origin}/v1/session/status`, { headers: { authorization: bearerForToken(sessionToken!, 'sessionToken') } });
    expect(status.status).toBe(401);
    // An alarm was set for the expiry (so it is forgotten even if nobody comes back), then cleared.
    expect(alarms).toHaveLength(2);
    expect(alarms[0]! - started).toBeGreaterThan(14 * 60_000);
    expect(alarms[0]! - started).toBeLessThanOrEqual(15 * 60_000 + 1_000);
    expect(alarms[1]).toBeNull();
  });

  test('the expiry alarm forgets a waiting sign-in even when nobody looks at it', async () => {
    h = await startHarness();
    await control('/__test__/accounts', { email: 'alarm@example.com', password: 'pw', verified: true, requireEmailCode: true });
    let skew = 0;
    const controller = new AccountController({
      store: h.accounts, log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
      openTab: async () => null, closeTab: async () => undefined,
      defaultDeviceName: async () => 'Alarm', onSignedIn: async () => undefined, onSignedOut: async () => undefined,
      now: () => Date.now() + skew,
    });
    await controller.passwordSignIn('alarm@example.com', 'pw');
    await controller.expirePendingSignIn(); // too early: kept
    expect(JSON.stringify([...h.sessionArea.entries()])).toContain('sessionToken');
    skew = 15 * 60_000 + 1;
    await controller.expirePendingSignIn();
    expect(JSON.stringify([...h.sessionArea.entries()])).not.toContain('sessionToken');
  });

  test('a waiting sign-in that an older version kept in IndexedDB is deleted from disk', async () => {
    h = await startHarness();
    await h.db.put('account', { kind: 'password', session: { sessionToken: 'ab'.repeat(32), unwrapBKey: new Uint8Array(32) } }, 'pending');
    expect((await h.controller.view()).state).toBe('signed-out');
    expect(await everythingOnDisk()).not.toContain('sessionToken');
  });
});

// Issue 9 #16: any tab could abort a web sign-in: the redirect was taken from any tab's navigation,
// and the pending sign-in was cleared before `state` was checked.
describe('a web sign-in is finished only by its own tab, with the right state', () => {
  test('the redirect seen in another tab is ignored and leaves the sign-in waiting for its own tab', async () => {
    h = await startHarness();
    await h.createAccount('tabs@example.com', 'pw');
    await h.controller.startWebSignIn();
    const ownTab = h.openedTabs.length; // the harness's tab ids count the tabs it opened
    const step = await browserSignIn(h.openedTabs[0]!, { email: 'tabs@example.com', password: 'pw' });
    expect(await h.controller.handleNavigation(step.location!, ownTab + 41)).toBe(false);
    expect(await h.controller.handleNavigation(step.location!, null)).toBe(false);
    expect(h.closedTabs).toEqual([]);
    expect(await h.accounts.account()).toBeNull();
    expect((await h.controller.view()).state).toBe('web-pending');
    expect(await h.controller.handleNavigation(step.location!, ownTab)).toBe(true);
    expect(h.closedTabs).toEqual([ownTab]);
    expect(await h.accounts.account()).toMatchObject({ signedInWith: 'web', email: 'tabs@example.com' });
  });

  test('a forged or foreign redirect, even in the sign-in tab, leaves the pending sign-in intact', async () => {
    h = await startHarness();
    await h.createAccount('intact@example.com', 'pw');
    await h.controller.startWebSignIn();
    const ownTab = h.openedTabs.length;
    const step = await browserSignIn(h.openedTabs[0]!, { email: 'intact@example.com', password: 'pw' });
    const forged = new URL(step.location!);
    forged.searchParams.set('state', 'attacker');
    const err = await h.controller.handleNavigation(forged.href, ownTab).catch((e: unknown) => e);
    expect(isAccountError(err, 'state-mismatch')).toBe(true);
    const noState = new URL(step.location!);
    noState.searchParams.delete('state');
    noState.searchParams.set('error', 'access_denied');
    expect(isAccountError(await h.controller.handleNavigation(noState.href, ownTab).catch((e: unknown) => e), 'state-mismatch')).toBe(true);
    expect(h.closedTabs).toEqual([]);
    expect((await h.controller.view()).state).toBe('web-pending');
    // The real redirect still finishes it.
    expect(await h.controller.handleNavigation(step.location!, ownTab)).toBe(true);
    expect(await h.accounts.account()).toMatchObject({ signedInWith: 'web', email: 'intact@example.com' });
  });
});

// Issue 9 #17: the options page asked host access only for the two addresses typed in, not for the
// hosts the server's discovery document and token server name. The view now names them all.
describe('the account view names every host sign-in and sync reach, for the host-access request', () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } };

  test('setServer reports the discovered auth, OAuth, profile and token hosts and the typed token server', async () => {
    h = await startHarness();
    const doc = {
      auth_server_base_url: 'https://api.fxa.example.org',
      oauth_server_base_url: 'https://oauth.fxa.example.org',
      profile_server_base_url: 'https://profile.fxa.example.org',
      sync_tokenserver_base_url: 'https://token.fxa.example.org',
    };
    const controller = new AccountController({
      store: h.accounts, log: quiet, openTab: async () => null, closeTab: async () => undefined,
      defaultDeviceName: async () => 'Hosts', onSignedIn: async () => undefined, onSignedOut: async () => undefined,
      fetch: async (url) => {
        if (url === 'https://fxa.example.org/.well-known/fxa-client-configuration') return new Response(JSON.stringify(doc));
        throw new Error(`unexpected fetch ${url}`);
      },
    });
    const view = await controller.setServer({ accountsUrl: 'https://fxa.example.org', tokenServerUrl: 'https://sync.example.net/token/1.0/sync/1.5' });
    expect(view.hosts).toEqual([
      'https://fxa.example.org', 'https://api.fxa.example.org', 'https://oauth.fxa.example.org', 'https://profile.fxa.example.org', 'https://sync.example.net',
    ]);
  });

  test('signed in, the storage node the token server named is reported once it is known', async () => {
    h = await startHarness();
    await h.createAccount('node@example.com', 'pw');
    let storage: string | null = null;
    const controller = new AccountController({
      store: h.accounts, log: quiet, openTab: async () => null, closeTab: async () => undefined,
      defaultDeviceName: async () => 'Node', onSignedIn: async () => undefined, onSignedOut: async () => undefined,
      storageEndpoint: async () => storage,
    });
    await controller.passwordSignIn('node@example.com', 'pw');
    expect((await controller.view()).hosts).toEqual([h.origin]);
    storage = 'https://sync-7.storage.example.net/1.5/42';
    expect((await controller.view()).hosts).toEqual([h.origin, 'https://sync-7.storage.example.net']);
  });
});
