// Sole owner of the `decisions` and `snapshots` stores: the person's first-sync choice and a large
// deletion waiting for approval (`decisions`), and the local trees saved before big changes
// (`snapshots`, restorable from the options page).
//
// The account has its own side (engines/bookmarks/accountSafety.ts): a large deletion on the
// SERVER waits for "Delete them from my account" or "Keep them in my account", and copies of the
// account's records (snapshots of kind 'account', next to the local ones; the newest few of each
// kind are kept) can be put back with "Put back in my account". Those answers live until the
// first completed sync that read them. Account copies are the account's data, like the mirror:
// signing out forgets them.
//
// A snapshot taken with a `key` belongs to a decision that may take several runs to carry out (the
// first sync's "use the account's bookmarks": each attempt cut off during the apply leaves the
// browser partly replaced). The first such snapshot is the copy of the browser before anything was
// replaced, so while the decision is being carried out it is kept and never pushed out by newer
// snapshots; a later attempt takes no new one, it only adds to the kept copy the items it does not
// hold yet (a bookmark the person added between attempts; items already there stay as they were
// first saved). The key is released when its decision is done: `first-sync` by
// `clearFirstSyncChoice`, every key when the decisions are forgotten (reset, sign-out).
import { t } from '../i18n/i18n.ts';
import type { BookmarkSafety, FirstSyncChoice } from '../engines/bookmarks/engine.ts';
import type { AccountDecisions, AccountRecord, AccountSafety, LargeRemoteDeletion } from '../engines/bookmarks/accountSafety.ts';
import type { MergeStats } from '../engines/bookmarks/merge/types.ts';
import type { LocalItem } from '../engines/bookmarks/tree.ts';
import type { IDBPObjectStore, StoreNames } from 'idb';
import type { LocalSnapshotRecord, SyncbridgeDB, SyncbridgeSchema } from './schema.ts';

export type PendingDecision =
  | { kind: 'first-sync'; local: number; remote: number; askedAt: number }
  | { kind: 'large-deletion'; deletions: number; localItems: number; askedAt: number }
  | ({ kind: 'large-remote-deletion'; askedAt: number } & LargeRemoteDeletion);

/** What a saved copy holds: this browser's tree ('local') or the account's records ('account'). */
export type SnapshotKind = 'local' | 'account';
type StoredSnapshot = LocalSnapshotRecord & { kind?: SnapshotKind };
const kindOf = (s: StoredSnapshot): SnapshotKind => s.kind ?? 'local';

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
  /** Deletions on the server the person approved ("Delete them from my account"). */
  approvedRemoteDeletions: { count: number; at: number } | null;
  /** "Keep them in my account": records the next sync keeps on the server and brings back here. */
  keepRemote: { ids: string[]; at: number } | null;
  /** "Put back in my account": the account copy (snapshot id) the next sync writes back. */
  accountRestore: { snapshotId: number; at: number } | null;
}

const KEY = 'bookmarks:decisions';
const EMPTY: Decisions = {
  pending: null, firstSyncChoice: null, approvedDeletions: 0, syncedBefore: false, snapshotKeys: {},
  approvedRemoteDeletions: null, keepRemote: null, accountRestore: null,
};
const KEEP_SNAPSHOTS = 5;

