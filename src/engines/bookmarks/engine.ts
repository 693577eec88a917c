// The bookmarks engine on the engine contract, browser-free (the browser side comes through
// LocalBookmarks): what the synchronizer downloads is staged, then merged three ways (local tree,
// server tree, mirror = the server tree as of the last sync), the result applied locally and the
// changed records handed back for upload; the mirror moves only in `finish`, with only what the
// server accepted. A run cut short anywhere is safe to repeat: the next run re-reads the browser
// and re-merges. Items created locally are paired with their GUIDs slice by slice (local/apply.ts);
// those made just before a cut whose pairings were not written yet come back as new local items
// that look exactly like the server's, and the merge matches them by content (merge/dedupe.ts):
// nothing is created twice (crash.test.ts; the bench's stopped-worker case).
import { formatNumber, t, tCount } from '../../i18n/i18n.ts';
import { UserActionNeededError } from '../../sync/errors.ts';
import type { CleartextRecord } from '../../sync/records/bso.ts';
import type { ServerTimestamp } from '../../sync/storage/types.ts';
import type {
  ApplyContext, EngineAssociation, EngineDescriptor, EngineRunSummary, IncomingRecord, OutgoingRecord, SyncEngine,
} from '../../sync/engine/contract.ts';
import type { Logger } from '../../log/logger.ts';
import type { MirrorStore } from '../../db/mirrorStore.ts';
import { mergeTrees } from './merge/index.ts';
import {
  accountCopy, accountSafetyOf, describeLargeRemoteDeletion, emptiedRoots, forgetLocalDeletions, planAccountRestore,
  type AccountRunState, type AccountSafety,
} from './accountSafety.ts';
import type { LocalOp, MergeStats } from './merge/types.ts';
import {
  BOOKMARKS_ENGINE_VERSION, bookmarkSortIndex, isRootGuid, isTombstone, parseBookmarkRecord, serializeBookmarkRecord,
  type BookmarkKind, type BookmarkRecord, type FolderRecord,
} from './record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords, type BookmarkTree, type LocalItem, type RecordEntry } from './tree.ts';
import type { MergeResult } from './merge/types.ts';
import type { Rollback } from './local/writeLog.ts';
import { rollbackView } from './rollbackView.ts';
import { placeholdersFor } from './unreadable.ts';
import { deepFreeze } from '../../shared/deepFreeze.ts';

/**
 * The mirror's records parsed, by cleartext: the mirror hands out the same frozen records while the
 * worker lives, so a sync parses only those that changed since the last one (not ten thousand).
 */
const parsedMirror = new WeakMap<object, BookmarkRecord | null>();
function parsedMirrorRecord(cleartext: Record<string, unknown>): BookmarkRecord | null {
  let record = parsedMirror.get(cleartext);
  if (record === undefined) {
    record = parseBookmarkRecord(cleartext);
    // Shared by every run that reads this mirror record, like the cleartext it comes from.
    if (Object.isFrozen(cleartext)) parsedMirror.set(cleartext, deepFreeze(record));
  }
  return record;
}

/**
 * The mirror's entries by the mirror's list, and the tree by those entries: the mirror hands out
 * the same list until it is written, so the entries and their tree (80 ms of a sync of one change
 * at 10,000 bookmarks) are made once per state of the mirror; the engine's `afterRun` makes them
 * after a sync, for the next one. A run that lays something over the mirror (the account's
 * safety) has entries of its own, and their tree is built for it.
 */
const entriesByMirror = new WeakMap<MirrorRecords, readonly RecordEntry[]>();
const treeByEntries = new WeakMap<readonly RecordEntry[], BookmarkTree>();
function mirrorEntriesOf(records: MirrorRecords): readonly RecordEntry[] {
  let entries = entriesByMirror.get(records);
  if (!entries) {
    entries = Object.freeze(records.flatMap((m) => {
      const record = parsedMirrorRecord(m.cleartext);
      return record ? [Object.freeze({ record, modifiedS: Number(m.modified) })] : [];
    }));
    // Only a list the mirror keeps (frozen) is its state; a fresh read is parsed for its run alone.
    if (Object.isFrozen(records)) entriesByMirror.set(records, entries);
  }
  return entries;
}
function mirrorTreeOf(entries: readonly RecordEntry[]): BookmarkTree {
  let tree = treeByEntries.get(entries);
  if (!tree) {
    tree = buildTreeFromRecords(entries);
    if (Object.isFrozen(entries)) treeByEntries.set(entries, tree);
  }
  return tree;
}

