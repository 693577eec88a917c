// OAuth against the real local stack: fxa-credentials grant + token server, scoped-key data, the web
// sign-in through the server's HTML /authorization form, refresh and revocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64Url, bytesToHex, deriveSyncKey, hexToBytes, OLDSYNC_SCOPE } from '../sync/crypto/index.ts';
import { fetchKeys, passwordSignIn } from './authClient.ts';
import type { FxaSession } from './authClient.ts';
import {
  buildAuthorizationUrl,
  completeWebSignIn,
  DEFAULT_CLIENT_ID,
  DEFAULT_REDIRECT_URI,
  destroyRefreshToken,
  fetchProfile,
  fxaCredentialsGrant,
  getScopedKeyData,
  isRedirectFor,
  refreshAccessToken,
  startWebSignIn,
} from './oauthClient.ts';
import type { TestStack } from './testStack.ts';
import { base32ToBytes, browserSignIn, rejection, startTestStack, totpCode, uniqueEmail } from './testStack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const PASSWORD = 'pässwörd with spaces';


async function verifiedSession(email: string, kB: string): Promise<FxaSession> {
  await stack.createV1Account(email, PASSWORD, kB);
  const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
  expect(result.state).toBe('verified');
  return result.session;
}

async function tokenServer(accessToken: string, keyId: string, clientState?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${accessToken}`, 'x-keyid': keyId };
  if (clientState) headers['x-client-state'] = clientState;
  const res = await fetch(stack.config.tokenServerUrl, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('password path to the token server', () => {
  it('gets an offline grant and key id the token server accepts', async () => {
    const email = uniqueEmail('grant');
    const kB = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const session = await verifiedSession(email, kB);
    const { kB: got } = await fetchKeys(session);
    const { kXCS } = deriveSyncKey(got);

    const tokens = await fxaCredentialsGrant({ config: stack.config, sessionToken: session.sessionToken });
    expect(tokens.refreshToken).toMatch(/^[0-9a-f]{64}$/);
    expect(tokens.accessToken.scope).toContain(OLDSYNC_SCOPE);
    expect(tokens.accessToken.expiresAt).toBeGreaterThan(Date.now());

    const data = await getScopedKeyData({ config: stack.config, sessionToken: session.sessionToken });
    expect(data.identifier).toBe(OLDSYNC_SCOPE);
    expect(data.keyRotationTimestamp).toBeGreaterThan(0);
    const kid = `${data.keyRotationTimestamp}-${bytesToBase64Url(kXCS)}`;

    const ts = await tokenServer(tokens.accessToken.token, kid, bytesToHex(kXCS));
    expect(ts.status).toBe(200);
    expect(ts.body).toMatchObject({ hashalg: 'sha256' });
    expect(typeof ts.body.api_endpoint).toBe('string');

    // The refreshed access token works too.
    const refreshed = await refreshAccessToken({ config: stack.config, refreshToken: tokens.refreshToken! });
    expect(refreshed.token).not.toBe(tokens.accessToken.token);
    expect((await tokenServer(refreshed.token, kid)).status).toBe(200);
  });

  it('refuses the grant for an unverified session', async () => {
    const email = uniqueEmail('unverified-grant');
    await stack.createV1Account(email, PASSWORD);
    await stack.requireVerification(email);
    const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
    expect(result.state).toBe('needs-verification');
    const err = await rejection(fxaCredentialsGrant({ config: stack.config, sessionToken: result.session.sessionToken }));
    expect(err.kind).toBe('unverified');
  });

  it('turns a revoked refresh token into invalid-grant', async () => {
    const session = await verifiedSession(uniqueEmail('revoke'), bytesToHex(new Uint8Array(32).fill(3)));
    const tokens = await fxaCredentialsGrant({ config: stack.config, sessionToken: session.sessionToken });
    await destroyRefreshToken({ config: stack.config, refreshToken: tokens.refreshToken! });
    const err = await rejection(refreshAccessToken({ config: stack.config, refreshToken: tokens.refreshToken! }));
    expect(err.kind).toBe('invalid-grant');
    expect(err.userMessage).toMatch(/sign in again/i);
  });
});

describe('web sign-in (authorization code + PKCE + keys_jwe)', () => {
  it('builds the authorization URL with every parameter FxA needs', () => {
    const url = new URL(
      buildAuthorizationUrl({
        config: stack.config,
        clientId: DEFAULT_CLIENT_ID,
        redirectUri: DEFAULT_REDIRECT_URI,
        scope: OLDSYNC_SCOPE,
        state: 'st',
        codeChallenge: 'ch',
        keysJwk: 'jwk',
        email: 'a@b.c',
      }),
    );
    expect(url.origin + url.pathname).toBe(`${stack.origin}/authorization`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: DEFAULT_CLIENT_ID,
      redirect_uri: DEFAULT_REDIRECT_URI,
      scope: OLDSYNC_SCOPE,
      state: 'st',
      response_type: 'code',
      access_type: 'offline',
      code_challenge_method: 'S256',
      code_challenge: 'ch',
      keys_jwk: 'jwk',
      action: 'email',
      email: 'a@b.c',
    });
  });

  it('signs in through the page and gets the same kSync and key id as the password path', async () => {
    const email = uniqueEmail('web');
    const kBHex = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
    const session = await verifiedSession(email, kBHex);
    const data = await getScopedKeyData({ config: stack.config, sessionToken: session.sessionToken });
    const expected = deriveSyncKey(hexToBytes(kBHex));

    const pending = await startWebSignIn({ config: stack.config });
    expect(pending.url.startsWith(`${stack.origin}/authorization?`)).toBe(true);
    // Persistable in IndexedDB: the whole object survives structured cloning.
    const cloned = structuredClone(pending);
    expect(cloned.privateKey).toBeInstanceOf(CryptoKey);

    const step = await browserSignIn(pending.url, { email, password: PASSWORD });
    expect(step.status).toBe(302);
    expect(step.location).not.toBeNull();
    expect(isRedirectFor(step.location!, cloned)).toBe(true);

    const result = await completeWebSignIn({ redirectUrl: step.location!, pending: cloned });
    expect(bytesToHex(result.kSync)).toBe(bytesToHex(expected.kSync));
    expect(bytesToHex(result.kXCS)).toBe(bytesToHex(expected.kXCS));
    expect(result.keyId).toBe(`${data.keyRotationTimestamp}-${bytesToBase64Url(expected.kXCS)}`);
    expect(result.refreshToken).toMatch(/^[0-9a-f]{64}$/);
    expect(result.expiresAt).toBe(result.accessToken.expiresAt);

    const profile = await fetchProfile({ config: stack.config, accessToken: result.accessToken.token });
    expect(profile).toEqual({ uid: session.uid, email });
    expect((await tokenServer(result.accessToken.token, result.keyId)).status).toBe(200);

    // The code is single use.
    const again = await rejection(completeWebSignIn({ redirectUrl: step.location!, pending: cloned }));
    expect(again.kind).toBe('invalid-grant');
  });

  it('passes a TOTP step on the page', async () => {
    const email = uniqueEmail('web-totp');
    const secret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    await stack.createAccount({ email, password: PASSWORD, totpSecret: secret });
    const pending = await startWebSignIn({ config: stack.config });
    const step = await browserSignIn(pending.url, {
      email,
      password: PASSWORD,
      code: () => totpCode(base32ToBytes(secret), stack.serverNow()),
    });
    expect(step.status).toBe(302);
    const result = await completeWebSignIn({ redirectUrl: step.location!, pending });
    expect(result.kSync).toHaveLength(64);
  });

  it('rejects a redirect whose state does not match', async () => {
    const email = uniqueEmail('web-state');
    await stack.createV1Account(email, PASSWORD);
    const pending = await startWebSignIn({ config: stack.config });
    const step = await browserSignIn(pending.url, { email, password: PASSWORD });
    const forged = new URL(step.location!);
    forged.searchParams.set('state', 'someone-elses-state');
    const err = await rejection(completeWebSignIn({ redirectUrl: forged.toString(), pending }));
    expect(err.kind).toBe('state-mismatch');
    // Another pending sign-in cannot take over this redirect either.
    const other = await startWebSignIn({ config: stack.config });
    expect((await rejection(completeWebSignIn({ redirectUrl: step.location!, pending: other }))).kind).toBe('state-mismatch');
  });

  it('reports a refused sign-in and a foreign redirect', async () => {
    const pending = await startWebSignIn({ config: stack.config });
    const denied = `${DEFAULT_REDIRECT_URI}?error=access_denied&state=${pending.state}`;
    expect((await rejection(completeWebSignIn({ redirectUrl: denied, pending }))).kind).toBe('sign-in-cancelled');
    const foreign = `https://example.com/elsewhere?code=abc&state=${pending.state}`;
    expect((await rejection(completeWebSignIn({ redirectUrl: foreign, pending }))).kind).toBe('bad-response');
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const email = uniqueEmail('web-pkce');
    await stack.createV1Account(email, PASSWORD);
    const pending = await startWebSignIn({ config: stack.config });
    const step = await browserSignIn(pending.url, { email, password: PASSWORD });
    const wrong = { ...pending, pkceVerifier: 'x'.repeat(43) };
    expect((await rejection(completeWebSignIn({ redirectUrl: step.location!, pending: wrong }))).kind).toBe('invalid-grant');
  });
});
