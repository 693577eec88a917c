// Token server key-id bookkeeping: node/uid allocation and the invalid-client-state family.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64Url, bytesToHex, deriveSyncKey, keyId } from '../../../src/sync/crypto/index.ts';
import type { Stack } from '../test-support/stack.ts';
import { call, fetchKB, loginV1, session, startStack } from '../test-support/stack.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';

let stack: Stack;
let origin: string;
let accessToken: string;

beforeAll(async () => {
  stack = await startStack();
  origin = stack.origin;
  await stack.identity.createAccount({ email: 'ts@example.org', password: 'pw' });
  const { reply } = await loginV1(origin, 'ts@example.org', 'pw');
  const grant = await call(origin, 'POST', '/v1/oauth/token', {
    headers: session(reply.body.sessionToken),
    json: { grant_type: 'fxa-credentials', client_id: '5882386c6d801776', scope: OLDSYNC },
  });
  accessToken = String(grant.body.access_token);
});

afterAll(async () => {
  await stack.close();
});

const state = (fill: number) => new Uint8Array(16).fill(fill);
const kid = (kca: number, fill: number) => `${kca}-${bytesToBase64Url(state(fill))}`;

async function token(keyId: string, extra: Record<string, string> = {}) {
  return call<Record<string, unknown>>(origin, 'GET', '/token/1.0/sync/1.5', {
    headers: { authorization: `Bearer ${accessToken}`, 'x-keyid': keyId, ...extra },
  });
}

describe('node reassignment', () => {
  it('gives the user a new storage uid and api_endpoint, as a move to a new node does', async () => {
    const before = await token(kid(500, 9));
    expect(before.status).toBe(200);
    const oldUid = String(before.body.uid);
    const moved = await call(origin, 'POST', '/__test__/faults/reassign', { json: { uid: oldUid } });
    expect(moved.status).toBe(200);
    const after = await token(kid(500, 9));
    expect(after.status).toBe(200);
    expect(String(after.body.uid)).not.toBe(oldUid);
    expect(after.body.api_endpoint).toBe(`${origin}/storage/1.5/${String(after.body.uid)}`);
    expect(after.body.api_endpoint).not.toBe(before.body.api_endpoint);
  });
});

describe('token server key ids', () => {
  it('keeps the uid for the same keys, moves to a new uid when keys change with a newer timestamp', async () => {
    const first = await token(kid(1_000, 1));
    expect(first.status).toBe(200);
    expect((await token(kid(1_000, 1))).body.uid).toBe(first.body.uid);
    const rotated = await token(kid(2_000, 2));
    expect(rotated.status).toBe(200);
    expect(rotated.body.uid).not.toBe(first.body.uid);
    expect(rotated.body.api_endpoint).toBe(`${origin}/storage/1.5/${String(rotated.body.uid)}`);
  });

  it('answers invalid-client-state for a changed client state with the same timestamp', async () => {
    const reply = await token(kid(2_000, 3));
    expect(reply.status).toBe(401);
    expect(reply.body).toEqual({
      status: 'invalid-client-state',
      errors: [{ location: 'header', name: 'X-Client-State', description: 'Unacceptable client-state value new value with no keys_changed_at change' }],
    });
  });

  it('answers invalid-client-state for a previously replaced client state, even with a newer timestamp', async () => {
    const reply = await token(kid(3_000, 1));
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ status: 'invalid-client-state', errors: [{ description: 'Unacceptable client-state value stale value' }] });
  });

  it('answers invalid-keysChangedAt when the timestamp goes backwards', async () => {
    const reply = await token(kid(1_500, 2));
    expect(reply.status).toBe(401);
    expect(reply.body).toMatchObject({ status: 'invalid-keysChangedAt' });
  });

  it('checks X-Client-State against the key id and rejects malformed key ids', async () => {
    const mismatch = await token(kid(2_000, 2), { 'x-client-state': bytesToHex(state(9)) });
    expect(mismatch.body).toMatchObject({ status: 'invalid-client-state' });
    const malformed = await token('no-dash-here'.replace(/-/g, ''));
    expect(malformed.body).toMatchObject({ status: 'invalid-credentials' });
  });

  it('answers 404 for other applications', async () => {
    const reply = await call(origin, 'GET', '/token/1.0/sync/1.1', { headers: { authorization: `Bearer ${accessToken}`, 'x-keyid': kid(2_000, 2) } });
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ status: 'error' });
  });
});

describe('account reset (new kB)', () => {
  it('kills old tokens, changes the kid and moves the account to a new storage uid', async () => {
    const email = 'reset@example.org';
    await stack.identity.createAccount({ email, password: 'pw' });
    async function signIn() {
      const { reply, creds } = await loginV1(origin, email, 'pw');
      const kB = await fetchKB(origin, reply.body.keyFetchToken!, creds);
      const grant = await call(origin, 'POST', '/v1/oauth/token', {
        headers: session(reply.body.sessionToken),
        json: { client_id: '5882386c6d801776', scope: OLDSYNC, access_type: 'offline' },
      });
      const meta = await call<Record<string, { keyRotationTimestamp: number }>>(origin, 'POST', '/v1/account/scoped-key-data', {
        headers: session(reply.body.sessionToken),
        json: { client_id: '5882386c6d801776', scope: OLDSYNC },
      });
      const kid = keyId(meta.body[OLDSYNC]!.keyRotationTimestamp, deriveSyncKey(kB).kXCS);
      return { session: reply.body.sessionToken, access: String(grant.body.access_token), refresh: String(grant.body.refresh_token), kid };
    }
    const before = await signIn();
    const first = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${before.access}`, 'x-keyid': before.kid } });
    expect(first.status).toBe(200);

    stack.server.clock.offsetMs += 1000;
    try {
      const reset = await call(origin, 'POST', '/__test__/accounts/reset-keys', { json: { email, password: 'pw' } });
      expect(reset.status).toBe(200);
      expect((await call(origin, 'GET', '/v1/session/status', { headers: session(before.session) })).status).toBe(401);
      const dead = await call(origin, 'POST', '/v1/oauth/token', { json: { client_id: '5882386c6d801776', grant_type: 'refresh_token', refresh_token: before.refresh } });
      expect(dead.status).toBe(401);

      const after = await signIn();
      expect(after.kid).not.toBe(before.kid);
      const moved = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${after.access}`, 'x-keyid': after.kid } });
      expect(moved.status).toBe(200);
      expect(moved.body.uid).not.toBe(first.body.uid);
      // A client still holding the old keys is told its client state is stale.
      const stale = await call(origin, 'GET', '/token/1.0/sync/1.5', { headers: { authorization: `Bearer ${after.access}`, 'x-keyid': before.kid } });
      expect(stale.status).toBe(401);
      expect(stale.body.status).toBe('invalid-client-state');
    } finally {
      stack.server.clock.offsetMs -= 1000;
    }
  });
});
