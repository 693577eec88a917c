// The browser side as the engine sees it (`LocalBookmarks` in ../engine.ts): snapshot, apply, and
// what this browser cannot show. Wiring only; the work is in snapshot.ts, apply.ts and roots.ts.
import type { LocalBookmarks } from '../engine.ts';
import type { BookmarkKind } from '../record.ts';
import type { LocalItem } from '../tree.ts';
import { MISSING, errorMessage, type BookmarksApi, type BrowserBookmarkNode, type BrowserFlavor } from './api.ts';
import { applyOps, runIdFor, unsupportedKinds } from './apply.ts';
import type { ApplyReport, LocalOp } from './apply.ts';
import type { ChangeStore, ChangeTracker, OwnWrite } from './changeTracker.ts';
import type { BookmarkIdMap } from './idMap.ts';
import type { ProgressStore } from './progress.ts';
import { readLocalSnapshot } from './snapshot.ts';
import { noteWrite, type Rollback, type WriteLogStore, type WrittenState } from './writeLog.ts';
import type { SharedCreatedEvent } from './createdEvent.ts';
import type { LocalOnlyItem, LocalSnapshot } from './snapshot.ts';

export interface BrowserBookmarksOptions {
  api: BookmarksApi;
  idMap: BookmarkIdMap;
  flavor: BrowserFlavor;
  progress: ProgressStore;
  changes?: ChangeStore;
  tracker?: ChangeTracker;
  /** The background's shared onCreated, which a bulk of creates switches off (createdEvent.ts). */
  createdEvent?: SharedCreatedEvent;
  sliceSize?: number;
  /** Asked between slices; true stops the apply (the engine's run then stops and resumes later). */
  shouldPause?: () => boolean;
  /** The state our writes left, to recognise a browser that lost them (writeLog.ts). */
  writeLog?: WriteLogStore;
  now?: () => number;
}

/** From this many creates in one apply, their onCreated events are switched off (a first sync). */
export const QUIET_CREATES = 500;

/** More numbers than this missing from a run's creates: the next sync compares the tree instead of looking each up. */
const MAX_UNHEARD_GAPS = 200;

export class ApplyPausedError extends Error {
  constructor(readonly report: ApplyReport) {
    super(`Paused after ${report.done} of ${report.total} bookmark changes.`);
  }
}

export class BrowserBookmarks implements LocalBookmarks {
  private last: LocalSnapshot | null = null;
  private changedKeys: string[] = [];
  private changedSeenAt: ReadonlyMap<string, number> = new Map();
  /** What the last apply skipped or rescued (the engine must not count skipped items as local). */
  lastReport: ApplyReport | null = null;
  /** The tracker's change count when the last snapshot began reading. */
  private countAtRead: number | null = null;
  /** An apply since that snapshot ran with onCreated off: a folder the person added meanwhile went unheard. */
  private unheardSinceRead = false;
  /** The change count at which the browser's tree was last known to be what the mirror says (see markInSync). */
  private inSyncAt: number | null = null;

  constructor(private readonly o: BrowserBookmarksOptions) {}

  get flavor(): BrowserFlavor {
    return this.o.flavor;
  }

  get unsupportedKinds(): readonly BookmarkKind[] {
    return unsupportedKinds(this.o.flavor);
  }

  /** Roots whose stand-in the person deleted (see roots.ts); valid after `snapshot()`. */
  get unsupportedRoots(): readonly string[] {
    return this.last?.roots.lostRoots ?? [];
  }

  async snapshot(): Promise<LocalItem[]> {
    // Counted before anything is read: a change seen from here on makes the next sync read again.
    this.inSyncAt = null;
    this.countAtRead = this.o.tracker?.changeCount ?? null;
    this.unheardSinceRead = false;
    await this.o.tracker?.settled();
    // The noted changes are read before the tree, so a change noted after them is in the tree or
    // stays noted for the next sync. The rest is the sync's own state, read alongside the tree.
    const [keys, times] = await Promise.all([this.o.changes?.list(), this.o.changes?.times?.()]);
    this.changedKeys = keys ?? [];
    const changedAt = times ?? new Map<string, number>();
    this.changedSeenAt = changedAt;
    const writeLog = this.o.writeLog?.load();
    const [last] = await Promise.all([
      readLocalSnapshot(this.o.api, this.o.idMap, this.o.flavor, {
        changed: new Set(this.changedKeys), changedAt,
        ...(writeLog ? { writeLog } : {}),
        ...(this.o.now ? { now: this.o.now } : {}),
      }),
      // A new snapshot makes a new plan: progress counted against an older one must not skip anything.
      this.o.progress.clearAll(),
    ]);
    this.last = last;
    return last.items;
  }

  /** What the last snapshot found of our writes that the browser no longer shows (Chromium). */
  rollback(): Rollback {
    return this.last?.rollback ?? { stale: new Set(), resurrected: new Map(), unsettled: [] };
  }

