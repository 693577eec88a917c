// RFC 4226 HOTP / RFC 6238 TOTP with node:crypto. Used for TOTP two-step login and for the
// short codes "emailed" to verify sessions (FxA derives those from the account's emailCode the same way).
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  digits?: number;
  stepSeconds?: number;
  algorithm?: TotpAlgorithm;
}

export function hotp(secret: Uint8Array, counter: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totp(secret: Uint8Array, timeMs: number, opts: TotpOptions = {}): string {
  const step = opts.stepSeconds ?? 30;
  return hotp(secret, Math.floor(timeMs / 1000 / step), opts.digits ?? 6, opts.algorithm ?? 'sha1');
}

/** Accepts codes from `window` steps either side of now (clock drift between device and server). */
export function verifyTotp(secret: Uint8Array, code: string, timeMs: number, opts: TotpOptions & { window?: number } = {}): boolean {
  const step = opts.stepSeconds ?? 30;
  const digits = opts.digits ?? 6;
  if (!new RegExp(`^\\d{${digits}}$`).test(code)) return false;
  const counter = Math.floor(timeMs / 1000 / step);
  const window = opts.window ?? 1;
  for (let delta = -window; delta <= window; delta++) {
    const expected = hotp(secret, counter + delta, digits, opts.algorithm ?? 'sha1');
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(code))) return true;
  }
  return false;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (authenticator apps' secret format); ignores padding, spaces and case. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const index = BASE32.indexOf(ch);
    if (index < 0) throw new Error(`invalid base32 character ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}
