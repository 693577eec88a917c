// One sync of the bookmarks engine, browser-free (the browser side comes through LocalBookmarks):
// download what changed on the server, merge three ways (local tree, server tree, mirror = the
// server tree as of the last sync), apply the result locally, upload what changed, and only then
// advance the mirror and the last-sync time. A run cut short anywhere is safe to repeat: the next
// run re-reads the browser and re-merges; items created locally were paired with their GUIDs as
// they were made, so nothing is created twice.
import { bundleForCollection, type CollectionKeys } from '../../sync/crypto/records.ts';
import { UserActionNeededError } from '../../sync/errors.ts';
import { decryptBso, encryptBso } from '../../sync/records/bso.ts';
import type { StorageClient } from '../../sync/storage/client.ts';
import { compareServerTs, type ServerTimestamp } from '../../sync/storage/types.ts';
import type { EngineState } from '../../sync/setup/globalState.ts';
import type { Logger } from '../../log/logger.ts';
import type { MirrorStore } from '../../db/mirrorStore.ts';
import { mergeTrees } from './merge/index.ts';
import type { LocalOp, MergeStats } from './merge/types.ts';
import {
  bookmarkSortIndex, isRootGuid, isTombstone, parseBookmarkRecord, serializeBookmarkRecord,
  type BookmarkKind, type BookmarkRecord,
} from './record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords, type LocalItem, type RecordEntry } from './tree.ts';

export const COLLECTION = 'bookmarks';

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
  snapshot(reason: string, items: readonly LocalItem[]): Promise<void>;
  /** Called after every completed first sync; from then on a reset merges without asking. */
  clearFirstSyncChoice(): Promise<void>;
  hasSyncedBefore(): Promise<boolean>;
}

export interface BookmarksSyncInput {
  storage: Pick<StorageClient, 'getRecords' | 'uploadRecords'>;
  keys: CollectionKeys;
  /** The engine's syncID in meta/global. */
  syncID: string;
  state: { load(): Promise<EngineState>; save(s: EngineState): Promise<void>; reset(): Promise<void> };
  mirror: MirrorStore;
  local: LocalBookmarks;
  safety: BookmarkSafety;
  /** GUIDs this browser refused to create, kept across syncs. */
  refused?: { list(): Promise<string[]>; add(guids: readonly string[]): Promise<void> };
  log: Logger;
  now: () => number;
  /** Large-deletion threshold: more local deletions than this (and than a quarter of the tree) need approval. */
  largeDeletion?: number;
  onProgress?: (step: 'download' | 'merge' | 'apply' | 'upload', done: number, total: number) => void;
}

export interface BookmarksSyncResult {
  stats: MergeStats;
  downloaded: number;
  skippedRecords: number;
  uploaded: number;
  firstSync: boolean;
}

const PAGE = 1000;

