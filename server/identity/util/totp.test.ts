import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, hotp, totp, verifyTotp } from './totp.ts';

// RFC 6238 Appendix B, SHA-1 rows (secret "12345678901234567890", 8 digits, 30 s step).
const SECRET = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: Array<[number, string]> = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('T=%i gives %s', (seconds, code) => {
    expect(totp(SECRET, seconds * 1000, { digits: 8 })).toBe(code);
    expect(verifyTotp(SECRET, code, seconds * 1000, { digits: 8, window: 0 })).toBe(true);
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    expect([0, 1, 2, 9].map((c) => hotp(SECRET, c))).toEqual(['755224', '287082', '359152', '520489']);
  });

  it('accepts one step of drift and rejects more', () => {
    const t = 1_700_000_000_000;
    const previous = totp(SECRET, t - 30_000);
    expect(verifyTotp(SECRET, previous, t)).toBe(true);
    expect(verifyTotp(SECRET, totp(SECRET, t - 90_000), t)).toBe(false);
    expect(verifyTotp(SECRET, 'abcdef', t)).toBe(false);
  });

  it('round-trips base32 secrets as authenticator apps show them', () => {
    expect(base32Encode(SECRET)).toBe('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    expect(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq')).toEqual(SECRET);
  });
});
