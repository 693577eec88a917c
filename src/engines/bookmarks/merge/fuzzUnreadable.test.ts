// Seeded random three-way merges around records this client cannot read (issue 9, Tests). Some
// server items are unreadable: their folders list them, but the engine only has placeholders for
// them, built exactly as BookmarksEngine.apply builds them: `{ id, type: 'bookmark', parentid,
// title: '', bmkUri: '' }`, parented by the first folder of [mirror records, downloaded records]
// that lists the id, laid under the downloaded records for the remote tree and added to the mirror
// tree (not on a first sync), with the id in `unsupportedGuids`. The browser edits at random around
// them: adds into their folders, moves, deletes and reorders their neighbours, deletes or moves the
// folder itself.
//
// Kinds of unreadable record: `old` (unreadable since an earlier sync: the mirror's folder lists
// it, the mirror holds no record, the browser never had it) and `new` (another device added it
// since the last sync). Modes:
// - `settled`: other devices never rewrite what we cannot read (a damaged record stays as it is)
//   and add new unreadable records into folders we already know. Every invariant below holds.
// - `firstSync`: no mirror; any server leaf may be unreadable. Every invariant holds.
// - `moving`: other devices also move, rewrite or delete records we cannot read (records in a
//   format only we cannot parse) and add them inside new folders. Only the safety invariants are
//   asserted; see "known problems" at the end for what else goes wrong there.
// - `became`: the browser and the mirror hold a record readable that another device rewrote
//   unreadable since. Only the server-side safety invariants are asserted (see the report in
//   "known problems": the browser loses its copy).
//
// Invariants (strict modes): no placeholder record is in `uploads`, and a placeholder tombstone
// only with its folder's tombstone (the engine drops both from what it sends: the record stays on
// the server, orphaned, unchanged); every uploaded folder that is not a tombstone lists exactly
// the placeholders its server version listed, in the same order — unless the browser reordered
// that folder (each placeholder then follows the sibling that preceded it, the rule for all the
// browser cannot show, so placeholders may change places among themselves) or both sides changed
// its children (the merge's order rule then applies to them as to anything else); no local
// operation names a placeholder;
// after the upload (placeholders filtered, as the engine does) no folder on the server lists a
// missing record or a record twice, and every unreadable record is listed by the folder that
// listed it before, or by none when we deleted that folder; the local operations rebuild the merged
// tree; a second sync right after (run as the engine would) does nothing.

import { placeholdersFor as enginePlaceholders } from '../unreadable.ts';
import { describe, expect, it } from 'vitest';
import { ROOT_GUID, USER_ROOT_GUIDS, guidToRecordId, isRootGuid, isTombstone, recordIdToGuid } from '../record.ts';
import type { BookmarkItem, BookmarkRecord, FolderRecord } from '../record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords } from '../tree.ts';
import type { LocalItem, RecordEntry } from '../tree.ts';
import { isRepresentable, mergeTrees } from './index.ts';
import type { MergeInput, MergeResult } from './index.ts';
import { SideView, augmentLocal } from './sides.ts';
import { applyLocalOps, localTree, recordEntries, render } from './testTrees.ts';
import { Gen, TITLES, URLS, clone, emptyTree, folders, movable, subtree, type FNode, type FTree, type Kind } from './fuzzTrees.ts';

// ---- a compact version of fuzz.test.ts's generator (that one is private to its file) ----


function add(t: FTree, g: Gen, prefix: string, kinds: readonly Kind[], time: number, parent = g.pick(folders(t))): FNode {
  const kind = g.pick(kinds);
  const node: FNode = {
    guid: g.guid(prefix), kind, parent: parent.guid, children: [], t: time,
    title: kind === 'separator' ? '' : g.pick(TITLES), url: kind === 'bookmark' ? g.pick(URLS) : null,
  };
  t.set(node.guid, node);
  parent.children.splice(g.int(parent.children.length + 1), 0, node.guid);
  parent.t = time;
  return node;
}

