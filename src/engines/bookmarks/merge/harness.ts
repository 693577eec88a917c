// Test harness for the merge catalogue (imported by *.test.ts only). Every case also checks the
// two promises of a merge result: applying the local operations to the local tree yields the
// merged tree (as far as this browser can show it), and applying the uploads to the server yields
// the merged tree, consistently (every parent's children agree with every child's parentid).

import { expect } from 'vitest';
import { guidToRecordId, isTombstone, recordIdToGuid } from '../record.ts';
import type { BookmarkKind, BookmarkRecord } from '../record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords, walkTree } from '../tree.ts';
import type { BookmarkTree, LocalItem, RecordEntry } from '../tree.ts';
import { mergeTrees, isRepresentable } from './index.ts';
import type { LocalOp, MergeResult } from './index.ts';
import { applyLocalOps, dedent, localTree, recordEntries, render, serverTree } from './testTrees.ts';

export const NOW_S = 100;

export interface MergeCase {
  mirror?: string;
  local: string;
  remote: string;
  localDeleted?: string[];
  remoteDeleted?: string[];
  unsupportedKinds?: BookmarkKind[];
  unsupportedRoots?: string[];
  /** Extra records or fields on the server, replacing the literal's record with the same id. */
  remoteRecords?: BookmarkRecord[];
  mirrorRecords?: BookmarkRecord[];
  /** GUIDs whose server record arrived in this download (the engine flags them `needsMerge`). */
  incoming?: string[];
  strategy?: 'merge' | 'takeRemote' | 'keepLocal';
}

export function runMerge(c: MergeCase): MergeResult {
  // An extra record replaces the literal's record but keeps its modified time.
  const withExtra = (text: string, deleted: string[], extra: BookmarkRecord[] = []) => {
    const entries = recordEntries(text, deleted);
    const times = new Map(entries.map((e) => [e.record.id, e.modifiedS]));
    return overlayRecords(entries, extra.map((record) => ({ record, modifiedS: times.get(record.id) })));
  };
  const incoming = new Set((c.incoming ?? []).map(guidToRecordId));
  const remoteEntries = withExtra(c.remote, c.remoteDeleted ?? [], c.remoteRecords)
    .map((e) => (incoming.has(e.record.id) ? { ...e, needsMerge: true } : e));
  // No mirror at all means a first sync: not even the roots are known.
  const mirrorEntries = c.mirror === undefined ? [] : withExtra(c.mirror, [], c.mirrorRecords);
  const local = localTree(c.local, c.localDeleted);
  const input = {
    local,
    remote: buildTreeFromRecords(remoteEntries),
    mirror: buildTreeFromRecords(mirrorEntries),
    localTimeMs: NOW_S * 1000,
    remoteTimeS: NOW_S,
    unsupportedKinds: c.unsupportedKinds ?? [],
    unsupportedRoots: c.unsupportedRoots ?? [],
    strategy: c.strategy ?? 'merge',
  };
  const result = mergeTrees(input);

  const rep = {
    unsupportedKinds: new Set<BookmarkKind>([...input.unsupportedKinds, 'livemark']),
    unsupportedRoots: new Set(input.unsupportedRoots),
    unsupportedGuids: new Set<string>(),
  };
  const applied = applyLocalOps(local, result.localOps);
  // A browser may show a query as a plain bookmark, and normalizes URLs; that is the same item.
  const asBrowser = { queriesAsBookmarks: true, normalizeUrls: true };
  expect(render(applied, asBrowser), 'local ops rebuild the merged tree').toBe(
    render(result.merged, { ...asBrowser, keep: (g) => isRepresentable(result.merged, g, rep) }),
  );
  const after = buildTreeFromRecords(overlayRecords(remoteEntries, result.uploads.map((record) => ({ record }))));
  expect(render(after), 'uploads rebuild the merged tree on the server').toBe(render(result.merged));
  expect(after.problems, 'server tree is consistent after upload').toEqual([]);
  expect(result.uploads.some((r) => r.id === 'places'), 'places is never uploaded').toBe(false);
  return result;
}

export function expectTree(result: MergeResult, expected: string): void {
  expect(render(result.merged)).toBe(dedent(expected));
}

/** Upload ids, records first then tombstones marked with a leading minus. */
export function uploadIds(result: MergeResult): string[] {
  return result.uploads.map((r) => (r.deleted === true ? `-${r.id}` : r.id));
}

/**
 * A Sync server and the devices syncing with it, for scenarios that take several syncs. One clock
 * for all (seconds; every edit and every sync is one tick later). Every device merges with
 * `mergeTrees`, downloads what changed since its last sync (flagged `needsMerge`, as the engine
 * does), uploads, and keeps the server's records as its mirror, as the engine does. A `firefox`
 * device also uploads every item its person touched since its last sync even when the merge left
 * it as the server has it (Firefox's change counter does that).
 */