export const BOOKMARKS_ENGINE: EngineDescriptor = { name: 'bookmarks', version: BOOKMARKS_ENGINE_VERSION, label: t('engineBookmarks') };

/** What the engine needs from the browser side. */
export interface LocalBookmarks {
  /** The browser's tree as merge items, with Sync GUIDs. */
  snapshot(): Promise<LocalItem[]>;
  /** Applies operations in order; must record GUID pairings as items are created. */
  apply(ops: readonly LocalOp[]): Promise<void>;
  /** Kinds and roots this browser cannot show; they stay on the server as they are. */
  unsupportedKinds: readonly BookmarkKind[];
  unsupportedRoots: readonly string[];
  /** The sync finished: local changes noticed up to the snapshot are taken care of. */
  syncFinished?(): Promise<void>;
  /** GUIDs whose operation the browser refused in the last apply (e.g. a URL it does not accept). */
  notApplied?(): readonly string[];
  /** Bookmarks this browser keeps to itself (Firefox would refuse their URL), from the last snapshot. */
  localOnly?(): ReadonlyArray<{ guid: string | null }>;
  /** Our last writes the browser no longer shows, found by the last snapshot (Chromium after a crash). */
  rollback?(): Rollback;
  /** The run that read the last snapshot left the server and this browser alike (see BrowserBookmarks.markInSync). */
  markInSync?(): void;
  /** Still so: no change of the person's seen since; a sync with nothing new from the server need not read the tree. */
  unchangedSinceSync?(): boolean;
  /** The engine was reset: the next sync reads and compares the tree. */
  forgetInSync?(): void;
}

export type FirstSyncChoice = 'merge' | 'take-remote' | 'keep-local';

/** Decisions that need the person, and the local snapshot kept before big changes. */
export interface BookmarkSafety {
  /** The person's answer for the first sync of this account on this browser, if given. */
  firstSyncChoice(): Promise<FirstSyncChoice | null>;
  /** Ask the person (the sync stops until they answer). */
  askFirstSync(counts: { local: number; remote: number }): Promise<void>;
  /** Records the first-sync choice (the person's, or the engine's when one side was empty). */
  chooseFirstSync(choice: FirstSyncChoice): Promise<void>;
  /** True once the person approved this many local deletions (consumed by the call). */
  approvedDeletions(count: number): Promise<boolean>;
  askLargeDeletion(stats: MergeStats): Promise<void>;
  /** Keeps the current local tree so the person can restore it from the options page. */
  snapshot(reason: string, items: readonly LocalItem[], options?: { key?: 'first-sync' }): Promise<void>;
  /** Called after every completed first sync; from then on a reset merges without asking. */
  clearFirstSyncChoice(): Promise<void>;
  hasSyncedBefore(): Promise<boolean>;
}

export interface BookmarksEngineDeps {
  mirror: MirrorStore;
  local: LocalBookmarks;
  safety: BookmarkSafety;
  /** GUIDs this browser refused to create, kept across syncs. */
  refused?: { list(): Promise<string[]>; add(guids: readonly string[]): Promise<void> };
  /** Ids of server records this client could not read, kept across syncs until they arrive readable. */
  unreadable?: { list(): Promise<string[]>; add(ids: readonly string[]): Promise<void>; remove(ids: readonly string[]): Promise<void> };
  log: Logger;
  now: () => number;
  /** Large-deletion threshold: more local deletions than this (and than a quarter of the tree) need approval. */
  largeDeletion?: number;
  /**
   * Runs a task once this sync is over (the background: a second later), for work the next sync
   * would otherwise do first. Absent: the next sync does it.
   */
  afterRun?: (task: () => Promise<void>) => void;
}

type MirrorRecords = Awaited<ReturnType<MirrorStore['all']>>;

interface LocalRead {
  items: LocalItem[];
  ms: number;
}

