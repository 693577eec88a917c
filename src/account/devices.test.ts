// Device registration, listing and the polled command queue against the real local stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordSignIn } from './authClient.ts';
import { destroyDevice, invokeCommand, listDevices, pollAllCommands, pollCommands, registerDevice, updateDevice } from './devices.ts';
import type { DeviceAuth } from './devices.ts';
import { AccountError } from './errors.ts';
import { fxaCredentialsGrant } from './oauthClient.ts';
import type { TestStack } from './testStack.ts';
import { startTestStack } from './testStack.ts';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack.close();
});

const PASSWORD = 'device tests password';
const OPEN_URI = 'https://identity.mozilla.com/cmd/open-uri';

async function signedIn(email: string): Promise<{ session: string; refresh: string }> {
  const result = await passwordSignIn({ config: stack.config, email, password: PASSWORD });
  expect(result.state).toBe('verified');
  const tokens = await fxaCredentialsGrant({ config: stack.config, sessionToken: result.session.sessionToken });
  return { session: result.session.sessionToken, refresh: tokens.refreshToken! };
}

describe('devices', () => {
  it('registers, updates, lists, exchanges commands and destroys', async () => {
    const email = 'devices@example.org';
    await stack.createV1Account(email, PASSWORD);
    const ours = await signedIn(email);
    const theirs = await signedIn(email);
    const ourAuth: DeviceAuth = { refreshToken: ours.refresh };
    const theirAuth: DeviceAuth = { sessionToken: theirs.session };
    const base = { config: stack.config };

    const me = await registerDevice({ ...base, auth: ourAuth, device: { name: 'Syncbridge on Chromium' } });
    expect(me).toMatchObject({ name: 'Syncbridge on Chromium', type: 'desktop', availableCommands: {} });
    const peer = await registerDevice({ ...base, auth: theirAuth, device: { name: 'Firefox', availableCommands: { [OPEN_URI]: '{}' } } });

    const updated = await updateDevice({ ...base, auth: ourAuth, id: me.id, changes: { availableCommands: { [OPEN_URI]: 'bundle' } } });
    expect(updated).toMatchObject({ id: me.id, name: 'Syncbridge on Chromium', availableCommands: { [OPEN_URI]: 'bundle' } });

    const list = await listDevices({ ...base, auth: ourAuth });
    expect(list.map((d) => [d.id, d.isCurrentDevice]).sort()).toEqual([[me.id, true], [peer.id, false]].sort());
    expect(list.find((d) => d.id === me.id)?.lastAccessTime).toEqual(expect.any(Number));

    expect((await pollCommands({ ...base, auth: ourAuth, index: 0 })).messages).toEqual([]);
    await invokeCommand({ ...base, auth: theirAuth, target: me.id, command: OPEN_URI, payload: { encrypted: 'one' } });
    await invokeCommand({ ...base, auth: theirAuth, target: me.id, command: OPEN_URI, payload: { encrypted: 'two' } });

    const page = await pollCommands({ ...base, auth: ourAuth, index: 0, limit: 1 });
    expect(page.last).toBe(false);
    expect(page.messages).toHaveLength(1);
    expect(page.messages[0]).toMatchObject({ command: OPEN_URI, payload: { encrypted: 'one' }, sender: peer.id });

    const all = await pollAllCommands({ ...base, auth: ourAuth, lastHandledIndex: 0, pageSize: 1 });
    expect(all.messages.map((m) => m.payload.encrypted)).toEqual(['one', 'two']);
    const after = await pollAllCommands({ ...base, auth: ourAuth, lastHandledIndex: all.lastIndex });
    expect(after.messages).toEqual([]);
    expect(after.lastIndex).toBe(all.lastIndex);

    await destroyDevice({ ...base, auth: theirAuth, id: me.id });
    expect((await listDevices({ ...base, auth: theirAuth })).map((d) => d.id)).toEqual([peer.id]);
    // The refresh token went with the device.
    const err = await listDevices({ ...base, auth: ourAuth }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountError);
    expect((err as AccountError).kind).toBe('session-expired');
  });

  it('refuses commands the target did not advertise', async () => {
    const email = 'devices2@example.org';
    await stack.createV1Account(email, PASSWORD);
    const a = await signedIn(email);
    const b = await signedIn(email);
    const target = await registerDevice({ config: stack.config, auth: { refreshToken: b.refresh }, device: { name: 'plain' } });
    const err = await invokeCommand({
      config: stack.config,
      auth: { refreshToken: a.refresh },
      target: target.id,
      command: OPEN_URI,
      payload: {},
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccountError);
    expect((err as AccountError).errno).toBe(157);
  });
});