function detach(t: FTree, item: FNode, time: number): void {
  const parent = t.get(item.parent) as FNode;
  parent.children.splice(parent.children.indexOf(item.guid), 1);
  parent.t = time;
}

/**
 * Random edits; returns the GUIDs deleted. `frozen` items are never picked (this side cannot see
 * them); `hot` folders (those that hold unreadable items) are picked half the time.
 */
function mutate(t: FTree, g: Gen, prefix: string, count: number, kinds: readonly Kind[], frozen: ReadonlySet<string>, hot: ReadonlySet<string>): string[] {
  const deleted: string[] = [];
  const folderChoice = (list: FNode[]): FNode => {
    const warm = list.filter((f) => hot.has(f.guid));
    return warm.length > 0 && g.chance(0.5) ? g.pick(warm) : g.pick(list);
  };
  const itemChoice = (list: FNode[]): FNode => {
    // Often the folder that holds an unreadable item, or one of its neighbours there.
    const warm = list.filter((n) => hot.has(n.guid) || hot.has(n.parent));
    return warm.length > 0 && g.chance(0.6) ? g.pick(warm) : g.pick(list);
  };
  for (let i = 0; i < count; i++) {
    const time = 1 + g.int(99);
    const op = g.int(6);
    const items = movable(t, kinds).filter((n) => !frozen.has(n.guid));
    if (op === 0 || items.length === 0) {
      add(t, g, prefix, kinds, time, folderChoice(folders(t).filter((f) => !frozen.has(f.guid))));
    } else if (op === 1 || op === 5) {
      const victim = itemChoice(items);
      if (subtree(t, victim.guid).some((x) => frozen.has(x))) continue;
      detach(t, victim, time);
      for (const guid of subtree(t, victim.guid)) {
        t.delete(guid);
        deleted.push(guid);
      }
    } else if (op === 2) {
      const item = itemChoice(items);
      const inside = new Set(subtree(t, item.guid));
      const target = folderChoice(folders(t).filter((f) => !inside.has(f.guid) && !frozen.has(f.guid)));
      detach(t, item, time);
      target.children.splice(g.int(target.children.length + 1), 0, item.guid);
      item.parent = target.guid;
      target.t = item.t = time;
    } else if (op === 3) {
      const item = itemChoice(items);
      if (item.kind === 'bookmark' && g.int(3) === 0) {
        item.url = `https://z${g.int(3)}/`;
        item.t = time;
      } else if (item.kind !== 'separator') {
        item.title = g.pick(TITLES) + g.pick(TITLES);
        item.t = time;
      }
    } else {
      const folder = folderChoice(folders(t));
      for (let k = folder.children.length - 1; k > 0; k--) {
        const j = g.int(k + 1);
        [folder.children[k], folder.children[j]] = [folder.children[j] as string, folder.children[k] as string];
      }
      folder.t = time;
    }
  }
  return deleted;
}

function toLocal(t: FTree, canSeeSeparators: boolean): LocalItem[] {
  const out: LocalItem[] = [];
  for (const n of t.values()) {
    if (n.kind === 'separator' && !canSeeSeparators) continue;
    const siblings = (t.get(n.parent)?.children ?? []).filter((c) => t.has(c) && (canSeeSeparators || t.get(c)?.kind !== 'separator'));
    out.push({ guid: n.guid, parentGuid: n.parent || null, kind: n.kind, title: n.title, url: n.url, index: siblings.indexOf(n.guid), lastModified: n.t * 1000 });
  }
  return out;
}

function toRecords(t: FTree, deleted: readonly string[] = []): RecordEntry[] {
  const out: RecordEntry[] = [];
  for (const n of t.values()) {
    if (n.guid === ROOT_GUID) continue;
    const base = { id: guidToRecordId(n.guid), parentid: guidToRecordId(n.parent) };
    const record: BookmarkItem = n.kind === 'folder'
      ? { ...base, type: 'folder', title: n.title, children: n.children.map(guidToRecordId) }
      : n.kind === 'separator' ? { ...base, type: 'separator' } : { ...base, type: 'bookmark', title: n.title, bmkUri: n.url ?? '' };
    out.push({ record, modifiedS: n.t });
  }
  for (const guid of deleted) out.push({ record: { id: guid, deleted: true } });
  return out;
}

