// Key derivations used by the FxA "onepw" protocol, implemented with node:crypto so the server
// never depends on the client's crypto code (protocol.md §1.1, §1.2, §1.6, §2.2).
import { createHash, createHmac, hkdfSync, pbkdf2, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

export const NS = 'identity.mozilla.com/picl/v1/';

const pbkdf2Async = promisify(pbkdf2);
const scryptAsync = promisify(scrypt) as (pw: Buffer, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

/** HKDF-SHA256 with an empty salt unless one is given. */
export function hkdf(ikm: Uint8Array, info: string, length: number, salt: Uint8Array = Buffer.alloc(0)): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), length));
}

export function hmacSha256(key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

export function safeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The three parts every FxA token expands into (protocol.md §1.1). */
export interface TokenParts {
  tokenId: string;
  reqHMACkey: Buffer;
  extraKey: Buffer;
}

export function tokenParts(tokenHex: string, kind: string): TokenParts {
  const out = hkdf(Buffer.from(tokenHex, 'hex'), NS + kind, 96);
  return { tokenId: out.subarray(0, 32).toString('hex'), reqHMACkey: out.subarray(32, 64), extraKey: out.subarray(64, 96) };
}

/** Client-side stretching, used only where the server plays the client (sign-in page, test account creation). */
export async function quickStretch(password: string, salt: string, iterations: number): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(password.normalize('NFC'), 'utf8'), Buffer.from(salt, 'utf8'), iterations, 32, 'sha256');
}

export interface StretchedCredentials {
  authPW: Buffer;
  unwrapBKey: Buffer;
}

export async function credentialsV1(email: string, password: string): Promise<StretchedCredentials> {
  const stretched = await quickStretch(password, `${NS}quickStretch:${email}`, 1000);
  return { authPW: hkdf(stretched, NS + 'authPW', 32), unwrapBKey: hkdf(stretched, NS + 'unwrapBkey', 32) };
}

export async function credentialsV2(clientSalt: string, password: string): Promise<StretchedCredentials> {
  const stretched = await quickStretch(password, clientSalt, 650_000);
  return { authPW: hkdf(stretched, NS + 'authPW', 32), unwrapBKey: hkdf(stretched, NS + 'unwrapBkey', 32) };
}

/**
 * The server's own password verifier: authPW is never stored, only a salted, stretched hash of it.
 * (FxA uses scrypt + HKDF "verifyHash"; the cost here is lower because this is a test server and
 * the parameters are not observable by clients.)
 */
export async function verifyHash(authPW: Uint8Array, authSalt: Uint8Array): Promise<Buffer> {
  const stretched = await scryptAsync(Buffer.from(authPW), Buffer.from(authSalt), 32, { N: 4096, r: 8, p: 1 });
  return hkdf(stretched, NS + 'verifyHash', 32);
}

/** Sync scoped key material derived from kB (protocol.md §2.2). */
export function syncKeyFromKb(kB: Uint8Array): Buffer {
  return hkdf(kB, NS + 'oldsync', 64);
}

export function clientStateFromKb(kB: Uint8Array): Buffer {
  return sha256(kB).subarray(0, 16);
}
