// A password sign-in waiting for its e-mailed or TOTP code holds the session token, the single-use
// keyFetchToken and the password-derived unwrapBKey. It is kept in memory-only extension storage
// (`storage.session`: survives a stopped service worker or event page, never written to disk,
// gone when the browser closes) and only for PENDING_PASSWORD_TTL_MS (issue 9 #15).
// Browser-free: the background gives the real session area (src/browser/api.ts), tests a Map.
import { base64ToBytes, bytesToBase64 } from '../sync/crypto/index.ts';
import type { FxaSession } from './authClient.ts';

/** The small part of `browser.storage.session` we use. Values must be JSON-like (Chromium stores JSON). */
export interface SessionArea {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** An in-memory session area, for Node tests. */
export class MemorySessionArea implements SessionArea {
  readonly #values = new Map<string, unknown>();

  async get(key: string): Promise<unknown> {
    // A copy, as the browser hands out: what was stored cannot change under the caller.
    const v = this.#values.get(key);
    return v === undefined ? undefined : structuredClone(v);
  }

  async set(key: string, value: unknown): Promise<void> {
    // JSON round trip: anything that would not survive Chromium's storage fails here too.
    this.#values.set(key, JSON.parse(JSON.stringify(value)) as unknown);
  }

  async remove(key: string): Promise<void> {
    this.#values.delete(key);
  }

  /** What is held, for tests. */
  entries(): Array<[string, unknown]> {
    return [...this.#values.entries()];
  }

  get size(): number {
    return this.#values.size;
  }
}

/** How long a password sign-in may wait for its code before it is forgotten. */
export const PENDING_PASSWORD_TTL_MINUTES = 15;
export const PENDING_PASSWORD_TTL_MS = PENDING_PASSWORD_TTL_MINUTES * 60_000;

export interface PendingPassword {
  session: FxaSession;
  /** ms since epoch after which the sign-in is forgotten. */
  expiresAt: number;
}

/** What is left once a waiting sign-in expired: no secrets, only what to tell the person. */
export interface ExpiredPassword {
  expired: true;
  email: string;
}

export function encodePendingPassword(p: PendingPassword): Record<string, unknown> {
  return { v: 1, expiresAt: p.expiresAt, session: { ...p.session, unwrapBKey: bytesToBase64(p.session.unwrapBKey) } };
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isStringOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';

/** Checks a value read back from the session area before trusting it; null when it is not one of ours. */
export function decodePendingPassword(value: unknown): PendingPassword | ExpiredPassword | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Record<string, unknown>;
  if (r.expired === true && isString(r.email)) return { expired: true, email: r.email };
  const s = r.session as Record<string, unknown> | null | undefined;
  if (r.v !== 1 || typeof r.expiresAt !== 'number' || typeof s !== 'object' || s === null) return null;
  const config = s.config as Record<string, unknown> | null | undefined;
  const ok =
    typeof config === 'object' && config !== null &&
    ['accountsUrl', 'authUrl', 'oauthUrl', 'profileUrl', 'tokenServerUrl'].every((k) => isString(config[k])) &&
    (s.authMode === 'bearer' || s.authMode === 'hawk') &&
    isString(s.uid) && isString(s.email) && isString(s.sessionToken) && isStringOrNull(s.keyFetchToken) &&
    (s.keyFetchTokenVersion === 1 || s.keyFetchTokenVersion === 2) &&
    isString(s.unwrapBKey) && typeof s.verified === 'boolean' &&
    isStringOrNull(s.verificationMethod) && isStringOrNull(s.verificationReason) &&
    (s.authAt === null || typeof s.authAt === 'number');
  if (!ok) return null;
  return { expiresAt: r.expiresAt, session: { ...(s as unknown as FxaSession), unwrapBKey: base64ToBytes(s.unwrapBKey as string) } };
}