function withPrefix(t: FTree, prefix: string): FTree {
  const rename = (guid: string): string => (isRootGuid(guid) || guid === '' ? guid : prefix + guid.slice(prefix.length));
  return new Map([...t.values()].map((n) => [rename(n.guid), { ...n, guid: rename(n.guid), parent: rename(n.parent), children: n.children.map(rename) }]));
}

// ---- the engine's placeholders (BookmarksEngine.placeholders), modelled exactly ----

const childrenOf = (r: BookmarkRecord | undefined): string[] =>
  r && !isTombstone(r) && r.type === 'folder' ? (r as FolderRecord).children : [];

/** The engine's placeholders (unreadable.ts): not for what arrived readable, nor for what the mirror holds readable. */
function placeholdersFor(unreadable: ReadonlySet<string>, entries: readonly RecordEntry[], incoming: ReadonlySet<string>): RecordEntry[] {
  const mirrored = entries.map((e) => e.record.id).filter((id) => !incoming.has(id) && unreadable.has(id));
  return enginePlaceholders(unreadable, entries, new Set([...incoming, ...mirrored]));
}

// ---- one case ----

type Mode = 'settled' | 'firstSync' | 'moving' | 'became';

interface CaseData {
  result: MergeResult;
  input: MergeInput;
  placeholderIds: Set<string>;
  remoteEntries: RecordEntry[];
  /** The server as it really is, with the real unreadable records. */
  serverNow: RecordEntry[];
  unreadable: Set<string>;
  /** Placeholders whose folder the browser deleted (it, or a folder above it). */
  folderDeleted: number;
}

