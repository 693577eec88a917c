// Firefox's bookmark records, engine version 2 (protocol.md §6.1). Parsing is lenient because
// years of clients wrote odd shapes (dateAdded as a string, null titles, missing children);
// serializing writes what Firefox writes and keeps every field we do not understand, so a record
// we re-upload loses nothing another client put there.
import { MAX_URL_LENGTH } from '../kit/urls.ts';

export const BOOKMARKS_ENGINE_VERSION = 2;
/** Folders sort first on download (`_calculateIndex`). */
export const FOLDER_SORTINDEX = 1_000_000;
/** Bookmarks directly in the toolbar get a frecency bonus so they arrive early. */
export const TOOLBAR_SORTINDEX_BONUS = 150;

/**
 * Firefox's Places limits, `DB_TITLE_LENGTH_MAX` and `DB_URL_LENGTH_MAX` (PlacesUtils.sys.mjs, and
 * repeated in SyncedBookmarksMirror.sys.mjs), in UTF-16 code units (JavaScript string length).
 * Firefox cuts longer titles (`validateTitle`: `rawTitle.slice(0, DB_TITLE_LENGTH_MAX)`; Bookmarks.sys.mjs
 * does the same on insert), so a longer title would only make the record bigger than the server takes.
 * A longer URL is refused: `validateURL` returns null for `rawURL.length > DB_URL_LENGTH_MAX`, and the
 * mirror then marks the item VALIDITY_REPLACE, i.e. Firefox replaces it with its own copy or, having
 * none, with a tombstone — which would delete the bookmark here on the next sync.
 */
export const MAX_TITLE_LENGTH = 4096;
/** Firefox's URL limit, shared by every engine (../kit/urls.ts). */
export { MAX_URL_LENGTH };

/** A title as Firefox would store it: at most MAX_TITLE_LENGTH, never ending in half a surrogate pair. */
export function limitTitle(title: string): string {
  if (title.length <= MAX_TITLE_LENGTH) return title;
  const high = title.charCodeAt(MAX_TITLE_LENGTH - 1);
  return title.slice(0, high >= 0xd800 && high <= 0xdbff ? MAX_TITLE_LENGTH - 1 : MAX_TITLE_LENGTH);
}

/** Whether Firefox accepts this URL's length in a synced bookmark (see MAX_URL_LENGTH). */
export function urlWithinFirefoxLimit(url: string): boolean {
  return url.length <= MAX_URL_LENGTH;
}

export type BookmarkKind = 'bookmark' | 'query' | 'folder' | 'livemark' | 'separator';

export const ROOT_GUID = 'root________';
export const MENU_GUID = 'menu________';
export const TOOLBAR_GUID = 'toolbar_____';
export const UNFILED_GUID = 'unfiled_____';
export const MOBILE_GUID = 'mobile______';
/** The four roots that hold user content, in Places order. */
export const USER_ROOT_GUIDS: readonly string[] = [MENU_GUID, TOOLBAR_GUID, UNFILED_GUID, MOBILE_GUID];

const RECORD_ID_TO_GUID: Readonly<Record<string, string>> = {
  places: ROOT_GUID,
  menu: MENU_GUID,
  toolbar: TOOLBAR_GUID,
  unfiled: UNFILED_GUID,
  mobile: MOBILE_GUID,
};
const GUID_TO_RECORD_ID: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(RECORD_ID_TO_GUID).map(([id, guid]) => [guid, id]),
);

/** Ids Firefox refuses to apply (it deletes them from the server instead). */
export const FORBIDDEN_RECORD_IDS: readonly string[] = ['pinned', 'places', 'readinglist'];
export const FORBIDDEN_PARENT_IDS: readonly string[] = ['pinned', 'readinglist'];

/** Sync record id ("menu") → Places GUID ("menu________"); other ids are GUIDs already. */
export function recordIdToGuid(id: string): string {
  return RECORD_ID_TO_GUID[id] ?? id;
}

