// FxA "onepw" client-side key stretching, token expansion and the /account/keys bundle
// (protocol.md §1.1–§1.3, §1.6; mozilla/fxa packages/fxa-auth-client/lib/crypto.ts).
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  bytesToHex,
  constantTimeEqual,
  hexToBytes,
  randomBytes,
  utf8Encode,
  xorBytes,
} from './encoding.ts';
import { NS, mozHkdf } from './hkdf.ts';

export type FxaTokenKind =
  | 'sessionToken'
  | 'keyFetchToken'
  | 'passwordChangeToken'
  | 'accountResetToken'
  | 'passwordForgotToken';

export interface FxaCredentials {
  /** Sent to the server (as hex) in `authPW`. */
  authPW: Uint8Array;
  /** Kept locally; unwraps kB from the keys bundle. */
  unwrapBKey: Uint8Array;
}

export const V1_ITERATIONS = 1000;
export const V2_ITERATIONS = 650000;
export const CLIENT_SALT_V2_PREFIX = `${NS}quickStretchV2:`;

export class KeyBundleMacError extends Error {
  override name = 'KeyBundleMacError';
  constructor(message = 'keys bundle MAC mismatch') {
    super(message);
  }
}

async function pbkdf2Sha256(password: string, salt: string, iterations: number): Promise<Uint8Array> {
  // WebCrypto: 650000 iterations in pure JS would take seconds.
  const subtle = globalThis.crypto.subtle;
  const key = await subtle.importKey('raw', utf8Encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'PBKDF2', salt: utf8Encode(salt), iterations, hash: 'SHA-256' },
    key,
    256,
  );
  return new Uint8Array(bits);
}

function credentialsFromStretched(stretched: Uint8Array): FxaCredentials {
  return {
    authPW: mozHkdf(stretched, 'authPW', 32),
    unwrapBKey: mozHkdf(stretched, 'unwrapBkey', 32), // lowercase "k" is what FxA uses
  };
}

/**
 * v1 stretching: PBKDF2(password, NS + "quickStretch:" + email, 1000).
 * `email` must be the address the account was created with, byte-for-byte (errno 120 otherwise).
 */
export async function deriveCredentialsV1(email: string, password: string): Promise<FxaCredentials> {
  const stretched = await pbkdf2Sha256(password, `${NS}quickStretch:${email}`, V1_ITERATIONS);
  return credentialsFromStretched(stretched);
}

/**
 * Normalizes a v2 client salt to the full string FxA uses as the PBKDF2 salt.
 * The auth server stores and returns (`/account/credentials/status` → `clientSalt`) the full form
 * "identity.mozilla.com/picl/v1/quickStretchV2:<32 hex>" (fxa-auth-client lib/salt.ts createSaltV2);
 * a bare 32-hex value is also accepted here and gets the prefix added.
 */
export function normalizeClientSalt(clientSalt: string): string {
  const value = clientSalt.startsWith(CLIENT_SALT_V2_PREFIX)
    ? clientSalt.slice(CLIENT_SALT_V2_PREFIX.length)
    : clientSalt;
  if (!/^[0-9a-f]{32}$/.test(value)) {
    throw new TypeError('invalid v2 clientSalt: expected 32 lowercase hex chars after the prefix');
  }
  return CLIENT_SALT_V2_PREFIX + value;
}

/** v2 stretching: PBKDF2(password, clientSalt, 650000). Accepts the full or the bare salt form. */
export async function deriveCredentialsV2(clientSalt: string, password: string): Promise<FxaCredentials> {
  const stretched = await pbkdf2Sha256(password, normalizeClientSalt(clientSalt), V2_ITERATIONS);
  return credentialsFromStretched(stretched);
}

/** A new v2 salt in the full form the server stores: "identity.mozilla.com/picl/v1/quickStretchV2:<32 hex>". */
export function randomClientSalt(): string {
  return CLIENT_SALT_V2_PREFIX + bytesToHex(randomBytes(16));
}

export interface TokenParts {
  /** hex; what goes in `Bearer fx?_<tokenId>` and Hawk `id`. */
  tokenId: string;
  /** Hawk key for legacy Hawk-authenticated FxA requests. */
  reqHMACkey: Uint8Array;
  /** keyRequestKey for keyFetchToken; unused for the other kinds. */
  extraKey: Uint8Array;
}

