// Token server Hawk credentials, shaped like Mozilla's tokenlib: the id is
// base64url(JSON payload || HMAC-SHA256(signing secret, payload)) and the key is
// base64url(HKDF-SHA256(master secret, salt, "services.mozilla.com/tokenlib/v1/derive/" + id)).
// Storage needs no shared table: it re-derives the key from the id, so tampering is detected by
// the signature and a forged key never matches.
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { HawkTokenInfo, HawkTokenIssuer, IssuedHawkCredentials } from './context.ts';
import type { ServerSecrets } from './secrets.ts';

interface TokenPayload {
  uid: string;
  generation: number;
  expiresAt: number;
  salt: string;
  /** Revocation epoch of the uid when minted (fault switch "expire tokens"). */
  epoch: number;
}

export type RevocationMode = 'revoke' | 'expire';

interface Revocation {
  epoch: number;
  mode: RevocationMode;
  at: number;
}

const SIGNATURE_BYTES = 32;

/** base64url with '=' padding, as tokenlib emits ids and keys. */
function b64urlPadded(buf: Buffer): string {
  return buf.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

function isPayload(v: unknown): v is TokenPayload {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.uid === 'string' &&
    /^[0-9]{1,20}$/.test(p.uid) &&
    typeof p.generation === 'number' &&
    typeof p.expiresAt === 'number' &&
    typeof p.salt === 'string' &&
    typeof p.epoch === 'number'
  );
}

export class LocalHawkTokens implements HawkTokenIssuer {
  private readonly revocations = new Map<string, Revocation>();

  constructor(
    private readonly secrets: ServerSecrets,
    private readonly now: () => number,
  ) {}

  issue(opts: { uid: string; generation: number; ttlSeconds: number }): IssuedHawkCredentials {
    const payload: TokenPayload = {
      uid: opts.uid,
      generation: opts.generation,
      expiresAt: this.now() + opts.ttlSeconds * 1000,
      salt: randomBytes(3).toString('hex'),
      epoch: this.revocations.get(opts.uid)?.epoch ?? 0,
    };
    const json = Buffer.from(JSON.stringify(payload), 'utf8');
    const id = b64urlPadded(Buffer.concat([json, this.sign(json)]));
    return { id, key: this.deriveKey(id, payload.salt) };
  }

  lookup(id: string): HawkTokenInfo | null {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(id)) return null;
    const raw = Buffer.from(id, 'base64url');
    if (raw.length <= SIGNATURE_BYTES) return null;
    const json = raw.subarray(0, raw.length - SIGNATURE_BYTES);
    const sig = raw.subarray(raw.length - SIGNATURE_BYTES);
    if (!timingSafeEqual(sig, this.sign(json))) return null;
    let payload: unknown;
    try {
      payload = JSON.parse(json.toString('utf8'));
    } catch {
      return null;
    }
    if (!isPayload(payload)) return null;
    let expiresAt = payload.expiresAt;
    const revoked = this.revocations.get(payload.uid);
    if (revoked && payload.epoch < revoked.epoch) {
      if (revoked.mode === 'revoke') return null;
      expiresAt = Math.min(expiresAt, revoked.at);
    }
    return { key: this.deriveKey(id, payload.salt), uid: payload.uid, generation: payload.generation, expiresAt };
  }

  /**
   * Fault switch: every token minted so far for `uid` stops working. 'revoke' = rejected
   * everywhere (like a rotated secret); 'expire' = treated as expired (Mozilla still accepts
   * expired tokens on GET info/collections).
   */
  revokeAll(uid: string, mode: RevocationMode = 'revoke'): void {
    const epoch = (this.revocations.get(uid)?.epoch ?? 0) + 1;
    this.revocations.set(uid, { epoch, mode, at: this.now() });
  }

  private sign(data: Buffer): Buffer {
    return createHmac('sha256', this.secrets.signing).update(data).digest();
  }

  private deriveKey(id: string, salt: string): string {
    const info = Buffer.from(`services.mozilla.com/tokenlib/v1/derive/${id}`, 'utf8');
    const okm = hkdfSync('sha256', this.secrets.master, Buffer.from(salt, 'utf8'), info, 32);
    return b64urlPadded(Buffer.from(okm));
  }
}
