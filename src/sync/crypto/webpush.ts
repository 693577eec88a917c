// Web Push message encryption: the `aes128gcm` content coding (RFC 8188) keyed as RFC 8291 says,
// which Firefox's device commands (send tab, close tabs) use end to end (protocol.md §8.3–§8.5).
// WebCrypto for ECDH P-256 and AES-128-GCM, HKDF-SHA256 from hkdf.ts. Browser-free.
//
// A message is `salt(16) ‖ rs(uint32 BE) ‖ idlen(1) = 65 ‖ sender's public key(65)` followed by
// records of `rs` bytes (the last may be shorter). Each record is AES-128-GCM of
// `data ‖ delimiter ‖ zero padding`, delimiter 0x01 for every record but the last, 0x02 for the last.
// We write one record (the record size grows to fit, as receivers accept); we read any number, as
// Firefox splits plaintexts over 4079 bytes (4096 − 17) into several.
import { hkdfSha256 } from './hkdf.ts';
import { base64UrlToBytes, bytesToBase64Url, concatBytes, randomBytes, toArrayBufferView, utf8Encode } from './encoding.ts';

/** Firefox's and RFC 8291's record size. */
export const AES128GCM_RECORD_SIZE = 4096;
const TAG_LENGTH = 16;
const HEADER_LENGTH = 21; // salt 16 + rs 4 + idlen 1
const P256_PUBLIC_LENGTH = 65;

/** Any failure to read or write an aes128gcm message; `message` never contains key material. */
export class WebPushError extends Error {
  override name = 'WebPushError';
}

/** A receiver's key pair and auth secret, as a device keeps them for its command keys. */
export interface WebPushKeys {
  /** Uncompressed P-256 point (65 bytes, 0x04 ‖ x ‖ y). */
  publicKey: Uint8Array;
  /** The private key as a JWK (kty EC, crv P-256, x, y, d), storable in IndexedDB. */
  privateKey: JsonWebKey;
  /** 16 random bytes. */
  authSecret: Uint8Array;
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** A new receiving key pair and auth secret. */
export async function generateWebPushKeys(): Promise<WebPushKeys> {
  const pair = (await subtle().generateKey(ECDH_P256, true, ['deriveBits'])) as CryptoKeyPair;
  const publicKey = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  const jwk = await subtle().exportKey('jwk', pair.privateKey);
  return { publicKey, privateKey: cleanJwk(jwk), authSecret: randomBytes(16) };
}

function cleanJwk(jwk: JsonWebKey): JsonWebKey {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) throw new WebPushError('not a P-256 private key');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d };
}

/** The private JWK of a P-256 key given as raw bytes (private scalar `d`, uncompressed public point). */
export function p256PrivateJwk(d: Uint8Array, publicKey: Uint8Array): JsonWebKey {
  checkPublicKey(publicKey);
  if (d.length !== 32) throw new WebPushError('P-256 private key must be 32 bytes');
  return { kty: 'EC', crv: 'P-256', x: bytesToBase64Url(publicKey.subarray(1, 33)), y: bytesToBase64Url(publicKey.subarray(33, 65)), d: bytesToBase64Url(d) };
}

/** The uncompressed public point of a P-256 JWK (private or public). */
export function publicKeyOfJwk(jwk: JsonWebKey): Uint8Array {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') throw new WebPushError('not a P-256 key');
  let x: Uint8Array;
  let y: Uint8Array;
  try {
    x = base64UrlToBytes(jwk.x);
    y = base64UrlToBytes(jwk.y);
  } catch {
    throw new WebPushError('P-256 key coordinates are not base64url');
  }
  if (x.length !== 32 || y.length !== 32) throw new WebPushError('P-256 key coordinates must be 32 bytes');
  return concatBytes(Uint8Array.of(4), x, y);
}

function checkPublicKey(raw: Uint8Array): void {
  if (raw.length !== P256_PUBLIC_LENGTH || raw[0] !== 4) throw new WebPushError('public key must be an uncompressed P-256 point (65 bytes)');
}