function buildCase(seed: number, mode: Mode): CaseData {
  const g = new Gen(seed);
  const canSeeSeparators = seed % 3 !== 0;
  const firstSync = mode === 'firstSync';
  const base = emptyTree();
  const size = 3 + g.int(16);
  for (let i = 0; i < size; i++) add(base, g, 'shared', ['bookmark', 'bookmark', 'folder', 'separator'], 0);
  const mirror = firstSync ? emptyTree() : base;
  const remote = firstSync ? withPrefix(base, 'remo') : clone(base);
  const local = firstSync ? withPrefix(base, 'locl') : clone(base);

  // Unreadable since an earlier sync (`old`), or rewritten unreadable now (`became`): mirror leaves.
  const earlier = new Set<string>();
  if (!firstSync) {
    const leaves = movable(mirror, ['bookmark', 'bookmark', 'separator']);
    for (let k = 1 + g.int(3); k > 0 && leaves.length > 0; k--) earlier.add(leaves.splice(g.int(leaves.length), 1)[0]!.guid);
  }
  if (mode !== 'became') {
    // The browser never had them.
    for (const guid of earlier) {
      detach(local, local.get(guid) as FNode, 0);
      local.delete(guid);
    }
  }
  if (!canSeeSeparators) {
    for (const n of [...local.values()]) if (n.kind === 'separator') local.delete(n.guid);
    for (const n of local.values()) n.children = n.children.filter((c) => local.has(c));
  }

  // Another device edits, and adds items we will not be able to read, mostly into folders we have.
  const frozen = mode === 'moving' || mode === 'became' ? new Set<string>() : earlier;
  const remoteDeleted = mutate(remote, g, 'remot', g.int(6), ['bookmark', 'bookmark', 'folder', 'separator'], frozen, new Set());
  for (let k = g.int(4); k > 0; k--) {
    const known = folders(remote).filter((f) => mirror.has(f.guid));
    const parent = mode === 'settled' || (known.length > 0 && g.chance(0.7)) ? g.pick(known.length > 0 ? known : folders(remote)) : g.pick(folders(remote));
    add(remote, g, 'unrd', ['bookmark', 'bookmark', 'separator', 'folder'], 1 + g.int(99), parent);
  }
  const unreadable = new Set<string>([...earlier].filter((guid) => remote.has(guid)));
  for (const n of remote.values()) {
    if (n.guid.startsWith('unrd') && n.children.length === 0) unreadable.add(n.guid);
    else if (firstSync && !isRootGuid(n.guid) && n.children.length === 0 && g.chance(0.25)) unreadable.add(n.guid);
  }

  // The mirror: the engine never stores a placeholder, so `old` items have no record there.
  const mirrorAll = firstSync ? [] : toRecords(mirror);
  const mirrorEntries = mode === 'became' ? mirrorAll : mirrorAll.filter((e) => !earlier.has(e.record.id));
  const mirrorById = new Map(mirrorAll.map((e) => [e.record.id, JSON.stringify(e)]));
  // The server now, and what this run downloads (what changed; unreadable records never arrive).
  const serverNow = toRecords(remote, remoteDeleted);
  const incomingEntries = serverNow
    .filter((e) => !unreadable.has(e.record.id) && mirrorById.get(e.record.id) !== JSON.stringify(e))
    .map((e) => ({ ...e, needsMerge: true }));
  const incomingIds = new Set(incomingEntries.map((e) => e.record.id));
  const placeholders = placeholdersFor(unreadable, [...mirrorEntries, ...incomingEntries], incomingIds);
  const placeholderIds = new Set(placeholders.map((p) => p.record.id));
  const remoteEntries = overlayRecords([...mirrorEntries, ...placeholders], incomingEntries);

  // The browser edits, mostly around the folders that hold unreadable items.
  const hot = new Set<string>();
  for (const e of [...mirrorEntries, ...remoteEntries]) if (childrenOf(e.record).some((c) => placeholderIds.has(c))) hot.add(recordIdToGuid(e.record.id));
  const localKinds: Kind[] = canSeeSeparators ? ['bookmark', 'bookmark', 'folder', 'separator'] : ['bookmark', 'bookmark', 'folder'];
  const localDeleted = new Set(mutate(local, g, 'local', g.int(7), localKinds, new Set(), hot));
  let folderDeleted = 0;
  for (const p of placeholderIds) {
    const lister = mirror.get([...mirror.values()].find((f) => f.children.includes(p))?.guid ?? '');
    if (lister && localDeleted.has(lister.guid)) folderDeleted++;
  }

  const input: MergeInput = {
    local: buildTreeFromLocal(toLocal(local, canSeeSeparators)),
    remote: buildTreeFromRecords(remoteEntries),
    mirror: buildTreeFromRecords(firstSync ? [] : [...mirrorEntries, ...placeholders]),
    localTimeMs: 100_000,
    remoteTimeS: 100,
    unsupportedKinds: canSeeSeparators ? [] : ['separator'],
    unsupportedGuids: [...placeholderIds],
  };
  return { result: mergeTrees(input), input, placeholderIds, remoteEntries, serverNow, unreadable, folderDeleted };
}

/** Folders on the server that list a missing record (or a tombstone), and records listed twice. */
function serverListingProblems(records: readonly RecordEntry[]): string[] {
  const live = new Map(records.filter((e) => !isTombstone(e.record)).map((e) => [e.record.id, e.record]));
  const problems: string[] = [];
  const listed = new Map<string, string>();
  for (const [id, r] of live) {
    for (const child of childrenOf(r)) {
      if (!live.has(child)) problems.push(`${id} lists missing ${child}`);
      const other = listed.get(child);
      if (other !== undefined) problems.push(`${child} listed by ${other} and ${id}`);
      listed.set(child, id);
    }
  }
  return problems;
}

function listerOf(records: readonly RecordEntry[], id: string): string | null {
  return records.find((e) => childrenOf(e.record).includes(id))?.record.id ?? null;
}

