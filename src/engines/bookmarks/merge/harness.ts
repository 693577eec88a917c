// Test harness for the merge catalogue (imported by *.test.ts only). Every case also checks the
// two promises of a merge result: applying the local operations to the local tree yields the
// merged tree (as far as this browser can show it), and applying the uploads to the server yields
// the merged tree, consistently (every parent's children agree with every child's parentid).

import { expect } from 'vitest';
import type { BookmarkKind, BookmarkRecord } from '../record.ts';
import { buildTreeFromRecords, overlayRecords } from '../tree.ts';
import { mergeTrees, isRepresentable } from './index.ts';
import type { MergeResult } from './index.ts';
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
  strategy?: 'merge' | 'takeRemote' | 'keepLocal';
}

export function runMerge(c: MergeCase): MergeResult {
  const withExtra = (text: string, deleted: string[], extra: BookmarkRecord[] = []) =>
    overlayRecords(recordEntries(text, deleted), extra.map((record) => ({ record })));
  const remoteEntries = withExtra(c.remote, c.remoteDeleted ?? [], c.remoteRecords);
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

export { localTree, serverTree };