interface RunState {
  firstSync: boolean;
  incoming: Map<string, RecordEntry>;
  mirrorRecords: MirrorRecords;
  mirrorEntries: readonly RecordEntry[];
  /** The mirror as it was before a reset, until a sync has put back what it holds. */
  carriedEntries: readonly RecordEntry[] | null;
  /** Server records this client cannot read (HMAC, decryption, format): they stay where they are. */
  unreadable: Set<string>;
  /** The remembered set as this run found it (finish writes only the difference). */
  unreadableBefore: ReadonlySet<string>;
  /** Records that were unreadable before and arrived readable in this run. */
  newlyReadable: Set<string>;
  /** Ids of the placeholders the last merge used, and of unreadable records kept at their last readable version. */
  placeholderIds: Set<string>;
  frozen: Set<string>;
  /** Folders sent again without children the server refused, and those the server accepted so. */
  corrected: Map<string, BookmarkRecord>;
  correctedAccepted: Set<string>;
  result: MergeResult | null;
  remoteEntries: RecordEntry[];
  uploadedIds: Set<string>;
  /** The last sync's time this run started from ('0': never synced, or reset). */
  lastSync: string;
  /** Nothing came down and nothing changed here: the run neither read the tree nor merged. */
  unchanged: boolean;
}

export class BookmarksEngine implements SyncEngine<BookmarkRecord> {
  readonly collection = BOOKMARKS_ENGINE.name;
  readonly version = BOOKMARKS_ENGINE.version;
  private run: RunState | null = null;
  /** The browser's tree as begin started reading it, for the run's first apply pass. */
  private prefetched: Promise<LocalRead> | null = null;
  /** Merge figures of the last run (tests and the log). */
  lastStats: MergeStats | null = null;

  constructor(private readonly d: BookmarksEngineDeps) {}

  parse(cleartext: CleartextRecord): BookmarkRecord | null {
    return parseBookmarkRecord(cleartext);
  }

  /** Server state is forgotten; the mirror is carried over as the copy of what this browser cannot show. */
  reset(): Promise<void> {
    this.d.local.forgetInSync?.();
    return this.d.mirror.carryOver();
  }

  /** wipeEngine: start over and replace this browser's bookmarks with the account's (a copy is kept first). */
  async wipe(): Promise<void> {
    await this.reset();
    await this.d.safety.chooseFirstSync('take-remote');
  }

  /** The browser's tree is read from before the account's setup (see begin). */
  prepare(): void {
    if (!this.d.local.unchangedSinceSync?.()) this.prefetch();
  }

  async begin(association: EngineAssociation): Promise<void> {
    // The browser's tree is read while the mirror is (and, on this pass, while records download),
    // or from before the setup when prepare ran: getTree of 10,000 bookmarks is a quarter of a
    // second of the browser's time, not ours. Local changes made after it stay noted for the next
    // sync, as with a read just before the merge.
    if (!this.prefetched && !this.d.local.unchangedSinceSync?.()) this.prefetch();
    const mirrorRecords = await this.d.mirror.all();
    const carried = await this.d.mirror.carried();
    const known = new Set(await this.d.unreadable?.list() ?? []);
    this.run = {
      firstSync: association.lastSync === '0' && mirrorRecords.length === 0,
      incoming: new Map(), mirrorRecords, mirrorEntries: mirrorEntriesOf(mirrorRecords),
      carriedEntries: carried.length > 0 ? mirrorEntriesOf(carried) : null,
      unreadableBefore: known, unreadable: new Set(known), newlyReadable: new Set(), placeholderIds: new Set(), frozen: new Set(), corrected: new Map(), correctedAccepted: new Set(),
      result: null, remoteEntries: [], uploadedIds: new Set(), lastSync: association.lastSync, unchanged: false,
    };
  }

  async stage(records: readonly IncomingRecord<BookmarkRecord>[]): Promise<void> {
    const run = this.current();
    for (const r of records) {
      run.incoming.set(r.id, { record: r.record, modifiedS: Number(r.modified), needsMerge: true });
      if (run.unreadable.delete(r.id)) run.newlyReadable.add(r.id);
    }
  }

  async unreadable(ids: readonly string[]): Promise<void> {
    const run = this.current();
    for (const id of ids) {
      run.unreadable.add(id);
      run.incoming.delete(id);
    }
  }