  async apply(ops: readonly LocalOp[]): Promise<void> {
    if (!this.last) await this.snapshot();
    const snap = this.last as LocalSnapshot;
    if (ops.length === 0) {
      // Nothing to write: no run to record progress for (four round trips to IndexedDB in a sync
      // of one change); only the write log may have entries that settled.
      await this.saveWriteLog(snap, snap.rollback.unsettled, false);
      this.lastReport = { total: 0, done: 0, complete: true, skipped: [], rescued: [] };
      return;
    }
    const runId = runIdFor(ops);
    const tracker = this.o.tracker;
    const now = this.o.now ?? Date.now;
    // This run's writes, on top of the earlier ones the browser may not have saved yet.
    const written = new Map(snap.rollback.unsettled.map((e) => [e.localId, e]));
    const sinceSlice = new Set<string>();
    /** Every item this run created (stand-in roots too, which have no entry in `written`). */
    const created = new Set<string>();
    let logged = false;
    const onWrite = (id: string, write: OwnWrite, guid?: string, dateAdded?: number): void => {
      tracker?.noteOwnWrite(id, write);
      if (write.kind === 'create') created.add(id);
      if (guid === undefined) return;
      logged = true;
      noteWrite(written, id, write, guid, now(), dateAdded);
      sinceSlice.add(id);
    };
    // Each slice's writes are logged as it ends: a browser killed mid-apply takes the worker with it.
    const onSlice = async (): Promise<void> => {
      const slice = [...sinceSlice].flatMap((id) => written.get(id) ?? []);
      sinceSlice.clear();
      await this.o.writeLog?.append(slice);
    };
    const run = (): Promise<ApplyReport> => applyOps(this.o.api, ops, {
      runId,
      idMap: this.o.idMap,
      roots: snap.roots,
      progress: this.o.progress,
      knownLocalIds: new Set(snap.localIdByGuid.values()),
      localIdByGuid: snap.localIdByGuid,
      ...(this.o.sliceSize === undefined ? {} : { sliceSize: this.o.sliceSize }),
      ...(this.o.shouldPause ? { shouldPause: this.o.shouldPause } : {}),
      onWrite,
      onSlice,
    });
    // Many creates (a first sync) go without their onCreated events (createdEvent.ts): the sync's
    // own are handed to the listeners that want them afterwards, and the person's are looked for.
    const creates = ops.reduce((n, op) => n + (op.type === 'create' ? 1 : 0), 0);
    const shared = creates >= QUIET_CREATES ? this.o.createdEvent : undefined;
    const quietFrom = now();
    // Until the creates that went unheard are known to be found (replayUnheard), the next sync compares the tree.
    if (shared) this.unheardSinceRead = true;
    const held = (): Promise<ApplyReport> => (tracker ? tracker.holdDuring(run) : run());
    let report: ApplyReport;
    try {
      report = shared ? await shared.quietDuring(held) : await held();
    } finally {
      // Saved before the mirror moves (the engine's finish), whatever happened: the browser shows
      // these writes now, and only a later check can tell whether it kept them.
      await this.saveWriteLog(snap, [...written.values()], logged);
      if (shared && await this.replayUnheard(shared, snap, written, created, quietFrom, creates)) this.unheardSinceRead = false;
    }
    this.lastReport = report;
    if (!report.complete) throw new ApplyPausedError(report);
    await this.o.progress.clear(runId);
  }

  /**
   * Rewrites the write log unless it is as loaded: nothing written by this apply and every entry
   * still unsettled (after a first sync that is ten thousand entries, every sync for 15 s).
   */
  private async saveWriteLog(snap: LocalSnapshot, entries: readonly WrittenState[], wrote: boolean): Promise<void> {
    if (wrote || snap.rollback.unsettled.length !== snap.writeLogSize) await this.o.writeLog?.save(entries);
  }

