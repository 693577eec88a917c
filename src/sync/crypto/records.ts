// Sync 1.5 record encryption (protocol.md §5.2–5.3; application-services sync15 key_bundle.rs,
// mozilla-services/docs storageformat5): AES-256-CBC + PKCS#7, random 16-byte IV, and
// HMAC-SHA256 (hex) over the *base64 text* of the ciphertext.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  hexToBytes,
  randomBytes,
  toArrayBufferView,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';
import { keyBundleFromBase64Pair, keyBundleToBase64Pair, type KeyBundle } from './keyBundle.ts';

/** Base class so callers can catch every record-crypto failure at once. */
export class RecordCryptoError extends Error {
  override name = 'RecordCryptoError';
}

/** HMAC mismatch: wrong key (e.g. stale kB / wrong crypto/keys) or tampered record. */
export class RecordHmacError extends RecordCryptoError {
  override name = 'RecordHmacError';
  constructor(message = 'record HMAC mismatch') {
    super(message);
  }
}

/** Payload or cleartext is not what the format requires (bad JSON, missing/invalid fields, bad padding). */
export class RecordFormatError extends RecordCryptoError {
  override name = 'RecordFormatError';
}

export interface EncryptedPayload {
  ciphertext: string;
  IV: string;
  hmac: string;
}

// Imported AES keys, cached per key-bytes object so bulk record work does not re-import each time.
const aesKeyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function aesKeyFor(key: Uint8Array): Promise<CryptoKey> {
  let k = aesKeyCache.get(key);
  if (!k) {
    k = globalThis.crypto.subtle.importKey('raw', toArrayBufferView(key), 'AES-CBC', false, ['encrypt', 'decrypt']);
    aesKeyCache.set(key, k);
    // A failed import (wrong key length) must not stay cached.
    k.catch(() => aesKeyCache.delete(key));
  }
  return k;
}

async function aesCbc(op: 'encrypt' | 'decrypt', key: Uint8Array, iv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const k = await aesKeyFor(key);
  const params = { name: 'AES-CBC', iv: toArrayBufferView(iv) };
  const out = op === 'encrypt'
    ? await subtle.encrypt(params, k, toArrayBufferView(data))
    : await subtle.decrypt(params, k, toArrayBufferView(data));
  return new Uint8Array(out);
}

function ciphertextHmac(bundle: KeyBundle, ciphertextB64: string): Uint8Array {
  return hmac(sha256, bundle.hmacKey, utf8Encode(ciphertextB64));
}

