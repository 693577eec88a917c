// Hawk request signing (hawk.1.header, sha256) for Sync storage and legacy FxA endpoints
// (protocol.md §3; hueniverse/hawk README and lib/crypto.js for the normalized string format).
//
// Key bytes: for tokenserver credentials the Hawk key is the UTF-8 encoding of the `key` STRING the
// tokenserver returned (never base64-decode it); pass that string as `key`. For FxA token-derived
// Hawk (reqHMACkey), pass the raw bytes as a Uint8Array.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import {
  base64ToBytes,
  bytesToBase64,
  bytesToBase64Url,
  concatBytes,
  constantTimeEqual,
  randomBytes,
  utf8Encode,
} from './encoding.ts';

export interface HawkNormalizedParts {
  ts: number | string;
  nonce: string;
  method: string;
  /** Path + "?" + query exactly as sent on the wire. */
  resource: string;
  /** Lowercase, no port, no IPv6 brackets. */
  host: string;
  port: number | string;
  hash?: string;
  ext?: string;
}

/** The exact hawk.1.header string that gets MACed; every line ends in "\n". */
export function normalizedString(parts: HawkNormalizedParts): string {
  const ext = (parts.ext ?? '').replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return (
    'hawk.1.header\n' +
    `${parts.ts}\n` +
    `${parts.nonce}\n` +
    `${parts.method.toUpperCase()}\n` +
    `${parts.resource}\n` +
    `${parts.host.toLowerCase()}\n` +
    `${parts.port}\n` +
    `${parts.hash ?? ''}\n` +
    `${ext}\n`
  );
}

/** Content type without parameters, trimmed and lowercased, as Hawk hashes it. */
function bareContentType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

/** b64(SHA-256("hawk.1.payload\n" + contentType + "\n" + payload + "\n")). */
export function payloadHash(payload: string | Uint8Array, contentType?: string): string {
  const body = typeof payload === 'string' ? utf8Encode(payload) : payload;
  const head = utf8Encode(`hawk.1.payload\n${bareContentType(contentType)}\n`);
  return bytesToBase64(sha256(concatBytes(head, body, utf8Encode('\n'))));
}

function keyBytes(key: Uint8Array | string): Uint8Array {
  return typeof key === 'string' ? utf8Encode(key) : key;
}

/** b64(HMAC-SHA256(key, normalized)). */
export function hawkMac(key: Uint8Array | string, normalized: string): string {
  return bytesToBase64(hmac(sha256, keyBytes(key), utf8Encode(normalized)));
}

/** Splits a URL into the Hawk resource/host/port fields. */
export function hawkUrlParts(url: string): { resource: string; host: string; port: string } {
  const u = new URL(url);
  const defaultPort = u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '';
  // WHATWG URL keeps IPv6 brackets; Hawk implementations compare the bare address.
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return { resource: u.pathname + u.search, host, port: u.port || defaultPort };
}

export interface HawkHeaderOptions {
  method: string;
  url: string;
  id: string;
  /** string → UTF-8 bytes (tokenserver `key`); Uint8Array → used as is (FxA reqHMACkey). */
  key: Uint8Array | string;
  /** Include to add a `hash` attribute (omit for Sync storage, which does not check it). */
  payload?: string | Uint8Array;
  contentType?: string;
  /** Seconds; defaults to now + localtimeOffsetMs. */
  ts?: number;
  nonce?: string;
  /** serverTime − localTime in ms, to correct a skewed local clock. */
  localtimeOffsetMs?: number;
  ext?: string;
}

/**
 * `Hawk id="…", ts="…", nonce="…"[, hash="…"][, ext="…"], mac="…"` (attribute order as the
 * reference hawk client emits it).
 */
