// Sync root key material from kB (protocol.md §2.2, §5.1;
// gecko-dev FxAccountsKeys.sys.mjs _deriveSyncKey / _deriveXClientState).
import { sha256 } from '@noble/hashes/sha2.js';
import { base64UrlToBytes, bytesToBase64Url, bytesToHex } from './encoding.ts';
import { mozHkdf } from './hkdf.ts';

export const OLDSYNC_SCOPE = 'https://identity.mozilla.com/apps/oldsync';

export interface SyncKeyMaterial {
  /** 64 bytes: encKey(32) | hmacKey(32) of the root Sync key bundle. */
  kSync: Uint8Array;
  /** First 16 bytes of SHA-256(kB); hex of it is X-Client-State. */
  kXCS: Uint8Array;
}

export function deriveSyncKey(kB: Uint8Array): SyncKeyMaterial {
  if (kB.length !== 32) throw new TypeError('kB must be 32 bytes');
  return { kSync: mozHkdf(kB, 'oldsync', 64), kXCS: sha256(kB).slice(0, 16) };
}

/** X-KeyID / scoped-key kid: "<keyRotationTimestamp ms, plain decimal>-<b64url(kXCS), no padding>". */
export function keyId(keyRotationTimestampMs: number, kXCS: Uint8Array): string {
  if (!Number.isSafeInteger(keyRotationTimestampMs) || keyRotationTimestampMs < 0) {
    throw new RangeError('keyRotationTimestamp must be a non-negative integer (ms)');
  }
  return `${keyRotationTimestampMs}-${bytesToBase64Url(kXCS)}`;
}

/** X-Client-State header value. */
export function clientStateHex(kXCS: Uint8Array): string {
  return bytesToHex(kXCS);
}

/** Splits an X-KeyID (used by the test tokenserver); throws on a malformed value. */
export function parseKeyId(kid: string): { keysChangedAt: number; kXCS: Uint8Array; clientState: string } {
  const m = /^(\d+)-([A-Za-z0-9_-]+)$/.exec(kid);
  if (!m) throw new TypeError('malformed key id');
  const kXCS = base64UrlToBytes(m[2]!);
  return { keysChangedAt: Number(m[1]), kXCS, clientState: bytesToHex(kXCS) };
}

/** The scoped-key JWK FxA puts inside keys_jwe for the oldsync scope (protocol.md §2.3 step 5). */
export function oldsyncScopedKey(
  kB: Uint8Array,
  keyRotationTimestampMs: number,
): { kty: 'oct'; scope: string; kid: string; k: string } {
  const { kSync, kXCS } = deriveSyncKey(kB);
  return { kty: 'oct', scope: OLDSYNC_SCOPE, kid: keyId(keyRotationTimestampMs, kXCS), k: bytesToBase64Url(kSync) };
}
