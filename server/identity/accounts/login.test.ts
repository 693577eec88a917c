// onepw login against the real HTTP stack, with an independent client (src/sync/crypto).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesToHex,
  deriveCredentialsV1,
  deriveCredentialsV2,
  deriveTokenParts,
  hawkHeader,
  hexToBytes,
  xorBytes,
} from '../../../src/sync/crypto/index.ts';
import type { Stack } from '../test-support/stack.ts';
import { call, fetchKB, loginV1, session, startStack } from '../test-support/stack.ts';
import { keyBundle } from './tokens.ts';

// Published vectors (mozilla/fxa packages/fxa-auth-client/test/crypto.ts; protocol.md §1.2, §1.3, §1.6).
const EMAIL = 'andré@example.org';
const PASSWORD = 'pässwörd';
const AUTHPW_V1 = '247b675ffb4c46310bc87e26d712153abe5e1c90ef00a4784594f97ef54f2375';
const UNWRAP_V1 = 'de6a2648b78284fcb9ffa81ba95803309cfba7af583c01a8a1a63e567234dd28';
const CLIENT_SALT = 'identity.mozilla.com/picl/v1/quickStretchV2:0123456789abcdef0123456789abcdef';
const AUTHPW_V2 = 'd278c764bd1852a14bfc4e9d8c1682b4f1a57edb9a9372bf8c370cc41592155b';
const UNWRAP_V2 = '616616095eff30032abf6a47df30d9a3fc799d8af5e8519905c1601170553493';
const KB = hexToBytes('a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8));

let stack: Stack;
let origin: string;

beforeAll(async () => {
  stack = await startStack();
  origin = stack.origin;
  // Sign up exactly as a current FxA client does: both verifiers, both wrapped kB values.
  const created = await call(origin, 'POST', '/v1/account/create', {
    json: {
      email: EMAIL,
      authPW: AUTHPW_V1,
      wrapKb: bytesToHex(xorBytes(KB, hexToBytes(UNWRAP_V1))),
      authPWVersion2: AUTHPW_V2,
      wrapKbVersion2: bytesToHex(xorBytes(KB, hexToBytes(UNWRAP_V2))),
      clientSalt: CLIENT_SALT,
      preVerified: true,
    },
  });
  expect(created.status).toBe(200);
});

afterAll(async () => {
  await stack.close();
});

describe('account/keys bundle', () => {
  it('matches the published keyRequestKey → bundle vector', () => {
    const bundle = keyBundle(
      Buffer.from('dedd009a8275a4f672bb4b41e14a117812c0b2f400c85fa058e0293f3f45726a', 'hex'),
      Buffer.from('939282904b808c6003ea31aeb14bc766d2ab70ba7dcaa54f820efcf4762b9619', 'hex'),
      Buffer.from('849ac9f71643ace46dcdd384633ec1bffe565852806ee2f859c3eba7fafeafec', 'hex'),
    );
    expect(bundle).toBe(
      'df4717238a738501bd2ad8f7114ef193ea69751a40108149bfb88a5643a8d683a1e75b705d4db135130f0896dbac0819ab7d54334e0cd4f9c945e0a7ada91899756cedf4384be404844050270310bc2b396f100eeda0c7b428cfe77c40a873ae',
    );
  });
});

describe('login with v1 credentials', () => {
  it('accepts the published authPW and returns keys that unwrap to kB', async () => {
    const { reply, creds } = await loginV1(origin, EMAIL, PASSWORD);
    expect(bytesToHex(creds.authPW)).toBe(AUTHPW_V1);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('timestamp')).toMatch(/^\d+$/);
    expect(reply.body).toMatchObject({ verified: true, metricsEnabled: true });
    expect(reply.body.uid).toMatch(/^[0-9a-f]{32}$/);
    expect(reply.body.sessionToken).toMatch(/^[0-9a-f]{64}$/);
    expect(reply.body.keyFetchTokenVersion2).toBeUndefined();
    const kB = await fetchKB(origin, reply.body.keyFetchToken!, creds);
    expect(bytesToHex(kB)).toBe(bytesToHex(KB));
  });

  it('makes keyFetchToken single-use', async () => {
    const { reply, creds } = await loginV1(origin, EMAIL, PASSWORD);
    await fetchKB(origin, reply.body.keyFetchToken!, creds);
    const again = await call(origin, 'GET', '/v1/account/keys', {
      headers: { authorization: `Bearer fxk_${deriveTokenParts(reply.body.keyFetchToken!, 'keyFetchToken').tokenId}` },
    });
    expect(again.status).toBe(401);
    expect(again.body.errno).toBe(110);
  });

  it('answers errno 120 with the stored address when the case differs, and the retry works', async () => {
    const typed = 'André@Example.org';
    const first = await loginV1(origin, typed, PASSWORD);
    expect(first.reply.status).toBe(400);
    expect(first.reply.body).toMatchObject({ code: 400, errno: 120, error: 'Bad Request', message: 'Incorrect email case', email: EMAIL });
    const retry = await loginV1(origin, String(first.reply.body.email), PASSWORD, { originalLoginEmail: typed });
    expect(retry.reply.status).toBe(200);
  });

  it('answers 103 for a wrong password and 102 for an unknown account', async () => {
    const wrong = await loginV1(origin, EMAIL, 'not the password');
    expect(wrong.reply.status).toBe(400);
    expect(wrong.reply.body).toMatchObject({ errno: 103, message: 'Incorrect password', email: EMAIL });
    const unknown = await loginV1(origin, 'nobody@example.org', PASSWORD);
    expect(unknown.reply.body).toMatchObject({ code: 400, errno: 102, message: 'Unknown account', email: 'nobody@example.org' });
  });
});

