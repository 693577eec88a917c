// Send Tab out, against the local stack's demo account: our device publishes both bundles, the demo
// Firefox device is a target, a tab sent to it is what Firefox reads (decrypted here with the demo
// device's private key), and every refusal is in words (kid, errno 157, errno 123, network, address).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, loginV1, session } from '../../server/identity/test-support/stack.ts';
import { DEMO_CLIENT_NAME, DEMO_COMMAND_KEYS, DEMO_EMAIL, DEMO_PASSWORD } from '../../server/identity/demo/fixtures.ts';
import { startDemoHarness, type Harness } from '../test-support/syncHarness.ts';
import { aes128gcmDecrypt, base64UrlToBytes, bytesToHex, p256PrivateJwk, utf8Decode } from '../sync/crypto/index.ts';
import { accountKeys } from './credentials.ts';
import { CLOSE_URI_COMMAND, decryptCommandBundle, OPEN_URI_COMMAND } from './commandKeys.ts';
import { listDevices, type RemoteDevice } from './devices.ts';
import { closeTabsOn, sendTab, sendTargetsOf, SendTabError } from './sendTab.ts';

let h: Harness;
beforeEach(async () => {
  h = await startDemoHarness();
});
afterEach(async () => {
  await h.close();
});

async function us() {
  const account = (await h.accounts.account())!;
  const devices = await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken } });
  return { account, devices, demo: devices.find((d) => d.name === DEMO_CLIENT_NAME)! };
}

/** Another device of the demo account (a session of its own), registered with these commands. */
async function anotherDevice(name: string, availableCommands: Record<string, string>): Promise<{ id: string; token: string }> {
  const token = String((await loginV1(h.origin, DEMO_EMAIL, DEMO_PASSWORD)).reply.body.sessionToken);
  const res = await call(h.origin, 'POST', '/v1/account/device', { headers: session(token), json: { name, type: 'mobile', availableCommands } });
  return { id: String(res.body.id), token };
}

const demoPrivate = (command: string) => {
  const k = DEMO_COMMAND_KEYS[command]!;
  return { privateKey: p256PrivateJwk(base64UrlToBytes(k.privateKey), base64UrlToBytes(k.publicKey)), authSecret: base64UrlToBytes(k.authSecret) };
};

