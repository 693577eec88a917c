// Applies the merger's local operations to the browser, in order, in slices. After each slice the
// count of finished operations is stored under the run id, so a worker killed mid-run resumes at
// the first slice not recorded. Every operation is safe to repeat, which covers the ops of that
// slice that did run before the kill:
// - create: skipped when its GUID already maps to a live item; in the replayed slice, an item the
//   sync does not know yet with the same kind, title and URL in the target folder is taken as the
//   one made just before the kill (a slice lands while the next is issued, and the id map is
//   written once per slice, so the three slices after the recorded progress are replayed this
//   way; a run never started replays nothing);
// - delete of an item already gone is success; update is idempotent;
// - move is idempotent alone, but its index means "where it goes given every earlier operation":
//   replayed after later operations ran, it could land elsewhere. And a delete followed by a
//   create of the same GUID (a kind change) must not delete the new item on replay. So progress
//   is also stored right after every move and every delete that changed something, and a replay
//   never starts before one.
// What the browser cannot show (Chromium: separators, queries; both: livemarks) is skipped and
// reported, never an error, and so is what the browser refuses (an invalid URL). The caller must
// not treat skipped items as present locally. Roots and stand-in folders are never moved,
// renamed or deleted. Before a folder is deleted, anything in it the sync did not know (added by
// the person since the snapshot, or local-only because Firefox would refuse its URL) is moved out
// to the folder's parent and reported as rescued. A title the browser holds longer than Firefox's
// limit is not cut by an update that carries its first MAX_TITLE_LENGTH characters (the sync
// only ever sees those; see snapshot.ts).
//
// Speed (a first sync creates thousands of items): outside the replayed slice a create needs no
// read of the id map or the browser. The parent's browser id comes from the snapshot or from this
// run's own creates, and each folder's children are read once, then kept in step with our writes.
// On Chromium, which handles an extension's API calls in the order they are made, creates that
// append to their folder are issued without waiting for each other (a child waits only for its
// folder): they land in order, and one the browser refuses leaves no gap. A create in the middle
// of a folder, and every move, update and delete, waits for the creates before it. Firefox gets
// the same calls one at a time. A slice's creates land while the next slice is issued; then their
// pairings go to the id map as one journal row before its progress is recorded. A move or
// delete drops the kept child lists (they may have changed). An edit the person makes meanwhile is
// not in them either: like any edit, the change tracker notes it for the next sync's merge.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ROOT_GUID, isRootGuid, isValidGuid, limitTitle } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { LocalOp } from '../merge/types.ts';
import type { BookmarksApi, BrowserBookmarkNode, CreateDetails } from './api.ts';
import { MISSING, errorMessage, isFolderNode, isSeparatorNode } from './api.ts';
import { samePairedItem, type BookmarkIdMap } from './idMap.ts';
import type { OwnWrite } from './changeTracker.ts';
import { placeAt } from './placement.ts';
import type { ProgressStore } from './progress.ts';
import type { LocalRoots } from './roots.ts';
import { isLocalOnlyNode, kindOf } from './snapshot.ts';

export type { LocalOp };

export interface ApplyOptions {
  /** Names this list of operations; the same list must come with the same id to resume. */
  runId: string;
  idMap: BookmarkIdMap;
  roots: LocalRoots;
  progress: ProgressStore;
  /** Operations between progress writes (default 200). */
  sliceSize?: number;
  /** Browser ids the snapshot listed (needed in Firefox to tell the person's new items apart). */
  knownLocalIds?: ReadonlySet<string>;
  /** The snapshot's Sync GUID → browser id (pairings it checked, roots included): parents found here
   *  are not looked up again. */
  localIdByGuid?: ReadonlyMap<string, string>;
  /** Whether appending creates may be in flight together (default: on Chromium, see above). */
  concurrentCreates?: boolean;
  /** Called with each browser item we write and what the write leaves there, so the change tracker can tell its events from the person's. */
  onWrite?: (localId: string, write: OwnWrite, guid?: string, dateAdded?: number) => void;
  /** Asked after each slice; true stops the run here (resumable). */
  shouldPause?: () => boolean;
  /** Called after each slice is recorded (the browser side saves what it wrote). */
  onSlice?: () => Promise<void>;
}

export type SkipReason = 'unsupported-kind' | 'protected' | 'missing' | 'parent-missing' | 'rejected';

export interface SkippedOp {
  at: number;
  guid: string;
  type: LocalOp['type'];
  reason: SkipReason;
  detail?: string;
}

