// The command key bundle (protocol.md §8.2) against one made the way Firefox makes it
// (FxAccountsCommands: CryptoWrapper with cleartext {publicKey, authSecret}, BulkKeyBundle from kSync,
// kid = hex(kXCS)), written here with node:crypto; and the demo's Firefox device's bundles.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { demoAvailableCommands } from '../../server/identity/demo/commands.ts';
import { DEMO_COMMAND_KEYS, DEMO_KB_HEX } from '../../server/identity/demo/fixtures.ts';
import { bytesToBase64, bytesToHex, deriveSyncKey, utf8Encode } from '../sync/crypto/index.ts';
import { aes128gcmDecrypt, aes128gcmEncrypt, base64UrlToBytes } from '../sync/crypto/index.ts';
import {
  availableCommandsFor,
  CLOSE_URI_COMMAND,
  CommandBundleError,
  commandKid,
  decryptCommandBundle,
  encryptCommandBundle,
  newCommandKeys,
  OPEN_URI_COMMAND,
  receiverOf,
} from './commandKeys.ts';

const kB = Buffer.from(DEMO_KB_HEX, 'hex');
const { kSync, kXCS } = deriveSyncKey(kB);
const account = { kSync: bytesToBase64(kSync), kXCS: bytesToBase64(kXCS) };

/** Firefox's way: CryptoWrapper.encrypt with the kSync bundle, then {kid, IV, hmac, ciphertext}. */
function firefoxBundle(cleartext: Record<string, unknown>, key: Uint8Array, kid: string): string {
  const iv = randomBytes(16);
  const cipher = createCipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(cleartext), 'utf8'), cipher.final()]).toString('base64');
  const hmac = createHmac('sha256', key.subarray(32, 64)).update(ciphertext, 'utf8').digest('hex');
  return JSON.stringify({ kid, IV: iv.toString('base64'), hmac, ciphertext });
}

/** Firefox's way back: CryptoWrapper.decrypt (HMAC over the base64 text, then AES-CBC, then JSON). */
function firefoxOpen(bundle: string, key: Uint8Array): Record<string, unknown> {
  const b = JSON.parse(bundle) as { IV: string; hmac: string; ciphertext: string };
  expect(createHmac('sha256', key.subarray(32, 64)).update(b.ciphertext, 'utf8').digest('hex')).toBe(b.hmac);
  const decipher = createDecipheriv('aes-256-cbc', key.subarray(0, 32), Buffer.from(b.IV, 'base64'));
  return JSON.parse(Buffer.concat([decipher.update(Buffer.from(b.ciphertext, 'base64')), decipher.final()]).toString('utf8')) as Record<string, unknown>;
}

describe('command key bundles', () => {
  it('ours reads as Firefox reads it: {kid (lowercase hex kXCS), IV, hmac, ciphertext} of exactly {publicKey, authSecret}', async () => {
    const keys = await newCommandKeys('uid');
    expect(base64UrlToBytes(keys.keys['open-uri'].publicKey)).toHaveLength(65);
    expect(base64UrlToBytes(keys.keys['open-uri'].authSecret)).toHaveLength(16);
    expect(keys.keys['open-uri'].publicKey).not.toBe(keys.keys['close-uri'].publicKey);
    const commands = await availableCommandsFor(keys, account);
    expect(Object.keys(commands).sort()).toEqual([CLOSE_URI_COMMAND, OPEN_URI_COMMAND].sort());
    const bundle = JSON.parse(commands[OPEN_URI_COMMAND]!) as Record<string, string>;
    expect(Object.keys(bundle)).toEqual(['kid', 'IV', 'hmac', 'ciphertext']);
    expect(bundle.kid).toBe(bytesToHex(kXCS));
    expect(bundle.kid).toMatch(/^[0-9a-f]{32}$/);
    expect(commandKid(account)).toBe(bundle.kid);
    // No `id` in the cleartext: Firefox's CryptoWrapper compares it with the (absent) record id.
    expect(firefoxOpen(commands[OPEN_URI_COMMAND]!, kSync)).toEqual({ publicKey: keys.keys['open-uri'].publicKey, authSecret: keys.keys['open-uri'].authSecret });
    expect(firefoxOpen(commands[CLOSE_URI_COMMAND]!, kSync)).toEqual({ publicKey: keys.keys['close-uri'].publicKey, authSecret: keys.keys['close-uri'].authSecret });
  });

  it('opens a bundle made the way Firefox makes it, and what is encrypted for it reaches our private key', async () => {
    const keys = await newCommandKeys('uid');
    const pair = keys.keys['open-uri'];
    const bundle = firefoxBundle({ publicKey: pair.publicKey, authSecret: pair.authSecret }, kSync, bytesToHex(kXCS));
    const opened = await decryptCommandBundle(bundle, kSync);
    expect(opened.kid).toBe(bytesToHex(kXCS));
    expect(opened.publicKey).toEqual(base64UrlToBytes(pair.publicKey));
    expect(opened.authSecret).toEqual(base64UrlToBytes(pair.authSecret));
    const message = await aes128gcmEncrypt(utf8Encode('{"entries":[]}'), opened.publicKey, opened.authSecret);
    expect(new TextDecoder().decode(await aes128gcmDecrypt(message, receiverOf(pair)))).toBe('{"entries":[]}');
    // And ours opens with our own reader.
    expect((await decryptCommandBundle(await encryptCommandBundle(pair, account), kSync)).publicKey).toEqual(opened.publicKey);
  });

  it('opens the demo Firefox device’s bundles with the demo kSync: its fixed public keys', async () => {
    const commands = await demoAvailableCommands();
    for (const command of [OPEN_URI_COMMAND, CLOSE_URI_COMMAND]) {
      const opened = await decryptCommandBundle(commands[command]!, kSync);
      expect(opened.kid).toBe(bytesToHex(kXCS));
      expect(opened.publicKey).toEqual(base64UrlToBytes(DEMO_COMMAND_KEYS[command]!.publicKey));
      expect(opened.authSecret).toEqual(base64UrlToBytes(DEMO_COMMAND_KEYS[command]!.authSecret));
    }
  });

  it('a bundle made with another kSync is a wrong-key error; a malformed one says so', async () => {
    const other = deriveSyncKey(randomBytes(32)).kSync;
    const bundle = firefoxBundle({ publicKey: 'x', authSecret: 'y' }, other, 'ab');
    await expect(decryptCommandBundle(bundle, kSync)).rejects.toMatchObject({ name: 'CommandBundleError', reason: 'wrong-key' });
    await expect(decryptCommandBundle('not json', kSync)).rejects.toBeInstanceOf(CommandBundleError);
    await expect(decryptCommandBundle('{"kid":"ab"}', kSync)).rejects.toMatchObject({ reason: 'malformed' });
    await expect(decryptCommandBundle(firefoxBundle({ publicKey: 'AAAA', authSecret: 'AAAA' }, kSync, 'ab'), kSync)).rejects.toMatchObject({ reason: 'malformed' });
  });
});