describe('send tab: our device and its targets', () => {
  it('after a sync our device publishes open-uri and close-uri/v1 under our kid; the demo desktop is a target, we are not', async () => {
    const { account, devices } = await us();
    const me = devices.find((d) => d.isCurrentDevice)!;
    expect(me.id).toBe(account.deviceId);
    for (const command of [OPEN_URI_COMMAND, CLOSE_URI_COMMAND]) {
      const opened = await decryptCommandBundle(me.availableCommands[command]!, accountKeys(account).kSync);
      expect(opened.kid).toBe(bytesToHex(accountKeys(account).kXCS));
      expect(opened.publicKey).toHaveLength(65);
    }
    const targets = sendTargetsOf(devices);
    expect(targets.map((t) => t.name)).toEqual([DEMO_CLIENT_NAME]);
    expect(targets[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: DEMO_CLIENT_NAME, type: 'desktop', lastAccessTime: expect.any(Number) });
  });

  it('a tab sent to the demo Firefox device is queued for it, and its private key reads {entries:[{title,url}], flowID, streamID}', async () => {
    const { account, demo } = await us();
    const { device } = await sendTab({ account, deviceId: demo.id, url: 'https://example.com/article?x=1', title: 'An article' });
    expect(device.name).toBe(DEMO_CLIENT_NAME);
    const [received, ...more] = await h.demoDevice.received();
    expect(more).toEqual([]);
    expect(received).toMatchObject({ command: OPEN_URI_COMMAND, sender: account.deviceId });
    // Decrypted here with the demo device's private key and auth secret, independently of the server's view.
    const clear = JSON.parse(utf8Decode(await aes128gcmDecrypt(base64UrlToBytes(String(received!.payload.encrypted)), demoPrivate(OPEN_URI_COMMAND)))) as Record<string, unknown>;
    expect(clear).toEqual({
      entries: [{ title: 'An article', url: 'https://example.com/article?x=1' }],
      flowID: expect.stringMatching(/^[0-9a-f-]{36}$/),
      streamID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(clear.flowID).not.toBe(clear.streamID);
    expect(received!.decrypted).toEqual(clear);
    // The message is one aes128gcm record: header salt ‖ rs ‖ 65 ‖ key.
    const bytes = base64UrlToBytes(String(received!.payload.encrypted));
    expect(bytes[20]).toBe(65);
    expect(Object.keys(received!.payload)).toEqual(['encrypted']);
  });

  it('close-tabs out: {urls} for the demo device’s close-uri/v1 key', async () => {
    const { account, demo } = await us();
    await closeTabsOn({ account, deviceId: demo.id, urls: ['https://a.example/', 'https://b.example/x'] });
    const [received] = await h.demoDevice.received();
    expect(received).toMatchObject({ command: CLOSE_URI_COMMAND, decrypted: { urls: ['https://a.example/', 'https://b.example/x'] } });
  });
});

describe('send tab: refusals in words', () => {
  it('a device whose kid is not ours needs to sign in again (nothing is sent)', async () => {
    const bundle = JSON.stringify({ kid: '00'.repeat(16), IV: 'AAAAAAAAAAAAAAAAAAAAAA==', hmac: '00', ciphertext: 'AAAA' });
    const other = await anotherDevice('Old phone', { [OPEN_URI_COMMAND]: bundle });
    const { account } = await us();
    const err = await sendTab({ account, deviceId: other.id, url: 'https://example.com/', title: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SendTabError);
    expect(err).toMatchObject({ kind: 'stale-keys', userMessage: 'Old phone needs to sign in again before it can receive tabs.' });
    // A bundle with our kid that our kSync cannot open is refused the same way.
    const { account: a2 } = await us();
    const forged = await anotherDevice('Forged', { [OPEN_URI_COMMAND]: JSON.stringify({ kid: bytesToHex(accountKeys(a2).kXCS), IV: 'AAAAAAAAAAAAAAAAAAAAAA==', hmac: '00'.repeat(32), ciphertext: 'AAAAAAAAAAAAAAAAAAAAAA==' }) });
    await expect(sendTab({ account: a2, deviceId: forged.id, url: 'https://example.com/', title: 'x' })).rejects.toMatchObject({ kind: 'stale-keys' });
  });

  it('errno 157: the device stopped accepting tabs since we listed it; errno 123: it is gone', async () => {
    const demoCommands = (await us()).demo.availableCommands;
    const phone = await anotherDevice('Phone', { [OPEN_URI_COMMAND]: demoCommands[OPEN_URI_COMMAND]! });
    const { account, devices } = await us(); // the list as the popup saw it
    expect(sendTargetsOf(devices).map((t) => t.name)).toContain('Phone');
    await call(h.origin, 'POST', '/v1/account/device', { headers: session(phone.token), json: { id: phone.id, availableCommands: {} } });
    const unsupported = await sendTab({ account, devices, deviceId: phone.id, url: 'https://example.com/', title: 'x' }).catch((e: unknown) => e);
    expect(unsupported).toMatchObject({ name: 'SendTabError', kind: 'unsupported', userMessage: 'Phone does not accept tabs.' });
    await call(h.origin, 'POST', '/v1/account/device/destroy', { headers: session(phone.token), json: { id: phone.id } });
    const gone = await sendTab({ account, devices, deviceId: phone.id, url: 'https://example.com/', title: 'x' }).catch((e: unknown) => e);
    expect(gone).toMatchObject({ kind: 'gone', userMessage: 'Phone is no longer connected to your account.' });
    // Not in the (fresh) list at all, or listed without open-uri.
    await expect(sendTab({ account, deviceId: phone.id, url: 'https://example.com/', title: 'x' })).rejects.toMatchObject({ kind: 'gone' });
    const noCommands = await anotherDevice('Tablet', {});
    await expect(sendTab({ account, deviceId: noCommands.id, url: 'https://example.com/', title: 'x' })).rejects.toMatchObject({ userMessage: 'Tablet does not accept tabs.' });
    expect(await h.demoDevice.received()).toEqual([]);
  });

  it('no network, and addresses that are not web pages', async () => {
    const { account, demo } = await us();
    const offline = async (): Promise<Response> => {
      throw new TypeError('fetch failed');
    };
    await expect(sendTab({ account, deviceId: demo.id, url: 'https://example.com/', title: 'x', fetch: offline })).rejects.toMatchObject({
      kind: 'network', userMessage: expect.stringMatching(/^Could not reach your account server/),
    });
    const listed: RemoteDevice[] = [demo];
    await expect(sendTab({ account, devices: listed, deviceId: demo.id, url: 'https://example.com/', title: 'x', fetch: offline })).rejects.toMatchObject({ kind: 'network' });
    for (const url of ['chrome://settings', 'about:config', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url']) {
      await expect(sendTab({ account, deviceId: demo.id, url, title: 'x' })).rejects.toMatchObject({ kind: 'bad-url' });
    }
  });
});
