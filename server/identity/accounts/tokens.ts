// Issuing FxA session and key-fetch tokens, and the `/account/keys` bundle (protocol.md §1.1, §1.6).
import { randomBytes } from 'node:crypto';
import type { Account, IdentityState, KeyFetchToken, SessionToken } from '../state.ts';
import { xor } from '../util/encoding.ts';
import { NS, hkdf, hmacSha256, tokenParts } from '../util/kdf.ts';

export function issueSessionToken(
  state: IdentityState,
  account: Account,
  opts: { verified: boolean; mustVerify: boolean; verificationMethod?: string | null },
): { token: string; session: SessionToken } {
  const token = randomBytes(32).toString('hex');
  const parts = tokenParts(token, 'sessionToken');
  const now = state.ctx.now();
  const session: SessionToken = {
    id: parts.tokenId,
    uid: account.uid,
    reqHMACkey: parts.reqHMACkey,
    createdAt: now,
    authAt: now,
    verified: opts.verified,
    mustVerify: opts.mustVerify,
    verificationMethod: opts.verificationMethod ?? null,
    lastAccessTime: now,
  };
  state.sessions.set(session.id, session);
  return { token, session };
}

/** ciphertext = (kA | wrapKb) XOR respXORkey; bundle = ciphertext | HMAC(respHMACkey, ciphertext). */
export function keyBundle(keyRequestKey: Buffer, kA: Buffer, wrapKb: Buffer): string {
  const keys = hkdf(keyRequestKey, NS + 'account/keys', 96);
  const respHMACkey = keys.subarray(0, 32);
  const respXORkey = keys.subarray(32, 96);
  const ciphertext = xor(Buffer.concat([kA, wrapKb]), respXORkey);
  return Buffer.concat([ciphertext, hmacSha256(respHMACkey, ciphertext)]).toString('hex');
}

export function issueKeyFetchToken(state: IdentityState, account: Account, session: SessionToken, version: 1 | 2): string {
  const token = randomBytes(32).toString('hex');
  const parts = tokenParts(token, 'keyFetchToken');
  const wrapKb = version === 2 && account.wrapKbV2 ? account.wrapKbV2 : account.wrapKb;
  const record: KeyFetchToken = {
    id: parts.tokenId,
    uid: account.uid,
    reqHMACkey: parts.reqHMACkey,
    bundle: keyBundle(parts.extraKey, account.kA, wrapKb),
    sessionTokenId: session.id,
  };
  state.keyFetchTokens.set(record.id, record);
  return token;
}

/** A session counts as verified once the account email and the session itself are confirmed. */
export function sessionIsVerified(state: IdentityState, session: SessionToken): boolean {
  const account = state.accounts.get(session.uid);
  return !!account && account.emailVerified && session.verified;
}

/** Deleting a session also removes the device registered on it, as in FxA. */
export function destroySession(state: IdentityState, sessionId: string): void {
  state.sessions.delete(sessionId);
  for (const [id, kft] of state.keyFetchTokens) if (kft.sessionTokenId === sessionId) state.keyFetchTokens.delete(id);
  for (const [id, device] of state.devices) if (device.sessionTokenId === sessionId) state.devices.delete(id);
}
