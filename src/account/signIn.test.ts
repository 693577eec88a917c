// Both sign-in flows end to end against the real local stack, ending in the persisted account shape;
// then the access-token provider and sign-out on that account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64, bytesToHex, deriveSyncKey, hexToBytes } from '../sync/crypto/index.ts';
import { isSessionVerified, verifySession } from './authClient.ts';
import type { CodePrompt } from './signIn.ts';
import { finishPasswordSignIn, finishWebSignIn, signInWithPassword, signOut, startPasswordSignIn, startWebSignIn } from './signIn.ts';
import { AccessTokenProvider, accountKeys, isStoredAccount } from './credentials.ts';
import type { StoredAccount } from './credentials.ts';
import { listDevices } from './devices.ts';
import type { FetchLike } from './http.ts';
import { refreshAccessToken } from './oauthClient.ts';
import type { TestStack } from './testStack.ts';
import { browserSignIn, rejection, startTestStack, uniqueEmail } from './testStack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const PASSWORD = 'a long enough password';


async function tokenServerStatus(accessToken: string, keyId: string): Promise<number> {
  const res = await fetch(stack.config.tokenServerUrl, { headers: { authorization: `Bearer ${accessToken}`, 'x-keyid': keyId } });
  await res.body?.cancel();
  return res.status;
}

/** Counts token-endpoint calls while passing every request to the real server. */
function countingFetch(): { fetch: FetchLike; tokenCalls: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      if (input.endsWith('/oauth/token')) n++;
      return fetch(input, init);
    },
    tokenCalls: () => n,
  };
}

describe('password flow', () => {
  it('signs in with an emailed code (after a wrong one) and yields a usable account', async () => {
    const email = uniqueEmail('pw');
    const kB = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const { uid } = await stack.createAccount({ email, password: PASSWORD, requireEmailCode: true, kB });
    const prompts: CodePrompt[] = [];
    const account = await signInWithPassword({
      config: stack.config,
      email,
      password: PASSWORD,
      device: { name: 'Syncbridge test' },
      getVerificationCode: async (prompt) => {
        prompts.push(prompt);
        const code = await stack.emailCode(email);
        return prompt.attempt === 1 ? (code === '123456' ? '654321' : '123456') : code;
      },
    });
    expect(prompts.map((p) => [p.attempt, p.method, p.lastError?.kind ?? null])).toEqual([
      [1, 'email-otp', null],
      [2, 'email-otp', 'invalid-code'],
    ]);
    expect(isStoredAccount(account)).toBe(true);
    expect(structuredClone(account)).toEqual(account);
    expect(account).toMatchObject({ email, uid, signedInWith: 'password', server: stack.config });
    const expected = deriveSyncKey(hexToBytes(kB));
    expect(account.kSync).toBe(bytesToBase64(expected.kSync));
    expect(account.kXCS).toBe(bytesToBase64(expected.kXCS));
    expect(bytesToHex(accountKeys(account).kSync)).toBe(bytesToHex(expected.kSync));
    expect(account.deviceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await tokenServerStatus(account.accessToken!.token, account.keyId)).toBe(200);

    const devices = await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } });
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({ id: account.deviceId, isCurrentDevice: true, name: 'Syncbridge test', type: 'desktop' });
  });

  it('runs the whole flow Hawk-signed for self-hosted servers', async () => {
    const email = uniqueEmail('hawk-flow');
    const { kB } = await stack.createV1Account(email, PASSWORD);
    const authHeaders: Array<[string, string]> = [];
    const recording: FetchLike = (input, init) => {
      const authz = new Headers(init?.headers).get('authorization');
      if (authz) authHeaders.push([new URL(input).pathname, authz]);
      return fetch(input, init);
    };
    const account = await signInWithPassword({
      config: stack.config,
      email,
      password: PASSWORD,
      authMode: 'hawk',
      fetch: recording,
      device: { name: 'Hawk device' },
      getVerificationCode: () => Promise.reject(new Error('no code expected')),
    });
    expect(account.kSync).toBe(bytesToBase64(deriveSyncKey(hexToBytes(kB)).kSync));
    const paths = authHeaders.map(([p]) => p);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/account/keys', '/v1/oauth/token', '/v1/account/scoped-key-data', '/v1/session/destroy']),
    );
    for (const [path, authz] of authHeaders) {
      // Session and key-fetch tokens are Hawk-signed; the refresh token stays a plain bearer.
      if (path === '/v1/account/device') expect(authz).toMatch(/^Bearer [0-9a-f]{64}$/);
      else expect(authz).toMatch(/^Hawk /);
    }
    expect(await tokenServerStatus(account.accessToken!.token, account.keyId)).toBe(200);
  });

  it('gives up when the person cancels the code prompt', async () => {
    const email = uniqueEmail('cancel');
    await stack.createV1Account(email, PASSWORD);
    await stack.requireVerification(email);
    const err = await rejection(
      signInWithPassword({ config: stack.config, email, password: PASSWORD, getVerificationCode: async () => null }),
    );
    expect(err.kind).toBe('unverified');
  });

  it('refuses to finish an unverified session, and ends the session unless asked to keep it', async () => {
    const email = uniqueEmail('steps');
    await stack.createV1Account(email, PASSWORD);
    await stack.requireVerification(email);
    const started = await startPasswordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(started.state).toBe('needs-verification');
    expect((await rejection(finishPasswordSignIn({ session: started.session }))).kind).toBe('unverified');
    await verifySession(started.session, await stack.emailCode(email));
    await finishPasswordSignIn({ session: started.session });
    expect((await rejection(isSessionVerified(started.session))).kind).toBe('session-expired');

    await stack.requireVerification(email);
    const kept = await startPasswordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(kept.state).toBe('needs-verification');
    await verifySession(kept.session, await stack.emailCode(email));
    await finishPasswordSignIn({ session: kept.session, keepSession: true });
    expect(await isSessionVerified(kept.session)).toBe(true);
  });
});

