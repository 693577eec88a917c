// Compact tree literals for tests (used only by *.test.ts). One item per line, two spaces of
// indentation per level, top level = user roots:
//
//   menu________/
//     folderAAAAAA/ "Work" @5
//       bookmarkBBBB <https://b.example/> @7
//     separatorCC sep
//
// `guid/` is a folder; `sep`, `query`, `livemark` set other kinds; `"title"` and `<url>` override
// the defaults (title = guid, url = https://example.com/<guid>); `@N` is the modified time in
// seconds (local lastModified N*1000 ms, server modified N s); default 0, i.e. old.

import { ROOT_GUID, USER_ROOT_GUIDS, guidToRecordId, isRootGuid } from '../record.ts';
import type { BookmarkItem, BookmarkKind, BookmarkRecord } from '../record.ts';
import type { BookmarkNode, BookmarkTree, LocalItem, RecordEntry } from '../tree.ts';
import { normalizeUrl } from './sides.ts';
import type { LocalOp } from './types.ts';
import { buildTreeFromLocal, buildTreeFromRecords, walkTree } from '../tree.ts';

interface LiteralItem {
  guid: string;
  kind: BookmarkKind;
  title: string;
  url: string | null;
  modifiedS: number;
  parentGuid: string;
  index: number;
}

export const defaultUrl = (guid: string): string => `https://example.com/${guid}`;

function defaultTitle(guid: string): string {
  return isRootGuid(guid) ? guidToRecordId(guid) : guid;
}

export function parseLiteral(text: string): LiteralItem[] {
  const items: LiteralItem[] = [];
  const stack: Array<{ guid: string; depth: number; count: number }> = [{ guid: ROOT_GUID, depth: -1, count: 0 }];
  for (const line of dedent(text).split('\n')) {
    if (line.trim() === '') continue;
    const depth = (line.length - line.trimStart().length) / 2;
    const tokens = line.trim().match(/"[^"]*"|<[^>]*>|\S+/g) ?? [];
    let guid = tokens[0] ?? '';
    let kind: BookmarkKind = 'bookmark';
    if (guid.endsWith('/')) {
      guid = guid.slice(0, -1);
      kind = 'folder';
    }
    let title: string | undefined;
    let url: string | undefined;
    let modifiedS = 0;
    for (const t of tokens.slice(1)) {
      if (t === 'sep') kind = 'separator';
      else if (t === 'query' || t === 'livemark') kind = t;
      else if (t.startsWith('"')) title = t.slice(1, -1);
      else if (t.startsWith('<')) url = t.slice(1, -1);
      else if (t.startsWith('@')) modifiedS = Number(t.slice(1));
      else throw new Error(`bad token ${t} in: ${line}`);
    }
    while ((stack[stack.length - 1] as { depth: number }).depth >= depth) stack.pop();
    const parent = stack[stack.length - 1] as { guid: string; count: number };
    items.push({
      guid,
      kind,
      title: kind === 'separator' ? '' : title ?? defaultTitle(guid),
      url: kind === 'bookmark' || kind === 'query' ? url ?? defaultUrl(guid) : null,
      modifiedS,
      parentGuid: parent.guid,
      index: parent.count++,
    });
    stack.push({ guid, depth, count: 0 });
  }
  return items;
}

export function localItems(text: string): LocalItem[] {
  return parseLiteral(text).map((i) => ({
    guid: i.guid,
    parentGuid: i.parentGuid,
    kind: i.kind,
    title: i.title,
    url: i.url,
    index: i.index,
    lastModified: i.modifiedS * 1000,
  }));
}

export function localTree(text: string, deleted: string[] = []): BookmarkTree {
  return buildTreeFromLocal(localItems(text), deleted);
}

export function recordEntries(text: string, deleted: string[] = []): RecordEntry[] {
  const items = parseLiteral(text);
  const childrenOf = new Map<string, string[]>();
  for (const i of items) childrenOf.set(i.parentGuid, [...(childrenOf.get(i.parentGuid) ?? []), guidToRecordId(i.guid)]);
  const entries: RecordEntry[] = items.map((i) => {
    const base = { id: guidToRecordId(i.guid), parentid: guidToRecordId(i.parentGuid) };
    let record: BookmarkItem;
    if (i.kind === 'folder' || i.kind === 'livemark') {
      record = { ...base, type: i.kind, title: i.title, children: childrenOf.get(i.guid) ?? [] };
    } else if (i.kind === 'separator') {
      record = { ...base, type: 'separator' };
    } else {
      record = { ...base, type: i.kind, title: i.title, bmkUri: i.url ?? '' };
    }
    return { record, modifiedS: i.modifiedS };
  });
  // A server Firefox has synced to always holds the four user roots.
  for (const root of USER_ROOT_GUIDS) {
    if (items.some((i) => i.guid === root)) continue;
    entries.push({ record: { id: guidToRecordId(root), type: 'folder', parentid: 'places', title: guidToRecordId(root), children: [] }, modifiedS: 0 });
  }
  for (const guid of deleted) entries.push({ record: { id: guidToRecordId(guid), deleted: true } as BookmarkRecord });
  return entries;
}