/** Places GUID → Sync record id; roots get their short names. */
export function guidToRecordId(guid: string): string {
  return GUID_TO_RECORD_ID[guid] ?? guid;
}

export function isRootGuid(guid: string): boolean {
  return guid === ROOT_GUID || USER_ROOT_GUIDS.includes(guid);
}

/** Places GUIDs are 12 characters of the URL-safe base64 alphabet (dogear `guid.rs`). */
export function isValidGuid(guid: string): boolean {
  return /^[A-Za-z0-9_-]{12}$/.test(guid);
}

interface RecordBase {
  id: string;
  parentid?: string;
  parentName?: string;
  /** Milliseconds since the epoch. */
  dateAdded?: number;
  hasDupe?: boolean;
  /** Fields we do not model are kept as they came. */
  [unknown: string]: unknown;
}

export interface BookmarkItemRecord extends RecordBase {
  type: 'bookmark';
  title: string;
  bmkUri: string;
  tags?: string[];
  keyword?: string;
  description?: string;
  loadInSidebar?: boolean;
}

export interface QueryRecord extends RecordBase {
  type: 'query';
  title: string;
  bmkUri: string;
  tags?: string[];
  keyword?: string;
  description?: string;
  folderName?: string;
  queryId?: string;
}

export interface FolderRecord extends RecordBase {
  type: 'folder';
  title: string;
  children: string[];
  description?: string;
}

export interface LivemarkRecord extends RecordBase {
  type: 'livemark';
  title: string;
  children: string[];
  description?: string;
  feedUri?: string;
  siteUri?: string;
}

export interface SeparatorRecord extends RecordBase {
  type: 'separator';
  /** Index in the parent when written; informative only. */
  pos?: number;
}

export interface TombstoneRecord {
  id: string;
  deleted: true;
  [unknown: string]: unknown;
}

export type BookmarkItem = BookmarkItemRecord | QueryRecord | FolderRecord | LivemarkRecord | SeparatorRecord;
export type BookmarkRecord = BookmarkItem | TombstoneRecord;

export function isTombstone(record: BookmarkRecord): record is TombstoneRecord {
  return record.deleted === true;
}

function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Text fields some clients wrote as numbers (`"title": 42`). They are read as their text, so the
 * person sees "42" and the merge compares text with text; the number itself is remembered under
 * this symbol (never a field: JSON and Object.entries skip symbols, spreads copy it) and written
 * back by `serializeBookmarkRecord` while the text is unchanged, so re-uploading the record for
 * another reason (a move) does not rewrite the other device's field.
 */
const NUMERIC_ORIGINALS: unique symbol = Symbol('numeric text fields as written');
type NumericOriginals = Partial<Record<'title' | 'keyword' | 'description', number>>;

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined;
}

