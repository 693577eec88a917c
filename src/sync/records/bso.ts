// BSO ⇄ cleartext record, with the Sync record crypto (protocol.md §5.2). Decryption never throws
// for a single bad record: it returns a per-record failure so one broken or foreign record does
// not stop the rest of a download (architecture.md, data safety rules).
import type { KeyBundle } from '../crypto/keyBundle.ts';
import { decryptPayloadStrings, encryptPayload, RecordCryptoError, RecordFormatError, RecordHmacError } from '../crypto/records.ts';
import { RecordError } from '../errors.ts';
import type { Bso, OutgoingBso, ServerTimestamp } from '../storage/types.ts';

/** Every Sync cleartext record has an id equal to its BSO id. */
export interface CleartextRecord {
  id: string;
  [field: string]: unknown;
}

export type DecryptedBso<T extends CleartextRecord = CleartextRecord> =
  | { ok: true; id: string; modified: ServerTimestamp; sortindex?: number; cleartext: T }
  | { ok: false; id: string; modified: ServerTimestamp; error: RecordError };

/**
 * Verifies and decrypts one BSO with its collection's key bundle (use bundleForCollection).
 * The cleartext must be a JSON object whose `id` equals the BSO id.
 */
export async function decryptBso<T extends CleartextRecord = CleartextRecord>(bso: Bso, keys: KeyBundle): Promise<DecryptedBso<T>> {
  const [text] = await decryptPayloadStrings([bso.payload], keys);
  return checkedCleartext<T>(bso, text!);
}

/** The record from its decrypted text, or why it cannot be read. */
function checkedCleartext<T extends CleartextRecord>(bso: Bso, text: string | RecordCryptoError): DecryptedBso<T> {
  const base = { id: bso.id, modified: bso.modified };
  const failed = (message: string, reason: 'format' | 'hmac' | 'id-mismatch', cause?: unknown): DecryptedBso<T> =>
    ({ ...base, ok: false, error: new RecordError(`record ${bso.id}: ${message}`, { recordId: bso.id, reason, ...(cause === undefined ? {} : { cause }) }) });
  if (text instanceof RecordHmacError) return failed('HMAC mismatch', 'hmac', text);
  if (text instanceof RecordCryptoError) return failed(text.message, 'format', text);
  let clear: unknown;
  try {
    clear = JSON.parse(text);
  } catch {
    return failed('cleartext is not JSON', 'format', new RecordFormatError('cleartext is not JSON'));
  }
  if (typeof clear !== 'object' || clear === null || Array.isArray(clear)) return failed('cleartext is not an object', 'format');
  if ((clear as { id?: unknown }).id !== bso.id) return failed('cleartext id does not match', 'id-mismatch');
  const out: DecryptedBso<T> = { ...base, ok: true, cleartext: clear as T };
  if (bso.sortindex !== undefined) out.sortindex = bso.sortindex;
  return out;
}

export interface DecryptedBatch<T extends CleartextRecord = CleartextRecord> {
  records: Array<{ id: string; modified: ServerTimestamp; sortindex?: number; cleartext: T }>;
  failures: RecordError[];
}

/** Decrypts a page of BSOs, separating the good records from the per-record failures. */
export async function decryptBsos<T extends CleartextRecord = CleartextRecord>(bsos: readonly Bso[], keys: KeyBundle): Promise<DecryptedBatch<T>> {
  const out: DecryptedBatch<T> = { records: [], failures: [] };
  // The whole page in one call: one AES for all of it (records.ts).
  const texts = await decryptPayloadStrings(bsos.map((b) => b.payload), keys);
  for (let i = 0; i < bsos.length; i++) {
    const r = checkedCleartext<T>(bsos[i]!, texts[i]!);
    if (r.ok) {
      const { ok: _ok, ...rest } = r;
      out.records.push(rest);
    } else {
      out.failures.push(r.error);
    }
  }
  return out;
}

export interface EncryptBsoOptions {
  sortindex?: number;
  /** Seconds until the server drops the record. */
  ttl?: number;
}

/** Encrypts a cleartext record into a BSO ready for upload; its id becomes the BSO id. */
export async function encryptBso(cleartext: CleartextRecord, keys: KeyBundle, opts: EncryptBsoOptions = {}): Promise<OutgoingBso> {
  if (typeof cleartext.id !== 'string' || cleartext.id === '') throw new TypeError('cleartext record needs a string id');
  const bso: OutgoingBso = { id: cleartext.id, payload: await encryptPayload(cleartext, keys) };
  if (opts.sortindex !== undefined) bso.sortindex = opts.sortindex;
  if (opts.ttl !== undefined) bso.ttl = opts.ttl;
  return bso;
}
