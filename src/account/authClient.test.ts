// Password path against the real local stack (server/main.ts), accounts made through its control API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, deriveSyncKey, hexToBytes } from '../sync/crypto/index.ts';
import { destroySession, fetchKeys, isSessionVerified, passwordSignIn, resendCode, verifySession } from './authClient.ts';
import { AccountError } from './errors.ts';
import type { FetchLike } from './http.ts';
import type { TestStack } from './testStack.ts';
import { base32ToBytes, startTestStack, totpCode, uniqueEmail } from './testStack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const PASSWORD = 'correct horse battery staple';
function randomKb(): string {
  return bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
}

async function expectAccountError(p: Promise<unknown>, kind: AccountError['kind']): Promise<AccountError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccountError);
  expect((err as AccountError).kind).toBe(kind);
  expect((err as AccountError).userMessage.length).toBeGreaterThan(10);
  return err as AccountError;
}

async function createV1Account(email: string, kBHex: string): Promise<void> {
  await stack.createV1Account(email, PASSWORD, kBHex);
}

/** Records the URLs and bodies our client sends, passing everything through to the real server. */
function recordingFetch(): { fetch: FetchLike; calls: Array<{ url: string; body: unknown; authorization: string | null }> } {
  const calls: Array<{ url: string; body: unknown; authorization: string | null }> = [];
  const f: FetchLike = async (input, init) => {
    const headers = new Headers(init?.headers);
    calls.push({
      url: input,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      authorization: headers.get('authorization'),
    });
    return fetch(input, init);
  };
  return { fetch: f, calls };
}

describe('passwordSignIn', () => {
  it('signs in to a v1-only account and unwraps the right kB', async () => {
    const email = uniqueEmail('v1');
    const kB = randomKb();
    await createV1Account(email, kB);
    const rec = recordingFetch();
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD, fetch: rec.fetch });
    expect(result.state).toBe('verified');
    expect(result.session.keyFetchTokenVersion).toBe(1);
    expect(result.session.uid).toMatch(/^[0-9a-f]{32}$/);
    const login = rec.calls.find((c) => c.url.endsWith('/account/login?keys=true'));
    expect(login?.body).toMatchObject({ email, verificationMethod: 'email-otp' });
    const { kB: got } = await fetchKeys(result.session);
    expect(bytesToHex(got)).toBe(kB);
    expect(result.session.keyFetchToken).toBeNull();
  });

  it('uses v2 key stretching when the server says the account has it', async () => {
    const email = uniqueEmail('v2');
    const kB = randomKb();
    await stack.createAccount({ email, password: PASSWORD, kB });
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(result.state).toBe('verified');
    expect(result.session.keyFetchTokenVersion).toBe(2);
    const { kB: got } = await fetchKeys(result.session);
    expect(bytesToHex(got)).toBe(kB);
    expect(deriveSyncKey(got).kSync).toEqual(deriveSyncKey(hexToBytes(kB)).kSync);
  });

  it('retries once with the address the account was created with (errno 120)', async () => {
    const email = uniqueEmail('Mixed.Case');
    const kB = randomKb();
    await createV1Account(email, kB);
    const rec = recordingFetch();
    const typed = email.toLowerCase();
    const result = await passwordSignIn({ config: stack.config, email: typed, password: PASSWORD, fetch: rec.fetch });
    expect(result.state).toBe('verified');
    expect(result.session.email).toBe(email);
    const logins = rec.calls.filter((c) => c.url.includes('/account/login'));
    expect(logins).toHaveLength(2);
    expect(logins[1]?.body).toMatchObject({ email, originalLoginEmail: typed });
    expect(bytesToHex((await fetchKeys(result.session)).kB)).toBe(kB);
  });

  it('reports a wrong password in plain words', async () => {
    const email = uniqueEmail('wrongpw');
    await createV1Account(email, randomKb());
    const err = await expectAccountError(
      passwordSignIn({ config: stack.config, email, password: 'not the password' }),
      'wrong-password',
    );
    expect(err.errno).toBe(103);
    expect(err.userMessage).toMatch(/password/i);
  });

  it('reports a wrong password on a v1 account with a differently cased address without looping', async () => {
    const email = uniqueEmail('Case.Wrong');
    await createV1Account(email, randomKb());
    const rec = recordingFetch();
    await expectAccountError(
      passwordSignIn({ config: stack.config, email: email.toLowerCase(), password: 'nope', fetch: rec.fetch }),
      'wrong-password',
    );
    expect(rec.calls.filter((c) => c.url.includes('/account/login'))).toHaveLength(2);
  });

  it('reports throttling with the wait time after repeated wrong passwords', async () => {
    const email = uniqueEmail('throttle');
    await createV1Account(email, randomKb());
    const kinds: string[] = [];
    let last: AccountError | null = null;
    for (let i = 0; i < 10 && last?.kind !== 'throttled'; i++) {
      last = (await passwordSignIn({ config: stack.config, email, password: `wrong ${i}` }).catch((e: unknown) => e)) as AccountError;
      kinds.push(last.kind);
    }
    // Some wrong-password answers, then the server's rate limit.
    expect(kinds.at(-1)).toBe('throttled');
    expect(kinds.slice(0, -1).every((k) => k === 'wrong-password')).toBe(true);
    expect(kinds.length).toBeGreaterThan(1);
    expect(last?.status).toBe(429);
    expect(last?.retryAfter).toBeGreaterThan(0);
    expect(last?.userMessage).toMatch(/wait/i);
  });

  it('reports an unknown account', async () => {
    const err = await expectAccountError(
      passwordSignIn({ config: stack.config, email: uniqueEmail('nobody'), password: PASSWORD }),
      'unknown-account',
    );
    expect(err.errno).toBe(102);
  });

  it('reports an unreachable server', async () => {
    const config = { ...stack.config, authUrl: 'http://127.0.0.1:1/v1' };
    await expectAccountError(passwordSignIn({ config, email: 'a@example.org', password: PASSWORD }), 'server-unreachable');
  });
});