export interface ApplyReport {
  total: number;
  /** Operations finished for this run, including earlier attempts. */
  done: number;
  complete: boolean;
  skipped: SkippedOp[];
  /** Browser ids moved out of a folder before it was deleted; they need another sync. */
  rescued: string[];
}

/** A stable run id for a list of operations. */
export function runIdFor(ops: readonly LocalOp[]): string {
  return bytesToHex(sha256(utf8ToBytes(JSON.stringify(ops)))).slice(0, 32);
}

const REJECTED = /invalid url|invalid bookmark|invalid value|itself|descendant|does not specify a folder/i;

export function unsupportedKinds(flavor: LocalRoots['flavor']): readonly BookmarkKind[] {
  return flavor === 'chromium' ? ['separator', 'query', 'livemark'] : ['livemark'];
}

/** What `bookmarks.create` gets for an item, its place aside (Chromium rejects a `type`). */
function createDetails(op: Extract<LocalOp, { type: 'create' }>, flavor: LocalRoots['flavor']): CreateDetails {
  if (op.kind === 'separator') return { type: 'separator' };
  if (op.kind === 'folder') return { title: op.title, ...(flavor === 'firefox' ? { type: 'folder' as const } : {}) };
  return { title: op.title, url: op.url ?? '', ...(flavor === 'firefox' ? { type: 'bookmark' as const } : {}) };
}

class Skip extends Error {
  constructor(readonly reason: SkipReason, detail?: string) {
    super(detail ?? reason);
  }
}

/** The children of one browser folder as this run last saw them, kept in step with its own writes. */
interface ChildList {
  nodes: BrowserBookmarkNode[];
  /** How many of them the merger's indexes count (see `listed`). */
  listed: number;
}

/** A create on its way to the browser. */
interface InFlight {
  op: Extract<LocalOp, { type: 'create' }>;
  at: number;
  details: CreateDetails;
  /** Its entry in the parent's child list: a provisional id until the browser answers. */
  entry: BrowserBookmarkNode;
  list: ChildList;
  /** The folder it goes into, when that is in flight too. */
  parent: InFlight | null;
  parentId: string | null;
  /** A folder's own (empty) child list, for creates that go into it. */
  children: ChildList | null;
  done: Promise<BrowserBookmarkNode>;
}

