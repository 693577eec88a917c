// A Sync key bundle: AES-256 key + HMAC-SHA256 key (application-services sync15 key_bundle.rs).
import { base64ToBytes, bytesToBase64, randomBytes } from './encoding.ts';

export interface KeyBundle {
  encKey: Uint8Array;
  hmacKey: Uint8Array;
}

function checked(encKey: Uint8Array, hmacKey: Uint8Array): KeyBundle {
  if (encKey.length !== 32 || hmacKey.length !== 32) throw new TypeError('key bundle keys must be 32 bytes each');
  return { encKey, hmacKey };
}

/** Root bundle: kSync[0..32] encrypts, kSync[32..64] authenticates. */
export function keyBundleFromKSync(kSync: Uint8Array): KeyBundle {
  if (kSync.length !== 64) throw new TypeError('kSync must be 64 bytes');
  return checked(kSync.slice(0, 32), kSync.slice(32, 64));
}

export function randomKeyBundle(): KeyBundle {
  return keyBundleFromKSync(randomBytes(64));
}

/** The `[b64 encKey, b64 hmacKey]` pair format used in crypto/keys (standard, padded base64). */
export function keyBundleToBase64Pair(b: KeyBundle): [string, string] {
  return [bytesToBase64(b.encKey), bytesToBase64(b.hmacKey)];
}

export function keyBundleFromBase64Pair(pair: readonly [string, string] | readonly string[]): KeyBundle {
  if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
    throw new TypeError('key pair must be [base64, base64]');
  }
  return checked(base64ToBytes(pair[0]), base64ToBytes(pair[1]));
}
