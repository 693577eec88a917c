// Test support (not a test): an in-memory `browser.bookmarks` that behaves like the real one in
// the ways the engine depends on. Error messages, index rules and root layout were taken from
// runs against Chromium 156 and Firefox ESR 153 (see api.ts). It also fires the bookmark events,
// before the call's promise settles as both browsers do, and can simulate a worker killed in the
// middle of a call (`killAfter`).
import type {
  ApiEvent, BookmarkEvents, BookmarksApi, BrowserBookmarkNode, BrowserFlavor, ChromiumFolderType, CreateDetails,
  FirefoxNodeType, MoveInfo, RemoveInfo,
} from './api.ts';
import { ROOT_ID } from './api.ts';

interface StoredNode {
  id: string;
  parentId: string | null;
  title: string;
  url?: string;
  type: FirefoxNodeType;
  dateAdded: number;
  dateGroupModified?: number;
  children: string[];
  folderType?: ChromiumFolderType;
  syncing: boolean;
  unmodifiable?: 'managed';
  /** Chromium's mobile root: hidden from the API while empty. */
  hiddenWhenEmpty?: boolean;
  /** Firefox's tags folder: never shown to extensions. */
  hidden?: boolean;
}

export interface FakeOptions {
  /** Chromium: a second set of permanent folders stored in the Google account (`syncing: true`). */
  accountRoots?: boolean;
  /** Chromium: Chrome Sync is on for the local folders (every node reports `syncing: true`). */
  syncing?: boolean;
  /** Chromium: an administrator-managed folder at the top. */
  managed?: boolean;
  /** Clock for dateAdded; defaults to Date.now. */
  now?: () => number;
}

type Listener<A extends unknown[]> = (...args: A) => void;

class FakeEvent<A extends unknown[]> implements ApiEvent<A> {
  private readonly listeners = new Set<Listener<A>>();
  addListener(l: Listener<A>): void { this.listeners.add(l); }
  removeListener(l: Listener<A>): void { this.listeners.delete(l); }
  emit(...args: A): void { for (const l of [...this.listeners]) l(...args); }
  get size(): number { return this.listeners.size; }
}

const GUID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const FIREFOX_ROOT = ROOT_ID.firefox;
const FIREFOX_USER_ROOTS: ReadonlyArray<[string, string]> = [
  ['menu________', 'Bookmarks Menu'], ['toolbar_____', 'Bookmarks Toolbar'],
  ['tags________', 'Tags'], ['unfiled_____', 'Other Bookmarks'], ['mobile______', 'Mobile Bookmarks'],
];

export class SimulatedKill extends Error {
  constructor() { super('simulated worker kill'); }
}

export class FakeBookmarksApi implements BookmarksApi {
  readonly events: {
    onCreated: FakeEvent<[string, BrowserBookmarkNode]>;
    onChanged: FakeEvent<[string, { title?: string; url?: string }]>;
    onMoved: FakeEvent<[string, MoveInfo]>;
    onRemoved: FakeEvent<[string, RemoveInfo]>;
    onChildrenReordered?: FakeEvent<[string, { childIds: string[] }]>;
    onImportBegan?: FakeEvent<[]>;
    onImportEnded?: FakeEvent<[]>;
  };
  /** Count of calls that change the tree, successful or not. */
  writeCalls = 0;
  private readonly nodes = new Map<string, StoredNode>();
  private nextId = 5;
  private lastDateAdded = 0;
  /** What the browser last wrote to disk (`save`), for `crash`. */
  private saved: { nodes: Map<string, StoredNode>; nextId: number } | null = null;
  private readonly now: () => number;
  private kill: { after: number; phase: 'before' | 'after' } | null = null;
  /**
   * Counts the changes made with no event (a crash, a seed). The extension hears every change
   * while it runs: one made without events stands for one made while it did not, and a harness
   * models that with a new worker (a new change tracker and browser side).
   */
  unheardChanges = 0;
  /** getTree calls so far. */
  treeReads = 0;
  readonly rootId: string;

