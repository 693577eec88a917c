// fetchSyncToken against the real local token server (server/identity), then into storage.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerForToken, bytesToHex, deriveCredentialsV1, deriveSyncKey, keyId } from '../crypto/index.ts';
import { BadResponseError, InvalidCredentialsError, ServerBusyError, StaleKeysError } from '../errors.ts';
import { BackoffTracker } from '../http/backoff.ts';
import { StorageClient } from '../storage/client.ts';
import { armFault, control, startStorageStack, type TestStack } from '../storage/testServer.ts';
import { fetchSyncToken, InsecureServerError, isLoopbackHost, tokenExpired } from './client.ts';
import { CachingTokenProvider } from './provider.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
const CLIENT_ID = 'e7ce535d93522896';
const EMAIL = 'tokenclient@example.org';
const PASSWORD = 'token client password';
const KB = new Uint8Array(32).map((_, i) => 255 - i);

let stack: TestStack;
let tokenServerUrl: string;
let accessToken: string;
let kid: string;
let keysChangedAt: number;

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await fetch(stack.origin + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

beforeAll(async () => {
  stack = await startStorageStack({ identity: true });
  tokenServerUrl = `${stack.origin}/token/1.0/sync/1.5`;
  await post('/__test__/accounts', { email: EMAIL, password: PASSWORD, kB: bytesToHex(KB), verified: true });
  const creds = await deriveCredentialsV1(EMAIL, PASSWORD);
  const login = await post('/v1/account/login?keys=true', { email: EMAIL, authPW: bytesToHex(creds.authPW), reason: 'login', service: 'sync' });
  const session = { authorization: bearerForToken(String(login.sessionToken), 'sessionToken') };
  const grant = await post('/v1/oauth/token', { grant_type: 'fxa-credentials', client_id: CLIENT_ID, scope: OLDSYNC, ttl: 3600 }, session);
  accessToken = String(grant.access_token);
  const keyData = await post('/v1/account/scoped-key-data', { client_id: CLIENT_ID, scope: OLDSYNC }, session);
  keysChangedAt = (keyData[OLDSYNC] as { keyRotationTimestamp: number }).keyRotationTimestamp;
  kid = keyId(keysChangedAt, deriveSyncKey(KB).kXCS);
});

afterAll(async () => {
  await stack.close();
});

beforeEach(async () => {
  await control(stack.origin, 'faults/reset');
});

describe('fetchSyncToken', () => {
  it('gets Hawk credentials that the storage node accepts', async () => {
    const now = Date.now();
    const token = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid, clientState: bytesToHex(deriveSyncKey(KB).kXCS), now: () => now });
    expect(token.uid).toMatch(/^\d+$/);
    expect(token.apiEndpoint).toBe(`${stack.origin}/storage/1.5/${token.uid}`);
    expect(token).toMatchObject({ duration: 3600, nodeType: 'spanner' });
    expect(token.hashedFxaUid).toMatch(/^[0-9a-f]{32}$/);
    // Expiry: local now + duration − 300 s safety margin.
    expect(token.expiresAt).toBe(now + (3600 - 300) * 1000);
    expect(tokenExpired(token, now + 3299_000)).toBe(false);
    expect(tokenExpired(token, now + 3300_000)).toBe(true);
    expect(Math.abs(token.serverClockOffsetMs)).toBeLessThan(2_000);

    let fetched = 0;
    const provider = new CachingTokenProvider(async () => {
      fetched++;
      return fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid });
    });
    const storage = new StorageClient({ tokens: provider });
    expect(await storage.getInfoCollections()).toMatchObject({ status: 'ok' });
    await storage.getInfoCollections();
    expect(fetched).toBe(1);
  });

  it('honours a shorter duration, with the margin capped at half of it', async () => {
    const now = 1_000_000;
    const token = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid, duration: 60, now: () => now });
    expect(token.duration).toBe(60);
    expect(token.expiresAt).toBe(now + 30_000);
  });

  it('maps a refused access token to InvalidCredentialsError', async () => {
    const err = await fetchSyncToken({ tokenServerUrl, accessToken: '0'.repeat(64), keyId: kid }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidCredentialsError);
    expect(err).toMatchObject({ kind: 'auth', reason: 'invalid-credentials' });
    const malformedKid = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: 'nodash' }).catch((e: unknown) => e);
    expect(malformedKid).toBeInstanceOf(InvalidCredentialsError);
  });

  it('maps stale keys (client state / keysChangedAt) to StaleKeysError', async () => {
    const wrongState = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid, clientState: '00'.repeat(16) }).catch((e: unknown) => e);
    expect(wrongState).toBeInstanceOf(StaleKeysError);
    expect(wrongState).toMatchObject({ kind: 'user-action-needed', reason: 'stale-keys', serverStatus: 'invalid-client-state' });
    expect((wrongState as StaleKeysError).userMessage).toMatch(/sign in again/);

    const olderKeys = keyId(keysChangedAt - 1000, deriveSyncKey(new Uint8Array(32).fill(9)).kXCS);
    const stale = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: olderKeys }).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(StaleKeysError);
  });

  it('maps 503 + Retry-After to ServerBusyError and reports the backoff', async () => {
    await armFault(stack.origin, { kind: 'error', status: 503, retryAfter: 30, match: { path: '/token/' }, count: 1 });
    const tracker = new BackoffTracker();
    const err = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid, onBackoff: tracker.observe }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerBusyError);
    expect((err as ServerBusyError).retryAfterMs).toBe(30_000);
    expect(tracker.seen).toMatchObject([{ source: 'retry-after', delayMs: 30_000 }]);
  });

  it('maps a malformed body to BadResponseError', async () => {
    await armFault(stack.origin, { kind: 'malformedJson', match: { path: '/token/' }, count: 1 });
    await expect(fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid })).rejects.toBeInstanceOf(BadResponseError);
  });

  it('learns the clock offset from X-Timestamp, so storage accepts the first request', async () => {
    await control(stack.origin, 'faults/clock', { offsetMs: -15 * 60 * 1000 });
    const token = await fetchSyncToken({ tokenServerUrl, accessToken, keyId: kid });
    expect(Math.abs(token.serverClockOffsetMs + 15 * 60 * 1000)).toBeLessThan(2_000);
    const storage = new StorageClient({ tokens: new CachingTokenProvider(async () => token) });
    const before = stack.log.length;
    expect(await storage.getInfoCollections()).toMatchObject({ status: 'ok' });
    expect(stack.log.slice(before).map((e) => e.status)).toEqual([200]);
  });
});