  async apply(ctx: ApplyContext): Promise<OutgoingRecord[]> {
    const run = this.current();
    const { log } = this.d;
    if (ctx.firstPass && await this.nothingToMerge(run)) {
      // Every sync ends up here (a tab closed asks for one): merging ten thousand unchanged
      // bookmarks took 0.3–0.5 s of the worker and 30 MiB of its memory to find nothing to do.
      this.prefetched = null;
      run.unchanged = true;
      log.debug('Bookmarks unchanged here and on the server since the last sync; nothing to merge');
      return [];
    }
    const incoming = [...run.incoming.values()];
    // One read of the browser's tree per pass: the first-sync question and the merge share it.
    // The first pass uses the one begin started; a pass after a conflict reads the tree again.
    const prefetched = this.prefetched;
    this.prefetched = null;
    const waitStarted = performance.now();
    const { items: localItems, ms: readMs } = ctx.firstPass && prefetched ? await prefetched : await this.readLocal();
    const readWaitMs = Math.round(performance.now() - waitStarted);
    const localOnly = this.d.local.localOnly?.() ?? [];
    // The browser lost some of the sync's own last writes (it closed within its save delay): the
    // merge judges those items as the mirror has them, and the sync puts them back.
    const rollback = this.d.local.rollback?.();
    let localView: ReturnType<typeof buildTreeFromLocal> | null = null;
    if (rollback && (rollback.stale.size > 0 || rollback.resurrected.size > 0)) {
      log.warn('This browser lost Syncbridge’s last changes to its bookmarks (it probably closed before saving them); they are put back', {
        lost: rollback.stale.size, back: rollback.resurrected.size,
      });
      localView = buildTreeFromLocal(rollbackView(localItems, mirrorTreeOf(run.mirrorEntries), rollback.stale, new Set(rollback.resurrected.values())));
    }
    if (localOnly.length > 0) log.warn('Some bookmarks stay on this browser only: Firefox does not accept URLs longer than 65,536 characters', { count: localOnly.length });
    const choice = run.firstSync ? await this.firstSyncChoice(incoming, localItems) : 'merge';
    if (choice === null) {
      throw new UserActionNeededError('first bookmark sync needs the person’s choice', { reason: 'first-sync-choice' });
    }
    // Records we cannot read are placeholders that the merge keeps exactly where their folders list
    // them (like items this browser refused): a folder we re-upload keeps them in its children.
    // A record readable before keeps its last readable version (the mirror's): frozen, never sent.
    const mirrored = new Set(run.mirrorEntries.map((e) => e.record.id));
    run.frozen = new Set([...run.unreadable].filter((id) => mirrored.has(id)));
    const placeholders = placeholdersFor(run.unreadable, [...run.mirrorEntries, ...incoming], new Set([...run.incoming.keys(), ...run.frozen]));
    run.remoteEntries = overlayRecords([...run.mirrorEntries, ...placeholders], incoming);
    if (choice === 'take-remote' && ctx.firstPass) {
      await this.d.safety.snapshot(t('bookmarksSnapshotReplace'), localItems, { key: 'first-sync' });
    }
    const strategy = choice === 'take-remote' ? 'takeRemote' : choice === 'keep-local' ? 'keepLocal' : 'merge';
    ctx.progress('merge', 0, 1);
    // On a first sync there is no common ancestor; a placeholder is then a server-only item like any other.
    const mergeStarted = performance.now();
    const mirrorTree = run.firstSync ? buildTreeFromRecords([])
      : placeholders.length === 0 ? mirrorTreeOf(run.mirrorEntries) : buildTreeFromRecords([...run.mirrorEntries, ...placeholders]);
    const result = mergeTrees({
      local: buildTreeFromLocal(localItems),
      ...(localView ? { localView } : {}),
      // Nothing came down: the server is as the mirror has it, and the merge only reads the trees.
      remote: incoming.length === 0 && !run.firstSync ? mirrorTree : buildTreeFromRecords(run.remoteEntries),
      mirror: mirrorTree,
      ...(run.carriedEntries ? { carried: buildTreeFromRecords(run.carriedEntries) } : {}),
      localTimeMs: this.d.now(),
      remoteTimeS: Math.max(Number(ctx.collectionModified), this.d.now() / 1000),
      unsupportedKinds: this.d.local.unsupportedKinds,
      unsupportedRoots: this.d.local.unsupportedRoots,
      unsupportedGuids: [...((await this.d.refused?.list()) ?? []), ...placeholders.map((p) => p.record.id), ...localOnly.flatMap((i) => i.guid ?? [])],
      strategy,
    });
    run.result = result;
    const { stats } = result;
    this.lastStats = stats;
    // readMs: the browser's tree read (started as the engine began); waitMs: how much of it the merge waited for.
    log.info('Bookmarks merged', { ...stats, ms: Math.round(performance.now() - mergeStarted), readMs, waitMs: readWaitMs });

    // Safety for the account: the person's answers about it first (with "keep" or "put back" the
    // merge runs again on what they change), then a large deletion on the server waits for them.
    const redone = await this.accountSafety(ctx, run, result, choice);
    if (redone) return redone;

    // Safety: a large deletion on this browser needs the person's approval and a snapshot first.
    const threshold = this.d.largeDeletion ?? 50;
    const deletions = choice === 'take-remote' ? 0 : stats.deletionsLocal;
    if (deletions > threshold && deletions > stats.localItems / 4) {
      if (!(await this.d.safety.approvedDeletions(deletions))) {
        await this.d.safety.askLargeDeletion(stats);
        throw new UserActionNeededError(`merge would delete ${deletions} local bookmarks`, {
          reason: 'large-deletion',
          userMessage: t('bookmarksLargeDeletion', formatNumber(deletions)),
        });
      }
    }
    if (deletions > 0 && deletions >= Math.min(threshold, stats.localItems / 4)) {
      await this.d.safety.snapshot(t('bookmarksSnapshotDeletion', formatNumber(deletions)), localItems);
    }
    // …and before a large deletion on the server, a copy of the account's records.
    await this.copyAccount(run, stats);

    ctx.progress('apply', 0, result.localOps.length);
    const applyStarted = performance.now();
    await this.d.local.apply(result.localOps);
    if (result.localOps.length > 0) log.info('Bookmarks applied to this browser', { operations: result.localOps.length, ms: Math.round(performance.now() - applyStarted) });
    ctx.progress('apply', result.localOps.length, result.localOps.length);
    run.placeholderIds = new Set(placeholders.map((p) => p.record.id));
    // Safety for the account: a pending "Put back in my account" adds the saved records to the upload.
    const uploads = this.withAccountRestore(run, result);
    // A placeholder stands for a record another device wrote that we cannot read: never ours to write.
    return uploads
      .filter((r) => !run.placeholderIds.has(r.id) && !run.frozen.has(r.id))
      .map((r) => ({ cleartext: serializeBookmarkRecord(r) as CleartextRecord, sortindex: bookmarkSortIndex(r) }));
  }