describe('session verification', () => {
  it('verifies with the emailed code after a wrong one, then fetches keys', async () => {
    const email = uniqueEmail('otp');
    const kB = randomKb();
    await stack.createAccount({ email, password: PASSWORD, requireEmailCode: true, kB });
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(result.state).toBe('needs-verification');
    if (result.state !== 'needs-verification') return;
    expect(result.method).toBe('email-otp');
    const { session } = result;

    // Keys are refused until verified, and the keyFetchToken survives for the retry.
    await expectAccountError(fetchKeys(session), 'unverified');
    expect(session.keyFetchToken).not.toBeNull();

    const code = await stack.emailCode(email);
    const wrong = code === '000000' ? '111111' : '000000';
    const err = await expectAccountError(verifySession(session, wrong), 'invalid-code');
    expect(err.userMessage).toMatch(/code/i);
    expect(session.verified).toBe(false);
    expect(await isSessionVerified(session)).toBe(false);

    await resendCode(session);
    const again = await stack.emailCode(email);
    await verifySession(session, ` ${again.slice(0, 3)} ${again.slice(3)} `);
    expect(session.verified).toBe(true);
    expect(await isSessionVerified(session)).toBe(true);
    expect(bytesToHex((await fetchKeys(session)).kB)).toBe(kB);
  });

  it('verifies a TOTP account with a code computed from its secret', async () => {
    const email = uniqueEmail('totp');
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const kB = randomKb();
    await stack.createAccount({ email, password: PASSWORD, totpSecret: secret, kB });
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(result.state).toBe('needs-verification');
    if (result.state !== 'needs-verification') return;
    expect(result.method).toBe('totp-2fa');

    const now = stack.serverNow();
    const code = await totpCode(base32ToBytes(secret), now);
    // A code from ten minutes ago is outside any drift window.
    const stale = await totpCode(base32ToBytes(secret), now - 10 * 60 * 1000);
    if (stale !== code) await expectAccountError(verifySession(result.session, stale), 'invalid-code');
    await verifySession(result.session, code);
    expect(result.session.verified).toBe(true);
    expect(bytesToHex((await fetchKeys(result.session)).kB)).toBe(kB);
  });

  it('signs in with Hawk-signed requests when asked (self-hosted servers)', async () => {
    const email = uniqueEmail('hawk');
    const kB = randomKb();
    await createV1Account(email, kB);
    await stack.requireVerification(email);
    const rec = recordingFetch();
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD, authMode: 'hawk', fetch: rec.fetch });
    expect(result.state).toBe('needs-verification');
    await verifySession(result.session, await stack.emailCode(email), { fetch: rec.fetch });
    expect(bytesToHex((await fetchKeys(result.session, { fetch: rec.fetch })).kB)).toBe(kB);
    const signed = rec.calls.filter((c) => c.authorization !== null);
    expect(signed.length).toBeGreaterThanOrEqual(2);
    for (const c of signed) expect(c.authorization).toMatch(/^Hawk id="[0-9a-f]{64}", ts="\d+", nonce="/);
  });

  it('recovers from a skewed local clock in Hawk mode (errno 111 → retry with server time)', async () => {
    const email = uniqueEmail('skew');
    await createV1Account(email, randomKb());
    await stack.requireVerification(email);
    const rec = recordingFetch();
    const skewed = () => Date.now() - 15 * 60 * 1000;
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD, authMode: 'hawk', fetch: rec.fetch, now: skewed });
    await verifySession(result.session, await stack.emailCode(email), { fetch: rec.fetch, now: skewed });
    expect(result.session.verified).toBe(true);
    const verifyCalls = rec.calls.filter((c) => c.url.endsWith('/session/verify_code'));
    expect(verifyCalls).toHaveLength(2);
  });

  it('destroys the session', async () => {
    const email = uniqueEmail('destroy');
    await createV1Account(email, randomKb());
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    await destroySession(result.session);
    await expectAccountError(isSessionVerified(result.session), 'session-expired');
    // Destroying again is not an error.
    await destroySession(result.session);
  });
});
