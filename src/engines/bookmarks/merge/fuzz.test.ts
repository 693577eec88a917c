// Seeded random edits on both sides of a shared tree (floccus found its duplicate bugs this way).
// For every case: the merge is deterministic, local operations apply cleanly and rebuild the
// merged tree, the uploads rebuild it on the server consistently, no bookmark that either side
// added, edited or moved (or that the server side wrote again, when downloads are flagged) is
// lost, a title or URL changed on one side only ends with that side's value everywhere, and a
// second sync right after changes nothing.

import { describe, expect, it } from 'vitest';
import { ROOT_GUID, USER_ROOT_GUIDS, guidToRecordId, isRootGuid } from '../record.ts';
import type { BookmarkItem, BookmarkRecord } from '../record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords } from '../tree.ts';
import type { BookmarkTree, LocalItem, RecordEntry } from '../tree.ts';
import { isRepresentable, mergeTrees } from './index.ts';
import type { MergeInput, MergeStats } from './index.ts';
import { applyLocalOps, render } from './testTrees.ts';
import { Gen, TITLES, URLS, clone, emptyTree, folders, movable, subtree, type FNode, type FTree, type Kind } from './fuzzTrees.ts';


function add(t: FTree, g: Gen, prefix: string, kinds: readonly Kind[], time: number): void {
  const parent = g.pick(folders(t));
  const kind = g.pick(kinds);
  const node: FNode = {
    guid: g.guid(prefix), kind, parent: parent.guid, children: [], t: time,
    title: kind === 'separator' ? '' : g.pick(TITLES), url: kind === 'bookmark' ? g.pick(URLS) : null,
  };
  t.set(node.guid, node);
  parent.children.splice(g.int(parent.children.length + 1), 0, node.guid);
  parent.t = time;
}