  /**
   * Nothing came down (and no record changed between readable and not), no answer of the person's
   * waits to be merged in, nothing carried over a reset, and the browser side says its tree is as
   * the last sync left it, which the mirror holds.
   */
  private async nothingToMerge(run: RunState): Promise<boolean> {
    if (run.firstSync || run.lastSync === '0' || run.incoming.size > 0 || run.carriedEntries !== null) return false;
    if (run.newlyReadable.size > 0 || run.unreadable.size !== run.unreadableBefore.size) return false;
    if (!this.d.local.unchangedSinceSync?.()) return false;
    const decisions = (await this.accountRun(run))?.state.decisions;
    return !decisions || (decisions.approvedRemoteDeletions === null && decisions.keepRemote === null && decisions.restore === null);
  }

  // ---- Safety for the account's bookmarks (accountSafety.ts): the block in apply(), and finish() ----

  /** What the account's safety read and did in each run (a run applies again after a 412). */
  private readonly accountRuns = new WeakMap<RunState, AccountRunState>();

  private async accountRun(run: RunState): Promise<{ safety: AccountSafety; state: AccountRunState } | null> {
    const safety = accountSafetyOf(this.d.safety);
    if (!safety) return null;
    let state = this.accountRuns.get(run);
    if (!state) {
      state = { decisions: await safety.accountDecisions(), restoreIds: new Set(), again: false, copied: false };
      this.accountRuns.set(run, state);
    }
    return { safety, state };
  }