  constructor(readonly flavor: BrowserFlavor, private readonly options: FakeOptions = {}) {
    this.now = options.now ?? Date.now;
    const chromium = flavor === 'chromium';
    this.events = {
      onCreated: new FakeEvent(), onChanged: new FakeEvent(), onMoved: new FakeEvent(), onRemoved: new FakeEvent(),
      ...(chromium ? { onChildrenReordered: new FakeEvent(), onImportBegan: new FakeEvent(), onImportEnded: new FakeEvent() } : {}),
    };
    if (chromium) {
      this.rootId = '0';
      this.put({ id: '0', parentId: null, title: '', type: 'folder' });
      if (options.accountRoots) {
        // Ids of account folders are assigned after the local ones; the order at the top is a guess.
        this.addPermanent(String(this.nextId++), 'Bookmarks bar', 'bookmarks-bar', true);
        this.addPermanent(String(this.nextId++), 'Other bookmarks', 'other', true);
        this.addPermanent(String(this.nextId++), 'Mobile bookmarks', 'mobile', true);
      }
      this.addPermanent('1', 'Bookmarks bar', 'bookmarks-bar', options.syncing ?? false);
      this.addPermanent('2', 'Other bookmarks', 'other', options.syncing ?? false);
      this.addPermanent('3', 'Mobile bookmarks', 'mobile', options.syncing ?? false);
      if (options.managed) {
        const id = String(this.nextId++);
        this.addPermanent(id, 'Work bookmarks', 'managed', false);
        (this.nodes.get(id) as StoredNode).unmodifiable = 'managed';
      }
    } else {
      this.rootId = FIREFOX_ROOT;
      this.put({ id: FIREFOX_ROOT, parentId: null, title: '', type: 'folder' });
      for (const [id, title] of FIREFOX_USER_ROOTS) {
        const node = this.put({ id, parentId: FIREFOX_ROOT, title, type: 'folder' });
        if (id === 'tags________') node.hidden = true;
      }
    }
  }

  // ---- test hooks -------------------------------------------------------------------------

  /** After `calls` more tree-changing calls succeed, the next one fails as if the worker died:
   *  'before' = nothing happened; 'after' = the browser did it but the caller never heard back. */
  killAfter(calls: number, phase: 'before' | 'after' = 'before'): void {
    this.kill = { after: calls, phase };
  }

  /**
   * The browser writes its bookmarks to disk now (Chromium does so 2.5 s after a change,
   * BookmarkStorage::kSaveDelay).
   */
  save(): void {
    this.saved = { nodes: new Map([...this.nodes].map(([id, n]) => [id, { ...n, children: [...n.children] }])), nextId: this.nextId };
  }

  /**
   * The browser process dies and starts again: the tree is what was last saved, with no events,
   * and Chromium numbers new items from the saved file's counter, so ids handed out since come back
   * for other items. Without a save, the tree as it was made.
   */
  crash(): void {
    if (!this.saved) throw new Error('crash() needs a save() first: the tree the browser would reload');
    this.nodes.clear();
    for (const [id, n] of this.saved.nodes) this.nodes.set(id, { ...n, children: [...n.children] });
    this.nextId = this.saved.nextId;
    this.kill = null;
    this.unheardChanges++;
  }

  /** Adds a node the way Chrome Sync or the browser itself would: no API checks, no events. */
  seed(parentId: string, details: { title: string; url?: string; type?: FirefoxNodeType }): string {
    const id = this.newId();
    this.unheardChanges++;
    this.put({ id, parentId, title: details.title, url: details.url, type: details.type ?? (details.url === undefined ? 'folder' : 'bookmark') });
    return id;
  }

  setSyncing(id: string, syncing: boolean): void {
    this.mustGet(id).syncing = syncing;
  }

