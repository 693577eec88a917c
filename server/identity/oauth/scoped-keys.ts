// Scoped-key metadata and the oldsync key as Firefox and FxA's content server compute them
// (protocol.md §2.2): kSync = HKDF(kB, "oldsync", 64), kid = "<keysChangedAt>-b64url(SHA-256(kB)[0..16])".
import type { Account } from '../state.ts';
import { b64url } from '../util/encoding.ts';
import { clientStateFromKb, syncKeyFromKb } from '../util/kdf.ts';
import { OLDSYNC_SCOPE } from '../accounts/auth.ts';

export const KEY_ROTATION_SECRET = '0'.repeat(64);

export function keyRotationTimestamp(account: Account): number {
  return Math.max(account.keysChangedAt, 0);
}

export function scopedKeyData(account: Account, scopes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const scope of scopes) {
    if (scope !== OLDSYNC_SCOPE) continue;
    out[scope] = { identifier: scope, keyRotationSecret: KEY_ROTATION_SECRET, keyRotationTimestamp: keyRotationTimestamp(account) };
  }
  return out;
}

export function oldsyncKid(account: Account, kB: Uint8Array): string {
  return `${keyRotationTimestamp(account)}-${b64url(clientStateFromKb(kB))}`;
}

/** The JSON FxA encrypts into keys_jwe for the oldsync scope. */
export function oldsyncScopedKeys(account: Account, kB: Uint8Array): Record<string, unknown> {
  return {
    [OLDSYNC_SCOPE]: { kty: 'oct', scope: OLDSYNC_SCOPE, k: b64url(syncKeyFromKb(kB)), kid: oldsyncKid(account, kB) },
  };
}
