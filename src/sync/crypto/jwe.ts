// Scoped-keys JWE (protocol.md §2.3): compact JWE, alg "ECDH-ES" (direct key agreement),
// enc "A256GCM", P-256 ephemeral key in `epk`, Concat KDF per RFC 7518 §4.6.2, AAD = ASCII of
// the protected-header segment.
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  concatBytes,
  randomBytes,
  toArrayBufferView,
  utf8Decode,
  utf8Encode,
} from './encoding.ts';

export class JweError extends Error {
  override name = 'JweError';
}

export interface ScopedKey {
  k: string;
  kid: string;
  scope: string;
  kty: string;
}

const ECDH_P256 = { name: 'ECDH', namedCurve: 'P-256' } as const;

/** Content-encryption key sizes (bits) of the AES-GCM encs we accept. */
const GCM_KEY_BITS: Readonly<Record<string, number>> = { A128GCM: 128, A192GCM: 192, A256GCM: 256 };

function uint32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}

function lengthPrefixed(data: Uint8Array): Uint8Array {
  return concatBytes(uint32be(data.length), data);
}

/**
 * Concat KDF (NIST SP 800-56A §5.8.1) with SHA-256 as JOSE uses it for ECDH-ES:
 * OtherInfo = AlgorithmID(enc) ‖ PartyUInfo(apu) ‖ PartyVInfo(apv) ‖ SuppPubInfo(keyBits), each
 * of the first three as uint32be length ‖ bytes.
 */
export function concatKdf(
  z: Uint8Array,
  enc: string,
  apu: Uint8Array,
  apv: Uint8Array,
  keyBits: number,
): Uint8Array {
  const otherInfo = concatBytes(
    lengthPrefixed(utf8Encode(enc)),
    lengthPrefixed(apu),
    lengthPrefixed(apv),
    uint32be(keyBits),
  );
  const keyBytes = keyBits / 8;
  const rounds = Math.ceil(keyBytes / 32);
  const blocks: Uint8Array[] = [];
  for (let i = 1; i <= rounds; i++) blocks.push(sha256(concatBytes(uint32be(i), z, otherInfo)));
  return concatBytes(...blocks).slice(0, keyBytes);
}

/** Only the public members; WebCrypto's export adds key_ops/ext, which FxA does not expect. */
function publicMembers(jwk: JsonWebKey): JsonWebKey {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new JweError('expected a P-256 EC public JWK');
  }
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/**
 * Ephemeral P-256 key pair for the OAuth `keys_jwk` parameter:
 * keys_jwk = bytesToBase64Url(utf8Encode(JSON.stringify(publicJwk))).
 * The private key is non-extractable unless asked; a CryptoKey can still be persisted in IndexedDB
 * (structured clone) to survive a service-worker restart during the OAuth flow.
 */
export async function generateKeysJwk(
  extractable = false,
): Promise<{ publicJwk: JsonWebKey; privateKey: CryptoKey }> {
  const subtle = globalThis.crypto.subtle;
  const pair = (await subtle.generateKey(ECDH_P256, extractable, ['deriveBits'])) as CryptoKeyPair;
  const publicJwk = publicMembers(await subtle.exportKey('jwk', pair.publicKey));
  return { publicJwk, privateKey: pair.privateKey };
}

/** The `keys_jwk` query parameter value for a public JWK. */
export function keysJwkParam(publicJwk: JsonWebKey): string {
  return bytesToBase64Url(utf8Encode(JSON.stringify(publicMembers(publicJwk))));
}

async function ecdhZ(privateKey: CryptoKey, publicJwk: JsonWebKey): Promise<Uint8Array> {
  const subtle = globalThis.crypto.subtle;
  const pub = await subtle.importKey('jwk', publicMembers(publicJwk), ECDH_P256, false, []);
  return new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: pub }, privateKey, 256));
}

function optionalB64u(header: Record<string, unknown>, name: 'apu' | 'apv'): Uint8Array {
  const v = header[name];
  if (v === undefined) return new Uint8Array(0);
  if (typeof v !== 'string') throw new JweError(`${name} must be a string`);
  return base64UrlToBytes(v);
}

/**
 * ECDH-ES content-encryption key for a parsed protected header: Z = ECDH(privateKey, epk), then
 * Concat KDF with enc, apu, apv. Exported for the RFC 7518 Appendix C test.
 */
export async function deriveEcdhEsKey(privateKey: CryptoKey, header: Record<string, unknown>): Promise<Uint8Array> {
  const enc = header.enc;
  if (typeof enc !== 'string' || GCM_KEY_BITS[enc] === undefined) throw new JweError(`unsupported enc ${String(enc)}`);
  const epk = header.epk;
  if (typeof epk !== 'object' || epk === null) throw new JweError('missing epk');
  const z = await ecdhZ(privateKey, epk as JsonWebKey);
  return concatKdf(z, enc, optionalB64u(header, 'apu'), optionalB64u(header, 'apv'), GCM_KEY_BITS[enc]);
}