export class SafetyStore implements BookmarkSafety, AccountSafety {
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
    await prune(snapshots, 'local', new Set(Object.values(key === undefined ? decisions.snapshotKeys : { ...decisions.snapshotKeys, [key]: id })));
    await tx.done;
  }

  // ---- the account's side (engines/bookmarks/accountSafety.ts) ----

  async accountDecisions(): Promise<AccountDecisions> {
    const d = await this.load();
    const restore = d.accountRestore === null ? null : {
      ...d.accountRestore,
      records: await this.accountRecords(d.accountRestore.snapshotId),
    };
    return { approvedRemoteDeletions: d.approvedRemoteDeletions, keepRemote: d.keepRemote, restore };
  }

  async askLargeRemoteDeletion(question: LargeRemoteDeletion): Promise<void> {
    await this.save({ pending: { kind: 'large-remote-deletion', ...question, ids: [...question.ids], emptiedRoots: [...question.emptiedRoots], askedAt: this.now() } });
  }

  async accountSnapshot(reason: string, records: readonly AccountRecord[]): Promise<void> {
    const tx = this.db.transaction(['snapshots', 'decisions'], 'readwrite');
    const snapshots = tx.objectStore('snapshots');
    const decisions = { ...EMPTY, ...((await tx.objectStore('decisions').get(KEY)) as Partial<Decisions> | undefined) };
    // A sync repeated after being cut off would save the same records again and push out older copies.
    let newest: StoredSnapshot | undefined;
    for (let c = await snapshots.openCursor(null, 'prev'); c; c = await c.continue()) {
      if (kindOf(c.value) === 'account') {
        newest = c.value;
        break;
      }
    }
    if (newest && sameRecords(newest.items as unknown as AccountRecord[], records)) {
      await tx.done;
      return;
    }
    const record: StoredSnapshot = {
      collection: 'bookmarks', kind: 'account', time: this.now(), reason,
      items: records.map((r) => ({ id: r.id, modified: r.modified, cleartext: r.cleartext })),
    };
    await snapshots.add(record);
    // The copy a "Put back in my account" still waits for stays.
    await prune(snapshots, 'account', new Set(decisions.accountRestore ? [decisions.accountRestore.snapshotId] : []));
    await tx.done;
  }

  async accountDecisionsDone(seen: AccountDecisions): Promise<void> {
    if (!seen.approvedRemoteDeletions && !seen.keepRemote && !seen.restore) return;
    const tx = this.db.transaction('decisions', 'readwrite');
    const d = { ...EMPTY, ...((await tx.store.get(KEY)) as Partial<Decisions> | undefined) };
    const same = (a: { at: number } | null, b: { at: number } | null): boolean => a !== null && b !== null && a.at === b.at;
    const next: Decisions = {
      ...d,
      approvedRemoteDeletions: same(d.approvedRemoteDeletions, seen.approvedRemoteDeletions) ? null : d.approvedRemoteDeletions,
      keepRemote: same(d.keepRemote, seen.keepRemote) ? null : d.keepRemote,
      accountRestore: same(d.accountRestore, seen.restore) ? null : d.accountRestore,
    };
    await tx.store.put(next, KEY);
    await tx.done;
  }

  private async accountRecords(id: number): Promise<AccountRecord[] | null> {
    const snap = (await this.db.get('snapshots', id)) as StoredSnapshot | undefined;
    return snap && kindOf(snap) === 'account' ? (snap.items as unknown as AccountRecord[]) : null;
  }

  // ---- what the person answers (options page) ----

  async pending(): Promise<PendingDecision | null> {
    return (await this.load()).pending;
  }

  /**
   * The question still waiting for the person's answer, for the toolbar badge: an approved
   * deletion stays pending until the sync that carries it out, but the person is done with it.
   */
  async waitingForPerson(): Promise<PendingDecision | null> {
    const d = await this.load();
    if (d.pending?.kind === 'large-deletion' && d.approvedDeletions >= d.pending.deletions) return null;
    return d.pending;
  }

  async chooseFirstSync(choice: FirstSyncChoice): Promise<void> {
    await this.save({ firstSyncChoice: choice, pending: null });
  }

  async approveDeletion(): Promise<void> {
    const d = await this.load();
    if (d.pending?.kind !== 'large-deletion') throw new Error(t('errorNoDeletionWaiting'));
    await this.save({ approvedDeletions: d.pending.deletions });
  }

  /** "Delete them from my account": the next sync may delete up to that many of the account's bookmarks. */
  async approveRemoteDeletion(): Promise<void> {
    const d = await this.load();
    if (d.pending?.kind !== 'large-remote-deletion') throw new Error(t('errorNoRemoteDeletionWaiting'));
    await this.save({ approvedRemoteDeletions: { count: d.pending.deletions, at: this.now() }, keepRemote: null, pending: null });
  }

  /** "Keep them in my account": the next sync keeps them on the server and brings them back here. */
  async keepRemoteBookmarks(): Promise<void> {
    const d = await this.load();
    if (d.pending?.kind !== 'large-remote-deletion') throw new Error(t('errorNoRemoteDecisionWaiting'));
    await this.save({ keepRemote: { ids: [...d.pending.ids], at: this.now() }, approvedRemoteDeletions: null, pending: null });
  }

  /** "Put back in my account": the next sync writes this account copy back. */
  async requestAccountRestore(snapshotId: number): Promise<void> {
    if ((await this.accountRecords(snapshotId)) === null) throw new Error(t('errorAccountCopyGone'));
    await this.save({ accountRestore: { snapshotId, at: this.now() } });
  }

  /** The account copy a "Put back in my account" waits for, if any. */
  async pendingAccountRestore(): Promise<{ snapshotId: number; at: number } | null> {
    return (await this.load()).accountRestore;
  }

  async snapshots(): Promise<Array<Omit<LocalSnapshotRecord, 'items'> & { count: number; kind: SnapshotKind }>> {
    const all = (await this.db.getAll('snapshots')) as StoredSnapshot[];
    return all.reverse().map(({ items, ...rest }) => ({ ...rest, kind: kindOf(rest as StoredSnapshot), count: items.length }));
  }

  async snapshotKind(id: number): Promise<SnapshotKind | null> {
    const snap = (await this.db.get('snapshots', id)) as StoredSnapshot | undefined;
    return snap ? kindOf(snap) : null;
  }

  async getSnapshot(id: number): Promise<LocalSnapshotRecord | null> {
    return (await this.db.get('snapshots', id)) ?? null;
  }

  /** Forgets the bookmark decisions: the next sync acts as a first sync (it may ask again). Snapshots stay. */
  async forgetDecisions(): Promise<void> {
    await this.db.delete('decisions', KEY);
  }

  /**
   * Sign-out: decisions belong to one account, so all of them go. The local snapshots stay: they
   * are the person's local copies and can still be restored. Copies of the account's records go,
   * like the mirror: they belong to the account, and could only be put back into it.
   */
  async forgetAccount(): Promise<void> {
    const tx = this.db.transaction(['decisions', 'snapshots'], 'readwrite');
    await tx.objectStore('decisions').clear();
    const snapshots = tx.objectStore('snapshots');
    for (let c = await snapshots.openCursor(); c; c = await c.continue()) {
      if (kindOf(c.value) === 'account') await c.delete();
    }
    await tx.done;
  }
}

type SnapshotsStore = IDBPObjectStore<SyncbridgeSchema, ArrayLike<StoreNames<SyncbridgeSchema>>, 'snapshots', 'readwrite'>;

/** Keeps the newest KEEP_SNAPSHOTS of one kind, besides the pinned ones. */
async function prune(snapshots: SnapshotsStore, kind: SnapshotKind, pinned: ReadonlySet<number>): Promise<void> {
  const ids: number[] = [];
  for (let c = await snapshots.openCursor(); c; c = await c.continue()) {
    if (kindOf(c.value) === kind && !pinned.has(c.primaryKey)) ids.push(c.primaryKey);
  }
  for (const id of ids.slice(0, Math.max(0, ids.length - KEEP_SNAPSHOTS))) await snapshots.delete(id);
}

function sameRecords(a: readonly AccountRecord[], b: readonly AccountRecord[]): boolean {
  if (a.length !== b.length) return false;
  const times = new Map(a.map((r) => [r.id, r.modified]));
  return b.every((r) => times.has(r.id) && times.get(r.id) === r.modified);
}