class Applier {
  private readonly adopted = new Set<string>();
  readonly skipped: SkippedOp[] = [];
  readonly rescued: string[] = [];
  /** GUID → browser id of items known to exist now: the snapshot's, then this run's creates. */
  private readonly ids: Map<string, string>;
  /** Child lists by browser id (or a folder in flight's provisional id). */
  private readonly lists = new Map<string, ChildList>();
  private inFlight: InFlight[] = [];
  private readonly inFlightByGuid = new Map<string, InFlight>();
  /** Per child list, the promise after which the next create into it may be issued. */
  private readonly issueTail = new Map<ChildList, Promise<void>>();
  private provisional = 0;
  private readonly concurrent: boolean;
  /** The run's IndexedDB writes, in order (pairings before the progress that counts them). */
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly api: BookmarksApi, private readonly o: ApplyOptions) {
    this.ids = new Map(o.localIdByGuid ?? []);
    this.concurrent = o.concurrentCreates ?? o.roots.flavor === 'chromium';
  }

  private get flavor(): LocalRoots['flavor'] {
    return this.o.roots.flavor;
  }

  /** Applies one operation; true after a move or delete that changed something (the caller then
   *  records progress). A create outside the replayed slice may still be in flight on return. */
  async run(op: LocalOp, at: number, replayed: boolean): Promise<boolean> {
    try {
      if (op.type === 'create' && !replayed) {
        await this.createFast(op, at);
        return false;
      }
      await this.flush();
      await this.writing; // what follows reads the id map
      switch (op.type) {
        case 'create': await this.create(op, replayed); break;
        case 'update': await this.update(op); return false;
        case 'move': return await this.move(op);
        case 'delete': return await this.delete(op.guid);
        case 'changeGuid': await this.changeGuid(op.from, op.to); break;
      }
      return false;
    } catch (e) {
      if (e instanceof Skip) {
        const guid = op.type === 'changeGuid' ? op.from : op.guid;
        this.skipped.push({ at, guid, type: op.type, reason: e.reason, ...(e.message !== e.reason ? { detail: e.message } : {}) });
        return false;
      }
      throw e;
    } finally {
      // What a careful operation wrote may have changed any folder's children.
      if (op.type !== 'update' && !(op.type === 'create' && !replayed)) this.lists.clear();
    }
  }

  /** Waits for every create in flight, records their pairings and reports them. */
  flush(): Promise<void> {
    return this.settle(this.inFlight);
  }

  /** The creates in flight now (a slice's, to be settled after the next slice is issued). */
  issued(): InFlight[] {
    return [...this.inFlight];
  }

  /**
   * Waits for these creates (those still in flight), records their pairings as one journal row
   * and reports them; creates issued after them stay in flight.
   */
  async settle(entries: readonly InFlight[]): Promise<void> {
    const going = new Set(entries);
    const batch = this.inFlight.filter((f) => going.has(f));
    if (batch.length === 0) return;
    this.inFlight = this.inFlight.filter((f) => !going.has(f));
    for (const f of batch) if (this.inFlightByGuid.get(f.op.guid) === f) this.inFlightByGuid.delete(f.op.guid);
    if (this.inFlight.length === 0) this.issueTail.clear();
    const settled = await Promise.allSettled(batch.map((f) => f.done));
    const pairs: Array<{ syncId: string; localId: string; dateAdded?: number | undefined }> = [];
    const failed = new Set<InFlight>();
    let failure: { error: unknown } | null = null;
    for (const [i, f] of batch.entries()) {
      const r = settled[i] as PromiseSettledResult<BrowserBookmarkNode>;
      if (r.status === 'fulfilled') {
        const node = r.value;
        const parentId = node.parentId ?? f.parent?.entry.id ?? f.parentId ?? undefined;
        f.entry.parentId = parentId;
        this.o.onWrite?.(node.id, { kind: 'create', title: f.details.title, url: f.details.url, parentId }, f.op.guid, node.dateAdded);
        pairs.push({ syncId: f.op.guid, localId: node.id, dateAdded: node.dateAdded });
        this.ids.set(f.op.guid, node.id);
        if (f.children) this.lists.set(node.id, f.children);
        continue;
      }
      failed.add(f);
      const k = f.list.nodes.indexOf(f.entry);
      if (k >= 0) {
        f.list.nodes.splice(k, 1);
        f.list.listed--;
      }
      // A create refused because its folder is gone since the snapshot (the person deleted it
      // meanwhile) is skipped, as the careful path does; browsers word that differently.
      const parentGone = (f.parent !== null && failed.has(f.parent))
        || (!(r.reason instanceof Skip) && (MISSING.test(errorMessage(r.reason)) || (f.parentId !== null && (await this.node(f.parentId)) === null)));
      const skip = parentGone ? new Skip('parent-missing') : r.reason instanceof Skip ? r.reason : null;
      if (skip) this.skipped.push({ at: f.at, guid: f.op.guid, type: 'create', reason: skip.reason, ...(skip.message !== skip.reason ? { detail: skip.message } : {}) });
      else failure ??= { error: r.reason };
    }
    void this.queue(() => this.o.idMap.pair(pairs));
    if (failure !== null) {
      this.lists.clear();
      await this.writing;
      throw (failure as { error: unknown }).error;
    }
  }

  /** Runs `write` after every write queued before it; the browser calls go on meanwhile. */
  queue(write: () => Promise<void>): Promise<void> {
    const next = this.writing.then(write);
    next.catch(() => undefined); // awaited by the next sync point, which throws it
    this.writing = next;
    return next;
  }

  /** Resolves when everything queued so far is written (throws the first failure). */
  drain(): Promise<void> {
    return this.writing;
  }

  /** Where a create outside the replayed slice goes: into a folder in flight, or a live one. */
  private async target(parentGuid: string): Promise<{ parent: InFlight | null; parentId: string | null; list: ChildList }> {
    const parent = this.inFlightByGuid.get(parentGuid);
    if (parent) return { parent, parentId: null, list: parent.children as ChildList };
    let parentId = isRootGuid(parentGuid) ? undefined : this.ids.get(parentGuid);
    if (parentId === undefined) {
      parentId = await this.parentId(parentGuid);
      if (!isRootGuid(parentGuid)) this.ids.set(parentGuid, parentId);
    }
    let list = this.lists.get(parentId);
    if (!list) {
      let nodes: BrowserBookmarkNode[];
      try {
        nodes = await this.api.getChildren(parentId);
      } catch (e) {
        // The folder the snapshot saw is gone (the person deleted it meanwhile), as the careful path finds.
        if (MISSING.test(errorMessage(e)) || (await this.node(parentId)) === null) throw new Skip('parent-missing');
        throw e;
      }
      list = { nodes, listed: nodes.filter(this.listed).length };
      this.lists.set(parentId, list);
    }
    return { parent: null, parentId, list };
  }

  private async createFast(op: Extract<LocalOp, { type: 'create' }>, at: number): Promise<void> {
    if (unsupportedKinds(this.flavor).includes(op.kind)) throw new Skip('unsupported-kind', op.kind);
    let where = await this.target(op.parentGuid);
    // Only an append may overtake the creates before it: its place does not depend on them landing.
    const append = op.index >= where.list.listed;
    if (!this.concurrent || !append) {
      await this.flush();
      where = await this.target(op.parentGuid);
    }
    const { parent, parentId, list } = where;
    const index = append ? undefined : placeAt(this.flavor, list.nodes, this.listed, op.index, null).index;
    const details = createDetails(op, this.flavor);
    const entry: BrowserBookmarkNode = {
      id: `pending:${++this.provisional}`, parentId: parent?.entry.id ?? parentId ?? undefined, title: details.title ?? '',
      ...(details.url === undefined ? {} : { url: details.url }), ...(details.type === undefined ? {} : { type: details.type }),
    };
    if (index === undefined) list.nodes.push(entry);
    else list.nodes.splice(index, 0, entry);
    list.listed++;
    // Calls into one folder are made in order (each after the one before was made, not answered);
    // a folder's first child waits for the folder.
    const tail = this.issueTail.get(list) ?? (parent ? parent.done.then(() => undefined) : Promise.resolve());
    let call: Promise<BrowserBookmarkNode> | null = null;
    const issued = tail.then(() => {
      const at = { parentId: parent ? parent.entry.id : parentId as string, ...(index === undefined ? {} : { index }) };
      call = this.write(() => this.api.create({ ...details, ...at }));
    });
    this.issueTail.set(list, issued);
    const done = issued.then(() => call as Promise<BrowserBookmarkNode>).then((node) => {
      entry.id = node.id;
      if (node.dateAdded !== undefined) entry.dateAdded = node.dateAdded;
      return node;
    });
    done.catch(() => undefined); // looked at in flush()
    const f: InFlight = { op, at, details, entry, list, parent, parentId, children: op.kind === 'folder' ? { nodes: [], listed: 0 } : null, done };
    this.inFlight.push(f);
    this.inFlightByGuid.set(op.guid, f);
    if (!this.concurrent) await this.flush();
  }

  private async node(localId: string): Promise<BrowserBookmarkNode | null> {
    try {
      return (await this.api.get(localId))[0] ?? null;
    } catch (e) {
      if (MISSING.test(errorMessage(e))) return null;
      throw e;
    }
  }

  private async localIdOf(guid: string): Promise<string | null> {
    if (isRootGuid(guid)) return this.o.roots.localIdFor(guid);
    // A Firefox item we did not make has its GUID as id; Places rejects malformed GUIDs outright.
    return (await this.o.idMap.localIdFor(guid)) ?? (this.flavor === 'firefox' && isValidGuid(guid) ? guid : null);
  }

  /** The live item for a GUID; a pairing whose id now names another item (a reused id) resolves to nothing. */
  private async resolve(guid: string): Promise<BrowserBookmarkNode | null> {
    if (isRootGuid(guid)) {
      const rootId = this.o.roots.localIdFor(guid);
      return rootId === null ? null : this.node(rootId);
    }
    // One read of the pairing gives both the id and the dateAdded to check it against.
    const mapping = await this.o.idMap.mappingFor(guid);
    const id = mapping?.localId ?? (this.flavor === 'firefox' && isValidGuid(guid) ? guid : null);
    if (id === null) return null;
    const node = await this.node(id);
    return node && mapping && !samePairedItem(mapping, node) ? null : node;
  }

  private async parentId(parentGuid: string): Promise<string> {
    if (parentGuid === ROOT_GUID) throw new Skip('protected', 'nothing goes directly in the Places root');
    if (isRootGuid(parentGuid)) {
      try {
        return await this.o.roots.ensureRoot(parentGuid, (id) => this.o.onWrite?.(id, { kind: 'create' }));
      } catch (e) {
        if (e instanceof Error && /has no folder/.test(e.message)) throw new Skip('parent-missing', e.message);
        throw e;
      }
    }
    const parent = await this.resolve(parentGuid);
    if (!parent || !isFolderNode(parent)) throw new Skip('parent-missing');
    return parent.id;
  }

  /** What the snapshot lists (so operation indexes count only these). */
  private listed = (n: BrowserBookmarkNode): boolean => !this.o.roots.isProtected(n.id) && n.unmodifiable === undefined && !isLocalOnlyNode(n);

  private async isKnown(localId: string): Promise<boolean> {
    if (this.o.knownLocalIds?.has(localId)) return true;
    if ((await this.o.idMap.syncIdFor(localId)) !== null) return true;
    // Firefox items are unmapped unless we made them: without the snapshot's ids, assume known.
    return this.flavor === 'firefox' && this.o.knownLocalIds === undefined;
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (e) {
      const message = errorMessage(e);
      if (REJECTED.test(message)) throw new Skip('rejected', message);
      throw e;
    }
  }

  private async create(op: Extract<LocalOp, { type: 'create' }>, replayed: boolean): Promise<void> {
    if (unsupportedKinds(this.flavor).includes(op.kind)) throw new Skip('unsupported-kind', op.kind);
    const existing = await this.resolve(op.guid);
    if (existing) {
      this.ids.set(op.guid, existing.id);
      return;
    }
    const parentId = await this.parentId(op.parentGuid);
    const children = await this.api.getChildren(parentId);
    if (replayed) {
      const twin = await this.findTwin(children, op);
      if (twin) {
        this.adopted.add(twin.id);
        await this.o.idMap.pair([{ syncId: op.guid, localId: twin.id }]);
        this.ids.set(op.guid, twin.id);
        return;
      }
    }
    const details: CreateDetails = { ...createDetails(op, this.flavor), parentId, index: placeAt(this.flavor, children, this.listed, op.index, null).index };
    const created = await this.write(() => this.api.create(details));
    this.o.onWrite?.(created.id, { kind: 'create', title: details.title, url: details.url, parentId }, op.guid, created.dateAdded);
    await this.o.idMap.pair([{ syncId: op.guid, localId: created.id, dateAdded: created.dateAdded }]);
    this.ids.set(op.guid, created.id);
  }

  private async findTwin(
    children: readonly BrowserBookmarkNode[],
    op: Extract<LocalOp, { type: 'create' }>,
  ): Promise<BrowserBookmarkNode | null> {
    if (this.flavor === 'firefox' && this.o.knownLocalIds === undefined) return null;
    for (const c of children) {
      if (this.adopted.has(c.id) || !this.listed(c) || kindOf(c) !== op.kind) continue;
      if (op.kind !== 'separator' && c.title !== op.title) continue;
      if ((op.kind === 'bookmark' || op.kind === 'query') && c.url !== op.url) continue;
      if (this.o.knownLocalIds?.has(c.id) || (await this.o.idMap.syncIdFor(c.id)) !== null) continue;
      return c;
    }
    return null;
  }

  private async update(op: Extract<LocalOp, { type: 'update' }>): Promise<void> {
    const node = await this.resolve(op.guid);
    if (!node) throw new Skip('missing');
    if (this.o.roots.isProtected(node.id)) throw new Skip('protected');
    const changes: { title?: string; url?: string } = {};
    if (!isSeparatorNode(node) && op.title !== limitTitle(node.title)) changes.title = op.title;
    if (op.url !== null && node.url !== undefined && !isFolderNode(node) && !isSeparatorNode(node) && op.url !== node.url) {
      changes.url = op.url;
    }
    if (changes.title === undefined && changes.url === undefined) return;
    this.o.onWrite?.(node.id, { kind: 'update', title: changes.title ?? node.title, url: changes.url ?? node.url }, op.guid, node.dateAdded);
    await this.write(() => this.api.update(node.id, changes));
  }

  private async move(op: Extract<LocalOp, { type: 'move' }>): Promise<boolean> {
    const node = await this.resolve(op.guid);
    if (!node) throw new Skip('missing');
    if (this.o.roots.isProtected(node.id)) throw new Skip('protected');
    const parentId = await this.parentId(op.parentGuid);
    const children = await this.api.getChildren(parentId);
    const place = placeAt(this.flavor, children, this.listed, op.index, node.id);
    if (place.inPlace && node.parentId === parentId) return false;
    this.o.onWrite?.(node.id, { kind: 'move', parentId }, op.guid, node.dateAdded);
    await this.write(() => this.api.move(node.id, { parentId, index: place.index }));
    return true;
  }

  private async delete(guid: string): Promise<boolean> {
    this.ids.delete(guid);
    const node = await this.resolve(guid);
    if (!node) return false;
    if (this.o.roots.isProtected(node.id)) throw new Skip('protected');
    const gone = [node.id];
    if (isFolderNode(node)) await this.rescueUnknown(node, gone);
    this.o.onWrite?.(node.id, { kind: 'remove' }, guid, node.dateAdded);
    try {
      await (isFolderNode(node) ? this.api.removeTree(node.id) : this.api.remove(node.id));
    } catch (e) {
      if (!MISSING.test(errorMessage(e))) throw e;
    }
    await this.o.idMap.forgetLocal(gone);
    return true;
  }

  /** Moves what the sync does not know out of `folder`; collects the ids that will go with it. */
  private async rescueUnknown(folder: BrowserBookmarkNode, gone: string[]): Promise<void> {
    const stack = [folder.id];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      for (const child of await this.api.getChildren(id)) {
        if (this.o.roots.isProtected(child.id) || isLocalOnlyNode(child) || !(await this.isKnown(child.id))) {
          const siblings = await this.api.getChildren(folder.parentId as string);
          const at = siblings.findIndex((s) => s.id === folder.id);
          await this.api.move(child.id, { parentId: folder.parentId as string, index: at < 0 ? siblings.length : at });
          this.rescued.push(child.id);
          continue;
        }
        gone.push(child.id);
        if (isFolderNode(child)) stack.push(child.id);
      }
    }
  }

  private async changeGuid(from: string, to: string): Promise<void> {
    const localId = isRootGuid(from) ? null : await this.localIdOf(from);
    const live = localId === null ? null : await this.node(localId);
    if (!live || localId === null) {
      if (await this.resolve(to)) return; // done before a kill
      throw new Skip('missing');
    }
    await this.o.idMap.pair([{ syncId: to, localId }]);
    this.ids.delete(from);
    this.ids.set(to, localId);
  }
}