export class SyncServer {
  readonly records = new Map<string, RecordEntry>();
  time: number;

  constructor(initial: string, atS = 10) {
    this.time = atS;
    for (const e of recordEntries(initial)) this.records.set(e.record.id, { ...e, modifiedS: atS });
  }

  tick(): number {
    return ++this.time;
  }

  tree(): BookmarkTree {
    return buildTreeFromRecords([...this.records.values()]);
  }

  /** A device that has synced everything the server holds now. */
  device(opts: { firefox?: boolean } = {}): Device {
    return new Device(this, opts.firefox ?? false);
  }
}

export class Device {
  tree: BookmarkTree;
  private mirror: RecordEntry[];
  private lastSync: number;
  private readonly touched = new Set<string>();

  constructor(private readonly server: SyncServer, private readonly firefox: boolean) {
    this.mirror = [...server.records.values()].filter((e) => !isTombstone(e.record));
    this.lastSync = server.time;
    const synced = buildTreeFromRecords(this.mirror);
    const items: LocalItem[] = [...walkTree(synced)].map((n) => ({
      guid: n.guid, parentGuid: n.parentGuid, kind: n.kind, title: n.title, url: n.url,
      index: n.parentGuid === null ? 0 : (synced.nodes.get(n.parentGuid)?.children ?? []).indexOf(n.guid),
      lastModified: n.modifiedMs,
    }));
    this.tree = buildTreeFromLocal(items);
  }

  rename(guid: string, title: string): void {
    const node = this.tree.nodes.get(guid);
    if (!node) throw new Error(`no local item ${guid}`);
    this.edit([{ type: 'update', guid, title, url: node.url }], [guid]);
  }

  move(guid: string, parentGuid: string, index: number): void {
    const from = this.tree.nodes.get(guid)?.parentGuid ?? '';
    this.edit([{ type: 'move', guid, parentGuid, index }], [guid, from, parentGuid]);
  }

  /** Deletes the item and everything inside it. */
  remove(guid: string): void {
    const doomed = [...walkTree(this.tree, guid)].reverse();
    const parent = this.tree.nodes.get(guid)?.parentGuid ?? '';
    this.edit(doomed.map((n) => ({ type: 'delete', guid: n.guid, kind: n.kind })), [parent, ...doomed.map((n) => n.guid)]);
  }

  private edit(ops: LocalOp[], touched: string[]): void {
    const nowMs = this.server.tick() * 1000;
    const applied = applyLocalOps(this.tree, ops);
    const nodes = new Map(applied.nodes);
    for (const guid of touched) {
      const node = nodes.get(guid);
      if (node) nodes.set(guid, { ...node, modifiedMs: nowMs, needsMerge: true });
      this.touched.add(guid);
    }
    this.tree = { ...applied, nodes };
  }

  /**
   * One sync. `saveLastSync: false` stops the run after the mirror was written and before the
   * last-sync time was saved (the engine's `finish` ran, the association was not saved).
   */
  sync(opts: { saveLastSync?: boolean } = {}): MergeResult {
    const now = this.server.tick();
    const incoming = [...this.server.records.values()]
      .filter((e) => (e.modifiedS ?? 0) > this.lastSync)
      .map((e) => ({ ...e, needsMerge: true }));
    const remoteEntries = overlayRecords(this.mirror, incoming);
    const result = mergeTrees({
      local: this.tree,
      remote: buildTreeFromRecords(remoteEntries),
      mirror: buildTreeFromRecords(this.mirror),
      localTimeMs: now * 1000,
      remoteTimeS: now,
    });
    const uploads = [...result.uploads];
    const uploading = new Set(uploads.map((r) => r.id));
    if (this.firefox) {
      for (const r of result.serverRecords) if (this.touched.has(recordIdToGuid(r.id)) && !uploading.has(r.id)) uploads.push(r);
    }
    for (const record of uploads) this.server.records.set(record.id, { record, modifiedS: now });
    const uploaded = new Set(uploads.map((r) => r.id));
    const seen = new Map(remoteEntries.map((e) => [e.record.id, e.modifiedS]));
    this.mirror = result.serverRecords.map((record) => ({ record, modifiedS: uploaded.has(record.id) ? now : seen.get(record.id) }));
    this.tree = applyLocalOps(this.tree, result.localOps);
    expect(render(this.tree), 'local ops rebuild the merged tree').toBe(render(result.merged));
    expect(render(this.server.tree()), 'uploads rebuild the merged tree on the server').toBe(render(result.merged));
    expect(this.server.tree().problems, 'server tree is consistent after upload').toEqual([]);
    if (opts.saveLastSync ?? true) this.lastSync = now;
    this.touched.clear();
    return result;
  }
}

export { localTree, serverTree };