/** What went wrong in one case, by kind (empty when nothing did). */
interface Findings {
  /** Safety: a folder on the server lists a missing record or one twice; a second sync that is not quiet. */
  safety: string[];
  /** Local operations that name a placeholder. */
  opsOnPlaceholders: string[];
  /** Placeholders the merge moved: a folder dropped one its server version listed, or lists one it did not. */
  moved: string[];
  /** Placeholders in a different order within a folder the browser did not reorder, and whose children changed on one side only. */
  reordered: string[];
  /** Placeholder records (not tombstones) in the merge's uploads. */
  placeholderRecords: string[];
  /** Placeholder tombstones without their folder's tombstone. */
  strayTombstones: string[];
  placeholderTombstones: number;
  placeholders: number;
  folderDeleted: number;
  localOps: number;
}

function runCase(seed: number, mode: Mode): Findings {
  const c = buildCase(seed, mode);
  const { result, input, placeholderIds, remoteEntries } = c;
  const f: Findings = {
    safety: [], opsOnPlaceholders: [], moved: [], reordered: [], placeholderRecords: [], strayTombstones: [],
    placeholderTombstones: 0, placeholders: placeholderIds.size, folderDeleted: c.folderDeleted, localOps: result.localOps.length,
  };
  expect(mergeTrees(input), 'deterministic').toEqual(result);

  // No local operation names a placeholder (the browser holds none, in every mode but `became`).
  for (const op of result.localOps) {
    const named = op.type === 'changeGuid' ? [op.from, op.to] : op.type === 'create' || op.type === 'move' ? [op.guid, op.parentGuid] : [op.guid];
    if (named.some((x) => placeholderIds.has(x))) f.opsOnPlaceholders.push(JSON.stringify(op));
  }

  // Uploads and placeholders.
  const remoteById = new Map(remoteEntries.map((e) => [e.record.id, e.record]));
  const tombstones = new Set(result.uploads.filter((r) => isTombstone(r)).map((r) => r.id));
  const localSide = new SideView(augmentLocal(input.local, input.mirror, {
    unsupportedKinds: new Set([...(input.unsupportedKinds ?? []), 'livemark' as const]), unsupportedRoots: new Set(), unsupportedGuids: placeholderIds,
  }), input.mirror, input.localTimeMs, false);
  const remoteSide = new SideView(input.remote, input.mirror, input.remoteTimeS * 1000, true);
  for (const r of result.uploads) {
    if (placeholderIds.has(r.id)) {
      if (!isTombstone(r)) f.placeholderRecords.push(r.id);
      else {
        f.placeholderTombstones++;
        const lister = listerOf(remoteEntries, r.id);
        if (lister === null || !tombstones.has(lister)) f.strayTombstones.push(r.id);
      }
    }
    if (isTombstone(r) || r.type !== 'folder') continue;
    const want = childrenOf(remoteById.get(r.id)).filter((x) => placeholderIds.has(x));
    const got = (r as FolderRecord).children.filter((x) => placeholderIds.has(x));
    const sameSet = want.length === got.length && want.every((x) => got.includes(x));
    if (!sameSet) f.moved.push(`${r.id} lists placeholders ${JSON.stringify(got)}, its server version ${JSON.stringify(want)}`);
    else if (want.some((x, i) => got[i] !== x)) {
      const guid = recordIdToGuid(r.id);
      // The browser reordered the folder: each placeholder follows the sibling that preceded it
      // (the rule for everything the browser cannot show), so placeholders may change order among
      // themselves. Both sides changed the children: the merge's order rule decides.
      const excused = localSide.reordered(guid) || (localSide.childrenChanged(guid) && remoteSide.childrenChanged(guid));
      if (!excused) f.reordered.push(`${r.id} lists placeholders ${JSON.stringify(got)}, its server version ${JSON.stringify(want)}`);
    }
  }

  // The server after the engine's upload: placeholders are never sent, the real records stay.
  const sent = result.uploads.filter((r) => !placeholderIds.has(r.id));
  const serverAfter = overlayRecords(c.serverNow, sent.map((record) => ({ record })));
  f.safety.push(...serverListingProblems(serverAfter));
  for (const u of c.unreadable) {
    const before = listerOf(c.serverNow, u);
    const after = listerOf(serverAfter, u);
    if (after !== before && !(after === null && before !== null && tombstones.has(before))) {
      f.moved.push(`${u} was listed by ${before}, now by ${after}`);
    }
  }

  // The local operations rebuild the merged tree as far as this browser can show it; the uploads
  // rebuild it on the server as the merge saw the server.
  const rep = { unsupportedKinds: new Set([...(input.unsupportedKinds ?? []), 'livemark' as const]), unsupportedRoots: new Set<string>(), unsupportedGuids: placeholderIds };
  const applied = applyLocalOps(input.local, result.localOps);
  expect(render(applied), 'local ops rebuild the merged tree').toBe(render(result.merged, { keep: (g) => isRepresentable(result.merged, g, rep) }));
  const asSeen = buildTreeFromRecords(overlayRecords(remoteEntries, result.uploads.map((record) => ({ record }))));
  expect(render(asSeen), 'uploads rebuild the merged tree').toBe(render(result.merged));

  // A second sync right after, as the engine runs it: the mirror is the server without placeholders
  // (finish() never stores one), the unreadable set is unchanged, nothing new is downloaded.
  const nextMirror: RecordEntry[] = result.serverRecords
    .filter((r) => !isTombstone(r) && !placeholderIds.has(r.id))
    .map((record) => ({ record, modifiedS: 101 }));
  const nextPlaceholders = placeholdersFor(c.unreadable, nextMirror, new Set());
  const nextTree = buildTreeFromRecords([...nextMirror, ...nextPlaceholders]);
  const next = mergeTrees({
    ...input, local: applied, remote: nextTree, mirror: nextTree, localTimeMs: 101_000, remoteTimeS: 101,
    unsupportedGuids: nextPlaceholders.map((p) => p.record.id),
  });
  if (next.localOps.length > 0) f.safety.push(`second sync: local ops ${JSON.stringify(next.localOps)}`);
  if (next.uploads.length > 0) f.safety.push(`second sync: uploads ${next.uploads.map((r) => r.id).join(' ')}`);
  return f;
}