  /**
   * "Keep them in my account" and "Put back in my account" change what the merge is given, and the
   * pass runs again with that (its outgoing records are returned). Then a merge that would delete
   * more than the threshold on the server, and more than a quarter of the account or everything
   * in one of its roots, stops the sync until the person answers (an approval covers that many).
   */
  private async accountSafety(ctx: ApplyContext, run: RunState, result: MergeResult, choice: FirstSyncChoice): Promise<OutgoingRecord[] | null> {
    const account = await this.accountRun(run);
    if (!account) return null;
    const { safety, state } = account;
    if (!state.again) {
      const { keepRemote, restore } = state.decisions;
      const kept = keepRemote ? forgetLocalDeletions(keepRemote.ids, run.mirrorEntries, run.incoming, run.remoteEntries) : null;
      const timeS = Math.max(Number(ctx.collectionModified), this.d.now() / 1000);
      const restored = restore?.records ? planAccountRestore(restore.records, run.remoteEntries, run.unreadable, timeS) : null;
      state.restoreIds = restored?.ids ?? new Set();
      if (kept || restored) {
        const saved = { mirrorEntries: run.mirrorEntries, incoming: run.incoming, remoteEntries: run.remoteEntries };
        const incoming = new Map(kept?.incoming ?? run.incoming);
        for (const e of restored?.entries ?? []) incoming.set(e.record.id, e);
        this.d.log.info('Merging again with your answer about the bookmarks in your account', {
          kept: kept?.kept ?? 0, putBack: restored?.ids.size ?? 0,
        });
        run.mirrorEntries = kept?.mirrorEntries ?? run.mirrorEntries;
        run.incoming = incoming;
        state.again = true;
        try {
          return await this.apply(ctx);
        } finally {
          // The run goes on with the server as it is (finish, refused): what was laid over it was for the merge.
          state.again = false;
          Object.assign(run, saved);
        }
      }
    }
    // Keeping this browser's bookmarks on a first sync replaces the account's: the person chose that.
    if (choice === 'keep-local') return null;
    const threshold = this.d.largeDeletion ?? 50;
    const { deletionsRemote: deletions, remoteItems } = result.stats;
    if (deletions <= threshold) return null;
    const emptied = emptiedRoots(buildTreeFromRecords(run.remoteEntries), result.merged);
    if (deletions <= remoteItems / 4 && emptied.length === 0) return null;
    const approved = state.decisions.approvedRemoteDeletions;
    if (approved && approved.count >= deletions) return null;
    const question = { deletions, remoteItems, emptiedRoots: emptied, ids: result.uploads.filter((r) => isTombstone(r)).map((r) => r.id) };
    await safety.askLargeRemoteDeletion(question);
    throw new UserActionNeededError(`merge would delete ${deletions} of the ${remoteItems} bookmarks on the server`, {
      reason: 'large-remote-deletion',
      userMessage: describeLargeRemoteDeletion(question),
    });
  }

  /** Before deleting many of the account's bookmarks, a copy of its records (once per run). */
  private async copyAccount(run: RunState, stats: MergeStats): Promise<void> {
    const deletions = stats.deletionsRemote;
    if (deletions === 0 || deletions < Math.min(this.d.largeDeletion ?? 50, stats.remoteItems / 4)) return;
    const account = await this.accountRun(run);
    if (!account || account.state.copied) return;
    await account.safety.accountSnapshot(t('bookmarksSnapshotRemoteDeletion', formatNumber(deletions)), accountCopy(run.remoteEntries, run.unreadable));
    account.state.copied = true;
  }

  /**
   * The records a "Put back in my account" restores go up with the merge's uploads (the merge saw
   * them on the server side, so it does not send them itself); they join `run.result` so that
   * finish() records only what the server accepted in the mirror.
   */
  private withAccountRestore(run: RunState, result: MergeResult): BookmarkRecord[] {
    const ids = this.accountRuns.get(run)?.restoreIds;
    if (!ids || ids.size === 0) return result.uploads;
    const going = new Set(result.uploads.map((r) => r.id));
    const extra = result.serverRecords.filter((r) => ids.has(r.id) && !going.has(r.id));
    if (extra.length === 0) return result.uploads;
    const uploads = [...result.uploads, ...extra];
    run.result = { ...result, uploads };
    this.d.log.info('Putting back bookmarks in your account from a saved copy', { count: extra.length });
    return uploads;
  }

