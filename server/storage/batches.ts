// Batch uploads (syncstorage-mysql batch_impl.rs): the id is base64 of the decimal millisecond
// timestamp plus uid % 10; it expires BATCH_LIFETIME after that time; items accumulate
// invisibly and are written with the commit timestamp, keeping stored fields an item omits.
import { BATCH_LIFETIME_MS } from './limits.ts';
import type { BatchState, IncomingBso } from './model.ts';
import type { SyncStore } from './store.ts';

export function encodeBatchId(ms: number): string {
  return Buffer.from(String(ms), 'utf8').toString('base64');
}

/** Like decode_id: base64 of digits, or the digits themselves; null when neither. */
export function decodeBatchId(id: string): number | null {
  let text = id;
  if (/^[A-Za-z0-9+/]*={0,2}$/.test(id) && id.length % 4 === 0) {
    const decoded = Buffer.from(id, 'base64').toString('utf8');
    if (/^-?\d+$/.test(decoded)) text = decoded;
  }
  if (!/^-?\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

export class Batches {
  constructor(private readonly store: SyncStore) {}

  create(uid: string, collection: string, ts: number): BatchState {
    const user = this.store.user(uid);
    let ms = ts + (Number(uid.slice(-1)) || 0);
    while (user.batches.has(encodeBatchId(ms))) ms += 1;
    const batch: BatchState = { id: encodeBatchId(ms), collection, createdMs: ms, items: new Map(), totalBytes: 0 };
    user.batches.set(batch.id, batch);
    return batch;
  }

  /** The open batch for this user and collection, or null if unknown, expired or elsewhere. */
  find(uid: string, collection: string, id: string): BatchState | null {
    const ms = decodeBatchId(id);
    if (ms === null) return null;
    if (ms + BATCH_LIFETIME_MS < this.store.nowMs()) {
      this.store.user(uid).batches.delete(id);
      return null;
    }
    const batch = this.store.user(uid).batches.get(id);
    return batch && batch.collection === collection ? batch : null;
  }

  /** Size the batch would have after appending (for per-batch limits) without changing it. */
  projected(batch: BatchState, bsos: IncomingBso[]): { records: number; bytes: number } {
    const ids = new Set(batch.items.keys());
    let bytes = batch.totalBytes;
    for (const b of bsos) {
      ids.add(b.id);
      bytes += Buffer.byteLength(b.payload ?? '', 'utf8');
    }
    return { records: ids.size, bytes };
  }

  append(batch: BatchState, bsos: IncomingBso[]): void {
    for (const b of bsos) {
      const prev = batch.items.get(b.id);
      // A later chunk overrides the fields it carries, as the upsert into batch_upload_items does.
      batch.items.set(b.id, prev ? { ...prev, ...b } : { ...b });
      batch.totalBytes += Buffer.byteLength(b.payload ?? '', 'utf8');
    }
  }

  /** Writes every pending item with `ts`, stamps the collection and forgets the batch. */
  commit(uid: string, batch: BatchState, ts: number): void {
    for (const item of batch.items.values()) {
      this.store.putBso(uid, batch.collection, item, ts);
      // batch_commit.sql sets modified on every committed row, even TTL-only items.
      this.store.collection(uid, batch.collection)!.bsos.get(item.id)!.modified = ts;
    }
    this.store.touch(uid, batch.collection, ts);
    this.store.user(uid).batches.delete(batch.id);
  }
}
