// meta/global: the unencrypted record that says which storage format and engines an account uses
// (protocol.md §5.4). We keep every field we do not understand when we rewrite it.
import { bytesToBase64Url, randomBytes } from '../crypto/encoding.ts';

export const STORAGE_VERSION = 5;

/** Engine versions Firefox and application-services write on a fresh start (protocol.md §5.4). */
export const DEFAULT_ENGINE_VERSIONS: Readonly<Record<string, number>> = {
  passwords: 1, clients: 1, addons: 1, addresses: 1, bookmarks: 2, creditcards: 1,
  forms: 1, history: 1, prefs: 2, tabs: 1,
};

export interface EngineMeta {
  version: number;
  syncID: string;
  [unknown: string]: unknown;
}

export interface MetaGlobal {
  syncID: string;
  storageVersion: number;
  engines: Record<string, EngineMeta>;
  declined: string[];
  [unknown: string]: unknown;
}

/** A 12-character URL-safe id, as Firefox makes for syncIDs and record GUIDs. */
export function newSyncId(): string {
  return bytesToBase64Url(randomBytes(9));
}

export type ParsedMetaGlobal =
  | { ok: true; meta: MetaGlobal }
  /** Present but not usable as storage version 5 (too old, or missing the required fields). */
  | { ok: false; reason: 'unparseable' | 'no-sync-id' | 'old-storage-version'; storageVersion: number | null }
  | { ok: false; reason: 'newer-storage-version'; storageVersion: number };

/** Parses the BSO payload of meta/global (a JSON string, not encrypted). */
export function parseMetaGlobal(payload: string): ParsedMetaGlobal {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'unparseable', storageVersion: null };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'unparseable', storageVersion: null };
  const r = raw as Record<string, unknown>;
  // Old clients wrote storageVersion as a string: compare numerically.
  const sv = typeof r['storageVersion'] === 'number' ? r['storageVersion'] : Number(r['storageVersion']);
  const storageVersion = Number.isFinite(sv) ? sv : null;
  if (storageVersion !== null && storageVersion > STORAGE_VERSION) return { ok: false, reason: 'newer-storage-version', storageVersion };
  if (storageVersion === null || storageVersion < STORAGE_VERSION) return { ok: false, reason: 'old-storage-version', storageVersion };
  if (typeof r['syncID'] !== 'string' || r['syncID'] === '') return { ok: false, reason: 'no-sync-id', storageVersion };
  const engines: Record<string, EngineMeta> = {};
  if (typeof r['engines'] === 'object' && r['engines'] !== null) {
    for (const [name, e] of Object.entries(r['engines'] as Record<string, unknown>)) {
      if (typeof e !== 'object' || e === null) continue;
      const em = e as Record<string, unknown>;
      if (typeof em['syncID'] === 'string' && typeof em['version'] === 'number') engines[name] = em as EngineMeta;
    }
  }
  const declined = Array.isArray(r['declined']) ? r['declined'].filter((d): d is string => typeof d === 'string') : [];
  return { ok: true, meta: { ...r, syncID: r['syncID'], storageVersion, engines, declined } };
}

/** meta/global for a fresh start: every engine Firefox knows gets a new syncID, except the declined. */
export function freshMetaGlobal(declined: readonly string[]): MetaGlobal {
  const engines: Record<string, EngineMeta> = {};
  for (const [name, version] of Object.entries(DEFAULT_ENGINE_VERSIONS)) {
    if (!declined.includes(name)) engines[name] = { version, syncID: newSyncId() };
  }
  return { syncID: newSyncId(), storageVersion: STORAGE_VERSION, engines, declined: [...declined] };
}
