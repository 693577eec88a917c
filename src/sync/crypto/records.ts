// Sync 1.5 record encryption (protocol.md §5.2–5.3; application-services sync15 key_bundle.rs,
// mozilla-services/docs storageformat5): AES-256-CBC + PKCS#7, random 16-byte IV, and
// HMAC-SHA256 (hex) over the *base64 text* of the ciphertext.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  constantTimeEqual,
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
  const [text] = await decryptPayloadStrings([payload], bundle);
  if (typeof text !== 'string') throw text as RecordCryptoError;
  return text;
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

/** A payload whose HMAC matched and whose fields are well-formed, waiting for its AES. */
interface Verified {
  at: number;
  iv: Uint8Array<ArrayBuffer>;
  ct: Uint8Array<ArrayBuffer>;
}

/** Checks one payload's HMAC (in JavaScript, synchronous) and the shape of its IV and ciphertext. */
function verifyForBatch(payload: string, bundle: KeyBundle, at: number): Verified | RecordCryptoError {
  try {
    const p = parseEncrypted(payload);
    let expected: Uint8Array;
    try {
      expected = hexToBytes(p.hmac);
    } catch {
      return new RecordHmacError('record HMAC is not hex');
    }
    if (!constantTimeEqual(ciphertextHmac(bundle, p.ciphertext), expected)) return new RecordHmacError();
    let ct: Uint8Array<ArrayBuffer>;
    let iv: Uint8Array<ArrayBuffer>;
    try {
      ct = base64ToBytes(p.ciphertext);
      iv = base64ToBytes(p.IV);
    } catch {
      return new RecordFormatError('ciphertext or IV is not base64');
    }
    if (iv.length !== 16) return new RecordFormatError('IV must be 16 bytes');
    if (ct.length === 0 || ct.length % 16 !== 0) return new RecordFormatError('ciphertext length is not a multiple of 16');
    return { at, iv, ct };
  } catch (e) {
    if (e instanceof RecordCryptoError) return e;
    throw e;
  }
}

function cleartextOf(bytes: Uint8Array): string | RecordFormatError {
  try {
    return utf8Decode(bytes);
  } catch {
    return new RecordFormatError('cleartext is not UTF-8');
  }
}

/** Strips and checks PKCS#7 padding (1 to 16 bytes, each the pad length). */
function unpad(block: Uint8Array): Uint8Array | null {
  const n = block[block.length - 1] ?? 0;
  if (n < 1 || n > 16 || n > block.length) return null;
  for (let i = block.length - n; i < block.length; i++) if (block[i] !== n) return null;
  return block.subarray(0, block.length - n);
}

/**
 * Verifies and decrypts many payloads of one key bundle; per payload, its cleartext JSON string or
 * the error `decryptPayloadString` would have thrown. A first sync reads ten thousand records, and
 * each WebCrypto call in flight holds native memory of the worker (its promise, key and algorithm
 * objects, copies of its input and output) until the collector runs: two calls per record held
 * 13 MiB of Blink's heap and 12 MiB of malloc at the end of the download (docs/benchmarks.md). So
 * all the verified ciphertexts of a page go through one AES-CBC call: CBC decryption of a block
 * needs only the block before it (the IV for a first block), so decrypting the records end to end
 * gives every block right but the first of each record after the first, which was chained to the
 * previous record's last block instead of its own IV: XOR-ing both back in corrects it. WebCrypto
 * checks only the last record's padding; the others' are checked here. The HMACs, checked first as
 * always (the decryption never sees a record that failed), are computed in JavaScript, as fast as
 * WebCrypto's verify in the worker.
 */
export async function decryptPayloadStrings(payloads: readonly string[], bundle: KeyBundle): Promise<Array<string | RecordCryptoError>> {
  const out: Array<string | RecordCryptoError> = new Array(payloads.length);
  const ready: Verified[] = [];
  for (let i = 0; i < payloads.length; i++) {
    const v = verifyForBatch(payloads[i]!, bundle, i);
    if (v instanceof RecordCryptoError) out[i] = v;
    else ready.push(v);
  }
  // WebCrypto checks the padding of the last block it is given: that block must be chained to its
  // own record's block before it, so a record of one block (under 16 bytes of JSON, rare) goes alone.
  const solo = ready.filter((r) => r.ct.length === 16);
  const batch = ready.filter((r) => r.ct.length > 16);
  const alone = (list: readonly Verified[]): Promise<unknown> => Promise.all(list.map(async (r) => {
    try {
      out[r.at] = cleartextOf(await aesCbc('decrypt', bundle.encKey, r.iv, r.ct));
    } catch {
      out[r.at] = new RecordFormatError('decryption failed (bad padding)');
    }
  }));
  await alone(solo);
  if (batch.length === 0) return out;
  const total = batch.reduce((n, r) => n + r.ct.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const r of batch) {
    joined.set(r.ct, offset);
    offset += r.ct.length;
  }
  let clear: Uint8Array;
  try {
    clear = await aesCbc('decrypt', bundle.encKey, batch[0]!.iv, joined);
  } catch {
    // The last record's padding is bad: each on its own, so that only that one fails.
    await alone(batch);
    return out;
  }
  offset = 0;
  for (let k = 0; k < batch.length; k++) {
    const r = batch[k]!;
    if (k > 0) {
      for (let j = 0; j < 16; j++) clear[offset + j]! ^= joined[offset - 16 + j]! ^ r.iv[j]!;
    }
    const last = k === batch.length - 1;
    // WebCrypto already took the last record's padding off.
    const bytes = last ? clear.subarray(offset) : unpad(clear.subarray(offset, offset + r.ct.length));
    out[r.at] = bytes === null ? new RecordFormatError('decryption failed (bad padding)') : cleartextOf(bytes);
    offset += r.ct.length;
  }
  return out;
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