  beginImport(): void { this.events.onImportBegan?.emit(); }
  endImport(): void { this.events.onImportEnded?.emit(); }

  /** The tree as nested plain text, for assertions: `title` or `title <url>`, folders with `/`. */
  dump(id = this.rootId, depth = 0): string {
    const n = this.mustGet(id);
    const label = n.type === 'separator' ? '---' : n.type === 'folder' ? `${n.title}/` : `${n.title} <${n.url ?? ''}>`;
    const lines = [`${'  '.repeat(depth)}${label}`];
    for (const c of this.visibleChildren(n)) lines.push(this.dump(c.id, depth + 1));
    return lines.join('\n');
  }

  get size(): number { return this.nodes.size; }

  // ---- BookmarksApi -----------------------------------------------------------------------

  async getTree(): Promise<BrowserBookmarkNode[]> {
    this.treeReads++;
    return [this.toApi(this.mustGet(this.rootId), true)];
  }

  async get(id: string): Promise<BrowserBookmarkNode[]> {
    if (this.chromium && !/^\d+$/.test(id)) throw new Error('Bookmark id is invalid.');
    if (!this.chromium && !/^[A-Za-z0-9_-]{12}$/.test(id)) {
      throw new Error(`Bookmarks.sys.mjs: fetch: Invalid value for property 'guid': ${JSON.stringify(id)}`);
    }
    return [this.toApi(this.visibleOrThrow(id), false)];
  }

  async getChildren(id: string): Promise<BrowserBookmarkNode[]> {
    if (!this.chromium && !this.nodes.has(id)) throw new Error('can\'t access property "children", root is null');
    const n = this.visibleOrThrow(id);
    return this.visibleChildren(n).map((c) => this.toApi(c, false));
  }

  async create(details: CreateDetails): Promise<BrowserBookmarkNode> {
    return this.write(() => this.doCreate(details));
  }

  async update(id: string, changes: { title?: string; url?: string }): Promise<BrowserBookmarkNode> {
    return this.write(() => this.doUpdate(id, changes));
  }

  async move(id: string, destination: { parentId?: string; index?: number }): Promise<BrowserBookmarkNode> {
    return this.write(() => this.doMove(id, destination));
  }

  async remove(id: string): Promise<void> {
    return this.write(() => this.doRemove(id, false));
  }

  async removeTree(id: string): Promise<void> {
    return this.write(() => this.doRemove(id, true));
  }

  async getRecent(count: number): Promise<BrowserBookmarkNode[]> {
    const bookmarks = [...this.nodes.values()].filter((n) => n.type === 'bookmark' && !this.isHidden(n));
    return bookmarks.sort((a, b) => b.dateAdded - a.dateAdded).slice(0, count).map((n) => this.toApi(n, false));
  }

  // ---- behaviour ---------------------------------------------------------------------------

  private get chromium(): boolean { return this.flavor === 'chromium'; }

  private write<T>(op: () => T): T {
    this.writeCalls++;
    const kill = this.kill;
    if (kill && kill.after <= 0) {
      this.kill = null;
      if (kill.phase === 'after') op();
      throw new SimulatedKill();
    }
    if (kill) kill.after--;
    return op();
  }