export function serverTree(text: string, deleted: string[] = []): BookmarkTree {
  return buildTreeFromRecords(recordEntries(text, deleted));
}

/** The tree back in literal form (user roots with content only; defaults left out). */
export function render(
  tree: BookmarkTree,
  opts: { titles?: boolean; keep?: (guid: string) => boolean; queriesAsBookmarks?: boolean; normalizeUrls?: boolean } = {},
): string {
  const lines: string[] = [];
  const depthOf = new Map<string, number>([[ROOT_GUID, -1]]);
  const dropped = new Set<string>();
  for (const node of walkTree(tree)) {
    if (node.guid === ROOT_GUID) continue;
    if (dropped.has(node.parentGuid ?? '') || (opts.keep && !isRootGuid(node.guid) && !opts.keep(node.guid))) {
      dropped.add(node.guid);
      continue;
    }
    const depth = (depthOf.get(node.parentGuid ?? '') ?? 0) + 1;
    depthOf.set(node.guid, depth);
    if (USER_ROOT_GUIDS.includes(node.guid) && node.children.every((c) => dropped.has(c) || (opts.keep && !opts.keep(c)))) continue;
    let line = '  '.repeat(depth) + node.guid + (node.kind === 'folder' ? '/' : '');
    const asBookmark = node.kind === 'bookmark' || (node.kind === 'query' && opts.queriesAsBookmarks === true);
    if (node.kind !== 'folder' && !asBookmark) line += node.kind === 'separator' ? ' sep' : ` ${node.kind}`;
    if (node.kind !== 'separator' && node.title !== defaultTitle(node.guid) && (opts.titles ?? true) && !isRootGuid(node.guid)) {
      line += ` "${node.title}"`;
    }
    const url = opts.normalizeUrls ? normalizeUrl(node.url) : node.url;
    if (url !== null && url !== defaultUrl(node.guid)) line += ` <${url}>`;
    lines.push(line);
  }
  return lines.join('\n');
}

/** Strips the common indentation of a template literal so expectations can be indented. */
export function dedent(text: string): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const indent = Math.min(...lines.map((l) => l.length - l.trimStart().length));
  return lines.map((l) => l.slice(indent)).join('\n');
}

/** Applies local operations to a tree the way a browser would, failing on any invalid step. */
export function applyLocalOps(tree: BookmarkTree, ops: readonly LocalOp[]): BookmarkTree {
  const nodes = new Map<string, BookmarkNode>([...tree.nodes].map(([g, n]) => [g, { ...n, children: [...n.children] }]));
  const get = (guid: string): BookmarkNode & { children: string[] } => {
    const n = nodes.get(guid);
    if (!n) throw new Error(`no local item ${guid}`);
    return n as BookmarkNode & { children: string[] };
  };
  const detach = (guid: string): void => {
    const parent = get(get(guid).parentGuid as string);
    parent.children.splice(parent.children.indexOf(guid), 1);
  };
  const insert = (guid: string, parentGuid: string, index: number): void => {
    const parent = get(parentGuid);
    if (parent.kind !== 'folder') throw new Error(`${parentGuid} is not a folder`);
    if (index < 0 || index > parent.children.length) throw new Error(`index ${index} out of range in ${parentGuid}`);
    parent.children.splice(index, 0, guid);
  };
  for (const op of ops) {
    switch (op.type) {
      case 'changeGuid': {
        const n = get(op.from);
        if (nodes.has(op.to)) throw new Error(`guid ${op.to} already used`);
        nodes.delete(op.from);
        nodes.set(op.to, { ...n, guid: op.to });
        const parent = get(n.parentGuid as string);
        parent.children[parent.children.indexOf(op.from)] = op.to;
        for (const c of n.children) nodes.set(c, { ...get(c), parentGuid: op.to });
        break;
      }
      case 'create':
        if (nodes.has(op.guid)) throw new Error(`create of existing ${op.guid}`);
        nodes.set(op.guid, {
          guid: op.guid, kind: op.kind, parentGuid: op.parentGuid, children: [], title: op.title, url: op.url,
          dateAdded: null, modifiedMs: null, needsMerge: false,
        });
        insert(op.guid, op.parentGuid, op.index);
        break;
      case 'update':
        nodes.set(op.guid, { ...get(op.guid), title: op.title, url: op.url });
        break;
      case 'move':
        if (isRootGuid(op.guid)) throw new Error('moved a root');
        detach(op.guid);
        insert(op.guid, op.parentGuid, op.index);
        nodes.set(op.guid, { ...get(op.guid), parentGuid: op.parentGuid });
        break;
      case 'delete':
        if (isRootGuid(op.guid)) throw new Error('deleted a root');
        if (get(op.guid).children.length > 0) throw new Error(`deleted non-empty ${op.guid}`);
        detach(op.guid);
        nodes.delete(op.guid);
        break;
    }
  }
  return { ...tree, nodes };
}
