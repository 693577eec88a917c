// End to end across the service boundary: credentials minted by the token server (identity)
// are accepted by storage at the api_endpoint it hands out, and a node reassignment forces a
// new token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBase64Url } from '../../src/sync/crypto/index.ts';
import { hawkHeader } from '../../src/sync/crypto/hawk.ts';
import type { Stack } from '../identity/test-support/stack.ts';
import { call, loginV1, session, startStack } from '../identity/test-support/stack.ts';

let stack: Stack;
let accessToken: string;
const keyId = `1000-${bytesToBase64Url(new Uint8Array(16).fill(7))}`;

beforeAll(async () => {
  stack = await startStack();
  await stack.identity.createAccount({ email: 'storage@example.org', password: 'pw' });
  const { reply } = await loginV1(stack.origin, 'storage@example.org', 'pw');
  const grant = await call(stack.origin, 'POST', '/v1/oauth/token', {
    headers: session(reply.body.sessionToken),
    json: { grant_type: 'fxa-credentials', client_id: '5882386c6d801776', scope: 'https://identity.mozilla.com/apps/oldsync' },
  });
  accessToken = String(grant.body.access_token);
});
afterAll(async () => {
  await stack.close();
});

async function token(): Promise<{ id: string; key: string; uid: number; api_endpoint: string }> {
  const r = await call<{ id: string; key: string; uid: number; api_endpoint: string }>(stack.origin, 'GET', '/token/1.0/sync/1.5', {
    headers: { authorization: `Bearer ${accessToken}`, 'x-keyid': keyId },
  });
  expect(r.status).toBe(200);
  return r.body;
}

async function infoCollections(t: { id: string; key: string; api_endpoint: string }): Promise<number> {
  const url = `${t.api_endpoint}/info/collections`;
  const res = await fetch(url, { headers: { authorization: hawkHeader({ method: 'GET', url, id: t.id, key: t.key }) } });
  await res.arrayBuffer();
  return res.status;
}

describe('token server → storage', () => {
  it('accepts token server credentials and rejects them after a node reassignment', async () => {
    const t = await token();
    expect(await infoCollections(t)).toBe(200);
    const re = await fetch(`${stack.origin}/__test__/faults/reassign`, { method: 'POST', body: JSON.stringify({ uid: String(t.uid) }) });
    expect(re.status).toBe(200);
    expect(await infoCollections(t)).toBe(401);
    expect(await infoCollections(await token())).toBe(200);
  });
});