  private doCreate(details: CreateDetails): BrowserBookmarkNode {
    if (this.chromium) {
      for (const key of Object.keys(details)) {
        if (!['parentId', 'index', 'title', 'url'].includes(key)) {
          throw new Error(`Error in invocation of bookmarks.create(bookmarks.CreateDetails bookmark, optional function callback): Error at parameter 'bookmark': Unexpected property: '${key}'.`);
        }
      }
    }
    const parentId = details.parentId ?? (this.chromium ? '2' : 'unfiled_____');
    const parent = this.chromium ? this.visibleParentOrThrow(parentId) : this.nodes.get(parentId);
    if (this.chromium) {
      if (parent?.id === '0' || parent?.unmodifiable) throw new Error("Can't modify the root bookmark folders.");
    } else {
      if (parentId === FIREFOX_ROOT) throw new Error('The bookmark root cannot be modified');
      if (!parent || parent.type !== 'folder' || parent.hidden) throw new Error('parentGuid must be valid');
    }
    const folder = parent as StoredNode;
    let type: FirefoxNodeType = details.type ?? (details.url === undefined ? 'folder' : 'bookmark');
    if (this.chromium) type = details.url === undefined ? 'folder' : 'bookmark';
    if (type === 'separator' && (details.title ?? '') !== '') {
      throw new Error(`Invalid bookmark: ${JSON.stringify({ title: details.title, type: 3, parentGuid: parentId })}`);
    }
    let url: string | undefined;
    if (type === 'bookmark') {
      url = details.url ?? '';
      if (!isParsableUrl(url)) {
        throw new Error(this.chromium ? 'Invalid URL.' : `Invalid bookmark: ${JSON.stringify({ title: details.title ?? '', type: 1, url, parentGuid: parentId })}`);
      }
    }
    const count = this.visibleChildren(folder).length;
    let index = details.index ?? count;
    if (index > count) {
      if (this.chromium) throw new Error('Index out of bounds.');
      index = count;
    }
    const id = this.newId();
    const node = this.put({ id, parentId: folder.id, title: type === 'separator' ? '' : details.title ?? '', url, type }, index);
    folder.dateGroupModified = this.now();
    const api = this.toApi(node, false);
    this.events.onCreated.emit(id, api);
    return api;
  }

  private doUpdate(id: string, changes: { title?: string; url?: string }): BrowserBookmarkNode {
    const node = this.chromium ? this.visibleOrThrow(id) : this.nodes.get(id);
    if (!node) throw new Error('No bookmarks found for the provided GUID');
    if (this.isPermanent(node)) {
      if (this.chromium || node.id === FIREFOX_ROOT) {
        throw new Error(this.chromium ? "Can't modify the root bookmark folders." : 'The bookmark root cannot be modified');
      }
      return this.toApi(node, false); // Firefox keeps the localized root titles.
    }
    if (changes.url !== undefined) {
      if (node.type !== 'bookmark') {
        throw new Error(this.chromium ? "Can't set URL of a bookmark folder." : `Bookmarks.sys.mjs: update: Invalid value for property 'url': ${JSON.stringify(changes.url)}`);
      }
      if (!isParsableUrl(changes.url)) throw new Error(this.chromium ? 'Invalid URL.' : `Invalid bookmark: ${JSON.stringify({ guid: id, url: changes.url })}`);
    }
    if (changes.title !== undefined && node.type === 'separator') {
      throw new Error(`Bookmarks.sys.mjs: update: Invalid value for property 'title': ${JSON.stringify(changes.title)}`);
    }
    const info: { title?: string; url?: string } = {};
    if (changes.title !== undefined && changes.title !== node.title) info.title = node.title = changes.title;
    if (changes.url !== undefined && changes.url !== node.url) info.url = node.url = changes.url;
    if (info.title !== undefined || info.url !== undefined) {
      this.events.onChanged.emit(id, this.chromium ? { title: node.title, ...(node.url === undefined ? {} : { url: node.url }) } : info);
    }
    return this.toApi(node, false);
  }