/** Random edits; returns the GUIDs deleted. Separators are left alone when `canSeeSeparators` is false. */
function mutate(t: FTree, g: Gen, prefix: string, count: number, canSeeSeparators: boolean): string[] {
  const kinds: Kind[] = canSeeSeparators ? ['bookmark', 'bookmark', 'folder', 'separator'] : ['bookmark', 'bookmark', 'folder'];
  const deleted: string[] = [];
  for (let i = 0; i < count; i++) {
    const time = 1 + g.int(99);
    const op = g.int(5);
    const items = movable(t, kinds);
    if (op === 0 || items.length === 0) {
      add(t, g, prefix, kinds, time);
    } else if (op === 1) {
      const victim = g.pick(items);
      const parent = t.get(victim.parent) as FNode;
      parent.children.splice(parent.children.indexOf(victim.guid), 1);
      parent.t = time;
      for (const guid of subtree(t, victim.guid)) {
        t.delete(guid);
        deleted.push(guid);
      }
    } else if (op === 2) {
      const item = g.pick(items);
      const inside = new Set(subtree(t, item.guid));
      const target = g.pick(folders(t).filter((f) => !inside.has(f.guid)));
      const from = t.get(item.parent) as FNode;
      from.children.splice(from.children.indexOf(item.guid), 1);
      target.children.splice(g.int(target.children.length + 1), 0, item.guid);
      item.parent = target.guid;
      from.t = target.t = item.t = time;
    } else if (op === 3) {
      const item = g.pick(items);
      if (item.kind === 'bookmark' && g.int(3) === 0) {
        item.url = `https://z${g.int(3)}/`;
        item.t = time;
      } else if (item.kind !== 'separator') {
        item.title = g.pick(TITLES) + g.pick(TITLES);
        item.t = time;
      }
    } else {
      const folder = g.pick(folders(t));
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
    const siblings = (t.get(n.parent)?.children ?? []).filter((c) => canSeeSeparators || t.get(c)?.kind !== 'separator');
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

/** Bookmarks one side added, edited or moved since the mirror. */
function touchedBookmarks(side: FTree, mirror: FTree): string[] {
  return [...side.values()].filter((n) => {
    if (n.kind !== 'bookmark') return false;
    const m = mirror.get(n.guid);
    return !m || m.title !== n.title || m.url !== n.url || m.parent !== n.parent;
  }).map((n) => n.guid);
}

/**
 * Field by field against the common ancestor: a title or URL that only one side changed since the
 * mirror ends with that side's value, in the merged tree, in the browser and on the server.
 */
function expectOneSidedFieldsKept(mirror: FTree, local: FTree, remote: FTree, trees: Record<string, BookmarkTree>): void {
  for (const m of mirror.values()) {
    if (isRootGuid(m.guid) || m.kind === 'separator') continue;
    const l = local.get(m.guid);
    const r = remote.get(m.guid);
    if (!l || !r) continue;
    for (const field of ['title', 'url'] as const) {
      const lc = l[field] !== m[field];
      const rc = r[field] !== m[field];
      if (lc === rc) continue;
      const want = lc ? l[field] : r[field];
      for (const [name, tree] of Object.entries(trees)) {
        expect(tree.nodes.get(m.guid)?.[field], `${m.guid} ${field} changed on the ${lc ? 'local' : 'remote'} side only (${name})`).toBe(want);
      }
    }
  }
}

/** The same tree under other GUIDs, as two browsers that never synced would hold it. */
function withPrefix(t: FTree, prefix: string): FTree {
  const rename = (guid: string): string => (isRootGuid(guid) || guid === '' ? guid : prefix + guid.slice(prefix.length));
  return new Map([...t.values()].map((n) => [rename(n.guid), { ...n, guid: rename(n.guid), parent: rename(n.parent), children: n.children.map(rename) }]));
}

function runCase(seed: number, canSeeSeparators: boolean, firstSync = false): { identical: boolean; stats: MergeStats; uploads: number } {
  const g = new Gen(seed);
  const mirror = emptyTree();
  const size = 3 + g.int(20);
  for (let i = 0; i < size; i++) add(mirror, g, 'shared', ['bookmark', 'bookmark', 'folder', 'separator'], 0);
  const local = firstSync ? withPrefix(mirror, 'locl') : clone(mirror);
  const remote = firstSync ? withPrefix(mirror, 'remo') : clone(mirror);
  if (!canSeeSeparators) for (const n of local.values()) if (n.kind === 'separator') local.delete(n.guid);
  for (const n of local.values()) n.children = n.children.filter((c) => local.has(c));
  const localEdits = g.int(firstSync ? 3 : 7);
  const remoteEdits = g.int(firstSync ? 3 : 7);
  mutate(local, g, 'local', localEdits, canSeeSeparators);
  const remoteDeleted = mutate(remote, g, 'remot', remoteEdits, true);
  // Another device may write a record again as it was (a move its merge undid, a repair).
  for (let i = g.int(3); i > 0; i--) {
    const bookmarks = movable(remote, ['bookmark']);
    if (bookmarks.length > 0) g.pick(bookmarks).t = 1 + g.int(99);
  }

  const localTree = buildTreeFromLocal(toLocal(local, canSeeSeparators));
  // Half the cases flag what was downloaded, as the engine does: a flagged record is a remote
  // change against a local deletion even when it reads as before (and only there).
  const flagged = seed % 2 === 0;
  const remoteEntries = toRecords(remote, remoteDeleted).map((e) => (flagged && (e.modifiedS ?? 0) > 0 ? { ...e, needsMerge: true } : e));
  const base = firstSync ? emptyTree() : mirror;
  const input: MergeInput = {
    local: localTree,
    remote: buildTreeFromRecords(remoteEntries),
    mirror: buildTreeFromRecords(firstSync ? [] : toRecords(mirror)),
    localTimeMs: 100_000,
    remoteTimeS: 100,
    unsupportedKinds: canSeeSeparators ? [] : ['separator'],
  };
  const result = mergeTrees(input);
  expect(mergeTrees(input), 'deterministic').toEqual(result);

  const rep = { unsupportedKinds: new Set(input.unsupportedKinds), unsupportedRoots: new Set<string>(), unsupportedGuids: new Set<string>() };
  rep.unsupportedKinds.add('livemark');
  const applied = applyLocalOps(localTree, result.localOps);
  expect(render(applied)).toBe(render(result.merged, { keep: (guid) => isRepresentable(result.merged, guid, rep) }));
  const server = buildTreeFromRecords(overlayRecords(remoteEntries, result.uploads.map((record: BookmarkRecord) => ({ record }))));
  expect(render(server)).toBe(render(result.merged));
  expect(server.problems).toEqual([]);

  const renamed = new Map(result.localOps.flatMap((op) => (op.type === 'changeGuid' ? [[op.from, op.to] as const] : [])));
  for (const guid of [...touchedBookmarks(local, base), ...touchedBookmarks(remote, base)]) {
    expect(result.merged.nodes.has(renamed.get(guid) ?? guid), `bookmark ${guid} survives`).toBe(true);
  }
  if (flagged) {
    // Downloaded means written there since the mirror: a bookmark the other device wrote again
    // (moved and moved back, say) survives a deletion here, whatever its record reads.
    for (const n of remote.values()) {
      if (n.kind === 'bookmark' && n.t > 0) expect(result.merged.nodes.has(n.guid), `downloaded bookmark ${n.guid} survives`).toBe(true);
    }
  }
  if (!firstSync) expectOneSidedFieldsKept(mirror, local, remote, { merged: result.merged, browser: applied, server });

  const next = mergeTrees({
    ...input,
    local: applied as BookmarkTree,
    remote: server,
    mirror: buildTreeFromRecords(result.serverRecords.map((record) => ({ record }))),
  });
  expect(next.localOps, 'second sync: nothing to do locally').toEqual([]);
  expect(next.uploads, 'second sync: nothing to upload').toEqual([]);
  if (firstSync) {
    // The first-sync choices: each side alone, with the same guarantees.
    const remoteOnly = mergeTrees({ ...input, strategy: 'takeRemote' });
    expect(render(applyLocalOps(localTree, remoteOnly.localOps)))
      .toBe(render(input.remote, { keep: (guid) => isRepresentable(input.remote, guid, rep) }));
    expect(remoteOnly.uploads.filter((r) => r.deleted !== true).map((r) => r.id).sort(), 'take remote: only repairs go up')
      .toEqual(USER_ROOT_GUIDS.filter((r) => !input.remote.nodes.get(r)?.record).map(guidToRecordId).sort());
    const localOnly = mergeTrees({ ...input, strategy: 'keepLocal' });
    expect(localOnly.localOps).toEqual([]);
    const kept = buildTreeFromRecords(overlayRecords(remoteEntries, localOnly.uploads.map((record) => ({ record }))));
    expect(render(kept, { keep: (guid) => isRepresentable(kept, guid, rep) })).toBe(render(localTree));
    expect(kept.problems).toEqual([]);
  }
  return { identical: localEdits === 0 && remoteEdits === 0, stats: result.stats, uploads: result.uploads.length };
}

describe('bookmark merge: seeded random edits on both sides', () => {
  it('holds every invariant for 300 cases with separators visible', () => {
    for (let seed = 1; seed <= 300; seed++) {
      try {
        runCase(seed, true);
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`);
      }
    }
  });

  it('holds every invariant for 200 first syncs of similar trees under different GUIDs', () => {
    let dupes = 0;
    let identical = 0;
    for (let seed = 2001; seed <= 2200; seed++) {
      try {
        const r = runCase(seed, seed % 2 === 0, true);
        dupes += r.stats.dupes;
        if (r.identical) {
          identical++;
          expect(r.stats.created + r.stats.deletionsLocal + r.stats.deletionsRemote + r.uploads, 'identical trees: no changes').toBe(0);
        }
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`);
      }
    }
    expect(identical).toBeGreaterThan(10);
    expect(dupes).toBeGreaterThan(1000);
  });

  it('holds every invariant for 300 cases in a browser without separators', () => {
    for (let seed = 1001; seed <= 1300; seed++) {
      try {
        runCase(seed, false);
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`);
      }
    }
  });
});
