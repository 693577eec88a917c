// The part of `browser.bookmarks` the bookmarks engine uses, as a port, so Node tests drive the
// engine against FakeBookmarksApi and only the background imports the real adapter
// (browserApi.ts). The node type covers both browsers; facts below were checked on Chromium 156
// and Firefox ESR 153 (see docs/browser-platform.md):
// - Chromium: numeric string ids; root '0' holds 'Bookmarks bar' ('1', folderType 'bookmarks-bar')
//   and 'Other bookmarks' ('2', 'other'); the mobile root ('3', 'mobile') is hidden while empty;
//   every node has `syncing`; no separators (`create` rejects a `type` property); a move's index
//   counts the moved item itself (moving a→2 in [a,b,c] gives [b,a,c]).
// - Firefox: ids are Places GUIDs; root 'root________' holds menu/toolbar/unfiled/mobile, all
//   visible; nodes carry `type`; separators have url 'data:'; a move's index is the final position;
//   indexes past the end are clamped; `create` cannot choose the new item's GUID.

export type BrowserFlavor = 'chromium' | 'firefox';

export type ChromiumFolderType = 'bookmarks-bar' | 'other' | 'mobile' | 'managed';
export type FirefoxNodeType = 'bookmark' | 'folder' | 'separator';

export interface BrowserBookmarkNode {
  id: string;
  /** Absent on the root. */
  parentId?: string;
  index?: number;
  title: string;
  /** Bookmarks only (Firefox separators report 'data:'). */
  url?: string;
  dateAdded?: number;
  /** Folders, once their contents changed. */
  dateGroupModified?: number;
  dateLastUsed?: number;
  children?: BrowserBookmarkNode[];
  /** Set by the browser on folders an administrator manages; we never write there. */
  unmodifiable?: 'managed';
  /** Chromium 134+: permanent (root) folders only. */
  folderType?: ChromiumFolderType;
  /** Chromium 134+: true when Chrome Sync stores this node in the Google account. */
  syncing?: boolean;
  /** Firefox only. */
  type?: FirefoxNodeType;
}

export interface CreateDetails {
  parentId?: string;
  index?: number;
  title?: string;
  url?: string;
  /** Firefox only: Chromium rejects the property. */
  type?: FirefoxNodeType;
}

export interface BookmarksApi {
  getTree(): Promise<BrowserBookmarkNode[]>;
  get(id: string): Promise<BrowserBookmarkNode[]>;
  getChildren(id: string): Promise<BrowserBookmarkNode[]>;
  create(details: CreateDetails): Promise<BrowserBookmarkNode>;
  update(id: string, changes: { title?: string; url?: string }): Promise<BrowserBookmarkNode>;
  move(id: string, destination: { parentId?: string; index?: number }): Promise<BrowserBookmarkNode>;
  remove(id: string): Promise<void>;
  removeTree(id: string): Promise<void>;
  /** The most recently added bookmarks (not folders), newest first. */
  getRecent(count: number): Promise<BrowserBookmarkNode[]>;
}

export interface ApiEvent<A extends unknown[]> {
  addListener(listener: (...args: A) => void): void;
  removeListener(listener: (...args: A) => void): void;
}

export interface MoveInfo {
  parentId: string;
  index: number;
  oldParentId: string;
  oldIndex: number;
}

export interface RemoveInfo {
  parentId: string;
  index: number;
  /** Chromium includes the removed folder's children; Firefox does not. */
  node?: BrowserBookmarkNode;
}

export interface BookmarkEvents {
  onCreated: ApiEvent<[id: string, node: BrowserBookmarkNode]>;
  onChanged: ApiEvent<[id: string, info: { title?: string; url?: string }]>;
  onMoved: ApiEvent<[id: string, info: MoveInfo]>;
  onRemoved: ApiEvent<[id: string, info: RemoveInfo]>;
  /** Chromium only. */
  onChildrenReordered?: ApiEvent<[id: string, info: { childIds: string[] }]>;
  onImportBegan?: ApiEvent<[]>;
  onImportEnded?: ApiEvent<[]>;
}

export function isFolderNode(node: BrowserBookmarkNode): boolean {
  if (node.type !== undefined) return node.type === 'folder';
  return node.url === undefined;
}

export function isSeparatorNode(node: BrowserBookmarkNode): boolean {
  return node.type === 'separator';
}

/** How Chromium and Firefox word "no item with that id" (it was removed, or never was). */
export const MISSING = /can't find|not found|no bookmarks found|id is invalid/i;

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return String(e);
}

/** The browser id of the bookmarks' root, which holds the permanent folders. */
export const ROOT_ID: Readonly<Record<BrowserFlavor, string>> = { chromium: '0', firefox: 'root________' };

/**
 * Firefox bookmark nodes carry `type`; Chromium's do not. Decided from the Places root alone (this
 * runs at every worker start, so never the whole tree); Chromium refuses that id outright.
 */
export async function detectFlavor(api: BookmarksApi): Promise<BrowserFlavor> {
  try {
    const [root] = await api.get('root________');
    return root?.type === undefined ? 'chromium' : 'firefox';
  } catch {
    return 'chromium';
  }
}
