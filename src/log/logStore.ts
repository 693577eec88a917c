import type { LogEntry } from '../shared/logEntry.ts';
import type { SyncbridgeDB } from '../db/schema.ts';

/** Sole owner of the `log` store: a bounded ring of recent entries for the options page. */
export class LogStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly maxEntries = 2000,
  ) {}

  /** Appends entries and trims the oldest beyond the cap, in one transaction. */
  async append(entries: readonly LogEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const tx = this.db.transaction('log', 'readwrite');
    for (const e of entries) void tx.store.add(e);
    const count = await tx.store.count();
    let excess = count - this.maxEntries;
    if (excess > 0) {
      let cursor = await tx.store.openCursor();
      while (cursor && excess > 0) {
        await cursor.delete();
        excess--;
        cursor = await cursor.continue();
      }
    }
    await tx.done;
  }

  /** The newest `limit` entries, oldest first. */
  async recent(limit: number): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    let cursor = await this.db.transaction('log').store.openCursor(null, 'prev');
    while (cursor && out.length < limit) {
      out.push(cursor.value);
      cursor = await cursor.continue();
    }
    return out.reverse();
  }

  async clear(): Promise<number> {
    const tx = this.db.transaction('log', 'readwrite');
    const n = await tx.store.count();
    await tx.store.clear();
    await tx.done;
    return n;
  }
}