/** The case in tree-literal form, for failure messages. */
function describeCase(seed: number, mode: Mode): string {
  const c = buildCase(seed, mode);
  return [
    `placeholders: ${[...c.placeholderIds].join(' ')}`,
    `mirror:\n${render(c.input.mirror)}`, `local:\n${render(c.input.local)}`, `remote:\n${render(c.input.remote)}`,
    `merged:\n${render(c.result.merged)}`, `uploads: ${JSON.stringify(c.result.uploads)}`, `local ops: ${JSON.stringify(c.result.localOps)}`,
  ].join('\n');
}

function runSeeds(from: number, to: number, mode: Mode, strict: boolean): Findings[] {
  const all: Findings[] = [];
  for (let seed = from; seed <= to; seed++) {
    let f: Findings;
    try {
      f = runCase(seed, mode);
    } catch (err) {
      throw new Error(`seed ${seed} (${mode}): ${(err as Error).message}`);
    }
    // In `became` the browser holds the item: see "known problems" for what the merge does with it.
    const ops = mode === 'became' ? [] : f.opsOnPlaceholders.map((op) => `local op on a placeholder: ${op}`);
    const problems = strict ? [...f.safety, ...ops, ...f.moved, ...f.reordered, ...f.placeholderRecords.map((id) => `placeholder record ${id} uploaded`), ...f.strayTombstones.map((id) => `placeholder tombstone ${id} without its folder's`)] : [...f.safety, ...ops];
    if (problems.length > 0) expect(problems, `seed ${seed} (${mode})\n${describeCase(seed, mode)}`).toEqual([]);
    all.push(f);
  }
  return all;
}

const total = (all: Findings[], key: 'placeholders' | 'folderDeleted' | 'placeholderTombstones' | 'localOps'): number => all.reduce((n, f) => n + f[key], 0);