/** HKDF(token, NS + kind, 96) = tokenId | reqHMACkey | extraKey. */
export function deriveTokenParts(tokenHex: string, kind: FxaTokenKind): TokenParts {
  const token = hexToBytes(tokenHex);
  if (token.length !== 32) throw new TypeError(`${kind} must be 32 bytes (64 hex)`);
  const out = mozHkdf(token, kind, 96);
  return {
    tokenId: bytesToHex(out.subarray(0, 32)),
    reqHMACkey: out.slice(32, 64),
    extraKey: out.slice(64, 96),
  };
}

/** Typed-bearer prefixes (fxa ADR 0050; auth-schemes/bearer-fxa-token.js). */
export const BEARER_PREFIX: Readonly<Record<FxaTokenKind, string>> = {
  sessionToken: 'fxs',
  keyFetchToken: 'fxk',
  passwordChangeToken: 'fxpc',
  accountResetToken: 'fxar',
  passwordForgotToken: 'fxpf',
};

/** `Bearer <prefix>_<hex tokenId>`, e.g. `Bearer fxs_<64 hex>` for a session token. */
export function bearerForToken(tokenHex: string, kind: FxaTokenKind): string {
  return `Bearer ${BEARER_PREFIX[kind]}_${deriveTokenParts(tokenHex, kind).tokenId}`;
}

/** Bundle keys derived from keyRequestKey: respHMACkey(32) | respXORkey(64). */
function accountKeysBundleKeys(keyRequestKey: Uint8Array): { hmacKey: Uint8Array; xorKey: Uint8Array } {
  const out = mozHkdf(keyRequestKey, 'account/keys', 96);
  return { hmacKey: out.subarray(0, 32), xorKey: out.subarray(32, 96) };
}

/**
 * Opens an `/account/keys` bundle given keyRequestKey directly (the form of the published vector).
 * Returns kA and wrapKB; throws KeyBundleMacError if the MAC does not verify.
 */
export function unbundleWithKeyRequestKey(
  keyRequestKey: Uint8Array,
  bundleHex: string,
): { kA: Uint8Array; wrapKB: Uint8Array } {
  const bundle = hexToBytes(bundleHex);
  if (bundle.length !== 96) throw new KeyBundleMacError('keys bundle must be 96 bytes');
  const { hmacKey, xorKey } = accountKeysBundleKeys(keyRequestKey);
  const ciphertext = bundle.subarray(0, 64);
  const mac = bundle.subarray(64);
  if (!constantTimeEqual(hmac(sha256, hmacKey, ciphertext), mac)) throw new KeyBundleMacError();
  const plain = xorBytes(ciphertext, xorKey);
  return { kA: plain.slice(0, 32), wrapKB: plain.slice(32, 64) };
}

/**
 * Opens the `/account/keys` response bundle and unwraps kB.
 * Use unwrapBKey v2 when the token came back as `keyFetchTokenVersion2`.
 */
export function unwrapKeysBundle(
  keyFetchTokenHex: string,
  bundleHex: string,
  unwrapBKey: Uint8Array,
): { kA: Uint8Array; kB: Uint8Array } {
  const { extraKey } = deriveTokenParts(keyFetchTokenHex, 'keyFetchToken');
  const { kA, wrapKB } = unbundleWithKeyRequestKey(extraKey, bundleHex);
  return { kA, kB: xorBytes(wrapKB, unwrapBKey) };
}

/**
 * Server side of unwrapKeysBundle (for the local test server): builds the hex bundle the auth
 * server returns for a keyFetchToken, from kA and wrapKB (= kB XOR unwrapBKey).
 */
export function createKeysBundle(keyFetchTokenHex: string, kA: Uint8Array, wrapKB: Uint8Array): string {
  if (kA.length !== 32 || wrapKB.length !== 32) throw new TypeError('kA and wrapKB must be 32 bytes');
  const { extraKey } = deriveTokenParts(keyFetchTokenHex, 'keyFetchToken');
  const { hmacKey, xorKey } = accountKeysBundleKeys(extraKey);
  const plain = new Uint8Array(64);
  plain.set(kA, 0);
  plain.set(wrapKB, 32);
  const ciphertext = xorBytes(plain, xorKey);
  const mac = hmac(sha256, hmacKey, ciphertext);
  return bytesToHex(ciphertext) + bytesToHex(mac);
}
