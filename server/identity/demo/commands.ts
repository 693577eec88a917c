// The demo desktop as a Send Tab peer: the open-uri and close-uri/v1 bundles it publishes (made
// with the demo kB as Firefox makes them, from the fixed keys in fixtures.ts), and what it does as
// a sender — encrypt for another device's published bundle and queue the command, as Firefox's
// FxAccountsCommands.sys.mjs does — and as a receiver, for tests: the commands queued for it,
// decrypted with its private keys. Crypto goes through the client's src/sync/crypto, as the seed.
import { randomUUID } from 'node:crypto';
import {
  aes128gcmDecrypt,
  aes128gcmEncrypt,
  base64UrlToBytes,
  bytesToBase64Url,
  bytesToHex,
  decryptPayload,
  deriveSyncKey,
  encryptPayload,
  keyBundleFromKSync,
  p256PrivateJwk,
  utf8Decode,
  utf8Encode,
} from '../../../src/sync/crypto/index.ts';
import type { Device, IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { commandLive, enqueueCommand } from '../devices/routes.ts';
import { DEMO_CLIENT_NAME, DEMO_CLOSE_URI, DEMO_COMMAND_KEYS, DEMO_EMAIL, DEMO_KB_HEX, DEMO_OPEN_URI } from './fixtures.ts';

function demoKeys(): { kSync: Uint8Array; kid: string } {
  const { kSync, kXCS } = deriveSyncKey(Buffer.from(DEMO_KB_HEX, 'hex'));
  return { kSync, kid: bytesToHex(kXCS) };
}

/** The demo desktop's availableCommands: `{kid, IV, hmac, ciphertext}` per command, cleartext `{publicKey, authSecret}`. */
export async function demoAvailableCommands(): Promise<Record<string, string>> {
  const { kSync, kid } = demoKeys();
  const out: Record<string, string> = {};
  for (const [command, keys] of Object.entries(DEMO_COMMAND_KEYS)) {
    const wrapped = JSON.parse(await encryptPayload({ publicKey: keys.publicKey, authSecret: keys.authSecret }, keyBundleFromKSync(kSync))) as Record<string, string>;
    out[command] = JSON.stringify({ kid, IV: wrapped.IV, hmac: wrapped.hmac, ciphertext: wrapped.ciphertext });
  }
  return out;
}

/** A request the demo device cannot carry out, in words (the control route answers 409). */
export class DemoCommandError extends Error {}

function demoAccountAndDevice(state: IdentityState): { uid: string; device: Device } {
  const account = findAccountByEmail(state, DEMO_EMAIL);
  const device = account && [...state.devices.values()].find((d) => d.uid === account.uid && d.name === DEMO_CLIENT_NAME);
  if (!account || !device) throw new DemoCommandError('the demo account is not seeded');
  return { uid: account.uid, device };
}

function targetsFor(state: IdentityState, uid: string, demo: Device, command: string, target: string | undefined): Device[] {
  if (target !== undefined) {
    const d = state.devices.get(target);
    return d && d.uid === uid ? [d] : [];
  }
  return [...state.devices.values()].filter((d) => d.uid === uid && d.id !== demo.id && typeof d.availableCommands[command] === 'string');
}

async function sendAsDemo(
  state: IdentityState,
  command: string,
  data: Record<string, unknown>,
  opts: { target?: string; ttl?: number },
): Promise<Array<{ target: string; index: number }>> {
  const { uid, device: demo } = demoAccountAndDevice(state);
  const { kSync, kid } = demoKeys();
  const targets = targetsFor(state, uid, demo, command, opts.target);
  if (targets.length === 0) throw new DemoCommandError(opts.target ? `no device ${opts.target} in the demo account` : `no device of the demo account accepts ${command}`);
  const sent: Array<{ target: string; index: number }> = [];
  for (const target of targets) {
    const bundle = target.availableCommands[command];
    let payload: Record<string, unknown> = {};
    if (bundle !== undefined) {
      const b = JSON.parse(bundle) as { kid?: unknown; IV?: unknown; hmac?: unknown; ciphertext?: unknown };
      // Firefox: "Target Send Tab key ID is different from ours".
      if (b.kid !== kid) throw new DemoCommandError(`${target.name}'s ${command} key id differs from the demo account's`);
      const clear = (await decryptPayload(JSON.stringify({ ciphertext: b.ciphertext, IV: b.IV, hmac: b.hmac }), keyBundleFromKSync(kSync))) as { publicKey: string; authSecret: string };
      const body = utf8Encode(JSON.stringify({ flowID: randomUUID(), streamID: randomUUID(), ...data }));
      payload = { encrypted: bytesToBase64Url(await aes128gcmEncrypt(body, base64UrlToBytes(clear.publicKey), base64UrlToBytes(clear.authSecret))) };
    }
    // Without a bundle the server answers 157, as it would to Firefox.
    const queued = enqueueCommand(state, { uid, sender: demo.id, target: target.id, command, payload, ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}) });
    sent.push({ target: target.id, index: queued.index });
  }
  return sent;
}

/** The demo desktop sends a tab (to `target`, or to every other device of the account that accepts tabs). */
export function demoSendTab(state: IdentityState, opts: { url: string; title?: string; target?: string; ttl?: number }): Promise<Array<{ target: string; index: number }>> {
  return sendAsDemo(state, DEMO_OPEN_URI, { entries: [{ title: opts.title ?? '', url: opts.url }] }, opts);
}

/** The demo desktop asks another device to close its tabs showing these addresses. */
export function demoCloseTabs(state: IdentityState, opts: { urls: string[]; target?: string; ttl?: number }): Promise<Array<{ target: string; index: number }>> {
  return sendAsDemo(state, DEMO_CLOSE_URI, { urls: opts.urls }, opts);
}

export interface DemoReceivedCommand {
  index: number;
  command: string;
  sender: string | null;
  /** The payload as queued (`{encrypted}`). */
  payload: Record<string, unknown>;
  /** The decrypted JSON, or null when the demo's keys cannot read it. */
  decrypted: unknown;
}

/** The live commands queued for the demo desktop, decrypted with its private keys (nothing is removed). */
export async function demoReceived(state: IdentityState): Promise<DemoReceivedCommand[]> {
  const { device } = demoAccountAndDevice(state);
  const out: DemoReceivedCommand[] = [];
  for (const c of state.commands.filter((x) => x.deviceId === device.id && commandLive(state, x)).sort((a, b) => a.index - b.index)) {
    const keys = DEMO_COMMAND_KEYS[c.data.command];
    let decrypted: unknown = null;
    if (keys && typeof c.data.payload.encrypted === 'string') {
      try {
        const privateKey = p256PrivateJwk(base64UrlToBytes(keys.privateKey), base64UrlToBytes(keys.publicKey));
        const clear = await aes128gcmDecrypt(base64UrlToBytes(c.data.payload.encrypted), { privateKey, authSecret: base64UrlToBytes(keys.authSecret) });
        decrypted = JSON.parse(utf8Decode(clear));
      } catch {
        decrypted = null;
      }
    }
    out.push({ index: c.index, command: c.data.command, sender: c.data.sender ?? null, payload: c.data.payload, decrypted });
  }
  return out;
}