export async function applyOps(api: BookmarksApi, ops: readonly LocalOp[], options: ApplyOptions): Promise<ApplyReport> {
  const slice = Math.max(1, options.sliceSize ?? 200);
  const applier = new Applier(api, options);
  let done = Math.min(await options.progress.get(options.runId), ops.length);
  // A slice's creates land while the next slice is issued (the browser works while we do), and
  // its records are written while the one after runs. So after a kill up to three slices past
  // the recorded progress may have run: all three are replayed. A run never started has nothing
  // to replay; it is marked started before its first write.
  const resumed = await options.progress.started(options.runId);
  if (!resumed) await options.progress.set(options.runId, 0);
  const replayEnd = resumed ? done + 3 * slice : 0;
  let previousSlice: Promise<void> = Promise.resolve();
  /** The slice issued last, still landing: its creates, and where it ends. */
  let landing: { creates: InFlight[]; end: number } | null = null;
  // Progress only moves forward: a move or delete in a slice records itself before the slice
  // before it has landed (it waited for every create before it, that slice's too).
  let recorded = done;
  const record = async (landed: { creates: InFlight[]; end: number }): Promise<void> => {
    await applier.settle(landed.creates);
    await previousSlice;
    const upTo = Math.max(recorded, landed.end);
    recorded = upTo;
    previousSlice = applier.queue(async () => {
      await options.progress.set(options.runId, upTo);
      await options.onSlice?.();
    });
  };
  try {
    let next = done;
    while (next < ops.length) {
      const end = Math.min(ops.length, next + slice);
      for (let i = next; i < end; i++) {
        if (await applier.run(ops[i] as LocalOp, i, i < replayEnd)) {
          recorded = Math.max(recorded, i + 1);
          await applier.queue(() => options.progress.set(options.runId, i + 1));
        }
      }
      if (landing) await record(landing);
      landing = { creates: applier.issued(), end };
      next = end;
      if (next < ops.length && options.shouldPause?.()) break;
    }
    if (landing) await record(landing);
    done = landing?.end ?? done;
  } catch (e) {
    // Creates still in flight land anyway: they are paired and reported before the error goes up.
    await applier.flush().catch(() => undefined);
    await applier.drain().catch(() => undefined);
    throw e;
  }
  await applier.drain();
  const skipped = applier.skipped.sort((a, b) => a.at - b.at);
  return { total: ops.length, done, complete: done >= ops.length, skipped, rescued: applier.rescued };
}
