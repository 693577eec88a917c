// This browser's device command keys (protocol.md §8.2): one Web Push key pair and auth secret per
// command we accept (`open-uri`: tabs sent here; `close-uri/v1`: "close these tabs"). Their public
// half is published in the device record, encrypted like a Sync record with kSync as the key bundle,
// under `kid` = lowercase hex(kXCS), exactly as Firefox does (FxAccountsCommands.sys.mjs): the
// cleartext is `{publicKey, authSecret}` and nothing else (Firefox checks the decrypted record's
// `id` against none, so the cleartext must carry no `id`).
//
// Holds private keys: the stored form is kept by the account's store owner (db/accountStore.ts),
// read only in the background, never logged and never sent to pages.
import type { StoredAccount } from './credentials.ts';
import { accountKeys } from './credentials.ts';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  bytesToHex,
  decryptPayload,
  encryptPayload,
  generateWebPushKeys,
  keyBundleFromKSync,
  RecordCryptoError,
  RecordHmacError,
} from '../sync/crypto/index.ts';
import type { EncryptedPayload, WebPushReceiver } from '../sync/crypto/index.ts';

export const OPEN_URI_COMMAND = 'https://identity.mozilla.com/cmd/open-uri';
export const CLOSE_URI_COMMAND = 'https://identity.mozilla.com/cmd/close-uri/v1';

/** The commands this browser accepts, by the name we store their keys under. */
export const OUR_COMMANDS = { 'open-uri': OPEN_URI_COMMAND, 'close-uri': CLOSE_URI_COMMAND } as const;
export type OurCommand = keyof typeof OUR_COMMANDS;

/** One command's keys as stored (b64url, as Firefox stores its sendTabKeys). */
export interface CommandKeyPair {
  /** b64url of the uncompressed P-256 public point. */
  publicKey: string;
  /** The private key as a P-256 JWK. */
  privateKey: JsonWebKey;
  /** b64url of 16 random bytes. */
  authSecret: string;
}

export const COMMAND_KEYS_VERSION = 1;

export interface StoredCommandKeys {
  version: typeof COMMAND_KEYS_VERSION;
  /** The account the keys were made for; keys of another account are never used. */
  uid: string;
  keys: Record<OurCommand, CommandKeyPair>;
  /**
   * What the account's device record was last given: for which device, under which kid, and the
   * availableCommands values themselves (to notice when the server's copy differs). Null: not yet.
   */
  published: { deviceId: string; kid: string; availableCommands: Record<string, string> } | null;
}

/** Persistence of the command keys (AccountStore in the background). */
export interface CommandKeyStore {
  commandKeys(): Promise<StoredCommandKeys | null>;
  saveCommandKeys(keys: StoredCommandKeys): Promise<void>;
}

/** A bundle we cannot use: not the format, or made with another key (HMAC). */
export class CommandBundleError extends Error {
  override name = 'CommandBundleError';
  constructor(readonly reason: 'malformed' | 'wrong-key', message: string) {
    super(message);
  }
}

/** The kid our bundles carry and senders compare: lowercase hex of kXCS (never the X-KeyID form). */
export function commandKid(account: Pick<StoredAccount, 'kSync' | 'kXCS'>): string {
  return bytesToHex(accountKeys(account).kXCS);
}

export async function generateCommandKeyPair(): Promise<CommandKeyPair> {
  const k = await generateWebPushKeys();
  return { publicKey: bytesToBase64Url(k.publicKey), privateKey: k.privateKey, authSecret: bytesToBase64Url(k.authSecret) };
}

export async function newCommandKeys(uid: string): Promise<StoredCommandKeys> {
  return {
    version: COMMAND_KEYS_VERSION,
    uid,
    keys: { 'open-uri': await generateCommandKeyPair(), 'close-uri': await generateCommandKeyPair() },
    published: null,
  };
}

