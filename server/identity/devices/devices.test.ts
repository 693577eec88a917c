// Devices and device commands, with session-token and refresh-token callers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../test-support/stack.ts';
import { call, loginV1, session, startStack } from '../test-support/stack.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
const OPEN_URI = 'https://identity.mozilla.com/cmd/open-uri';

let stack: Stack;
let origin: string;

beforeAll(async () => {
  stack = await startStack();
  origin = stack.origin;
  await stack.identity.createAccount({ email: 'devices@example.org', password: 'pw' });
});

afterAll(async () => {
  await stack.close();
});

describe('devices', () => {
  it('registers, updates, lists, sends and receives commands, and destroys', async () => {
    // Device A: a session-token client (like Firefox desktop).
    const a = (await loginV1(origin, 'devices@example.org', 'pw')).reply.body.sessionToken;
    const regA = await call(origin, 'POST', '/v1/account/device', {
      headers: session(a),
      json: { name: 'Desktop A', type: 'desktop', availableCommands: { [OPEN_URI]: '{"kid":"00","IV":"x","hmac":"y","ciphertext":"z"}' } },
    });
    expect(regA.status).toBe(200);
    expect(regA.body).toMatchObject({ name: 'Desktop A', type: 'desktop', pushEndpointExpired: false });
    const idA = String(regA.body.id);
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    const renamed = await call(origin, 'POST', '/v1/account/device', { headers: session(a), json: { id: idA, name: 'Desktop A (renamed)' } });
    expect(renamed.body).toMatchObject({ id: idA, name: 'Desktop A (renamed)' });

    // Device B: an OAuth client authenticating with its oldsync refresh token (like our extension).
    const b = (await loginV1(origin, 'devices@example.org', 'pw')).reply.body.sessionToken;
    const grant = await call(origin, 'POST', '/v1/oauth/token', {
      headers: session(b),
      json: { grant_type: 'fxa-credentials', client_id: 'e7ce535d93522896', scope: OLDSYNC, access_type: 'offline' },
    });
    const refresh = { authorization: `Bearer ${String(grant.body.refresh_token)}` };
    const regB = await call(origin, 'POST', '/v1/account/device', { headers: refresh, json: { name: 'Extension B', type: 'desktop', availableCommands: { [OPEN_URI]: 'bundle-b' } } });
    expect(regB.status).toBe(200);
    const idB = String(regB.body.id);
    // Access tokens are not accepted on device routes (only oldsync refresh tokens are).
    const access = await call(origin, 'POST', '/v1/account/device', { headers: { authorization: `Bearer ${String(grant.body.access_token)}` }, json: { name: 'x' } });
    expect(access.status).toBe(401);

    const listB = await call<Array<Record<string, unknown>>>(origin, 'GET', '/v1/account/devices', { headers: refresh });
    expect(listB.body.map((d) => [d.name, d.isCurrentDevice])).toEqual([
      ['Desktop A (renamed)', false],
      ['Extension B', true],
    ]);
    expect(listB.body[0]).toMatchObject({ id: idA, type: 'desktop', availableCommands: { [OPEN_URI]: expect.any(String) } });

    // B sends a tab to A; A polls for it.
    const payload = { encrypted: 'b64url-aes128gcm-blob' };
    expect((await call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: refresh, json: { target: idA, command: OPEN_URI, payload, ttl: 3600 } })).body).toEqual({});
    await call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: refresh, json: { target: idA, command: OPEN_URI, payload: { encrypted: 'second' } } });
    const page1 = await call<{ index: number; last: boolean; messages: Array<{ index: number; data: Record<string, unknown> }> }>(
      origin, 'GET', '/v1/account/device/commands?index=0&limit=1', { headers: session(a) },
    );
    expect(page1.body.last).toBe(false);
    expect(page1.body.messages).toHaveLength(1);
    expect(page1.body.messages[0]!.data).toEqual({ command: OPEN_URI, payload, sender: idB });
    const page2 = await call<typeof page1.body>(origin, 'GET', `/v1/account/device/commands?index=${page1.body.index + 1}&limit=100`, { headers: session(a) });
    expect(page2.body).toMatchObject({ last: true, messages: [{ data: { payload: { encrypted: 'second' } } }] });
    expect(page2.body.index).toBe(page2.body.messages[0]!.index);
    const none = await call<typeof page1.body>(origin, 'GET', `/v1/account/device/commands?index=${page2.body.index + 1}`, { headers: session(a) });
    expect(none.body).toMatchObject({ last: true, messages: [] });

    // Errors: unknown target 123, unsupported command 157.
    const unknown = await call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: refresh, json: { target: 'f'.repeat(32), command: OPEN_URI, payload } });
    expect(unknown.body).toMatchObject({ errno: 123 });
    const unsupported = await call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: refresh, json: { target: idA, command: 'https://identity.mozilla.com/cmd/close-uri/v1', payload } });
    expect(unsupported.body).toMatchObject({ errno: 157 });

    // Destroying A removes it and ends its session.
    expect((await call(origin, 'POST', '/v1/account/device/destroy', { headers: refresh, json: { id: idA } })).body).toEqual({});
    expect((await call<unknown[]>(origin, 'GET', '/v1/account/devices', { headers: refresh })).body).toHaveLength(1);
    expect((await call(origin, 'GET', '/v1/session/status', { headers: session(a) })).status).toBe(401);
  });
});
