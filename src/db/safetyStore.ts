// Sole owner of the `decisions` and `snapshots` stores: the person's first-sync choice and a large
// deletion waiting for approval (`decisions`), and the local trees saved before big changes
// (`snapshots`, restorable from the options page).
//
// A snapshot taken with a `key` belongs to a decision that may take several runs to carry out (the
// first sync's "use the account's bookmarks": each attempt cut off during the apply leaves the
// browser partly replaced). The first such snapshot is the copy of the browser before anything was
// replaced, so while the decision is being carried out it is kept and never pushed out by newer
// snapshots; a later attempt takes no new one, it only adds to the kept copy the items it does not
// hold yet (a bookmark the person added between attempts; items already there stay as they were
// first saved). The key is released when its decision is done: `first-sync` by
// `clearFirstSyncChoice`, every key when the decisions are forgotten (reset, sign-out).
import type { BookmarkSafety, FirstSyncChoice } from '../engines/bookmarks/engine.ts';
import type { MergeStats } from '../engines/bookmarks/merge/types.ts';
import type { LocalItem } from '../engines/bookmarks/tree.ts';
import type { LocalSnapshotRecord, SyncbridgeDB } from './schema.ts';

export type PendingDecision =
  | { kind: 'first-sync'; local: number; remote: number; askedAt: number }
  | { kind: 'large-deletion'; deletions: number; localItems: number; askedAt: number };

/** Decisions whose snapshot is kept across the runs that carry them out. */
export type SnapshotKey = 'first-sync';

export interface SnapshotOptions {
  key?: SnapshotKey;
}

interface Decisions {
  pending: PendingDecision | null;
  firstSyncChoice: FirstSyncChoice | null;
  /** Deletions the person approved for the next sync (a larger count asks again). */
  approvedDeletions: number;
  /** This browser has completed a bookmark sync with this account (a later reset does not ask again). */
  syncedBefore: boolean;
  /** The snapshot (id) kept for each decision still being carried out. */
  snapshotKeys: Partial<Record<SnapshotKey, number>>;
}

const KEY = 'bookmarks:decisions';
const EMPTY: Decisions = { pending: null, firstSyncChoice: null, approvedDeletions: 0, syncedBefore: false, snapshotKeys: {} };
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
    // The first sync is done: its snapshot is an ordinary one again (newer ones may push it out).
    const snapshotKeys = { ...(await this.load()).snapshotKeys };
    delete snapshotKeys['first-sync'];
    await this.save({ firstSyncChoice: null, syncedBefore: true, snapshotKeys });
  }

  async hasSyncedBefore(): Promise<boolean> {
    return (await this.load()).syncedBefore;
  }

  async snapshot(reason: string, items: readonly LocalItem[], options: SnapshotOptions = {}): Promise<void> {
    const tx = this.db.transaction(['snapshots', 'decisions'], 'readwrite');
    const snapshots = tx.objectStore('snapshots');
    const decisionsStore = tx.objectStore('decisions');
    const decisions = { ...EMPTY, ...((await decisionsStore.get(KEY)) as Partial<Decisions> | undefined) };
    const { key } = options;
    const keptId = key === undefined ? undefined : decisions.snapshotKeys[key];
    const kept = keptId === undefined ? undefined : await snapshots.get(keptId);
    if (kept) {
      // The same decision, carried on: keep the copy from before its first attempt, plus anything new.
      const held = new Set(kept.items.map((i) => i['guid']));
      const added = items.filter((i) => !held.has(i.guid));
      if (added.length > 0) await snapshots.put({ ...kept, items: [...kept.items, ...added.map((i) => ({ ...i }))] });
      await tx.done;
      return;
    }
    const record: LocalSnapshotRecord = { collection: 'bookmarks', time: this.now(), reason, items: items.map((i) => ({ ...i })) };
    const id = (await snapshots.add(record)) as number;
    if (key !== undefined) await decisionsStore.put({ ...decisions, snapshotKeys: { ...decisions.snapshotKeys, [key]: id } }, KEY);
    // Keep the newest few: each can hold a whole tree. Copies of decisions still being carried out stay.
    const pinned = new Set(Object.values(key === undefined ? decisions.snapshotKeys : { ...decisions.snapshotKeys, [key]: id }));
    let excess = (await snapshots.count()) - KEEP_SNAPSHOTS - pinned.size;
    let cursor = await snapshots.openCursor();
    while (cursor && excess > 0) {
      if (!pinned.has(cursor.primaryKey)) {
        await cursor.delete();
        excess--;
      }
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
