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

describe('device commands as pushbox keeps them (protocol.md §8.5)', () => {
  type Page = { index: number; last: boolean; messages: Array<{ index: number; data: Record<string, unknown> }> };
  const CLOSE_URI = 'https://identity.mozilla.com/cmd/close-uri/v1';

  async function twoDevices(email: string) {
    await stack.identity.createAccount({ email, password: 'pw' });
    const a = (await loginV1(origin, email, 'pw')).reply.body.sessionToken;
    const b = (await loginV1(origin, email, 'pw')).reply.body.sessionToken;
    const reg = async (token: string, name: string, commands: Record<string, string>) =>
      String((await call(origin, 'POST', '/v1/account/device', { headers: session(token), json: { name, type: 'desktop', availableCommands: commands } })).body.id);
    const idA = await reg(a, 'Receiver', { [OPEN_URI]: 'bundle', [CLOSE_URI]: 'bundle' });
    const idB = await reg(b, 'Sender', {});
    const send = (json: Record<string, unknown>) => call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: session(b), json: { target: idA, command: OPEN_URI, payload: { encrypted: 'x' }, ...json } });
    const poll = async (query: string) => (await call<Page>(origin, 'GET', `/v1/account/device/commands${query}`, { headers: session(a) })).body;
    return { idA, idB, send, poll };
  }

  it('index: ≥ the asked one (0 or absent: all), the reply’s index is the last returned (0 if none), last when nothing more waits', async () => {
    const { idB, send, poll } = await twoDevices('index@example.org');
    expect(await poll('')).toEqual({ index: 0, last: true, messages: [] });
    for (let i = 0; i < 3; i++) expect((await send({})).status).toBe(200);
    // The counter is shared by every account: another account's command makes a gap.
    await stack.identity.createAccount({ email: 'other-index@example.org', password: 'pw' });
    const o = (await loginV1(origin, 'other-index@example.org', 'pw')).reply.body.sessionToken;
    const oid = String((await call(origin, 'POST', '/v1/account/device', { headers: session(o), json: { name: 'o', availableCommands: { [OPEN_URI]: 'b' } } })).body.id);
    await call(origin, 'POST', '/v1/account/devices/invoke_command', { headers: session(o), json: { target: oid, command: OPEN_URI, payload: {} } });
    await send({});

    const all = await poll('?index=0');
    const indices = all.messages.map((m) => m.index);
    expect(indices).toHaveLength(4);
    expect(indices[3]! - indices[2]!).toBe(2);
    expect(all).toMatchObject({ index: indices[3], last: true });
    expect(all.messages[0]!.data).toEqual({ command: OPEN_URI, payload: { encrypted: 'x' }, sender: idB });
    expect((await poll('')).messages).toHaveLength(4);

    const first = await poll(`?index=${indices[1]}&limit=2`);
    expect(first).toMatchObject({ index: indices[2], last: false });
    expect(first.messages.map((m) => m.index)).toEqual([indices[1], indices[2]]);
    const rest = await poll(`?index=${first.index + 1}`);
    expect(rest).toMatchObject({ index: indices[3], last: true });
    expect(await poll(`?index=${indices[3]! + 1}`)).toEqual({ index: 0, last: true, messages: [] });
    expect(await poll('?limit=0')).toMatchObject({ index: 0, last: true, messages: [] });
    expect((await call(origin, 'GET', '/v1/account/device/commands?limit=101', { headers: session((await loginV1(origin, 'index@example.org', 'pw')).reply.body.sessionToken) })).body).toMatchObject({ errno: 107 });
  });

  it('TTL in seconds: expired commands are gone, open-uri lives 30 days capped at 28, others 28; 0..10,000,000 accepted', async () => {
    const { send, poll } = await twoDevices('ttl@example.org');
    const clock = stack.server.clock;
    try {
      expect((await send({ ttl: 5 })).status).toBe(200);
      expect((await send({})).status).toBe(200); // open-uri default
      expect((await send({ command: CLOSE_URI })).status).toBe(200); // no default: the maximum
      expect((await send({ ttl: 10_000_001 })).body).toMatchObject({ errno: 107 });
      expect((await send({ ttl: -1 })).body).toMatchObject({ errno: 107 });
      expect((await send({ ttl: 1.5 })).body).toMatchObject({ errno: 107 });
      expect((await poll('')).messages).toHaveLength(3);

      clock.offsetMs = 7_000; // past the 5 s command (expiry is kept to the second)
      const later = await poll('');
      expect(later.messages.map((m) => m.data.command)).toEqual([OPEN_URI, CLOSE_URI]);
      clock.offsetMs = 28 * 24 * 3600 * 1000 - 60_000;
      expect((await poll('')).messages).toHaveLength(2);
      clock.offsetMs = 28 * 24 * 3600 * 1000 + 5_000; // both capped at 28 days
      expect(await poll('')).toMatchObject({ index: 0, last: true, messages: [] });
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('errno 157 for a device that does not list the command, 123 for a device the account lacks', async () => {
    const { idA, idB, send } = await twoDevices('errors@example.org');
    expect((await send({ target: idB })).body).toMatchObject({ code: 400, errno: 157 });
    expect((await send({ target: '0'.repeat(32) })).body).toMatchObject({ code: 400, errno: 123 });
    const { idA: elsewhere } = await twoDevices('errors-other@example.org');
    expect((await send({ target: elsewhere })).body).toMatchObject({ errno: 123 });
    expect((await send({ target: idA })).status).toBe(200);
  });
});
