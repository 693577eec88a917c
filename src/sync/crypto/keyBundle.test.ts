import { describe, expect, it } from 'vitest';
import { bytesToHex, randomBytes } from './encoding.ts';
import { keyBundleFromBase64Pair, keyBundleFromKSync, keyBundleToBase64Pair, randomKeyBundle } from './keyBundle.ts';

describe('KeyBundle', () => {
  it('splits kSync into enc | hmac', () => {
    const kSync = randomBytes(64);
    const b = keyBundleFromKSync(kSync);
    expect(bytesToHex(b.encKey)).toBe(bytesToHex(kSync.subarray(0, 32)));
    expect(bytesToHex(b.hmacKey)).toBe(bytesToHex(kSync.subarray(32)));
    expect(() => keyBundleFromKSync(randomBytes(32))).toThrow();
  });

  it('round-trips through the crypto/keys base64 pair', () => {
    const b = randomKeyBundle();
    const pair = keyBundleToBase64Pair(b);
    expect(pair[0]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const back = keyBundleFromBase64Pair(pair);
    expect(bytesToHex(back.encKey)).toBe(bytesToHex(b.encKey));
    expect(bytesToHex(back.hmacKey)).toBe(bytesToHex(b.hmacKey));
  });

  it('rejects wrong sizes and shapes', () => {
    expect(() => keyBundleFromBase64Pair(['AAAA', 'AAAA'])).toThrow();
    expect(() => keyBundleFromBase64Pair(['only-one'])).toThrow();
  });
});
