// Applies the merger's local operations to the browser, in order, in slices. After each slice the
// count of finished operations is stored under the run id, so a worker killed mid-run resumes at
// the first slice not recorded. Every operation is safe to repeat, which covers the ops of that
// slice that did run before the kill:
// - create: skipped when its GUID already maps to a live item; in the replayed slice, an item the
//   sync does not know yet with the same kind, title and URL in the target folder is taken as the
//   one made just before the kill (the id map is written right after each create, so only that
//   tiny window needs this);
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
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { ROOT_GUID, isRootGuid, isValidGuid, limitTitle } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { LocalOp } from '../merge/types.ts';
import type { BookmarksApi, BrowserBookmarkNode, CreateDetails } from './api.ts';
import { errorMessage, isFolderNode, isSeparatorNode } from './api.ts';
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
  /** Operations between progress writes (default 25). */
  sliceSize?: number;
  /** Browser ids the snapshot listed (needed in Firefox to tell the person's new items apart). */
  knownLocalIds?: ReadonlySet<string>;
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

const MISSING = /can't find|not found|no bookmarks found|id is invalid/i;
const REJECTED = /invalid url|invalid bookmark|invalid value|itself|descendant|does not specify a folder/i;

export function unsupportedKinds(flavor: LocalRoots['flavor']): readonly BookmarkKind[] {
  return flavor === 'chromium' ? ['separator', 'query', 'livemark'] : ['livemark'];
}

class Skip extends Error {
  constructor(readonly reason: SkipReason, detail?: string) {
    super(detail ?? reason);
  }
}

class Applier {
  private readonly adopted = new Set<string>();
  readonly skipped: SkippedOp[] = [];
  readonly rescued: string[] = [];

  constructor(private readonly api: BookmarksApi, private readonly o: ApplyOptions) {}

  private get flavor(): LocalRoots['flavor'] {
    return this.o.roots.flavor;
  }

  /** Applies one operation; true after a move or delete that changed something (the caller then
   *  records progress). */
  async run(op: LocalOp, at: number, replayed: boolean): Promise<boolean> {
    try {
      switch (op.type) {
        case 'create': await this.create(op, replayed); return false;
        case 'update': await this.update(op); return false;
        case 'move': return await this.move(op);
        case 'delete': return await this.delete(op.guid);
        case 'changeGuid': await this.changeGuid(op.from, op.to); return false;
      }
    } catch (e) {
      if (e instanceof Skip) {
        const guid = op.type === 'changeGuid' ? op.from : op.guid;
        this.skipped.push({ at, guid, type: op.type, reason: e.reason, ...(e.message !== e.reason ? { detail: e.message } : {}) });
        return false;
      }
      throw e;
    }
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
    if (await this.resolve(op.guid)) return;
    const parentId = await this.parentId(op.parentGuid);
    const children = await this.api.getChildren(parentId);
    if (replayed) {
      const twin = await this.findTwin(children, op);
      if (twin) {
        this.adopted.add(twin.id);
        await this.o.idMap.pair([{ syncId: op.guid, localId: twin.id }]);
        return;
      }
    }
    const details: CreateDetails = { parentId, index: placeAt(this.flavor, children, this.listed, op.index, null).index };
    if (op.kind === 'separator') details.type = 'separator';
    else {
      details.title = op.title;
      if (op.kind === 'folder') {
        if (this.flavor === 'firefox') details.type = 'folder';
      } else {
        details.url = op.url ?? '';
        if (this.flavor === 'firefox') details.type = 'bookmark';
      }
    }
    const created = await this.write(() => this.api.create(details));
    this.o.onWrite?.(created.id, { kind: 'create', title: details.title, url: details.url, parentId }, op.guid, created.dateAdded);
    await this.o.idMap.pair([{ syncId: op.guid, localId: created.id, dateAdded: created.dateAdded }]);
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
  }
}

export async function applyOps(api: BookmarksApi, ops: readonly LocalOp[], options: ApplyOptions): Promise<ApplyReport> {
  const slice = Math.max(1, options.sliceSize ?? 25);
  const applier = new Applier(api, options);
  let done = Math.min(await options.progress.get(options.runId), ops.length);
  const replayEnd = done + slice;
  while (done < ops.length) {
    const end = Math.min(ops.length, done + slice);
    for (let i = done; i < end; i++) {
      if (await applier.run(ops[i] as LocalOp, i, i < replayEnd)) await options.progress.set(options.runId, i + 1);
    }
    done = end;
    await options.progress.set(options.runId, done);
    await options.onSlice?.();
    if (done < ops.length && options.shouldPause?.()) break;
  }
  return { total: ops.length, done, complete: done >= ops.length, skipped: applier.skipped, rescued: applier.rescued };
}