  private doMove(id: string, destination: { parentId?: string; index?: number }): BrowserBookmarkNode {
    const node = this.chromium ? this.visibleOrThrow(id) : this.nodes.get(id);
    if (!node) throw new Error('No bookmarks found for the provided GUID');
    if (this.isPermanent(node)) {
      if (this.chromium) throw new Error("Can't modify the root bookmark folders.");
      throw new Error(node.id === FIREFOX_ROOT ? 'The bookmark root cannot be modified' : "It's not possible to move Places root folders.");
    }
    const parentId = destination.parentId ?? (node.parentId as string);
    const parent = this.chromium ? this.visibleParentOrThrow(parentId) : this.nodes.get(parentId);
    if (this.chromium && (parent?.id === '0' || parent?.unmodifiable)) throw new Error("Can't modify the root bookmark folders.");
    if (!this.chromium && parentId === FIREFOX_ROOT) throw new Error('The bookmark root cannot be modified');
    if (!parent || parent.type !== 'folder') throw new Error(this.chromium ? "Parameter 'parentId' does not specify a folder." : 'No bookmarks found for the provided parentGuid');
    for (let p: StoredNode | undefined = parent; p; p = p.parentId === null ? undefined : this.nodes.get(p.parentId)) {
      if (p.id === node.id) {
        throw new Error(this.chromium ? "Can't move a folder to itself or its descendant." : 'Cannot insert a folder into itself or one of its descendants');
      }
    }
    const oldParent = this.mustGet(node.parentId as string);
    const oldIndex = oldParent.children.indexOf(node.id);
    const same = oldParent.id === parent.id;
    let index = destination.index ?? this.visibleChildren(parent).length;
    if (this.chromium) {
      // Chromium counts the item itself: the bound is the current child count, and a later
      // position in the same folder shifts down by one once the item is taken out.
      if (index > parent.children.length) throw new Error('Index out of bounds.');
      if (same && index > oldIndex) index--;
    } else {
      const max = same ? parent.children.length - 1 : parent.children.length;
      if (index > max) index = max;
    }
    oldParent.children.splice(oldIndex, 1);
    parent.children.splice(index, 0, node.id);
    node.parentId = parent.id;
    const t = this.now();
    oldParent.dateGroupModified = t;
    parent.dateGroupModified = t;
    if (!same || index !== oldIndex) {
      this.events.onMoved.emit(node.id, { parentId: parent.id, index, oldParentId: oldParent.id, oldIndex });
    }
    return this.toApi(node, false);
  }

  private doRemove(id: string, recursive: boolean): void {
    const node = this.chromium ? this.visibleOrThrow(id) : this.nodes.get(id);
    if (!node) throw new Error('No bookmarks found for the provided GUID.');
    if (this.isPermanent(node)) {
      if (this.chromium) throw new Error("Can't modify the root bookmark folders.");
      throw new Error(node.id === FIREFOX_ROOT ? 'The bookmark root cannot be modified' : `Invalid bookmark: ${JSON.stringify({ guid: id })}`);
    }
    if (!recursive && node.children.length > 0) {
      throw new Error(this.chromium ? "Can't remove non-empty folder (use recursive to force)." : 'Cannot remove a non-empty folder.');
    }
    const parent = this.mustGet(node.parentId as string);
    const index = parent.children.indexOf(node.id);
    const removed = this.toApi(node, this.chromium);
    delete removed.parentId;
    delete removed.index;
    parent.children.splice(index, 1);
    parent.dateGroupModified = this.now();
    const drop = (n: StoredNode): void => {
      for (const c of n.children) drop(this.mustGet(c));
      this.nodes.delete(n.id);
    };
    drop(node);
    const info: RemoveInfo = this.chromium
      ? { parentId: parent.id, index, node: removed }
      : { parentId: parent.id, index, node: { id: node.id, parentId: parent.id, index, type: node.type, title: node.title, ...(node.url === undefined ? {} : { url: node.url }) } };
    this.events.onRemoved.emit(node.id, info);
  }

  // ---- storage -----------------------------------------------------------------------------

  private addPermanent(id: string, title: string, folderType: ChromiumFolderType, syncing: boolean): void {
    const n = this.put({ id, parentId: '0', title, type: 'folder', folderType });
    n.syncing = syncing;
    if (folderType === 'mobile') n.hiddenWhenEmpty = true;
  }