describe('bookmark merge: seeded random edits around records this client cannot read', () => {
  it('holds every invariant for 600 syncs where unreadable records stay put and new ones arrive in known folders', () => {
    const all = runSeeds(1, 600, 'settled', true);
    // The generator does reach the interesting cases.
    expect(total(all, 'placeholders')).toBeGreaterThan(1000);
    expect(total(all, 'folderDeleted')).toBeGreaterThan(20);
    expect(total(all, 'placeholderTombstones')).toBeGreaterThan(20);
  });

  it('holds every invariant for 300 first syncs', () => {
    const all = runSeeds(3001, 3300, 'firstSync', true);
    expect(total(all, 'placeholders')).toBeGreaterThan(500);
  });

  it('keeps the server consistent for 400 syncs where other devices also move, rewrite and delete unreadable records', () => {
    const all = runSeeds(4001, 4400, 'moving', false);
    expect(total(all, 'placeholders')).toBeGreaterThan(500);
  });

  it('keeps the server consistent for 300 syncs where a record the browser holds became unreadable', () => {
    const all = runSeeds(5001, 5300, 'became', false);
    // Records readable before keep their mirror version (no placeholder): fewer placeholders here.
    expect(total(all, 'placeholders')).toBeGreaterThan(300);
  });
});

// ---- smallest cases: what the fuzzers found ----

/** A merge as BookmarksEngine.apply runs it, from literals; `unreadable` ids have no record anywhere the engine can read. */
function engineMerge(opts: {
  mirror: string; incoming: BookmarkRecord[]; unreadable: string[]; local: string;
  /** The mirror still holds the unreadable records as they were readable (`became`); else it holds none (`old`). */
  mirrorKeepsUnreadable?: boolean;
}): { result: MergeResult; placeholderIds: Set<string> } {
  const mirrorEntries = recordEntries(opts.mirror).filter((e) => opts.mirrorKeepsUnreadable === true || !opts.unreadable.includes(e.record.id));
  const incoming = opts.incoming.map((record) => ({ record, modifiedS: 50, needsMerge: true }));
  const placeholders = placeholdersFor(new Set(opts.unreadable), [...mirrorEntries, ...incoming], new Set(opts.incoming.map((r) => r.id)));
  const result = mergeTrees({
    local: localTree(opts.local),
    remote: buildTreeFromRecords(overlayRecords([...mirrorEntries, ...placeholders], incoming)),
    mirror: buildTreeFromRecords([...mirrorEntries, ...placeholders]),
    localTimeMs: 100_000,
    remoteTimeS: 100,
    unsupportedGuids: placeholders.map((p) => p.record.id),
  });
  return { result, placeholderIds: new Set(placeholders.map((p) => p.record.id)) };
}

const folderUploads = (result: MergeResult): Record<string, string[]> =>
  Object.fromEntries(result.uploads.filter((r) => !isTombstone(r) && r.type === 'folder').map((r) => [r.id, (r as FolderRecord).children]));

