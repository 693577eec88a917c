// The server side of the first seed's picture, as two layers: a repository over one Sync 1.5
// collection (BSOs in and out through the storage client), and the crypto middleware that wraps
// it so that what passes through is cleartext. The key bundle stops here.
import type { KeyBundle } from '../crypto/keyBundle.ts';
import type { RecordError } from '../errors.ts';
import { decryptBsos, encryptBso, type CleartextRecord } from '../records/bso.ts';
import type { StorageClient, UploadResult } from '../storage/client.ts';
import type { Bso, OutgoingBso, ServerTimestamp } from '../storage/types.ts';
import type { OutgoingRecord } from './contract.ts';

export type CollectionStorage = Pick<StorageClient, 'getRecords' | 'uploadRecords' | 'limits'>;

export interface BsoPage {
  bsos: Bso[];
  /** The collection's X-Last-Modified when the page was served. */
  lastModified: ServerTimestamp | null;
}

/** One collection on the storage server, as BSOs. */
export class ServerCollection {
  constructor(
    private readonly storage: CollectionStorage,
    readonly name: string,
  ) {}

  /** Records modified after `newer`, oldest first, a page at a time (guarded against concurrent writes). */
  async *fetchSince(newer: ServerTimestamp, pageSize: number): AsyncGenerator<BsoPage> {
    for await (const page of this.storage.getRecords(this.name, { full: true, newer, sort: 'oldest', limit: pageSize })) {
      yield { bsos: page.items.filter((b): b is Bso => typeof b !== 'string'), lastModified: page.lastModified };
    }
  }

  /** The largest `payload` the server stores in one record (info/configuration, asked once per client). */
  async maxPayloadBytes(): Promise<number> {
    return (await this.storage.limits()).maxRecordPayloadBytes;
  }

  /** Uploads in batches within the server's limits, every request guarded by `ifUnmodifiedSince`. */
  store(bsos: readonly OutgoingBso[], ifUnmodifiedSince: ServerTimestamp): Promise<UploadResult> {
    return this.storage.uploadRecords(this.name, bsos, { ifUnmodifiedSince });
  }
}

export interface DecryptedPage {
  records: Array<{ id: string; modified: ServerTimestamp; cleartext: CleartextRecord }>;
  /** Records that failed HMAC, decryption or the cleartext checks: skipped, never acted on. */
  failures: RecordError[];
  lastModified: ServerTimestamp | null;
}

/** The crypto middleware: verifies and decrypts what comes down, encrypts what goes up. */
export class EncryptedCollection {
  constructor(
    private readonly inner: ServerCollection,
    private readonly keys: KeyBundle,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async *fetchSince(newer: ServerTimestamp, pageSize: number): AsyncGenerator<DecryptedPage> {
    // The next page is asked for while this one is decrypted and handed on: the download never
    // waits for the crypto, and at most two pages are held.
    const pages = this.inner.fetchSince(newer, pageSize)[Symbol.asyncIterator]();
    let next = pages.next();
    try {
      for (;;) {
        const current = await next;
        if (current.done) return;
        next = pages.next();
        next.catch(() => undefined); // surfaces when awaited above
        const page = current.value;
        const { records, failures } = await decryptBsos(page.bsos, this.keys);
        yield { records, failures, lastModified: page.lastModified };
      }
    } finally {
      await pages.return?.(undefined);
    }
  }


  /** Whether this cleartext, once encrypted, is within the server's record size limit. */
  async fits(cleartext: CleartextRecord): Promise<boolean> {
    const bso = await encryptBso(cleartext, this.keys);
    return new TextEncoder().encode(bso.payload).length <= (await this.inner.maxPayloadBytes());
  }

  async store(records: readonly OutgoingRecord[], ifUnmodifiedSince: ServerTimestamp): Promise<UploadResult> {
    const bsos = await Promise.all(records.map((r) => encryptBso(r.cleartext, this.keys, {
      ...(r.sortindex === undefined ? {} : { sortindex: r.sortindex }),
      ...(r.ttl === undefined ? {} : { ttl: r.ttl }),
    })));
    return this.inner.store(bsos, ifUnmodifiedSince);
  }
}
