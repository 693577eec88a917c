// Byte/string conversions shared by the Sync crypto modules.
// Browser-free: only standard globals (TextEncoder, btoa/atob, crypto.getRandomValues),
// so the same code runs in Node 20 and in an extension service worker.

const HEX_DIGITS = '0123456789abcdef';

/** Lowercase hex. */
export function bytesToHex(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    out += HEX_DIGITS[v >> 4]! + HEX_DIGITS[v & 15]!;
  }
  return out;
}

function hexNibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F (servers and old clients sometimes send uppercase)
  return -1;
}

/** Decodes `out.length` bytes of hex (either case) into `out`; false on a character that is not hex. */
export function hexInto(hex: string, out: Uint8Array): boolean {
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(hex.charCodeAt(2 * i));
    const lo = hexNibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) return false;
    out[i] = (hi << 4) | lo;
  }
  return true;
}

/** Accepts upper- or lowercase; throws on odd length or non-hex characters. */
export function hexToBytes(h: string): Uint8Array<ArrayBuffer> {
  if (typeof h !== 'string' || h.length % 2 !== 0) {
    throw new TypeError('hexToBytes: expected an even-length hex string');
  }
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(h.charCodeAt(2 * i));
    const lo = hexNibble(h.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new TypeError('hexToBytes: invalid hex character');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** Standard base64 with padding. */
export function bytesToBase64(b: Uint8Array): string {
  // btoa needs a "binary string"; build it in chunks to keep the argument list small.
  let bin = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < b.length; i += CHUNK) {
    bin += String.fromCharCode(...b.subarray(i, i + CHUNK));
  }
  return btoa(bin);
}

const B64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const B64_VALUE = (() => {
  const t = new Uint8Array(128);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/** The byte length of padded base64 (as base64ToBytes accepts it), or -1 when it is not that. */
export function base64DecodedLength(s: string): number {
  if (typeof s !== 'string' || !B64_RE.test(s)) return -1;
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  return (s.length / 4) * 3 - pad;
}

/**
 * Decodes base64 already checked by base64DecodedLength into `out` at `offset` (no buffer of its
 * own: a page of records decodes into one).
 */
export function base64DecodeInto(s: string, out: Uint8Array, offset: number): void {
  let o = offset;
  const end = s.length - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0);
  let i = 0;
  for (; i + 4 <= end; i += 4) {
    const n = (B64_VALUE[s.charCodeAt(i)]! << 18) | (B64_VALUE[s.charCodeAt(i + 1)]! << 12)
      | (B64_VALUE[s.charCodeAt(i + 2)]! << 6) | B64_VALUE[s.charCodeAt(i + 3)]!;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  const left = end - i;
  if (left >= 2) {
    const n = (B64_VALUE[s.charCodeAt(i)]! << 18) | (B64_VALUE[s.charCodeAt(i + 1)]! << 12)
      | (left === 3 ? B64_VALUE[s.charCodeAt(i + 2)]! << 6 : 0);
    out[o++] = n >> 16;
    if (left === 3) out[o++] = (n >> 8) & 255;
  }
}

/** Standard base64, padding required (the Sync and Hawk formats always pad). Throws on bad input. */
export function base64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  if (typeof s !== 'string' || !B64_RE.test(s)) {
    throw new TypeError('base64ToBytes: invalid base64');
  }
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** URL-safe base64 without padding (RFC 4648 §5), as used by JOSE, PKCE and the X-KeyID. */
export function bytesToBase64Url(b: Uint8Array): string {
  return bytesToBase64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const B64URL_RE = /^[A-Za-z0-9_-]*={0,2}$/;

/** URL-safe base64, with or without padding. Throws on bad input. */
export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  if (typeof s !== 'string' || !B64URL_RE.test(s)) {
    throw new TypeError('base64UrlToBytes: invalid base64url');
  }
  const bare = s.replace(/=+$/, '');
  if (bare.length % 4 === 1) throw new TypeError('base64UrlToBytes: invalid length');
  const std = bare.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(std + '='.repeat((4 - (std.length % 4)) % 4));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

export function utf8Encode(s: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(s);
}

/** UTF-8 of `s` in `into` when it fits, else in a new buffer; the bytes written, as a view. */
export function utf8EncodeReusing(s: string, into: Uint8Array): Uint8Array {
  const { read, written } = encoder.encodeInto(s, into);
  return read === s.length ? into.subarray(0, written) : encoder.encode(s);
}

/** Strict: throws TypeError on invalid UTF-8. */
export function utf8Decode(b: Uint8Array): string {
  return decoder.decode(b);
}

export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  if (a.length !== b.length) throw new RangeError('xorBytes: length mismatch');
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Compares without an early exit on the first differing byte (length is not secret). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  // getRandomValues is limited to 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

/**
 * WebCrypto's BufferSource typing wants ArrayBuffer-backed views; bytes from elsewhere may sit on a
 * SharedArrayBuffer-typed buffer. Copy only when needed.
 */
export function toArrayBufferView(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? (b as Uint8Array<ArrayBuffer>) : new Uint8Array(b);
}
