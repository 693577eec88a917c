import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from './encoding.ts';
import { NS, hkdfSha256, mozHkdf } from './hkdf.ts';

describe('hkdfSha256', () => {
  it('RFC 5869 A.1 (test case 1)', () => {
    const okm = hkdfSha256(
      hexToBytes('0b'.repeat(22)),
      hexToBytes('f0f1f2f3f4f5f6f7f8f9'),
      42,
      hexToBytes('000102030405060708090a0b0c'),
    );
    expect(bytesToHex(okm)).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });
  it('RFC 5869 A.3 (test case 3: empty salt and info) matches the default salt', () => {
    const okm = hkdfSha256(hexToBytes('0b'.repeat(22)), '', 42);
    expect(bytesToHex(okm)).toBe(
      '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8',
    );
  });
  it('mozHkdf prefixes the picl namespace', () => {
    const ikm = hexToBytes('a0'.repeat(32));
    expect(NS).toBe('identity.mozilla.com/picl/v1/');
    expect(bytesToHex(mozHkdf(ikm, 'oldsync', 64))).toBe(bytesToHex(hkdfSha256(ikm, NS + 'oldsync', 64)));
  });
});
