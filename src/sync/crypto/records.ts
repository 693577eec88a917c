// Sync 1.5 record encryption (protocol.md §5.2–5.3; application-services sync15 key_bundle.rs,
// mozilla-services/docs storageformat5): AES-256-CBC + PKCS#7, random 16-byte IV, and
// HMAC-SHA256 (hex) over the *base64 text* of the ciphertext.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64DecodedLength,
  base64DecodeInto,
  base64ToBytes,
  bytesToBase64,
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  hexInto,
  hexToBytes,
  randomBytes,
  toArrayBufferView,
  utf8Decode,
  utf8Encode,
  utf8EncodeReusing,
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
  /** base64 of the IV and of the ciphertext, decoded into the page's buffers once all are checked. */
  iv: string;
  ct: string;
  ctLength: number;
}

/**
 * HMAC-SHA256 under one key for a page of records, with no buffer per record: the keyed state is
 * copied into one working instance (noble's `_cloneInto`), the base64 text is encoded into one
 * buffer, the tag decoded into another. Eight small ArrayBuffers per record were a large part of
 * the memory a first sync's download churned through.
 */
class PageMac {
  private readonly keyed: ReturnType<typeof hmac.create>;
  private readonly work: ReturnType<typeof hmac.create>;
  private text = new Uint8Array(1024);
  private readonly tag = new Uint8Array(32);
  private readonly expected = new Uint8Array(32);

  constructor(key: Uint8Array) {
    this.keyed = hmac.create(sha256, key);
    this.work = hmac.create(sha256, key);
  }

  /** Whether `hexTag` is the HMAC of the base64 text `ciphertext`; 'not-hex' when it is no hex at all. */
  matches(ciphertext: string, hexTag: string): boolean | 'not-hex' {
    if (hexTag.length !== 64) {
      try {
        hexToBytes(hexTag);
      } catch {
        return 'not-hex';
      }
      return false; // hex of another length: no tag of ours
    }
    if (!hexInto(hexTag, this.expected)) return 'not-hex';
    const text = utf8EncodeReusing(ciphertext, this.text);
    if (text.buffer !== this.text.buffer) this.text = new Uint8Array(text.length * 2);
    this.keyed._cloneInto(this.work);
    this.work.update(text);
    this.work.digestInto(this.tag);
    return constantTimeEqual(this.tag, this.expected);
  }
}

/** Checks one payload's HMAC (in JavaScript, synchronous) and the shape of its IV and ciphertext. */
function verifyForBatch(payload: string, mac: PageMac, at: number): Verified | RecordCryptoError {
  try {
    const p = parseEncrypted(payload);
    const matched = mac.matches(p.ciphertext, p.hmac);
    if (matched === 'not-hex') return new RecordHmacError('record HMAC is not hex');
    if (!matched) return new RecordHmacError();
    const ctLength = base64DecodedLength(p.ciphertext);
    const ivLength = base64DecodedLength(p.IV);
    if (ctLength < 0 || ivLength < 0) return new RecordFormatError('ciphertext or IV is not base64');
    if (ivLength !== 16) return new RecordFormatError('IV must be 16 bytes');
    if (ctLength === 0 || ctLength % 16 !== 0) return new RecordFormatError('ciphertext length is not a multiple of 16');
    return { at, iv: p.IV, ct: p.ciphertext, ctLength };
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
  const mac = new PageMac(bundle.hmacKey);
  for (let i = 0; i < payloads.length; i++) {
    const v = verifyForBatch(payloads[i]!, mac, i);
    if (v instanceof RecordCryptoError) out[i] = v;
    else ready.push(v);
  }
  if (ready.length === 0) return out;
  // Every checked record's IV and ciphertext, decoded into two buffers for the page.
  const ivs = new Uint8Array(16 * ready.length);
  const joined = new Uint8Array(ready.reduce((n, r) => n + r.ctLength, 0));
  const ivOf = new Map<Verified, Uint8Array>();
  const ctOf = new Map<Verified, Uint8Array>();
  let offset = 0;
  ready.forEach((r, k) => {
    base64DecodeInto(r.iv, ivs, 16 * k);
    base64DecodeInto(r.ct, joined, offset);
    ivOf.set(r, ivs.subarray(16 * k, 16 * k + 16));
    ctOf.set(r, joined.subarray(offset, offset + r.ctLength));
    offset += r.ctLength;
  });
  // WebCrypto checks the padding of the last block it is given: that block must be chained to its
  // own record's block before it, so a record of one block (under 16 bytes of JSON, rare) goes alone.
  const alone = (list: readonly Verified[]): Promise<unknown> => Promise.all(list.map(async (r) => {
    try {
      out[r.at] = cleartextOf(await aesCbc('decrypt', bundle.encKey, ivOf.get(r)!, ctOf.get(r)!));
    } catch {
      out[r.at] = new RecordFormatError('decryption failed (bad padding)');
    }
  }));
  const solo = ready.filter((r) => r.ctLength === 16);
  const batch = ready.filter((r) => r.ctLength > 16);
  await alone(solo);
  if (batch.length === 0) return out;
  // The batch's ciphertexts in order, one after another (solo records between them taken out).
  const chained = solo.length === 0 ? joined : concatBytes(...batch.map((r) => ctOf.get(r)!));
  let clear: Uint8Array;
  try {
    clear = await aesCbc('decrypt', bundle.encKey, ivOf.get(batch[0]!)!, chained);
  } catch {
    // The last record's padding is bad: each on its own, so that only that one fails.
    await alone(batch);
    return out;
  }
  offset = 0;
  for (let k = 0; k < batch.length; k++) {
    const r = batch[k]!;
    const iv = ivOf.get(r)!;
    if (k > 0) {
      for (let j = 0; j < 16; j++) clear[offset + j]! ^= chained[offset - 16 + j]! ^ iv[j]!;
    }
    const last = k === batch.length - 1;
    // WebCrypto already took the last record's padding off.
    const bytes = last ? clear.subarray(offset) : unpad(clear.subarray(offset, offset + r.ctLength));
    out[r.at] = bytes === null ? new RecordFormatError('decryption failed (bad padding)') : cleartextOf(bytes);
    offset += r.ctLength;
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
