// Compact JWE with ECDH-ES (direct key agreement) + A256GCM, as FxA's content server produces
// `keys_jwe` for the client's ephemeral `keys_jwk` (RFC 7516/7518; protocol.md §2.3).
import { createCipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { JsonWebKey } from 'node:crypto';
import { b64url } from './encoding.ts';

function uint32be(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Concat KDF (NIST SP 800-56A) with SHA-256, one round, empty apu/apv. */
function concatKdf(z: Buffer, enc: string, keyBits: number): Buffer {
  const otherInfo = Buffer.concat([uint32be(enc.length), Buffer.from(enc, 'ascii'), uint32be(0), uint32be(0), uint32be(keyBits)]);
  return createHash('sha256').update(Buffer.concat([uint32be(1), z, otherInfo])).digest();
}

/** `keysJwk` is the query parameter: b64url(JSON of the client's public P-256 JWK). */
export function parseKeysJwk(keysJwk: string): JsonWebKey {
  const jwk = JSON.parse(Buffer.from(keysJwk, 'base64url').toString('utf8')) as JsonWebKey;
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new Error('keys_jwk must be a P-256 EC public key');
  }
  return jwk;
}

export function encryptJweEcdhEs(plaintext: string, recipient: JsonWebKey): string {
  const peer = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: recipient.x, y: recipient.y }, format: 'jwk' });
  const ephemeral = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const z = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: peer });
  const epk = ephemeral.publicKey.export({ format: 'jwk' });
  const header = { alg: 'ECDH-ES', enc: 'A256GCM', epk: { kty: 'EC', crv: 'P-256', x: epk.x, y: epk.y } };
  const protectedHeader = b64url(Buffer.from(JSON.stringify(header), 'utf8'));
  const cek = concatKdf(z, 'A256GCM', 256);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', cek, iv);
  cipher.setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [protectedHeader, '', b64url(iv), b64url(ciphertext), b64url(tag)].join('.');
}
