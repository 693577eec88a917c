// OAuth: fxa-credentials grant → token server → Hawk credentials; the sign-in page + code flow with
// PKCE and keys_jwe; refresh tokens and revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesToBase64Url,
  bytesToHex,
  createPkce,
  decryptKeysJwe,
  deriveSyncKey,
  generateKeysJwk,
  keyId,
  keysJwkParam,
  randomOAuthState,
} from '../../../src/sync/crypto/index.ts';
import type { Stack } from '../test-support/stack.ts';
import { call, loginV1, session, startStack } from '../test-support/stack.ts';
import { base32Decode, totp } from '../util/totp.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
const CLIENT_ID = 'e7ce535d93522896';
const REDIRECT = 'https://lockbox.firefox.com/fxa/android-redirect.html';
const EMAIL = 'oauth@example.org';
const PASSWORD = 'oauth password';
const KB = new Uint8Array(32).map((_, i) => i * 3);

let stack: Stack;
let origin: string;

beforeAll(async () => {
  stack = await startStack();
  origin = stack.origin;
  await stack.identity.createAccount({ email: EMAIL, password: PASSWORD, kB: KB });
});

afterAll(async () => {
  await stack.close();
});

async function kidFor(sessionToken: string): Promise<string> {
  const data = await call<Record<string, { keyRotationTimestamp: number; keyRotationSecret: string; identifier: string }>>(
    origin,
    'POST',
    '/v1/account/scoped-key-data',
    { headers: session(sessionToken), json: { client_id: CLIENT_ID, scope: OLDSYNC } },
  );
  expect(data.status).toBe(200);
  const meta = data.body[OLDSYNC]!;
  expect(meta).toMatchObject({ identifier: OLDSYNC, keyRotationSecret: '0'.repeat(64) });
  expect(meta.keyRotationTimestamp).toBeGreaterThan(0);
  return keyId(meta.keyRotationTimestamp, deriveSyncKey(KB).kXCS);
}

describe('discovery', () => {
  it('serves fxa-client-configuration with bases on this origin and no /v1', async () => {
    const conf = await call(origin, 'GET', '/.well-known/fxa-client-configuration');
    expect(conf.body).toMatchObject({
      auth_server_base_url: origin,
      oauth_server_base_url: origin,
      sync_tokenserver_base_url: `${origin}/token`,
      profile_server_base_url: `${origin}/profile`,
    });
    expect(typeof conf.body.pairing_server_base_uri).toBe('string');
  });
});

