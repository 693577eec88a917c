// HKDF-SHA256 (RFC 5869) and the FxA "picl" namespaced variant used throughout onepw and Sync.
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8Encode } from './encoding.ts';

/** Namespace prefix of every FxA HKDF info string and PBKDF2 salt. */
export const NS = 'identity.mozilla.com/picl/v1/';

/** Synchronous (noble) so token expansion can be used in hot paths; salt defaults to empty. */
export function hkdfSha256(
  ikm: Uint8Array,
  info: string | Uint8Array,
  length: number,
  salt: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const infoBytes = typeof info === 'string' ? utf8Encode(info) : info;
  return hkdf(sha256, ikm, salt, infoBytes, length);
}

/** HKDF with info = NS + name and an empty salt, as FxA uses it. */
export function mozHkdf(ikm: Uint8Array, name: string, length: number): Uint8Array {
  return hkdfSha256(ikm, NS + name, length);
}