describe('login with v2 credentials', () => {
  it('reports the client salt and returns keyFetchTokenVersion2 that unwraps with unwrapBKey v2', async () => {
    const status = await call(origin, 'POST', '/v1/account/credentials/status', { json: { email: EMAIL } });
    expect(status.body).toEqual({ upgradeNeeded: false, currentVersion: 'v2', clientSalt: CLIENT_SALT });
    const creds = await deriveCredentialsV2(String(status.body.clientSalt), PASSWORD);
    expect(bytesToHex(creds.authPW)).toBe(AUTHPW_V2);
    const login = await call<{ keyFetchToken?: string; keyFetchTokenVersion2?: string }>(origin, 'POST', '/v1/account/login?keys=true', {
      json: { email: EMAIL, authPW: bytesToHex(creds.authPW) },
    });
    expect(login.status).toBe(200);
    expect(login.body.keyFetchToken).toBeUndefined();
    const kB = await fetchKB(origin, login.body.keyFetchTokenVersion2!, creds);
    expect(bytesToHex(kB)).toBe(bytesToHex(KB));
  });

  it('answers 102 from credentials/status for an unknown account', async () => {
    const status = await call(origin, 'POST', '/v1/account/credentials/status', { json: { email: 'ghost@example.org' } });
    expect(status.body).toMatchObject({ errno: 102 });
  });
});

describe('throttling', () => {
  it('answers 429 errno 114 with retryAfter after repeated wrong passwords', async () => {
    const email = 'throttled@example.org';
    await stack.identity.createAccount({ email, password: 'right password' });
    for (let i = 0; i < 5; i++) expect((await loginV1(origin, email, `wrong ${i}`)).reply.body.errno).toBe(103);
    const blocked = await loginV1(origin, email, 'right password');
    expect(blocked.reply.status).toBe(429);
    expect(blocked.reply.body).toMatchObject({ code: 429, errno: 114 });
    expect(blocked.reply.body.retryAfter).toBeGreaterThan(0);
    expect(blocked.reply.headers.get('retry-after')).toBe(String(blocked.reply.body.retryAfter));
    // Customs forgets once the window has passed (moved on with the stack's clock, no sleeping).
    stack.server.clock.offsetMs += 16 * 60 * 1000;
    try {
      expect((await loginV1(origin, email, 'right password')).reply.status).toBe(200);
    } finally {
      stack.server.clock.offsetMs -= 16 * 60 * 1000;
    }
  });
});