export async function syncBookmarks(input: BookmarksSyncInput): Promise<BookmarksSyncResult> {
  const { storage, log, mirror } = input;
  let state = await input.state.load();
  if (state.syncID !== input.syncID) {
    if (state.syncID !== null) log.info('Bookmarks were reset on the server (new syncID); starting over');
    await input.state.reset();
    state = { syncID: input.syncID, lastSync: '0' };
  }
  const firstSync = state.lastSync === '0' && (await mirror.count()) === 0;

  // 1. Download everything newer than the last sync, oldest first (parents tend to come first).
  const bundle = bundleForCollection(input.keys, COLLECTION);
  const incoming: RecordEntry[] = [];
  let skippedRecords = 0;
  let collectionTs: ServerTimestamp = state.lastSync;
  for await (const page of storage.getRecords(COLLECTION, { full: true, newer: state.lastSync, sort: 'oldest', limit: PAGE })) {
    if (page.lastModified && compareServerTs(page.lastModified, collectionTs) > 0) collectionTs = page.lastModified;
    for (const bso of page.items) {
      if (typeof bso === 'string') continue;
      const d = await decryptBso(bso, bundle);
      const record = d.ok ? parseBookmarkRecord(d.cleartext) : null;
      if (!record) {
        skippedRecords++;
        log.warn('Skipped a bookmark record that could not be read', { id: bso.id, reason: d.ok ? 'format' : d.error.reason });
        continue;
      }
      incoming.push({ record, modifiedS: Number(bso.modified), needsMerge: true });
    }
    input.onProgress?.('download', incoming.length, incoming.length);
  }

  // 2. Trees: mirror (the common ancestor), remote (mirror + incoming) and local.
  const mirrorRecords = await mirror.all();
  const mirrorEntries: RecordEntry[] = [];
  for (const m of mirrorRecords) {
    const record = parseBookmarkRecord(m.cleartext);
    if (record) mirrorEntries.push({ record, modifiedS: Number(m.modified) });
  }
  // One read of the browser's tree per run: the first-sync question and the merge share it.
  const localItems = await input.local.snapshot();
  const choice = firstSync ? await firstSyncChoice(input, incoming, localItems) : 'merge';
  if (choice === null) {
    throw new UserActionNeededError('first bookmark sync needs the person’s choice', { reason: 'first-sync-choice' });
  }
  const remoteEntries = overlayRecords(mirrorEntries, incoming);
  if (choice === 'take-remote') {
    await input.safety.snapshot('Before replacing this browser’s bookmarks with the ones from your account', localItems);
  }
  const localTree = buildTreeFromLocal(localItems);
  const remoteTree = buildTreeFromRecords(remoteEntries);
  // On a first sync there is no common ancestor: the mirror is empty.
  const mirrorTree = firstSync ? buildTreeFromRecords([]) : buildTreeFromRecords(mirrorEntries);
  const strategy = choice === 'take-remote' ? 'takeRemote' : choice === 'keep-local' ? 'keepLocal' : 'merge';

  input.onProgress?.('merge', 0, 1);
  const result = mergeTrees({
    local: localTree,
    remote: remoteTree,
    mirror: mirrorTree,
    localTimeMs: input.now(),
    remoteTimeS: Math.max(Number(collectionTs), input.now() / 1000),
    unsupportedKinds: input.local.unsupportedKinds,
    unsupportedRoots: input.local.unsupportedRoots,
    unsupportedGuids: (await input.refused?.list()) ?? [],
    strategy,
  });
  const { stats } = result;
  log.info('Bookmarks merged', { ...stats });

  // 3. Safety: a large deletion on this browser needs the person's approval and a snapshot first.
  const threshold = input.largeDeletion ?? 50;
  const deletions = choice === 'take-remote' ? 0 : stats.deletionsLocal;
  if (deletions > threshold && deletions > stats.localItems / 4) {
    if (!(await input.safety.approvedDeletions(deletions))) {
      await input.safety.askLargeDeletion(stats);
      throw new UserActionNeededError(`merge would delete ${deletions} local bookmarks`, {
        reason: 'large-deletion',
        userMessage: `Syncing would delete ${deletions} bookmarks from this browser because they were deleted on another device. Review this in Settings; nothing has been deleted yet.`,
      });
    }
  }
  if (deletions > 0 && deletions >= Math.min(threshold, stats.localItems / 4)) {
    await input.safety.snapshot(`Before deleting ${deletions} bookmarks that were deleted elsewhere`, localItems);
  }

  // 4. Apply locally, then upload; the mirror and last-sync time move only after both worked.
  input.onProgress?.('apply', 0, result.localOps.length);
  await input.local.apply(result.localOps);
  input.onProgress?.('apply', result.localOps.length, result.localOps.length);

  let lastSync = collectionTs;
  const uploadedIds = new Set<string>();
  if (result.uploads.length > 0) {
    input.onProgress?.('upload', 0, result.uploads.length);
    const outgoing = await Promise.all(result.uploads.map((r) => encryptBso(serializeBookmarkRecord(r) as { id: string }, bundle, { sortindex: bookmarkSortIndex(r) })));
    const up = await storage.uploadRecords(COLLECTION, outgoing, { ifUnmodifiedSince: collectionTs });
    for (const id of up.success) uploadedIds.add(id);
    if (up.failures.length > 0) log.warn('Some bookmarks were not accepted by the server', { count: up.failures.length });
    lastSync = up.lastModified;
    input.onProgress?.('upload', result.uploads.length, result.uploads.length);
  }

  // 5. Items this browser refused (e.g. a URL it does not accept) are remembered: from now on the
  // merge keeps them on the server where they are instead of reading their absence as a deletion.
  const refused = input.local.notApplied?.() ?? [];
  if (refused.length > 0) {
    await input.refused?.add(refused);
    log.warn('This browser refused some bookmarks; they stay in your account as they are', { count: refused.length });
  }

  // 6. The next mirror: the server's whole collection as it now stands.
  // Only what changed is written: rewriting ten thousand unchanged records costs seconds.
  const byId = new Map(remoteEntries.map((e) => [e.record.id, e]));
  const oldMirror = new Map(mirrorRecords.map((m) => [m.id, m]));
  const incomingIds = new Set(incoming.map((e) => e.record.id));
  const mirrorPut: Array<{ id: string; modified: string; cleartext: Record<string, unknown> }> = [];
  const mirrorRemove = new Set<string>();
  const keep = new Set<string>();
  for (const record of result.serverRecords) {
    if (isTombstone(record)) {
      if (oldMirror.has(record.id)) mirrorRemove.add(record.id);
      continue;
    }
    keep.add(record.id);
    if (!uploadedIds.has(record.id) && !incomingIds.has(record.id) && oldMirror.has(record.id)) continue;
    const modified = uploadedIds.has(record.id) ? lastSync : String(byId.get(record.id)?.modifiedS ?? lastSync);
    mirrorPut.push({ id: record.id, modified, cleartext: serializeBookmarkRecord(record as BookmarkRecord) });
  }
  for (const m of mirrorRecords) if (!keep.has(m.id)) mirrorRemove.add(m.id);
  await mirror.update(mirrorPut, [...mirrorRemove]);
  await input.state.save({ syncID: input.syncID, lastSync });
  await input.local.syncFinished?.();
  if (firstSync) await input.safety.clearFirstSyncChoice();
  return { stats, downloaded: incoming.length, skippedRecords, uploaded: uploadedIds.size, firstSync };
}

/** A first sync with bookmarks on both sides waits for the person's choice; otherwise it merges. */
async function firstSyncChoice(
  input: BookmarksSyncInput, incoming: readonly RecordEntry[], localItems: readonly LocalItem[],
): Promise<FirstSyncChoice | null> {
  const chosen = await input.safety.firstSyncChoice();
  if (chosen) return chosen;
  // Starting over after a reset by another device (new syncID) is not a new decision: merge, as Firefox does.
  if (await input.safety.hasSyncedBefore()) return 'merge';
  const localCount = localItems.filter((i) => !isRootGuid(i.guid)).length;
  const remoteCount = incoming.filter((e) => !isTombstone(e.record) && !['menu', 'toolbar', 'unfiled', 'mobile', 'places'].includes(e.record.id)).length;
  if (localCount === 0 || remoteCount === 0) {
    // Remembered until the first sync completes: if this run is cut off half-way, the browser then
    // holds some of the account's bookmarks, and the next run must carry on rather than ask.
    await input.safety.chooseFirstSync('merge');
    return 'merge';
  }
  await input.safety.askFirstSync({ local: localCount, remote: remoteCount });
  return null;
}
