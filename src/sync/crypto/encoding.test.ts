import { describe, expect, it } from 'vitest';
import {
  base64DecodedLength,
  base64DecodeInto,
  base64ToBytes,
  base64UrlToBytes,
  bytesToBase64,
  bytesToBase64Url,
  bytesToHex,
  concatBytes,
  constantTimeEqual,
  hexToBytes,
  randomBytes,
  utf8Decode,
  utf8EncodeReusing,
  utf8Encode,
  xorBytes,
} from './encoding.ts';

describe('hex', () => {
  it('round-trips and lowercases', () => {
    expect(bytesToHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(Array.from(hexToBytes('0001ABff'))).toEqual([0, 1, 0xab, 0xff]);
  });
  it('rejects odd length and non-hex', () => {
    expect(() => hexToBytes('abc')).toThrow();
    expect(() => hexToBytes('zz')).toThrow();
    expect(() => hexToBytes('0x')).toThrow();
  });
});

describe('base64', () => {
  // RFC 4648 §10 test vectors.
  const vectors: [string, string][] = [
    ['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy'],
  ];
  it('matches RFC 4648 vectors', () => {
    for (const [plain, b64] of vectors) {
      expect(bytesToBase64(utf8Encode(plain))).toBe(b64);
      expect(utf8Decode(base64ToBytes(b64))).toBe(plain);
      expect(bytesToBase64Url(utf8Encode(plain))).toBe(b64.replace(/=+$/, ''));
      expect(utf8Decode(base64UrlToBytes(b64.replace(/=+$/, '')))).toBe(plain);
      expect(utf8Decode(base64UrlToBytes(b64))).toBe(plain); // padded accepted too
    }
  });
  it('uses the URL-safe alphabet', () => {
    const b = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(bytesToBase64(b)).toBe('+/+/');
    expect(bytesToBase64Url(b)).toBe('-_-_');
    expect(Array.from(base64UrlToBytes('-_-_'))).toEqual([0xfb, 0xff, 0xbf]);
  });
  it('rejects malformed input', () => {
    expect(() => base64ToBytes('Zg')).toThrow(); // standard form must be padded
    expect(() => base64ToBytes('Z$==')).toThrow();
    expect(() => base64UrlToBytes('+/+/')).toThrow();
    expect(() => base64UrlToBytes('A')).toThrow();
  });
  it('round-trips large random buffers', () => {
    const b = randomBytes(100_000);
    expect(bytesToHex(base64ToBytes(bytesToBase64(b)))).toBe(bytesToHex(b));
    expect(bytesToHex(base64UrlToBytes(bytesToBase64Url(b)))).toBe(bytesToHex(b));
  });
});

describe('utf8', () => {
  it('encodes non-ASCII and rejects invalid UTF-8', () => {
    expect(bytesToHex(utf8Encode('pässwörd'))).toBe('70c3a4737377c3b67264');
    expect(() => utf8Decode(new Uint8Array([0xc3]))).toThrow();
  });
});

describe('byte helpers', () => {
  it('xor, concat, constant-time compare', () => {
    expect(Array.from(xorBytes(new Uint8Array([1, 2]), new Uint8Array([3, 2])))).toEqual([2, 0]);
    expect(() => xorBytes(new Uint8Array(1), new Uint8Array(2))).toThrow();
    expect(Array.from(concatBytes(new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])))).toEqual([1, 2, 3]);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 2]))).toBe(false);
  });
  it('randomBytes gives the requested length and varies', () => {
    expect(randomBytes(70_000).length).toBe(70_000);
    expect(bytesToHex(randomBytes(16))).not.toBe(bytesToHex(randomBytes(16)));
  });
});

describe('base64 decoded into a shared buffer (a page of records)', () => {
  it('reads as base64ToBytes does, at any offset, and refuses what it refuses', () => {
    for (let n = 0; n <= 70; n++) {
      const bytes = randomBytes(n);
      const text = bytesToBase64(bytes);
      expect(base64DecodedLength(text)).toBe(n);
      const out = new Uint8Array(n + 7).fill(0xee);
      base64DecodeInto(text, out, 3);
      expect(out.subarray(3, 3 + n)).toEqual(base64ToBytes(text));
      expect([...out.subarray(0, 3), ...out.subarray(3 + n)]).toEqual(new Array(7).fill(0xee)); // nothing outside
    }
    for (const bad of ['abc', 'ab=c', 'a===', '@@@@', 'QUJD\n', 'QQ', 'QQ=']) {
      expect(() => base64ToBytes(bad)).toThrow();
      expect(base64DecodedLength(bad)).toBe(-1);
    }
  });

  it('encodes UTF-8 into the buffer it is given when it fits, else into a new one', () => {
    const into = new Uint8Array(8);
    const fits = utf8EncodeReusing('ünï', into);
    expect(fits.buffer).toBe(into.buffer);
    expect(fits).toEqual(utf8Encode('ünï'));
    const larger = utf8EncodeReusing('a longer text ✓', into);
    expect(larger.buffer).not.toBe(into.buffer);
    expect(larger).toEqual(utf8Encode('a longer text ✓'));
  });
});