describe('bookmark merge: records this client cannot read, smallest cases', () => {
  it('a folder deleted here takes its unreadable child along in the merge; the engine never sends that tombstone, so the record stays on the server, unlisted and unchanged', () => {
    const { result, placeholderIds } = engineMerge({
      mirror: 'toolbar_____/\n  folderFFFFFF/\n    bookmarkAAAA\n    unreadable11',
      incoming: [],
      unreadable: ['unreadable11'],
      local: 'toolbar_____/ @90',
    });
    // The merge also emits `-unreadable11` (today), which the engine drops with every placeholder.
    const sent = result.uploads.filter((r) => !placeholderIds.has(r.id));
    expect(sent.map((r) => (isTombstone(r) ? `-${r.id}` : r.id))).toEqual(['toolbar', '-bookmarkAAAA', '-folderFFFFFF']);
    expect(result.uploads.filter((r) => placeholderIds.has(r.id) && !isTombstone(r))).toEqual([]);
    expect(result.localOps).toEqual([]);
    // What the engine sends, over the real server (which holds the real unreadable record).
    const real: BookmarkRecord = { id: 'unreadable11', type: 'bookmark', parentid: 'folderFFFFFF', title: 'Theirs', bmkUri: 'https://theirs.example/' };
    const server = overlayRecords([...recordEntries('toolbar_____/\n  folderFFFFFF/\n    bookmarkAAAA\n    unreadable11').filter((e) => e.record.id !== 'unreadable11'), { record: real }],
      sent.map((record) => ({ record })));
    expect(serverListingProblems(server)).toEqual([]);
    expect(server.find((e) => e.record.id === 'unreadable11')?.record).toEqual(real);
    expect(listerOf(server, 'unreadable11')).toBeNull();
  });

  // KNOWN PROBLEM (reported): where an item the browser cannot hold lives is decided like any move
  // conflict, by which side changed its folder last. The browser never moved it, yet when the
  // browser changed the folder the mirror puts it in more recently than the other device wrote,
  // the merge keeps it there: the other device's folder is uploaded without it and the old one
  // lists it (its real record still names the other folder). For a new unreadable record in a new
  // folder, the mirror puts the placeholder in unfiled (its folder is not in the mirror), so any
  // recent change in unfiled ("Other bookmarks" in Chromium) pulls it out of its folder.
  it('an unreadable record in a new folder stays in that folder when the browser changed unfiled more recently', () => {
    const { result } = engineMerge({
      mirror: 'toolbar_____/\n  bookmarkAAAA\nunfiled_____/\n  bookmarkBBBB',
      incoming: [
        { id: 'toolbar', type: 'folder', parentid: 'places', title: 'toolbar', children: ['bookmarkAAAA', 'folderNEW111'] },
        { id: 'folderNEW111', type: 'folder', parentid: 'toolbar', title: 'New', children: ['unreadable11'] },
      ],
      unreadable: ['unreadable11'],
      local: 'toolbar_____/\n  bookmarkAAAA\nunfiled_____/ @90\n  bookmarkBBBB\n  bookmarkCCCC @90',
    });
    // Today: folderNEW111 goes up with children [] and unfiled with [bookmarkBBBB, bookmarkCCCC, unreadable11].
    expect(result.merged.nodes.get('unreadable11')?.parentGuid).toBe('folderNEW111');
    expect(folderUploads(result)['folderNEW111']).toBeUndefined();
    expect(folderUploads(result)['unfiled']).toEqual(['bookmarkBBBB', 'bookmarkCCCC']);
  });

  it('an unreadable record another device moved stays where it moved it when the browser changed the old folder more recently', () => {
    const { result } = engineMerge({
      mirror: 'toolbar_____/\n  folderFFFFFF/\nunfiled_____/\n  bookmarkBBBB\n  unreadable11',
      incoming: [
        { id: 'unfiled', type: 'folder', parentid: 'places', title: 'unfiled', children: ['bookmarkBBBB'] },
        { id: 'folderFFFFFF', type: 'folder', parentid: 'toolbar', title: 'folderFFFFFF', children: ['unreadable11'] },
      ],
      unreadable: ['unreadable11'],
      local: 'toolbar_____/\n  folderFFFFFF/\nunfiled_____/ @90\n  bookmarkBBBB\n  bookmarkCCCC @90',
    });
    // Today: unreadable11 is put back in unfiled, and folderFFFFFF goes up with children [].
    expect(result.merged.nodes.get('unreadable11')?.parentGuid).toBe('folderFFFFFF');
    expect(folderUploads(result)['folderFFFFFF']).toBeUndefined();
  });

  // A bookmark this browser holds whose server record another device rewrote unreadable keeps its
  // last readable version (the mirror's) instead of a placeholder: nothing is deleted here, and the
  // engine never uploads it while it is unreadable.
  it('a bookmark the browser holds is kept there when its server record becomes unreadable', () => {
    const { result } = engineMerge({
      mirror: 'toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB',
      mirrorKeepsUnreadable: true,
      incoming: [],
      unreadable: ['bookmarkAAAA'],
      local: 'toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB',
    });
    expect(result.localOps).toEqual([]);
  });
});