/** Shape check of a value read from storage. */
export function isStoredCommandKeys(v: unknown): v is StoredCommandKeys {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  const keys = s.keys as Record<string, unknown> | undefined;
  const pairOk = (p: unknown): boolean => {
    const q = p as Record<string, unknown> | null | undefined;
    return typeof q === 'object' && q !== null && typeof q.publicKey === 'string' && typeof q.authSecret === 'string' &&
      typeof q.privateKey === 'object' && q.privateKey !== null;
  };
  return s.version === COMMAND_KEYS_VERSION && typeof s.uid === 'string' && typeof keys === 'object' && keys !== null &&
    pairOk(keys['open-uri']) && pairOk(keys['close-uri']) && (s.published === null || typeof s.published === 'object');
}

/** The `availableCommands` value for one key pair: `{kid, IV, hmac, ciphertext}` as a JSON string. */
export async function encryptCommandBundle(pair: Pick<CommandKeyPair, 'publicKey' | 'authSecret'>, account: Pick<StoredAccount, 'kSync' | 'kXCS'>): Promise<string> {
  const { kSync } = accountKeys(account);
  const wrapped = JSON.parse(await encryptPayload({ publicKey: pair.publicKey, authSecret: pair.authSecret }, keyBundleFromKSync(kSync))) as EncryptedPayload;
  return JSON.stringify({ kid: commandKid(account), IV: wrapped.IV, hmac: wrapped.hmac, ciphertext: wrapped.ciphertext });
}

/** Our device's availableCommands: a bundle for every command we accept. */
export async function availableCommandsFor(keys: StoredCommandKeys, account: Pick<StoredAccount, 'kSync' | 'kXCS'>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, command] of Object.entries(OUR_COMMANDS) as Array<[OurCommand, string]>) {
    out[command] = await encryptCommandBundle(keys.keys[name], account);
  }
  return out;
}

/** The kid of a published bundle, without decrypting it (null when the value is not a bundle). */
export function bundleKid(value: string): string | null {
  try {
    const parsed = JSON.parse(value) as { kid?: unknown } | null;
    return typeof parsed?.kid === 'string' ? parsed.kid : null;
  } catch {
    return null;
  }
}

/** Another device's bundle, opened with our kSync: its public key and auth secret. */
export async function decryptCommandBundle(value: string, kSync: Uint8Array): Promise<{ kid: string; publicKey: Uint8Array; authSecret: Uint8Array }> {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(value) as Record<string, unknown>;
  } catch {
    throw new CommandBundleError('malformed', 'command bundle is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new CommandBundleError('malformed', 'command bundle is not an object');
  const { kid, IV, hmac, ciphertext } = parsed;
  if (typeof kid !== 'string' || typeof IV !== 'string' || typeof hmac !== 'string' || typeof ciphertext !== 'string') {
    throw new CommandBundleError('malformed', 'command bundle lacks kid/IV/hmac/ciphertext');
  }
  let clear: unknown;
  try {
    clear = await decryptPayload(JSON.stringify({ ciphertext, IV, hmac }), keyBundleFromKSync(kSync));
  } catch (e) {
    if (e instanceof RecordHmacError) throw new CommandBundleError('wrong-key', 'command bundle was made with another key');
    if (e instanceof RecordCryptoError) throw new CommandBundleError('malformed', e.message);
    throw e;
  }
  const c = clear as { publicKey?: unknown; authSecret?: unknown } | null;
  if (typeof c?.publicKey !== 'string' || typeof c.authSecret !== 'string') throw new CommandBundleError('malformed', 'command bundle lacks publicKey/authSecret');
  let publicKey: Uint8Array;
  let authSecret: Uint8Array;
  try {
    publicKey = base64UrlToBytes(c.publicKey);
    authSecret = base64UrlToBytes(c.authSecret);
  } catch {
    throw new CommandBundleError('malformed', 'command bundle keys are not base64url');
  }
  if (publicKey.length !== 65 || publicKey[0] !== 4 || authSecret.length === 0) throw new CommandBundleError('malformed', 'command bundle keys have the wrong size');
  return { kid, publicKey, authSecret };
}

/** The receiving side of one of our key pairs, for aes128gcmDecrypt. */
export function receiverOf(pair: CommandKeyPair): WebPushReceiver {
  return { privateKey: pair.privateKey, authSecret: base64UrlToBytes(pair.authSecret) };
}
