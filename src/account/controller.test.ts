// The background's account controller against the real local stack: both sign-in paths with their
// persisted in-between states, the messages people see, and sign-out.
import { afterEach, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../test-support/syncHarness.ts';
import { browserSignIn, totpCode, base32ToBytes } from './testStack.ts';
import { listDevices } from './devices.ts';
import { AccountController } from './controller.ts';
import { isAccountError } from './errors.ts';

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
    const fresh = new AccountController({
      store: h.accounts, log: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } },
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
