// Unverified sessions: emailed code (read back through the control API) and TOTP two-step login.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/sync/crypto/index.ts';
import type { Stack } from '../test-support/stack.ts';
import { call, fetchKB, keyFetch, loginV1, session, startStack } from '../test-support/stack.ts';
import { base32Decode, totp } from '../util/totp.ts';

let stack: Stack;
let origin: string;

beforeAll(async () => {
  stack = await startStack();
  origin = stack.origin;
});

afterAll(async () => {
  await stack.close();
});

async function lastCode(email: string): Promise<string> {
  const reply = await call<{ code: string }>(origin, 'GET', `/__test__/accounts/email-code?email=${encodeURIComponent(email)}`);
  expect(reply.status).toBe(200);
  return reply.body.code;
}

describe('email-code verification', () => {
  const email = 'needs-code@example.org';
  const password = 'correct horse battery staple';
  const kB = new Uint8Array(32).fill(7);

  it('creates accounts through the control API', async () => {
    const created = await call(origin, 'POST', '/__test__/accounts', { json: { email, password, requireEmailCode: true, kB: bytesToHex(kB) } });
    expect(created.status).toBe(200);
    expect(created.body.uid).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps the session unverified until the emailed code is confirmed', async () => {
    const { reply, creds } = await loginV1(origin, email, password, { verificationMethod: 'email-otp' });
    expect(reply.body).toMatchObject({ verified: false, verificationMethod: 'email-otp', verificationReason: 'login' });
    const token = reply.body.sessionToken;
    const kft = reply.body.keyFetchToken!;

    expect((await call(origin, 'GET', '/v1/session/status', { headers: session(token) })).body.state).toBe('unverified');
    const early = await call(origin, 'GET', '/v1/account/keys', { headers: keyFetch(kft) });
    expect(early.status).toBe(400);
    expect(early.body).toMatchObject({ errno: 104, message: 'Unverified account' });

    const sync = await call(origin, 'POST', '/v1/oauth/token', {
      headers: session(token),
      json: { grant_type: 'fxa-credentials', client_id: 'e7ce535d93522896', scope: 'https://identity.mozilla.com/apps/oldsync' },
    });
    expect(sync.status).toBe(401);

    const sent = await lastCode(email);
    const wrongCode = String((Number(sent) + 1) % 1_000_000).padStart(6, '0');
    const wrong = await call(origin, 'POST', '/v1/session/verify_code', { headers: session(token), json: { code: wrongCode } });
    expect(wrong.body).toMatchObject({ code: 400, errno: 183 });

    expect((await call(origin, 'POST', '/v1/session/resend_code', { headers: session(token), json: {} })).status).toBe(200);
    const code = await lastCode(email);
    expect(code).toMatch(/^\d{6}$/);
    expect((await call(origin, 'POST', '/v1/session/verify_code', { headers: session(token), json: { code } })).body).toEqual({});
    expect((await call(origin, 'GET', '/v1/session/status', { headers: session(token) })).body.state).toBe('verified');

    // Mozilla keeps the keyFetchToken across the 104 refusal, so the same token now works.
    expect(bytesToHex(await fetchKB(origin, kft, creds))).toBe(bytesToHex(kB));
  });

  it('can force verification for the next login of any account', async () => {
    const other = 'usually-trusted@example.org';
    await stack.identity.createAccount({ email: other, password });
    expect((await loginV1(origin, other, password)).reply.body.verified).toBe(true);
    expect((await call(origin, 'POST', '/__test__/accounts/require-verification', { json: { email: other } })).status).toBe(200);
    const forced = await loginV1(origin, other, password);
    expect(forced.reply.body).toMatchObject({ verified: false, verificationMethod: 'email', verificationReason: 'login' });
    const code = await lastCode(other);
    await call(origin, 'POST', '/v1/session/verify_code', { headers: session(forced.reply.body.sessionToken), json: { code } });
    await fetchKB(origin, forced.reply.body.keyFetchToken!, forced.creds);
    expect((await loginV1(origin, other, password)).reply.body.verified).toBe(true);
  });

  it('signs up unverified accounts with a signup code', async () => {
    const fresh = 'brand-new@example.org';
    await stack.identity.createAccount({ email: fresh, password, verified: false });
    const { reply, creds } = await loginV1(origin, fresh, password);
    expect(reply.body).toMatchObject({ verified: false, verificationMethod: 'email', verificationReason: 'signup' });
    const code = await lastCode(fresh);
    await call(origin, 'POST', '/v1/session/verify_code', { headers: session(reply.body.sessionToken), json: { code } });
    const status = await call(origin, 'GET', '/v1/recovery_email/status', { headers: session(reply.body.sessionToken) });
    expect(status.body).toMatchObject({ email: fresh, verified: true, emailVerified: true, sessionVerified: true });
    await fetchKB(origin, reply.body.keyFetchToken!, creds);
  });
});

