// PKCE S256 (RFC 7636) for the OAuth code flow (protocol.md §2.3 step 1).
import { bytesToBase64Url, randomBytes, toArrayBufferView, utf8Encode } from './encoding.ts';

/** challenge = b64url(SHA-256(ASCII(verifier))). */
export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', toArrayBufferView(utf8Encode(verifier)));
  return bytesToBase64Url(new Uint8Array(digest));
}

/** verifier = 32 random bytes as b64url (43 chars). */
export async function createPkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = bytesToBase64Url(randomBytes(32));
  return { verifier, challenge: await pkceChallenge(verifier) };
}

/** OAuth `state`: 16 random bytes, b64url. */
export function randomOAuthState(): string {
  return bytesToBase64Url(randomBytes(16));
}