describe('fxa-credentials grant', () => {
  it('mints an access token that the token server exchanges for working Hawk credentials', async () => {
    const { reply } = await loginV1(origin, EMAIL, PASSWORD);
    const token = reply.body.sessionToken;
    const grant = await call<Record<string, unknown>>(origin, 'POST', '/v1/oauth/token', {
      headers: session(token),
      json: { grant_type: 'fxa-credentials', client_id: CLIENT_ID, scope: OLDSYNC, access_type: 'offline', ttl: 3600 },
    });
    expect(grant.status).toBe(200);
    expect(grant.body).toMatchObject({ token_type: 'bearer', scope: OLDSYNC, expires_in: 3600 });
    expect(grant.body.access_token).toMatch(/^[0-9a-f]{64}$/);
    expect(grant.body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof grant.body.auth_at).toBe('number');

    const kid = await kidFor(token);
    const ts = await call<Record<string, unknown>>(origin, 'GET', '/token/1.0/sync/1.5', {
      headers: { authorization: `Bearer ${String(grant.body.access_token)}`, 'x-keyid': kid, 'x-client-state': bytesToHex(deriveSyncKey(KB).kXCS) },
    });
    expect(ts.status).toBe(200);
    expect(ts.headers.get('x-timestamp')).toMatch(/^\d+$/);
    expect(ts.body).toMatchObject({ duration: 3600, hashalg: 'sha256', node_type: 'spanner' });
    expect(typeof ts.body.uid).toBe('number');
    expect(ts.body.api_endpoint).toBe(`${origin}/storage/1.5/${String(ts.body.uid)}`);
    expect(ts.body.hashed_fxa_uid).toMatch(/^[0-9a-f]{32}$/);
    const info = stack.server.ctx.hawkTokens.lookup(String(ts.body.id));
    expect(info).toMatchObject({ uid: String(ts.body.uid), key: ts.body.key });

    // Same keys again → same storage uid; a shorter duration is honoured.
    const again = await call<Record<string, unknown>>(origin, 'GET', '/token/1.0/sync/1.5?duration=60', {
      headers: { authorization: `Bearer ${String(grant.body.access_token)}`, 'x-keyid': kid },
    });
    expect(again.body).toMatchObject({ uid: ts.body.uid, duration: 60 });
  });

  it('refuses the token server without a valid bearer or X-KeyID', async () => {
    const none = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { 'x-keyid': '1-AAAA' } });
    expect(none.status).toBe(401);
    const bogus = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${'0'.repeat(64)}`, 'x-keyid': '1-AAAA' } });
    expect(bogus.body).toEqual({ status: 'invalid-credentials', errors: [{ location: 'body', name: '', description: 'Unauthorized' }] });
    const { reply } = await loginV1(origin, EMAIL, PASSWORD);
    const grant = await call(origin, 'POST', '/v1/oauth/token', { headers: session(reply.body.sessionToken), json: { client_id: CLIENT_ID, scope: OLDSYNC } });
    const noKid = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${String(grant.body.access_token)}` } });
    expect(noKid.body).toEqual({ status: 'invalid-key-id', errors: [{ location: 'header', name: '', description: 'Missing X-KeyID header' }] });
    const profileOnly = await call(origin, 'POST', '/v1/oauth/token', { headers: session(reply.body.sessionToken), json: { client_id: CLIENT_ID, scope: 'profile' } });
    const wrongScope = await call(origin, 'GET', '/token/1.0/sync/1.5', {
      headers: { authorization: `Bearer ${String(profileOnly.body.access_token)}`, 'x-keyid': await kidFor(reply.body.sessionToken) },
    });
    expect(wrongScope.body.status).toBe('invalid-credentials');
  });

  it('lets the control API expire access tokens', async () => {
    const { reply } = await loginV1(origin, EMAIL, PASSWORD);
    const grant = await call(origin, 'POST', '/v1/oauth/token', { headers: session(reply.body.sessionToken), json: { client_id: CLIENT_ID, scope: OLDSYNC } });
    const kid = await kidFor(reply.body.sessionToken);
    const headers = { authorization: `Bearer ${String(grant.body.access_token)}`, 'x-keyid': kid };
    expect((await call(origin, 'GET', '/token/1.0/sync/1.5', { headers })).status).toBe(200);
    const expired = await call(origin, 'POST', '/__test__/accounts/expire-access-tokens', { json: { email: EMAIL } });
    expect(expired.body.expired).toBeGreaterThan(0);
    expect((await call(origin, 'GET', '/token/1.0/sync/1.5', { headers })).body.status).toBe('invalid-credentials');
  });
});