  /** The run completed: the answers it read are done. */
  private async accountDecisionsDone(run: RunState): Promise<void> {
    const state = this.accountRuns.get(run);
    const safety = accountSafetyOf(this.d.safety);
    if (state && safety) await safety.accountDecisionsDone(state.decisions);
  }

  /** Folders the server accepted that list refused new items go up again without them. */
  async refused(ids: readonly string[]): Promise<OutgoingRecord[]> {
    const run = this.current();
    const result = run.result as MergeResult;
    const onServer = new Set(run.remoteEntries.filter((e) => !isTombstone(e.record)).map((e) => e.record.id));
    const missing = new Set(ids.filter((id) => !onServer.has(id)));
    const failed = new Set(ids);
    const fixes: BookmarkRecord[] = [];
    for (const r of result.uploads) {
      // A folder the server refused keeps its old record there, while the moves and deletions of
      // its children went through: its old record goes up again with the children it now has.
      if (!isTombstone(r) && r.type === 'folder' && failed.has(r.id) && onServer.has(r.id) && !run.placeholderIds.has(r.id)) {
        const old = run.remoteEntries.find((e) => e.record.id === r.id)?.record as FolderRecord;
        const fixed = { ...old, children: (r as FolderRecord).children.filter((c) => !missing.has(c)) } as BookmarkRecord;
        run.corrected.set(r.id, fixed);
        fixes.push(fixed);
        continue;
      }
      if (isTombstone(r) || r.type !== 'folder' || !run.uploadedIds.has(r.id)) continue;
      const children = (r as FolderRecord).children;
      if (!children.some((c) => missing.has(c))) continue;
      const fixed = { ...r, children: children.filter((c) => !missing.has(c)) } as BookmarkRecord;
      run.corrected.set(r.id, fixed);
      fixes.push(fixed);
    }
    if (fixes.length > 0) this.d.log.warn('The server refused some new bookmarks; their folders are sent again without them until they are accepted', { refused: missing.size, folders: fixes.length });
    return fixes.map((r) => ({ cleartext: serializeBookmarkRecord(r) as CleartextRecord, sortindex: bookmarkSortIndex(r) }));
  }

  async uploaded(ids: readonly string[]): Promise<void> {
    const run = this.current();
    for (const id of ids) {
      if (run.corrected.has(id)) run.correctedAccepted.add(id);
      run.uploadedIds.add(id);
    }
  }