  private put(
    init: { id: string; parentId: string | null; title: string; url?: string | undefined; type: FirefoxNodeType; folderType?: ChromiumFolderType },
    index?: number,
  ): StoredNode {
    const parent = init.parentId === null ? undefined : this.mustGet(init.parentId);
    const node: StoredNode = {
      id: init.id, parentId: init.parentId, title: init.title, type: init.type, dateAdded: this.nextDateAdded(), children: [],
      syncing: this.chromium ? (parent?.syncing ?? false) || (this.options.syncing ?? false) : false,
    };
    if (init.url !== undefined) node.url = init.url;
    if (init.folderType !== undefined) node.folderType = init.folderType;
    this.nodes.set(node.id, node);
    if (parent) {
      // `index` counts visible children only; hidden ones (Firefox tags) sit before it.
      const visible = this.visibleChildren(parent);
      const at = index === undefined || index >= visible.length ? parent.children.length : parent.children.indexOf((visible[index] as StoredNode).id);
      parent.children.splice(at, 0, node.id);
    }
    return node;
  }

  /** Creation times only grow (one item per millisecond at most), as a real clock over real calls does. */
  private nextDateAdded(): number {
    this.lastDateAdded = Math.max(this.now(), this.lastDateAdded + 1);
    return this.lastDateAdded;
  }

  private newId(): string {
    if (this.chromium) return String(this.nextId++);
    let id: string;
    do {
      id = Array.from({ length: 12 }, () => GUID_ALPHABET[Math.floor(Math.random() * 64)]).join('');
    } while (this.nodes.has(id));
    return id;
  }

  private mustGet(id: string): StoredNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`fake: no node ${id}`);
    return n;
  }

  private isHidden(n: StoredNode): boolean {
    return n.hidden === true || (n.hiddenWhenEmpty === true && n.children.length === 0);
  }

  private visibleOrThrow(id: string): StoredNode {
    const n = this.nodes.get(id);
    if (!n || this.isHidden(n)) throw new Error(this.chromium ? "Can't find bookmark for id." : 'Bookmark not found');
    return n;
  }

  private visibleParentOrThrow(id: string): StoredNode {
    const n = this.nodes.get(id);
    if (!n || this.isHidden(n)) throw new Error("Can't find parent bookmark for id.");
    return n;
  }

  private visibleChildren(n: StoredNode): StoredNode[] {
    return n.children.map((c) => this.mustGet(c)).filter((c) => !this.isHidden(c));
  }

  private isPermanent(n: StoredNode): boolean {
    return n.parentId === null || n.folderType !== undefined || (!this.chromium && n.parentId === FIREFOX_ROOT);
  }

  private toApi(n: StoredNode, deep: boolean): BrowserBookmarkNode {
    const out: BrowserBookmarkNode = { id: n.id, title: n.title, dateAdded: n.dateAdded };
    if (n.parentId !== null) {
      out.parentId = n.parentId;
      // Real indexes count hidden siblings too (Firefox's unfiled root sits at 3, after tags).
      out.index = this.mustGet(n.parentId).children.indexOf(n.id);
    }
    if (this.chromium) {
      if (n.type === 'bookmark') out.url = n.url ?? '';
      out.syncing = n.syncing;
      if (n.folderType !== undefined) out.folderType = n.folderType;
      if (n.unmodifiable !== undefined) out.unmodifiable = n.unmodifiable;
    } else {
      out.type = n.type;
      if (n.type === 'bookmark') out.url = n.url ?? '';
      if (n.type === 'separator') out.url = 'data:';
    }
    if (n.type === 'folder' && n.dateGroupModified !== undefined) out.dateGroupModified = n.dateGroupModified;
    if (deep && n.type === 'folder') out.children = this.visibleChildren(n).map((c) => this.toApi(c, true));
    return out;
  }
}

function isParsableUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** Narrow view for code that only needs the event port. */
export function fakeEvents(api: FakeBookmarksApi): BookmarkEvents {
  return api.events;
}