async function importPublic(raw: Uint8Array): Promise<CryptoKey> {
  checkPublicKey(raw);
  try {
    return await subtle().importKey('raw', toArrayBufferView(raw), ECDH_P256, true, []);
  } catch {
    throw new WebPushError('public key is not a point on P-256');
  }
}

async function importPrivate(jwk: JsonWebKey): Promise<CryptoKey> {
  try {
    return await subtle().importKey('jwk', cleanJwk(jwk), ECDH_P256, false, ['deriveBits']);
  } catch (e) {
    if (e instanceof WebPushError) throw e;
    throw new WebPushError('private key could not be imported');
  }
}

async function ecdh(privateKey: CryptoKey, publicKey: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle().deriveBits({ name: 'ECDH', public: publicKey }, privateKey, 256));
}

/** RFC 8291 §3.3–3.4 and RFC 8188 §2.2: the content encryption key and the base nonce. */
function deriveContentKeys(
  ecdhSecret: Uint8Array,
  authSecret: Uint8Array,
  receiverPublic: Uint8Array,
  senderPublic: Uint8Array,
  salt: Uint8Array,
): { cek: Uint8Array; nonce: Uint8Array } {
  const keyInfo = concatBytes(utf8Encode('WebPush: info'), Uint8Array.of(0), receiverPublic, senderPublic);
  const ikm = hkdfSha256(ecdhSecret, keyInfo, 32, authSecret);
  return {
    cek: hkdfSha256(ikm, concatBytes(utf8Encode('Content-Encoding: aes128gcm'), Uint8Array.of(0)), 16, salt),
    nonce: hkdfSha256(ikm, concatBytes(utf8Encode('Content-Encoding: nonce'), Uint8Array.of(0)), 12, salt),
  };
}

/** The nonce of record `seq`: the base nonce XOR the sequence number (big-endian, 96 bits). */
function recordNonce(base: Uint8Array, seq: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(base);
  let s = seq;
  for (let i = out.length - 1; i >= 0 && s > 0; i--) {
    out[i] = out[i]! ^ (s % 256);
    s = Math.floor(s / 256);
  }
  return out;
}

async function importCek(cek: Uint8Array, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return subtle().importKey('raw', toArrayBufferView(cek), 'AES-GCM', false, [usage]);
}

export interface EncryptOptions {
  /**
   * Record size. Default: 4096, or more when the plaintext needs it, so the message is one record.
   * A smaller size than the plaintext needs splits it into several records (as Firefox writes).
   */
  recordSize?: number;
  /** For published test vectors only: a fixed salt (16 bytes). */
  salt?: Uint8Array;
  /** For published test vectors only: a fixed sender ("application server") private key as a JWK. */
  senderPrivateKey?: JsonWebKey;
}

/** Encrypts `plaintext` for the receiver's public key and auth secret; returns the whole message. */
export async function aes128gcmEncrypt(
  plaintext: Uint8Array,
  receiverPublicKey: Uint8Array,
  authSecret: Uint8Array,
  opts: EncryptOptions = {},
): Promise<Uint8Array> {
  if (authSecret.length === 0) throw new WebPushError('auth secret is empty');
  const receiver = await importPublic(receiverPublicKey);
  const salt = opts.salt ?? randomBytes(16);
  if (salt.length !== 16) throw new WebPushError('salt must be 16 bytes');
  let senderPrivate: CryptoKey;
  let senderPublic: Uint8Array;
  if (opts.senderPrivateKey) {
    senderPrivate = await importPrivate(opts.senderPrivateKey);
    senderPublic = publicKeyOfJwk(opts.senderPrivateKey);
  } else {
    const pair = (await subtle().generateKey(ECDH_P256, true, ['deriveBits'])) as CryptoKeyPair;
    senderPrivate = pair.privateKey;
    senderPublic = new Uint8Array(await subtle().exportKey('raw', pair.publicKey));
  }
  const rs = opts.recordSize ?? Math.max(AES128GCM_RECORD_SIZE, plaintext.length + TAG_LENGTH + 1);
  if (!Number.isInteger(rs) || rs < TAG_LENGTH + 2 || rs > 0xffffffff) throw new WebPushError('record size out of range');
  const { cek, nonce } = deriveContentKeys(await ecdh(senderPrivate, receiver), authSecret, receiverPublicKey, senderPublic, salt);
  const key = await importCek(cek, 'encrypt');

  const header = new Uint8Array(HEADER_LENGTH + P256_PUBLIC_LENGTH);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(16, rs, false);
  header[20] = P256_PUBLIC_LENGTH;
  header.set(senderPublic, HEADER_LENGTH);

  // Each record carries at most rs − 17 bytes of data (16 for the tag, 1 for the delimiter).
  const perRecord = rs - TAG_LENGTH - 1;
  const parts: Uint8Array[] = [header];
  let seq = 0;
  for (let offset = 0; ; offset += perRecord, seq++) {
    const last = offset + perRecord >= plaintext.length;
    const data = plaintext.subarray(offset, Math.min(offset + perRecord, plaintext.length));
    const record = concatBytes(data, Uint8Array.of(last ? 2 : 1));
    const sealed = await subtle().encrypt({ name: 'AES-GCM', iv: recordNonce(nonce, seq), tagLength: 128 }, key, record);
    parts.push(new Uint8Array(sealed));
    if (last) break;
  }
  return concatBytes(...parts);
}