function parseCompact(jwe: string): { headerB64: string; header: Record<string, unknown>; parts: string[] } {
  const parts = jwe.split('.');
  if (parts.length !== 5) throw new JweError('compact JWE must have 5 segments');
  const headerB64 = parts[0]!;
  let header: unknown;
  try {
    header = JSON.parse(utf8Decode(base64UrlToBytes(headerB64)));
  } catch {
    throw new JweError('JWE header is not base64url JSON');
  }
  if (typeof header !== 'object' || header === null) throw new JweError('JWE header is not an object');
  return { headerB64, header: header as Record<string, unknown>, parts };
}

/** Decrypts a compact ECDH-ES JWE to its UTF-8 plaintext. */
export async function decryptEcdhEsJwe(jwe: string, privateKey: CryptoKey): Promise<string> {
  const { headerB64, header, parts } = parseCompact(jwe);
  if (header.alg !== 'ECDH-ES') throw new JweError(`unsupported alg ${String(header.alg)}`);
  if (parts[1] !== '') throw new JweError('ECDH-ES (direct) must have an empty encrypted key');
  const cek = await deriveEcdhEsKey(privateKey, header);
  let iv: Uint8Array, ct: Uint8Array, tag: Uint8Array;
  try {
    iv = base64UrlToBytes(parts[2]!);
    ct = base64UrlToBytes(parts[3]!);
    tag = base64UrlToBytes(parts[4]!);
  } catch {
    throw new JweError('JWE segment is not base64url');
  }
  if (tag.length !== 16) throw new JweError('JWE tag must be 16 bytes');
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', toArrayBufferView(cek), 'AES-GCM', false, ['decrypt']);
  let clear: ArrayBuffer;
  try {
    clear = await subtle.decrypt(
      { name: 'AES-GCM', iv: toArrayBufferView(iv), additionalData: utf8Encode(headerB64), tagLength: 128 },
      key,
      concatBytes(ct, tag),
    );
  } catch {
    throw new JweError('JWE decryption failed (wrong key or tampered)');
  }
  return utf8Decode(new Uint8Array(clear));
}

/** Decrypts OAuth `keys_jwe` into its scope → scoped-key map. */
export async function decryptKeysJwe(
  jwe: string,
  privateKey: CryptoKey,
): Promise<Record<string, ScopedKey>> {
  const text = await decryptEcdhEsJwe(jwe, privateKey);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new JweError('keys_jwe plaintext is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new JweError('keys_jwe plaintext is not an object');
  }
  const out: Record<string, ScopedKey> = {};
  for (const [scope, v] of Object.entries(parsed as Record<string, unknown>)) {
    const key = v as Partial<Record<keyof ScopedKey, unknown>> | null;
    if (
      typeof key !== 'object' || key === null ||
      typeof key.k !== 'string' || typeof key.kid !== 'string' || typeof key.kty !== 'string' ||
      (key.scope !== undefined && typeof key.scope !== 'string')
    ) {
      throw new JweError(`scoped key for ${scope} is malformed`);
    }
    // Current FxA includes `scope`; the original scoped-keys spec vector omits it, so fall back to the map key.
    out[scope] = { k: key.k, kid: key.kid, scope: typeof key.scope === 'string' ? key.scope : scope, kty: key.kty };
  }
  return out;
}

/**
 * Server side (tests and the local FxA stand-in): encrypts `payload` as JSON to the client's
 * keys_jwk with a fresh ephemeral key, alg ECDH-ES, enc A256GCM. apu/apv are optional raw bytes.
 */
export async function encryptKeysJwe(
  payload: object,
  publicJwk: JsonWebKey,
  opts: { apu?: Uint8Array; apv?: Uint8Array } = {},
): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const eph = (await subtle.generateKey(ECDH_P256, true, ['deriveBits'])) as CryptoKeyPair;
  const header: Record<string, unknown> = {
    alg: 'ECDH-ES',
    enc: 'A256GCM',
    epk: publicMembers(await subtle.exportKey('jwk', eph.publicKey)),
  };
  if (opts.apu) header.apu = bytesToBase64Url(opts.apu);
  if (opts.apv) header.apv = bytesToBase64Url(opts.apv);
  const headerB64 = bytesToBase64Url(utf8Encode(JSON.stringify(header)));
  // Derive with our ephemeral private key against the recipient's public key (same Z).
  const z = await ecdhZ(eph.privateKey, publicJwk);
  const cek = concatKdf(z, 'A256GCM', opts.apu ?? new Uint8Array(0), opts.apv ?? new Uint8Array(0), 256);
  const key = await subtle.importKey('raw', toArrayBufferView(cek), 'AES-GCM', false, ['encrypt']);
  const iv = randomBytes(12);
  const sealed = new Uint8Array(
    await subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: utf8Encode(headerB64), tagLength: 128 },
      key,
      utf8Encode(JSON.stringify(payload)),
    ),
  );
  const ct = sealed.subarray(0, sealed.length - 16);
  const tag = sealed.subarray(sealed.length - 16);
  return `${headerB64}..${bytesToBase64Url(iv)}.${bytesToBase64Url(ct)}.${bytesToBase64Url(tag)}`;
}