// Issue 9 #14: a plain-http storage node (or token server) on another computer was accepted.
describe('plain http:// is refused for the token server and the storage node unless on this computer', () => {
  const tokenBody = (apiEndpoint: string): string =>
    JSON.stringify({ id: 'id', key: 'key', uid: 7, api_endpoint: apiEndpoint, duration: 300, hashed_fxa_uid: 'h', node_type: 'spanner' });
  const answering = (apiEndpoint: string) => {
    const seen: string[] = [];
    const fetch = async (url: string): Promise<Response> => {
      seen.push(url);
      return new Response(tokenBody(apiEndpoint), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    return { fetch, seen };
  };

  it('refuses an http:// storage node on another computer with words saying why', async () => {
    const { fetch } = answering('http://sync.example.org/1.5/7');
    const err = await fetchSyncToken({ tokenServerUrl: 'https://token.example.org/1.0/sync/1.5', accessToken: 'a', keyId: 'k', fetch }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadResponseError);
    expect(err).toBeInstanceOf(InsecureServerError);
    const words = (err as InsecureServerError).userMessage;
    expect(words).toMatch(/storage/);
    expect(words).toContain('http://sync.example.org');
    expect(words).toMatch(/not encrypted/);
    expect(words).toMatch(/https:\/\//);
  });

  it('accepts an http:// storage node on this computer (127.0.0.0/8, [::1], localhost) and any https:// one', async () => {
    for (const node of ['http://127.0.0.1:8400/1.5/7', 'http://127.3.4.5/1.5/7', 'http://[::1]:9/1.5/7', 'http://localhost:9/1.5/7', 'https://sync.example.org/1.5/7']) {
      const { fetch } = answering(node);
      const token = await fetchSyncToken({ tokenServerUrl: 'https://token.example.org/1.0/sync/1.5', accessToken: 'a', keyId: 'k', fetch });
      expect(token.apiEndpoint).toBe(node);
    }
  });

  it('refuses an http:// token server on another computer before sending the access token', async () => {
    const { fetch, seen } = answering('https://sync.example.org/1.5/7');
    const err = await fetchSyncToken({ tokenServerUrl: 'http://token.example.org/1.0/sync/1.5', accessToken: 'a', keyId: 'k', fetch }).catch((e: unknown) => e);
    expect(seen).toEqual([]);
    expect(err).toBeInstanceOf(InsecureServerError);
    expect((err as InsecureServerError).userMessage).toMatch(/token server/);
  });

  it('knows which hosts are this computer', () => {
    for (const host of ['127.0.0.1', '127.255.255.254', '[::1]', 'localhost']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['128.0.0.1', '127.0.0.1.example.org', 'localhost.example.org', '[::2]', 'example.org', '10.0.0.1']) expect(isLoopbackHost(host)).toBe(false);
  });
});
