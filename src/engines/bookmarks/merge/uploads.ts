// What the server must hold after the merge, and which of it has to be uploaded. Records start
// from the server's copy so tags, keywords, descriptions and unknown fields survive edits made in
// a browser that cannot see them.

import { MENU_GUID, MOBILE_GUID, ROOT_GUID, TOOLBAR_GUID, UNFILED_GUID, guidToRecordId } from '../record.ts';
import type { BookmarkItem, BookmarkKind, BookmarkRecord } from '../record.ts';
import type { BookmarkTree } from '../tree.ts';

/** One item of the merged tree before its record is known. */
export interface MergedItem {
  guid: string;
  kind: BookmarkKind;
  parentGuid: string;
  children: string[];
  title: string;
  url: string | null;
  dateAdded: number | null;
  /** The server's (or mirror's) record for this item, when there is one. */
  base: BookmarkItem | undefined;
}

/** Places stores the roots under these titles; Firefox uploads them as is. */
const ROOT_TITLES: Readonly<Record<string, string>> = {
  [MENU_GUID]: 'menu',
  [TOOLBAR_GUID]: 'toolbar',
  [UNFILED_GUID]: 'unfiled',
  [MOBILE_GUID]: 'mobile',
};

const TYPE_FIELDS: Readonly<Record<BookmarkKind, readonly string[]>> = {
  bookmark: ['title', 'bmkUri', 'tags', 'keyword', 'description', 'loadInSidebar'],
  query: ['title', 'bmkUri', 'tags', 'keyword', 'description', 'folderName', 'queryId'],
  folder: ['title', 'children', 'description'],
  livemark: ['title', 'children', 'description', 'feedUri', 'siteUri'],
  separator: ['pos'],
};
const ALL_TYPE_FIELDS = new Set(Object.values(TYPE_FIELDS).flat());

export function desiredRecord(item: MergedItem, parent: MergedItem | undefined, index: number): BookmarkItem {
  const out: Record<string, unknown> = { ...(item.base ?? {}) };
  if (item.base && item.base.type !== item.kind) {
    // The kind changed: drop the old kind's fields, keep everything else.
    for (const field of ALL_TYPE_FIELDS) if (!TYPE_FIELDS[item.kind].includes(field)) delete out[field];
  }
  out['id'] = guidToRecordId(item.guid);
  out['type'] = item.kind;
  out['parentid'] = guidToRecordId(item.parentGuid);
  // Firefox names a root's children's parent by the root's own title ("menu", "toolbar"…).
  const parentRootTitle = parent ? ROOT_TITLES[parent.guid] : undefined;
  out['parentName'] = parent === undefined ? '' : parentRootTitle === undefined ? parent.title : (parent.base?.title ?? parentRootTitle);
  if (item.dateAdded !== null) out['dateAdded'] = item.dateAdded;
  out['hasDupe'] = true;
  if (item.kind === 'separator') {
    out['pos'] = index;
  } else {
    const rootTitle = ROOT_TITLES[item.guid];
    out['title'] = rootTitle === undefined ? item.title : (item.base?.title ?? rootTitle);
  }
  if (item.kind === 'bookmark' || item.kind === 'query') out['bmkUri'] = item.url ?? '';
  if (item.kind === 'folder' || item.kind === 'livemark') out['children'] = item.children.map(guidToRecordId);
  return out as BookmarkItem;
}

/** Everything that matters for "does the server need this record again". */
const IGNORED_FOR_UPLOAD = new Set(['parentName', 'hasDupe', 'dateAdded', 'pos']);

/** Whether two records agree on every field that matters for upload (their JSON values equal). */
function sameForUpload(a: object, b: object): boolean {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = (r: Record<string, unknown>): string[] => Object.keys(r).filter((k) => !IGNORED_FOR_UPLOAD.has(k) && r[k] !== undefined);
  const kx = keys(x);
  if (kx.length !== keys(y).length) return false;
  return kx.every((k) => sameJson(x[k], y[k]));
}

/**
 * Whether `desiredRecord` would only repeat `existing` in every field that matters for upload: the
 * fields it sets are equal already (it copies the others from `existing`; parentName, dateAdded
 * and pos do not count). False means "compare the built record", not "changed": anything unusual
 * (another kind, a missing title) is left to that comparison.
 */
function unchangedOnServer(existing: BookmarkItem, item: MergedItem): boolean {
  if (existing.type !== item.kind || existing.id !== guidToRecordId(item.guid) || existing.parentid !== guidToRecordId(item.parentGuid)) return false;
  if (existing.type === 'separator') return true;
  const rootTitle = ROOT_TITLES[item.guid];
  if (existing.title !== (rootTitle === undefined ? item.title : (item.base?.title ?? rootTitle))) return false;
  if (existing.type === 'bookmark' || existing.type === 'query') return existing.bmkUri === (item.url ?? '');
  if (existing.type === 'folder' || existing.type === 'livemark') {
    const listed = existing.children;
    if (listed.length !== item.children.length) return false;
    for (let i = 0; i < listed.length; i++) if (listed[i] !== guidToRecordId(item.children[i] as string)) return false;
  }
  return true;
}

function sameJson(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => sameJson(v, y[i]));
  // Tags, unknown fields and the like: rare, compared as their JSON.
  return typeof x === 'object' && typeof y === 'object' && x !== null && y !== null && JSON.stringify(x) === JSON.stringify(y);
}

export interface UploadPlan {
  uploads: BookmarkRecord[];
  serverRecords: BookmarkItem[];
  records: Map<string, BookmarkItem>;
  createdRemote: number;
  tombstones: number;
}

/** `items` in tree order (parents first); the Places root is never uploaded. */
export function planUploads(items: readonly MergedItem[], remote: BookmarkTree): UploadPlan {
  const byGuid = new Map(items.map((i) => [i.guid, i]));
  // Each item's place among its parent's children, without a search per item (flat folders hold thousands).
  const position = new Map<string, number>();
  for (const item of items) item.children.forEach((c, i) => position.set(c, i));
  const records = new Map<string, BookmarkItem>();
  const uploads: BookmarkRecord[] = [];
  const serverRecords: BookmarkItem[] = [];
  let createdRemote = 0;
  for (const item of items) {
    if (item.guid === ROOT_GUID) continue;
    const parent = byGuid.get(item.parentGuid);
    const existing = remote.nodes.get(item.guid)?.record;
    const diverged = remote.diverged.has(item.guid);
    // Most items of a sync are as the server has them: that is seen without building their record.
    if (existing && !diverged && unchangedOnServer(existing, item)) {
      records.set(item.guid, existing);
      serverRecords.push(existing);
      continue;
    }
    const index = parent ? position.get(item.guid) ?? -1 : 0;
    const wanted = desiredRecord(item, parent, index);
    const needsUpload = !existing || diverged || !sameForUpload(existing, wanted);
    const record = needsUpload ? wanted : existing;
    if (needsUpload) {
      uploads.push(wanted);
      if (!existing) createdRemote++;
    }
    records.set(item.guid, record);
    serverRecords.push(record);
  }
  let tombstones = 0;
  for (const guid of [...remote.nodes.keys()].sort()) {
    if (guid === ROOT_GUID || byGuid.has(guid) || !remote.nodes.get(guid)?.record) continue;
    uploads.push({ id: guidToRecordId(guid), deleted: true });
    tombstones++;
  }
  return { uploads, serverRecords, records, createdRemote, tombstones };
}