  /**
   * The creates that went unheard while onCreated was off: this run's own, and what the person
   * added meanwhile (neither in the snapshot nor created by this run), handed to the listeners (the
   * change tracker counts the person's). True when everything the person added is known to be among
   * them (see unheardIds); otherwise a folder may be missing (the browser lists recent bookmarks
   * only) and the next sync's comparison with the mirror finds it.
   */
  private async replayUnheard(
    shared: SharedCreatedEvent, snap: LocalSnapshot, written: ReadonlyMap<string, WrittenState>, created: ReadonlySet<string>, from: number, creates: number,
  ): Promise<boolean> {
    const unheard: Array<{ id: string; node: BrowserBookmarkNode; ours: boolean }> = [];
    for (const w of written.values()) {
      if (w.at < from || w.removed || w.parentId === undefined) continue;
      unheard.push({ id: w.localId, ours: true, node: { id: w.localId, parentId: w.parentId, title: w.title ?? '', ...(w.url === undefined ? {} : { url: w.url }) } });
    }
    const known = new Set(snap.localIdByGuid.values());
    for (const item of snap.localOnly) known.add(item.localId);
    const theirs = new Set<string>();
    try {
      // Ours are at most `creates` of the newest; a hundred more reach the person's among them.
      for (const node of await this.o.api.getRecent(creates + 100)) {
        if ((node.dateAdded ?? 0) < from) break;
        if (!known.has(node.id) && !created.has(node.id) && !theirs.has(node.id)) {
          theirs.add(node.id);
          unheard.push({ id: node.id, node, ours: false });
        }
      }
    } catch {
      // A hint only: the next sync's comparison with the mirror finds the item anyway.
    }
    const found = this.o.flavor === 'chromium' ? await this.unheardIds(created, known) : null;
    for (const node of found ?? []) {
      if (theirs.has(node.id)) continue;
      theirs.add(node.id);
      unheard.push({ id: node.id, node, ours: false });
    }
    shared.replay(unheard);
    return found !== null;
  }

  /**
   * Chromium numbers its items in the order it makes them, and never reuses a number while it runs
   * (BookmarkModel's next id). So what anyone else made while this run's creates went unheard has a
   * number between this run's first and last, or the next after its last (a later one was made with
   * the event back on, or after that next one, whose removal was heard). Each such number is looked
   * up; a gap is an item removed (heard) or made by nobody. Null when that cannot be told (ids that
   * are not numbers, too many gaps, a failed lookup).
   */
  private async unheardIds(created: ReadonlySet<string>, known: ReadonlySet<string>): Promise<BrowserBookmarkNode[] | null> {
    let low = Infinity;
    let high = -Infinity;
    for (const id of created) {
      if (!/^\d{1,15}$/.test(id)) return null;
      const n = Number(id);
      if (n < low) low = n;
      if (n > high) high = n;
    }
    if (created.size === 0) return [];
    const gaps: string[] = [];
    for (let n = low; n <= high + 1; n++) {
      const id = String(n);
      if (created.has(id) || known.has(id)) continue;
      gaps.push(id);
      if (gaps.length > MAX_UNHEARD_GAPS) return null;
    }
    const found: BrowserBookmarkNode[] = [];
    for (const id of gaps) {
      try {
        const [node] = await this.o.api.get(id);
        if (node) found.push(node);
      } catch (e) {
        if (!MISSING.test(errorMessage(e))) return null;
      }
    }
    return found;
  }

  /** GUIDs of operations the browser refused or could not place in the last apply (not kinds it cannot show). */
  notApplied(): string[] {
    return (this.lastReport?.skipped ?? []).filter((s) => s.reason === 'rejected' || s.reason === 'parent-missing').map((s) => s.guid);
  }

  /** Bookmarks the last snapshot left out because Firefox would refuse their URL (see snapshot.ts). */
  localOnly(): LocalOnlyItem[] {
    return this.last?.localOnly ?? [];
  }

  /**
   * The sync that read the last snapshot ended with the server holding what this browser shows, as
   * the mirror records it (every upload accepted, every operation applied). Until the tracker sees
   * a change of the person's, the tree is still that: the next sync with nothing new from the server
   * has nothing to merge. Only in this worker: events are missed while the extension is not
   * running, so a new worker (browser start, update, a stopped worker) reads and compares the tree.
   */
  markInSync(): void {
    const snap = this.last;
    const clean = snap !== null && this.countAtRead !== null && !this.unheardSinceRead && snap.localOnly.length === 0
      && snap.rollback.stale.size === 0 && snap.rollback.resurrected.size === 0
      // Kinds and roots it cannot show are skipped the same way every time; the rest would be tried again.
      && !(this.lastReport?.skipped ?? []).some((op) => op.reason !== 'unsupported-kind' && op.reason !== 'protected');
    this.inSyncAt = clean ? this.countAtRead : null;
  }

  /** True while the tree is as markInSync found it: no change of the person's seen since the snapshot it follows. */
  unchangedSinceSync(): boolean {
    const tracker = this.o.tracker;
    return tracker !== undefined && this.inSyncAt !== null && !tracker.holding && tracker.changeCount === this.inSyncAt;
  }

  /** The server side was reset (new keys, new node, another device's wipe): the next sync compares again. */
  forgetInSync(): void {
    this.inSyncAt = null;
  }

  /** Call once the sync finished: the changes the snapshot saw are taken care of. */
  async syncFinished(): Promise<void> {
    await this.o.tracker?.settled();
    await this.o.changes?.remove(this.changedKeys, this.changedSeenAt);
    this.changedKeys = [];
    // The id map's log (a row per slice of a first sync's creates) is compacted after the sync, not in it.
    void this.o.idMap.compact().catch(() => undefined); // a failure leaves the log as it was: compacted next time
  }
}