// Imported HMAC keys, cached like the AES ones.
const hmacKeyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKeyFor(key: Uint8Array): Promise<CryptoKey> {
  let k = hmacKeyCache.get(key);
  if (!k) {
    k = globalThis.crypto.subtle.importKey('raw', toArrayBufferView(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    hmacKeyCache.set(key, k);
    k.catch(() => hmacKeyCache.delete(key));
  }
  return k;
}

/**
 * Checks a record's HMAC with WebCrypto: native and constant time. In Chromium's worker, a first
 * sync's 10,500 records verified this way took as long as with the JavaScript HMAC, within the
 * machine's noise (docs/benchmarks.md); encryption keeps the synchronous one.
 */
async function ciphertextHmacMatches(bundle: KeyBundle, ciphertextB64: string, expected: Uint8Array): Promise<boolean> {
  if (expected.length !== 32) return false;
  const key = await hmacKeyFor(bundle.hmacKey);
  return globalThis.crypto.subtle.verify('HMAC', key, toArrayBufferView(expected), toArrayBufferView(utf8Encode(ciphertextB64)));
}

/**
 * Encrypts an already-serialized cleartext string. `iv` is for published-vector tests only;
 * production callers leave it out to get a fresh random IV.
 */
export async function encryptPayloadString(cleartextJson: string, bundle: KeyBundle, iv?: Uint8Array): Promise<string> {
  const ivBytes = iv ?? randomBytes(16);
  if (ivBytes.length !== 16) throw new TypeError('IV must be 16 bytes');
  const ct = await aesCbc('encrypt', bundle.encKey, ivBytes, utf8Encode(cleartextJson));
  const ciphertext = bytesToBase64(ct);
  const payload: EncryptedPayload = {
    ciphertext,
    IV: bytesToBase64(ivBytes),
    hmac: bytesToHex(ciphertextHmac(bundle, ciphertext)),
  };
  return JSON.stringify(payload);
}

/** BSO payload string `{"ciphertext":…,"IV":…,"hmac":…}` for a cleartext record object. */
export async function encryptPayload(cleartext: unknown, bundle: KeyBundle): Promise<string> {
  const json: string | undefined = JSON.stringify(cleartext);
  if (typeof json !== 'string') throw new TypeError('cleartext is not JSON-serializable');
  return encryptPayloadString(json, bundle);
}

function parseEncrypted(payload: string): EncryptedPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    throw new RecordFormatError('payload is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new RecordFormatError('payload is not an object');
  const p = parsed as Record<string, unknown>;
  if (typeof p.ciphertext !== 'string' || typeof p.IV !== 'string' || typeof p.hmac !== 'string') {
    throw new RecordFormatError('payload lacks ciphertext/IV/hmac strings');
  }
  return { ciphertext: p.ciphertext, IV: p.IV, hmac: p.hmac };
}

/**
 * Verifies and decrypts a BSO payload, returning the cleartext JSON string.
 * HMAC is checked first (constant time; uppercase hex accepted) so a wrong key is reported as
 * RecordHmacError, never as a padding/JSON failure.
 */
export async function decryptPayloadString(payload: string, bundle: KeyBundle): Promise<string> {
  const p = parseEncrypted(payload);
  let expected: Uint8Array;
  try {
    expected = hexToBytes(p.hmac);
  } catch {
    throw new RecordHmacError('record HMAC is not hex');
  }
  if (!(await ciphertextHmacMatches(bundle, p.ciphertext, expected))) throw new RecordHmacError();
  let ct: Uint8Array;
  let iv: Uint8Array;
  try {
    ct = base64ToBytes(p.ciphertext);
    iv = base64ToBytes(p.IV);
  } catch {
    throw new RecordFormatError('ciphertext or IV is not base64');
  }
  if (iv.length !== 16) throw new RecordFormatError('IV must be 16 bytes');
  if (ct.length === 0 || ct.length % 16 !== 0) throw new RecordFormatError('ciphertext length is not a multiple of 16');
  let clear: Uint8Array;
  try {
    clear = await aesCbc('decrypt', bundle.encKey, iv, ct);
  } catch {
    throw new RecordFormatError('decryption failed (bad padding)');
  }
  try {
    return utf8Decode(clear);
  } catch {
    throw new RecordFormatError('cleartext is not UTF-8');
  }
}

/**
 * Verifies, decrypts and parses a BSO payload. If `expectedId` is given, the cleartext `id` must
 * equal it (guards against a server swapping payloads between records).
 */
export async function decryptPayload(payload: string, bundle: KeyBundle, expectedId?: string): Promise<unknown> {
  const text = await decryptPayloadString(payload, bundle);
  let clear: unknown;
  try {
    clear = JSON.parse(text);
  } catch {
    throw new RecordFormatError('cleartext is not JSON');
  }
  if (expectedId !== undefined) {
    const id = typeof clear === 'object' && clear !== null ? (clear as { id?: unknown }).id : undefined;
    if (id !== expectedId) throw new RecordFormatError(`cleartext id does not match BSO id ${expectedId}`);
  }
  return clear;
}

export interface CollectionKeys {
  default: KeyBundle;
  collections: Record<string, KeyBundle>;
}

/** Cleartext of the `crypto/keys` record. */
export interface CryptoKeysCleartext {
  id: 'keys';
  collection: 'crypto';
  default: [string, string];
  collections: Record<string, [string, string]>;
}

/** Encrypts the crypto/keys record with the root (kSync) bundle. */
export async function encryptCryptoKeys(
  defaultBundle: KeyBundle,
  collections: Record<string, KeyBundle>,
  rootBundle: KeyBundle,
): Promise<string> {
  const clear: CryptoKeysCleartext = {
    id: 'keys',
    collection: 'crypto',
    default: keyBundleToBase64Pair(defaultBundle),
    collections: Object.fromEntries(
      Object.entries(collections).map(([name, b]) => [name, keyBundleToBase64Pair(b)]),
    ),
  };
  return encryptPayload(clear, rootBundle);
}

/** Decrypts crypto/keys. A RecordHmacError here means the root key (kB) is wrong or stale. */
export async function decryptCryptoKeys(payload: string, rootBundle: KeyBundle): Promise<CollectionKeys> {
  const clear = await decryptPayload(payload, rootBundle);
  if (typeof clear !== 'object' || clear === null) throw new RecordFormatError('crypto/keys is not an object');
  const c = clear as Record<string, unknown>;
  if (c.id !== undefined && c.id !== 'keys') throw new RecordFormatError('crypto/keys has wrong id');
  try {
    const def = keyBundleFromBase64Pair(c.default as [string, string]);
    const collections: Record<string, KeyBundle> = {};
    const raw = c.collections ?? {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new TypeError('collections');
    for (const [name, pair] of Object.entries(raw as Record<string, unknown>)) {
      collections[name] = keyBundleFromBase64Pair(pair as [string, string]);
    }
    return { default: def, collections };
  } catch (e) {
    throw new RecordFormatError(`crypto/keys has invalid keys: ${(e as Error).message}`);
  }
}

/** Per-collection key if present, else the default (protocol.md §10 pitfall 8). */
export function bundleForCollection(keys: CollectionKeys, collection: string): KeyBundle {
  return Object.hasOwn(keys.collections, collection) ? keys.collections[collection]! : keys.default;
}
