// Test-only: the flat trees the bookmark merge fuzzers generate and edit (fuzz.test.ts,
// fuzzUnreadable.test.ts), and their seeded random source.
import { ROOT_GUID, USER_ROOT_GUIDS, guidToRecordId, isRootGuid } from '../record.ts';

/** The random source of the fuzzers (seeded: a failing case repeats from its seed). */
export { SeededRandom as Gen } from '../../../test-support/seededRandom.ts';

export type Kind = 'folder' | 'bookmark' | 'separator';
export interface FNode { guid: string; kind: Kind; title: string; url: string | null; parent: string; children: string[]; t: number }
export type FTree = Map<string, FNode>;

export const TITLES = ['a', 'b', 'c'];
export const URLS = ['https://x/', 'https://y/'];

export function emptyTree(): FTree {
  const t: FTree = new Map();
  t.set(ROOT_GUID, { guid: ROOT_GUID, kind: 'folder', title: '', url: null, parent: '', children: [...USER_ROOT_GUIDS], t: 0 });
  for (const r of USER_ROOT_GUIDS) t.set(r, { guid: r, kind: 'folder', title: guidToRecordId(r), url: null, parent: ROOT_GUID, children: [], t: 0 });
  return t;
}

export const clone = (t: FTree): FTree => new Map([...t].map(([g, n]) => [g, { ...n, children: [...n.children] }]));
export const folders = (t: FTree): FNode[] => [...t.values()].filter((n) => n.kind === 'folder' && n.guid !== ROOT_GUID);
export const movable = (t: FTree, kinds: readonly Kind[]): FNode[] => [...t.values()].filter((n) => !isRootGuid(n.guid) && kinds.includes(n.kind));

export function subtree(t: FTree, guid: string): string[] {
  const out = [guid];
  for (let i = 0; i < out.length; i++) out.push(...(t.get(out[i] as string)?.children ?? []));
  return out;
}