/** The receiver's side: its private key (JWK) and auth secret. */
export interface WebPushReceiver {
  privateKey: JsonWebKey;
  authSecret: Uint8Array;
}

/**
 * Decrypts a whole aes128gcm message. Accepts any number of records; refuses a message whose
 * records are damaged, truncated (no final 0x02 delimiter) or carry data after the last record.
 */
export async function aes128gcmDecrypt(message: Uint8Array, receiver: WebPushReceiver): Promise<Uint8Array> {
  if (message.length < HEADER_LENGTH) throw new WebPushError('message is shorter than its header');
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  const salt = message.subarray(0, 16);
  const rs = view.getUint32(16, false);
  const idlen = message[20]!;
  if (rs < TAG_LENGTH + 2) throw new WebPushError('record size too small');
  if (idlen !== P256_PUBLIC_LENGTH) throw new WebPushError('key id is not a P-256 public key');
  const body = message.subarray(HEADER_LENGTH + idlen);
  if (message.length < HEADER_LENGTH + idlen || body.length === 0) throw new WebPushError('message has no records');
  const senderPublic = message.subarray(HEADER_LENGTH, HEADER_LENGTH + idlen);
  const sender = await importPublic(senderPublic);
  const receiverPublic = publicKeyOfJwk(receiver.privateKey);
  const privateKey = await importPrivate(receiver.privateKey);
  const { cek, nonce } = deriveContentKeys(await ecdh(privateKey, sender), receiver.authSecret, receiverPublic, senderPublic, salt);
  const key = await importCek(cek, 'decrypt');

  const out: Uint8Array[] = [];
  for (let offset = 0, seq = 0; offset < body.length; offset += rs, seq++) {
    const sealed = body.subarray(offset, Math.min(offset + rs, body.length));
    if (sealed.length < TAG_LENGTH + 1) throw new WebPushError('record too short');
    let record: Uint8Array;
    try {
      record = new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv: recordNonce(nonce, seq), tagLength: 128 }, key, toArrayBufferView(sealed)));
    } catch {
      throw new WebPushError('message could not be decrypted (wrong key or damaged message)');
    }
    // Padding: zeros after the delimiter (RFC 8188 §2).
    let end = record.length - 1;
    while (end >= 0 && record[end] === 0) end--;
    if (end < 0) throw new WebPushError('record has no padding delimiter');
    const last = offset + rs >= body.length;
    const delimiter = record[end];
    if (last && delimiter !== 2) throw new WebPushError(delimiter === 1 ? 'message is truncated' : 'bad padding delimiter');
    if (!last && delimiter !== 1) throw new WebPushError(delimiter === 2 ? 'data after the last record' : 'bad padding delimiter');
    out.push(record.subarray(0, end));
  }
  return concatBytes(...out);
}