describe('authorization page and code flow', () => {
  async function authorizeUrl(extra: Record<string, string> = {}) {
    const keys = await generateKeysJwk();
    const pkce = await createPkce();
    const state = randomOAuthState();
    const params = new URLSearchParams({
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT,
      state,
      scope: `profile ${OLDSYNC}`,
      code_challenge: pkce.challenge,
      code_challenge_method: 'S256',
      keys_jwk: keysJwkParam(keys.publicJwk),
      access_type: 'offline',
      response_type: 'code',
      ...extra,
    });
    return { keys, pkce, state, params };
  }

  function formFields(params: URLSearchParams, email: string, password: string): Record<string, string> {
    return { ...Object.fromEntries(params), email, password };
  }

  it('renders an accessible form and re-renders with an alert on a wrong password', async () => {
    const { params } = await authorizeUrl();
    const page = await call(origin, 'GET', `/authorization?${params}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toMatch(/<label for="email">Email<\/label>/);
    expect(page.text).toMatch(/<input id="email" name="email" type="email"/);
    expect(page.text).toMatch(/<label for="password">Password<\/label>/);
    expect(page.text).toMatch(/<input id="password" name="password" type="password"/);
    expect(page.text).toMatch(/<button type="submit">Sign in<\/button>/);
    expect(page.text).toMatch(/<form method="post" action="\/authorization">/);
    expect(page.text).not.toMatch(/<script/);

    const wrong = await call(origin, 'POST', '/authorization', { form: formFields(params, EMAIL, 'nope') });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/<p role="alert"[^>]*>Incorrect password\. Try again\.<\/p>/);
    expect(wrong.text).toContain(`value="${EMAIL}"`);
  });

  it('rejects bad client parameters with an error page', async () => {
    const { params } = await authorizeUrl({ redirect_uri: 'https://evil.example/cb' });
    const page = await call(origin, 'GET', `/authorization?${params}`);
    expect(page.status).toBe(400);
    expect(page.text).toContain('role="alert"');
    const noPkce = await authorizeUrl();
    noPkce.params.delete('code_challenge');
    expect((await call(origin, 'GET', `/authorization?${noPkce.params}`)).status).toBe(400);
  });

  it('redirects with code + state, exchanges with PKCE and delivers kSync in keys_jwe', async () => {
    const { keys, pkce, state, params } = await authorizeUrl();
    const signIn = await call(origin, 'POST', '/authorization', { form: formFields(params, EMAIL.toUpperCase(), PASSWORD) });
    expect(signIn.status).toBe(302);
    const location = new URL(signIn.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe(state);
    const code = location.searchParams.get('code')!;
    expect(code).toMatch(/^[0-9a-f]{64}$/);

    const badVerifier = await call(origin, 'POST', '/v1/oauth/token', {
      json: { client_id: CLIENT_ID, grant_type: 'authorization_code', code, code_verifier: bytesToBase64Url(new Uint8Array(32)) },
    });
    expect(badVerifier.status).toBe(400);
    expect(badVerifier.body).toMatchObject({ errno: 117, message: 'Incorrect code_challenge' });

    const exchange = await call<Record<string, unknown>>(origin, 'POST', '/v1/oauth/token', {
      json: { client_id: CLIENT_ID, grant_type: 'authorization_code', code, code_verifier: pkce.verifier },
    });
    expect(exchange.status).toBe(200);
    expect(exchange.body).toMatchObject({ token_type: 'bearer', scope: `profile ${OLDSYNC}` });
    expect(exchange.body.refresh_token).toMatch(/^[0-9a-f]{64}$/);
    const jwe = String(exchange.body.keys_jwe);
    expect(jwe.split('.')).toHaveLength(5);
    expect(JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });

    const scoped = await decryptKeysJwe(jwe, keys.privateKey);
    const key = scoped[OLDSYNC]!;
    const { kSync, kXCS } = deriveSyncKey(KB);
    expect(key.k).toBe(bytesToBase64Url(kSync));
    expect(key.kty).toBe('oct');
    expect(key.scope).toBe(OLDSYNC);
    const account = [...stack.identity.state.accounts.values()].find((a) => a.email === EMAIL)!;
    expect(key.kid).toBe(keyId(account.keysChangedAt, kXCS));

    // Codes are single use.
    const reuse = await call(origin, 'POST', '/v1/oauth/token', { json: { client_id: CLIENT_ID, grant_type: 'authorization_code', code, code_verifier: pkce.verifier } });
    expect(reuse.body).toMatchObject({ errno: 105 });

    // The access token works at the token server with the kid from keys_jwe.
    const ts = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${String(exchange.body.access_token)}`, 'x-keyid': key.kid } });
    expect(ts.status).toBe(200);

    // Refresh grant, then revocation.
    const refreshed = await call<Record<string, unknown>>(origin, 'POST', '/v1/oauth/token', {
      json: { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: exchange.body.refresh_token, scope: OLDSYNC },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).toMatchObject({ token_type: 'bearer', scope: OLDSYNC });
    expect(refreshed.body.refresh_token).toBeUndefined();
    const legacy = await call(origin, 'POST', '/v1/token', {
      form: { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: String(exchange.body.refresh_token) },
    });
    expect(legacy.status).toBe(200);
    const widen = await call(origin, 'POST', '/v1/oauth/token', {
      json: { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: exchange.body.refresh_token, scope: `${OLDSYNC} https://identity.mozilla.com/apps/send-tab` },
    });
    expect(widen.body).toMatchObject({ errno: 114 });

    expect((await call(origin, 'POST', '/v1/oauth/destroy', { json: { client_id: CLIENT_ID, token: exchange.body.refresh_token } })).body).toEqual({});
    const dead = await call(origin, 'POST', '/v1/oauth/token', {
      json: { client_id: CLIENT_ID, grant_type: 'refresh_token', refresh_token: exchange.body.refresh_token },
    });
    expect(dead.status).toBe(401);
    expect(dead.body).toMatchObject({ errno: 110 });
  });

  it('asks TOTP accounts for their code on a second step', async () => {
    const email = 'page-totp@example.org';
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    await stack.identity.createAccount({ email, password: PASSWORD, totpSecret: secret });
    const { params, state } = await authorizeUrl();
    const first = await call(origin, 'POST', '/authorization', { form: formFields(params, email, PASSWORD) });
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/<label for="code">Authentication code<\/label>/);
    const token = /name="signin_token" value="([0-9a-f]+)"/.exec(first.text)![1]!;
    const code = totp(base32Decode(secret), stack.server.clock.now());
    const second = await call(origin, 'POST', '/authorization', { form: { ...Object.fromEntries(params), signin_token: token, code } });
    expect(second.status).toBe(302);
    expect(new URL(second.headers.get('location')!).searchParams.get('state')).toBe(state);
  });
});