  async finish(lastSync: ServerTimestamp): Promise<EngineRunSummary> {
    const run = this.current();
    if (run.unchanged) {
      this.run = null;
      return { notes: [] };
    }
    const result = run.result as MergeResult;
    const notes: string[] = [];
    // Items this browser refused (e.g. a URL it does not accept) are remembered: from now on the
    // merge keeps them on the server where they are instead of reading their absence as a deletion.
    const refused = this.d.local.notApplied?.() ?? [];
    if (refused.length > 0) {
      await this.d.refused?.add(refused);
      this.d.log.warn('This browser refused some bookmarks; they stay in your account as they are', { count: refused.length });
    }

    // The next mirror: the server's whole collection as it now stands. Only what changed is written
    // (rewriting ten thousand unchanged records costs seconds). A record the server did not accept
    // is not on the server: its mirror entry stays as it was, so the next sync sends it again.
    // What was sent: placeholders and frozen records (not ours to write) never are.
    const attempted = new Set(result.uploads.map((r) => r.id).filter((id) => !run.placeholderIds.has(id) && !run.frozen.has(id)));
    const notAccepted = new Set([...attempted].filter((id) => !run.uploadedIds.has(id)));
    // A correction the server refused too: the server keeps the folder as first accepted.
    for (const id of run.corrected.keys()) if (!run.correctedAccepted.has(id)) run.corrected.delete(id);
    const byId = new Map(run.remoteEntries.map((e) => [e.record.id, e]));
    const oldMirror = new Map(run.mirrorRecords.map((m) => [m.id, m]));
    const mirrorPut: Array<{ id: string; modified: string; cleartext: Record<string, unknown> }> = [];
    const mirrorRemove = new Set<string>();
    // A refused record whose server copy is now a tombstone is not on the server: its old mirror entry goes.
    const keep = new Set<string>([...notAccepted].filter((id) => {
      const e = run.incoming.get(id);
      return !(e && isTombstone(e.record));
    }));
    for (const merged of result.serverRecords) {
      if (notAccepted.has(merged.id) || run.placeholderIds.has(merged.id)) continue;
      if (run.frozen.has(merged.id)) {
        keep.add(merged.id); // the mirror keeps its last readable version
        continue;
      }
      const record = run.corrected.get(merged.id) ?? merged;
      if (isTombstone(record)) {
        if (oldMirror.has(record.id)) mirrorRemove.add(record.id);
        continue;
      }
      keep.add(record.id);
      if (!run.uploadedIds.has(record.id) && !run.incoming.has(record.id) && oldMirror.has(record.id)) continue;
      const modified = run.uploadedIds.has(record.id) ? lastSync : String(byId.get(record.id)?.modifiedS ?? lastSync);
      mirrorPut.push({ id: record.id, modified, cleartext: serializeBookmarkRecord(record as BookmarkRecord) });
    }
    for (const m of run.mirrorRecords) if (!keep.has(m.id)) mirrorRemove.add(m.id);
    await this.d.mirror.update(mirrorPut, [...mirrorRemove]);
    // What was carried over a reset is merged in now (on the server again, or merged away).
    if (run.carriedEntries) await this.d.mirror.dropCarried();
    if (this.d.unreadable) {
      const before = run.unreadableBefore;
      const gone = [...before].filter((id) => !run.unreadable.has(id));
      const added = [...run.unreadable].filter((id) => !before.has(id));
      if (gone.length > 0) await this.d.unreadable.remove(gone);
      if (added.length > 0) await this.d.unreadable.add(added);
    }
    await this.d.local.syncFinished?.();
    // The server now holds what this browser shows: until the person changes something, the
    // next syncs have nothing to merge unless the server sends something new.
    if (notAccepted.size === 0 && refused.length === 0 && run.corrected.size === 0 && run.carriedEntries === null) this.d.local.markInSync?.();
    if (run.firstSync) await this.d.safety.clearFirstSyncChoice();
    if (notAccepted.size > 0) notes.push(tCount('statusBookmarksNotAccepted', notAccepted.size));
    await this.accountDecisionsDone(run); // the account's safety: the answers this run used are done
    this.run = null;
    const { mirror } = this.d;
    this.d.afterRun?.(async () => void mirrorTreeOf(mirrorEntriesOf(await mirror.all())));
    return { notes };
  }

  private prefetch(): void {
    const localRead = this.readLocal();
    localRead.catch(() => undefined); // awaited by apply; a run that fails before it does not report it twice
    this.prefetched = localRead;
  }

  /** The browser's tree, and how long reading it took (ms, for the log). */
  private async readLocal(): Promise<LocalRead> {
    const started = performance.now();
    const items = await this.d.local.snapshot();
    return { items, ms: Math.round(performance.now() - started) };
  }

  private current(): RunState {
    if (!this.run) throw new Error('bookmarks engine: no run in progress (begin was not called)');
    return this.run;
  }

  /** A first sync with bookmarks on both sides waits for the person's choice; otherwise it merges. */
  private async firstSyncChoice(incoming: readonly RecordEntry[], localItems: readonly LocalItem[]): Promise<FirstSyncChoice | null> {
    const { safety } = this.d;
    const chosen = await safety.firstSyncChoice();
    if (chosen) return chosen;
    // Starting over after a reset by another device (new syncID) is not a new decision: merge, as Firefox does.
    if (await safety.hasSyncedBefore()) return 'merge';
    const localCount = localItems.filter((i) => !isRootGuid(i.guid)).length;
    const remoteCount = incoming.filter((e) => !isTombstone(e.record) && !['menu', 'toolbar', 'unfiled', 'mobile', 'places'].includes(e.record.id)).length;
    if (localCount === 0 || remoteCount === 0) {
      // Remembered until the first sync completes: if this run is cut off half-way, the browser then
      // holds some of the account's bookmarks, and the next run must carry on rather than ask.
      await safety.chooseFirstSync('merge');
      return 'merge';
    }
    await safety.askFirstSync({ local: localCount, remote: remoteCount });
    return null;
  }
}
