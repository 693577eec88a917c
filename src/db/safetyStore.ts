// Sole owner of the `decisions` and `snapshots` stores: the person's first-sync choice and a large
// deletion waiting for approval (`decisions`), and the local trees saved before big changes
// (`snapshots`, restorable from the options page).
import type { BookmarkSafety, FirstSyncChoice } from '../engines/bookmarks/engine.ts';
import type { MergeStats } from '../engines/bookmarks/merge/types.ts';
import type { LocalItem } from '../engines/bookmarks/tree.ts';
import type { LocalSnapshotRecord, SyncbridgeDB } from './schema.ts';

export type PendingDecision =
  | { kind: 'first-sync'; local: number; remote: number; askedAt: number }
  | { kind: 'large-deletion'; deletions: number; localItems: number; askedAt: number };

interface Decisions {
  pending: PendingDecision | null;
  firstSyncChoice: FirstSyncChoice | null;
  /** Deletions the person approved for the next sync (a larger count asks again). */
  approvedDeletions: number;
  /** This browser has completed a bookmark sync with this account (a later reset does not ask again). */
  syncedBefore: boolean;
}

const KEY = 'bookmarks:decisions';
const EMPTY: Decisions = { pending: null, firstSyncChoice: null, approvedDeletions: 0, syncedBefore: false };
const KEEP_SNAPSHOTS = 5;

export class SafetyStore implements BookmarkSafety {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly now: () => number = Date.now,
  ) {}

  private async load(): Promise<Decisions> {
    return { ...EMPTY, ...((await this.db.get('decisions', KEY)) as Partial<Decisions> | undefined) };
  }

  private async save(patch: Partial<Decisions>): Promise<void> {
    const tx = this.db.transaction('decisions', 'readwrite');
    const current = { ...EMPTY, ...((await tx.store.get(KEY)) as Partial<Decisions> | undefined) };
    await tx.store.put({ ...current, ...patch }, KEY);
    await tx.done;
  }

  // ---- what the engine asks ----

  async firstSyncChoice(): Promise<FirstSyncChoice | null> {
    return (await this.load()).firstSyncChoice;
  }

  async askFirstSync(counts: { local: number; remote: number }): Promise<void> {
    await this.save({ pending: { kind: 'first-sync', ...counts, askedAt: this.now() } });
  }

  async approvedDeletions(count: number): Promise<boolean> {
    const d = await this.load();
    if (d.approvedDeletions < count) return false;
    await this.save({ approvedDeletions: 0, pending: null });
    return true;
  }

  async askLargeDeletion(stats: MergeStats): Promise<void> {
    await this.save({ pending: { kind: 'large-deletion', deletions: stats.deletionsLocal, localItems: stats.localItems, askedAt: this.now() } });
  }

  async clearFirstSyncChoice(): Promise<void> {
    await this.save({ firstSyncChoice: null, syncedBefore: true });
  }

  async hasSyncedBefore(): Promise<boolean> {
    return (await this.load()).syncedBefore;
  }

  async snapshot(reason: string, items: readonly LocalItem[]): Promise<void> {
    const tx = this.db.transaction('snapshots', 'readwrite');
    const record: LocalSnapshotRecord = { collection: 'bookmarks', time: this.now(), reason, items: items.map((i) => ({ ...i })) };
    await tx.store.add(record);
    // Keep the newest few: each can hold a whole tree.
    let excess = (await tx.store.count()) - KEEP_SNAPSHOTS;
    let cursor = await tx.store.openCursor();
    while (cursor && excess > 0) {
      await cursor.delete();
      excess--;
      cursor = await cursor.continue();
    }
    await tx.done;
  }

  // ---- what the person answers (options page) ----

  async pending(): Promise<PendingDecision | null> {
    return (await this.load()).pending;
  }

  async chooseFirstSync(choice: FirstSyncChoice): Promise<void> {
    await this.save({ firstSyncChoice: choice, pending: null });
  }

  async approveDeletion(): Promise<void> {
    const d = await this.load();
    if (d.pending?.kind !== 'large-deletion') throw new Error('There is no deletion waiting for approval.');
    await this.save({ approvedDeletions: d.pending.deletions });
  }

  async snapshots(): Promise<Array<Omit<LocalSnapshotRecord, 'items'> & { count: number }>> {
    const all = await this.db.getAll('snapshots');
    return all.reverse().map(({ items, ...rest }) => ({ ...rest, count: items.length }));
  }

  async getSnapshot(id: number): Promise<LocalSnapshotRecord | null> {
    return (await this.db.get('snapshots', id)) ?? null;
  }

  /** Forgets the bookmark decisions: the next sync acts as a first sync (it may ask again). Snapshots stay. */
  async forgetDecisions(): Promise<void> {
    await this.db.delete('decisions', KEY);
  }

  /**
   * Sign-out: decisions belong to one account, so all of them go. Snapshots stay: they are the
   * person's local copies and can still be restored.
   */
  async forgetAccount(): Promise<void> {
    await this.db.clear('decisions');
  }
}