describe('session token authentication', () => {
  async function newSession(): Promise<string> {
    const { reply } = await loginV1(origin, EMAIL, PASSWORD);
    return reply.body.sessionToken;
  }

  it('accepts the typed bearer form', async () => {
    const token = await newSession();
    const status = await call(origin, 'GET', '/v1/session/status', { headers: session(token) });
    expect(status.body).toEqual({ state: 'verified', uid: expect.stringMatching(/^[0-9a-f]{32}$/) });
  });

  it('validates Hawk: good MAC, payload hash, bad MAC (109), stale ts (111), replayed nonce (115)', async () => {
    const token = await newSession();
    const { tokenId, reqHMACkey } = deriveTokenParts(token, 'sessionToken');
    const url = `${origin}/v1/session/status`;
    const good = hawkHeader({ method: 'GET', url, id: tokenId, key: reqHMACkey, ts: Math.floor(stack.server.clock.now() / 1000) });
    expect((await call(origin, 'GET', '/v1/session/status', { headers: { authorization: good } })).status).toBe(200);
    expect((await call(origin, 'GET', '/v1/session/status', { headers: { authorization: good } })).body.errno).toBe(115);

    const body = JSON.stringify({});
    const withHash = hawkHeader({ method: 'POST', url: `${origin}/v1/session/resend_code`, id: tokenId, key: reqHMACkey, payload: body, contentType: 'application/json' });
    const resend = await fetch(`${origin}/v1/session/resend_code`, { method: 'POST', headers: { authorization: withHash, 'content-type': 'application/json' }, body });
    expect(resend.status).toBe(200);
    const tamperedBody = await fetch(`${origin}/v1/session/resend_code`, {
      method: 'POST',
      headers: { authorization: hawkHeader({ method: 'POST', url: `${origin}/v1/session/resend_code`, id: tokenId, key: reqHMACkey, payload: body, contentType: 'application/json' }), 'content-type': 'application/json' },
      body: '{"x":1}',
    });
    expect(((await tamperedBody.json()) as { errno: number }).errno).toBe(109);

    const badMac = hawkHeader({ method: 'GET', url, id: tokenId, key: new Uint8Array(32) });
    expect((await call(origin, 'GET', '/v1/session/status', { headers: { authorization: badMac } })).body).toMatchObject({ code: 401, errno: 109 });

    const stale = hawkHeader({ method: 'GET', url, id: tokenId, key: reqHMACkey, ts: Math.floor(Date.now() / 1000) - 3600 });
    const staleReply = await call(origin, 'GET', '/v1/session/status', { headers: { authorization: stale } });
    expect(staleReply.body).toMatchObject({ code: 401, errno: 111 });
    expect(typeof staleReply.body.serverTime).toBe('number');
  });

  it('rejects destroyed sessions with 401 errno 110', async () => {
    const token = await newSession();
    expect((await call(origin, 'POST', '/v1/session/destroy', { headers: session(token), json: {} })).status).toBe(200);
    const after = await call(origin, 'GET', '/v1/session/status', { headers: session(token) });
    expect(after.status).toBe(401);
    expect(after.body).toMatchObject({ code: 401, errno: 110, error: 'Unauthorized' });
  });

  it('reauth issues a fresh keyFetchToken on the same session', async () => {
    const token = await newSession();
    const creds = await deriveCredentialsV1(EMAIL, PASSWORD);
    const reauth = await call<{ keyFetchToken: string; verified: boolean }>(origin, 'POST', '/v1/session/reauth?keys=true', {
      headers: session(token),
      json: { email: EMAIL, authPW: bytesToHex(creds.authPW) },
    });
    expect(reauth.status).toBe(200);
    expect(reauth.body.verified).toBe(true);
    expect(bytesToHex(await fetchKB(origin, reauth.body.keyFetchToken, creds))).toBe(bytesToHex(KB));
  });
});