function asMillis(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

function asStringList(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

/** Copies `key` onto `out` when `value` is defined, otherwise removes it. */
function setOrDrop(out: Record<string, unknown>, key: string, value: unknown): void {
  if (value === undefined) delete out[key];
  else out[key] = value;
}

/** Parses a decrypted bookmarks cleartext; null when it is not a usable record. Never throws. */
export function parseBookmarkRecord(cleartext: unknown): BookmarkRecord | null {
  if (typeof cleartext !== 'object' || cleartext === null || Array.isArray(cleartext)) return null;
  const raw = cleartext as Record<string, unknown>;
  const id = asString(raw['id']);
  if (!id) return null;
  if (raw['deleted'] === true) return { ...raw, id, deleted: true };
  const type = raw['type'];
  if (type !== 'bookmark' && type !== 'query' && type !== 'folder' && type !== 'livemark' && type !== 'separator') {
    return null;
  }
  const out: Record<string, unknown> = { ...raw, id, type };
  const numeric: NumericOriginals = {};
  const text = (key: keyof NumericOriginals): string | undefined => {
    const v = raw[key];
    if (typeof v === 'number' && Number.isFinite(v)) numeric[key] = v;
    return asText(v);
  };
  setOrDrop(out, 'parentid', asString(raw['parentid']));
  setOrDrop(out, 'parentName', asString(raw['parentName']));
  setOrDrop(out, 'dateAdded', asMillis(raw['dateAdded']));
  setOrDrop(out, 'hasDupe', typeof raw['hasDupe'] === 'boolean' ? raw['hasDupe'] : undefined);
  // Firefox reads titles cut to its limit (`validateTitle`); so do we, so both show the same.
  if (type !== 'separator') out['title'] = limitTitle(text('title') ?? '');
  setOrDrop(out, 'description', text('description'));
  if (type === 'bookmark' || type === 'query') {
    const uri = asString(raw['bmkUri']);
    if (!uri) return null; // Firefox deletes bookmarks without a URL; we must not invent one
    out['bmkUri'] = uri;
    setOrDrop(out, 'tags', asStringList(raw['tags']));
    setOrDrop(out, 'keyword', text('keyword'));
    if (type === 'bookmark') {
      setOrDrop(out, 'loadInSidebar', typeof raw['loadInSidebar'] === 'boolean' ? raw['loadInSidebar'] : undefined);
    } else {
      setOrDrop(out, 'folderName', asString(raw['folderName']));
      setOrDrop(out, 'queryId', asString(raw['queryId']));
    }
  } else if (type === 'folder' || type === 'livemark') {
    out['children'] = asStringList(raw['children']) ?? [];
    if (type === 'livemark') {
      setOrDrop(out, 'feedUri', asString(raw['feedUri']));
      setOrDrop(out, 'siteUri', asString(raw['siteUri']));
    }
  } else {
    const pos = raw['pos'];
    setOrDrop(out, 'pos', typeof pos === 'number' && Number.isInteger(pos) && pos >= 0 ? pos : undefined);
  }
  if (Object.keys(numeric).length > 0) (out as { [NUMERIC_ORIGINALS]?: NumericOriginals })[NUMERIC_ORIGINALS] = numeric;
  return out as BookmarkRecord;
}

/**
 * The cleartext we upload. Unknown fields stay; empty optional fields are dropped as Firefox does
 * (`tags: []`, empty keyword/description); tombstones carry only `id` and `deleted`. Titles (and
 * `parentName`, a title too) are cut to Firefox's MAX_TITLE_LENGTH; numbers another client wrote in
 * text fields go back as they came unless the text changed (see NUMERIC_ORIGINALS).
 */
export function serializeBookmarkRecord(record: BookmarkRecord): Record<string, unknown> {
  if (isTombstone(record)) return { id: record.id, deleted: true };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined || value === null) continue;
    out[key] = value;
  }
  if (Array.isArray(out['tags']) && out['tags'].length === 0) delete out['tags'];
  for (const key of ['keyword', 'description']) {
    if (out[key] === '') delete out[key];
  }
  if (out['loadInSidebar'] === false) delete out['loadInSidebar'];
  if (record.type === 'folder' || record.type === 'livemark') out['children'] = [...record.children];
  if (record.type !== 'separator' && typeof out['title'] !== 'string') out['title'] = '';
  for (const key of ['title', 'parentName']) {
    if (typeof out[key] === 'string') out[key] = limitTitle(out[key]);
  }
  const numeric = (record as { [NUMERIC_ORIGINALS]?: NumericOriginals })[NUMERIC_ORIGINALS];
  for (const [key, original] of Object.entries(numeric ?? {})) {
    if (out[key] === String(original)) out[key] = original;
  }
  return out;
}

/** BSO sortindex as Firefox computes it; `frecency` is the URL's frecency when known. */
export function bookmarkSortIndex(record: BookmarkRecord, frecency = 0): number {
  if (isTombstone(record)) return 0;
  if (record.type === 'folder' || record.type === 'livemark') return FOLDER_SORTINDEX;
  const bonus = record.parentid === 'toolbar' ? TOOLBAR_SORTINDEX_BONUS : 0;
  return Math.max(0, frecency) + bonus;
}

/** Bookmarks BSOs never expire (protocol.md §6.5). */
export const BOOKMARKS_TTL_SECONDS: number | null = null;