describe('web flow', () => {
  it('matches the password flow’s keys and key id', async () => {
    const email = uniqueEmail('web');
    const kB = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    await stack.createAccount({ email, password: PASSWORD, kB });
    const viaPassword = await signInWithPassword({
      config: stack.config,
      email,
      password: PASSWORD,
      getVerificationCode: () => Promise.reject(new Error('no code expected')),
    });

    const pending = await startWebSignIn({ config: stack.config });
    const step = await browserSignIn(pending.url, { email, password: PASSWORD });
    const viaWeb = await finishWebSignIn({ redirectUrl: step.location!, pending, device: { name: 'Web device' } });
    expect(isStoredAccount(viaWeb)).toBe(true);
    expect(viaWeb).toMatchObject({
      email,
      uid: viaPassword.uid,
      kSync: viaPassword.kSync,
      kXCS: viaPassword.kXCS,
      keyId: viaPassword.keyId,
      signedInWith: 'web',
    });
    expect(viaWeb.deviceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await tokenServerStatus(viaWeb.accessToken!.token, viaWeb.keyId)).toBe(200);
  });
});

describe('AccessTokenProvider and sign-out', () => {
  async function freshAccount(): Promise<StoredAccount> {
    const email = uniqueEmail('provider');
    await stack.createV1Account(email, PASSWORD);
    return signInWithPassword({
      config: stack.config,
      email,
      password: PASSWORD,
      device: { name: 'Provider test' },
      getVerificationCode: () => Promise.reject(new Error('no code expected')),
    });
  }

  it('uses the cached token while fresh and refreshes once for concurrent callers when expired', async () => {
    const account = await freshAccount();
    const counting = countingFetch();
    let clock = Date.now();
    const saved: string[] = [];
    const provider = new AccessTokenProvider({
      account,
      fetch: counting.fetch,
      now: () => clock,
      onToken: (t) => {
        saved.push(t.token);
      },
    });
    expect((await provider.getAccessToken()).token).toBe(account.accessToken!.token);
    expect(counting.tokenCalls()).toBe(0);

    clock = account.accessToken!.expiresAt; // past expiry on our clock
    const [a, b] = await Promise.all([provider.getAccessToken(), provider.getAccessToken()]);
    expect(a.token).toBe(b.token);
    expect(a.token).not.toBe(account.accessToken!.token);
    expect(counting.tokenCalls()).toBe(1);
    expect(saved).toEqual([a.token]);
    expect(await tokenServerStatus(a.token, account.keyId)).toBe(200);
  });

  it('refreshes once when the server rejected the token, for any number of callers', async () => {
    const account = await freshAccount();
    const counting = countingFetch();
    const provider = new AccessTokenProvider({ account, fetch: counting.fetch });
    const first = await provider.getAccessToken();
    await stack.expireAccessTokens(account.email);
    expect(await tokenServerStatus(first.token, account.keyId)).toBe(401);

    const [x, y] = await Promise.all([provider.tokenRejected(first.token), provider.tokenRejected(first.token)]);
    expect(x.token).toBe(y.token);
    expect(counting.tokenCalls()).toBe(1);
    // A late caller reporting the same old token gets the new one without another refresh.
    expect((await provider.tokenRejected(first.token)).token).toBe(x.token);
    expect(counting.tokenCalls()).toBe(1);
    expect(await tokenServerStatus(x.token, account.keyId)).toBe(200);
  });

  it('signs out: device gone, refresh token revoked, provider reports invalid-grant', async () => {
    const account = await freshAccount();
    const other = await freshAccountSameUser(account);
    expect((await listDevices({ config: account.server, auth: { refreshToken: other.refreshToken } })).map((d) => d.id)).toContain(
      account.deviceId,
    );
    const out = await signOut({ account });
    expect(out).toEqual({ revoked: true, error: null });
    const remaining = await listDevices({ config: account.server, auth: { refreshToken: other.refreshToken } });
    expect(remaining.map((d) => d.id)).not.toContain(account.deviceId);
    expect((await rejection(refreshAccessToken({ config: account.server, refreshToken: account.refreshToken }))).kind).toBe(
      'invalid-grant',
    );
    const provider = new AccessTokenProvider({ account: { ...account, accessToken: null } });
    expect((await rejection(provider.getAccessToken())).kind).toBe('invalid-grant');
    // Signing out twice does not throw.
    expect((await signOut({ account })).revoked).toBe(true);
  });

  async function freshAccountSameUser(account: StoredAccount): Promise<StoredAccount> {
    return signInWithPassword({
      config: stack.config,
      email: account.email,
      password: PASSWORD,
      getVerificationCode: () => Promise.reject(new Error('no code expected')),
    });
  }
});