describe('TOTP two-step login', () => {
  const email = 'totp@example.org';
  const password = 'totp password';
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('forces totp-2fa and verifies with a current code', async () => {
    await stack.identity.createAccount({ email, password, totpSecret: secret });
    const { reply, creds } = await loginV1(origin, email, password);
    expect(reply.body).toMatchObject({ verified: false, verificationMethod: 'totp-2fa', verificationReason: 'login' });
    const token = reply.body.sessionToken;
    const now = stack.server.clock.now();
    const good = totp(base32Decode(secret), now);
    const bad = String((Number(good) + 1) % 1_000_000).padStart(6, '0');
    expect((await call(origin, 'POST', '/v1/session/verify/totp', { headers: session(token), json: { code: bad } })).body).toEqual({ success: false });
    expect((await call(origin, 'GET', '/v1/account/keys', { headers: keyFetch(reply.body.keyFetchToken!) })).body.errno).toBe(104);
    expect((await call(origin, 'POST', '/v1/session/verify/totp', { headers: session(token), json: { code: good } })).body).toEqual({ success: true });
    expect((await fetchKB(origin, reply.body.keyFetchToken!, creds)).length).toBe(32);
  });

  it('refuses totp-2fa for accounts without TOTP (errno 160)', async () => {
    const plain = 'no-totp@example.org';
    await stack.identity.createAccount({ email: plain, password });
    const { reply } = await loginV1(origin, plain, password, { verificationMethod: 'totp-2fa' });
    expect(reply.body).toMatchObject({ errno: 160 });
  });
});

describe('sign-in unblock (errno 125)', () => {
  it('blocks, emails an unblock code and accepts the login with it', async () => {
    const email = 'blocked@example.org';
    const password = 'blocked password';
    await stack.identity.createAccount({ email, password });
    await call(origin, 'POST', '/__test__/accounts/block-next-login', { json: { email } });
    const blocked = await loginV1(origin, email, password);
    expect(blocked.reply.status).toBe(400);
    expect(blocked.reply.body).toMatchObject({ errno: 125, error: 'Request blocked', verificationMethod: 'email-captcha', verificationReason: 'login' });
    expect((await call(origin, 'POST', '/v1/account/login/send_unblock_code', { json: { email } })).body).toEqual({});
    const unblockCode = await lastCode(email);
    expect(unblockCode).toMatch(/^[A-Z2-7]{8}$/);
    expect((await loginV1(origin, email, password, { unblockCode: 'AAAAAAAA' === unblockCode ? 'BBBBBBBB' : 'AAAAAAAA' })).reply.body.errno).toBe(127);
    const ok = await loginV1(origin, email, password, { unblockCode: unblockCode.toLowerCase() });
    expect(ok.reply.status).toBe(200);
    expect(ok.reply.body.verified).toBe(true);
    expect((await loginV1(origin, email, password)).reply.status).toBe(200);
  });
});
