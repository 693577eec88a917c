// Sole owner of two small pieces of per-engine work state in `syncState`: how far a run of local
// operations got (so a killed worker resumes instead of repeating them) and the set of locally
// changed items noticed between syncs. Both are read-modify-write inside one transaction.
import type { ChangeStore } from '../engines/bookmarks/local/changeTracker.ts';
import type { ProgressStore } from '../engines/bookmarks/local/progress.ts';
import type { SyncbridgeDB } from './schema.ts';

export class IdbProgressStore implements ProgressStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private key(runId: string): string {
    return `${this.engine}:apply:${runId}`;
  }

  async get(runId: string): Promise<number> {
    return ((await this.db.get('syncState', this.key(runId))) as number | undefined) ?? 0;
  }

  async set(runId: string, done: number): Promise<void> {
    await this.db.put('syncState', done, this.key(runId));
  }

  async clear(runId: string): Promise<void> {
    await this.db.delete('syncState', this.key(runId));
  }
}

export class IdbChangeStore implements ChangeStore {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly engine: string,
  ) {}

  private get key(): string {
    return `${this.engine}:changed`;
  }

  private async update(fn: (keys: Set<string>) => void): Promise<void> {
    const tx = this.db.transaction('syncState', 'readwrite');
    const keys = new Set(((await tx.store.get(this.key)) as string[] | undefined) ?? []);
    fn(keys);
    await tx.store.put([...keys], this.key);
    await tx.done;
  }

  add(keys: readonly string[]): Promise<void> {
    return this.update((set) => keys.forEach((k) => set.add(k)));
  }

  async list(): Promise<string[]> {
    return ((await this.db.get('syncState', this.key)) as string[] | undefined) ?? [];
  }

  remove(keys: readonly string[]): Promise<void> {
    return this.update((set) => keys.forEach((k) => set.delete(k)));
  }
}