export function hawkHeader(opts: HawkHeaderOptions): string {
  const ts = opts.ts ?? Math.floor((Date.now() + (opts.localtimeOffsetMs ?? 0)) / 1000);
  const nonce = opts.nonce ?? bytesToBase64Url(randomBytes(6));
  const { resource, host, port } = hawkUrlParts(opts.url);
  const hash = opts.payload !== undefined ? payloadHash(opts.payload, opts.contentType) : undefined;
  const ext = opts.ext !== undefined && opts.ext !== '' ? opts.ext : undefined;
  const parts: HawkNormalizedParts = { ts, nonce, method: opts.method, resource, host, port };
  if (hash !== undefined) parts.hash = hash;
  if (ext !== undefined) parts.ext = ext;
  const mac = hawkMac(opts.key, normalizedString(parts));
  let header = `Hawk id="${opts.id}", ts="${ts}", nonce="${nonce}"`;
  if (hash !== undefined) header += `, hash="${hash}"`;
  if (ext !== undefined) header += `, ext="${ext.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `${header}, mac="${mac}"`;
}

export interface ParsedHawkHeader {
  id: string;
  ts: string;
  nonce: string;
  mac: string;
  hash?: string;
  ext?: string;
  app?: string;
  dlg?: string;
}

/** Parses an `Authorization: Hawk …` value (for the local test server). Returns null if malformed. */
export function parseHawkHeader(header: string): ParsedHawkHeader | null {
  const m = /^\s*hawk\s+(.*)$/is.exec(header);
  if (!m) return null;
  const attrs: Record<string, string> = {};
  const re = /\s*(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)/gy;
  const rest = m[1]!;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = re.exec(rest)) !== null) {
    const name = match[1]!;
    if (Object.hasOwn(attrs, name)) return null;
    attrs[name] = match[2]!.replace(/\\(.)/g, '$1');
    consumed = re.lastIndex;
    if (consumed >= rest.length) break;
  }
  if (rest.slice(consumed).trim() !== '') return null;
  const { id, ts, nonce, mac } = attrs;
  if (id === undefined || ts === undefined || nonce === undefined || mac === undefined) return null;
  const out: ParsedHawkHeader = { id, ts, nonce, mac };
  for (const k of ['hash', 'ext', 'app', 'dlg'] as const) if (attrs[k] !== undefined) out[k] = attrs[k];
  return out;
}

function base64Equal(a: string, b: string): boolean {
  try {
    return constantTimeEqual(base64ToBytes(a), base64ToBytes(b));
  } catch {
    return false;
  }
}

export interface HawkVerifyOptions {
  /** The Authorization header value. */
  header: string;
  method: string;
  /** Request path + query exactly as received. */
  resource: string;
  /** From the Host header (lowercased here), without port. */
  host: string;
  port: number | string;
  /** Looked up by the caller from the parsed id (e.g. the tokenserver `key` string). */
  key: Uint8Array | string;
  /** When given and the header has `hash`, the body must match it. */
  payload?: string | Uint8Array;
  contentType?: string;
}

/**
 * Server-side check for the local test servers: MAC over the normalized string (including `hash`
 * and `ext` exactly as sent), plus the payload hash when both a hash and a payload are present.
 * Timestamp/nonce policy is left to the caller. Returns the parsed header, or null if invalid.
 */
export function verifyHawkHeader(opts: HawkVerifyOptions): ParsedHawkHeader | null {
  const p = parseHawkHeader(opts.header);
  if (!p) return null;
  const parts: HawkNormalizedParts = {
    ts: p.ts, nonce: p.nonce, method: opts.method, resource: opts.resource, host: opts.host, port: opts.port,
  };
  if (p.hash !== undefined) parts.hash = p.hash;
  if (p.ext !== undefined) parts.ext = p.ext;
  if (!base64Equal(hawkMac(opts.key, normalizedString(parts)), p.mac)) return null;
  if (p.hash !== undefined && opts.payload !== undefined) {
    if (!base64Equal(payloadHash(opts.payload, opts.contentType), p.hash)) return null;
  }
  return p;
}
