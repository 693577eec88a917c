// One side of the merge (local or remote) seen against the mirror: what changed, what was
// deleted, how old each change is. The local side is first "augmented" with what this browser
// cannot show (separators in Chromium, the menu root...), copied from the mirror in place, so that
// their absence never reads as a deletion and never moves their siblings.

import { ROOT_GUID, isRootGuid } from '../record.ts';
import type { BookmarkKind } from '../record.ts';
import type { BookmarkNode, BookmarkTree } from '../tree.ts';
import { walkTree } from '../tree.ts';

export class SideView {
  constructor(
    readonly tree: BookmarkTree,
    private readonly mirror: BookmarkTree,
    private readonly nowMs: number,
    private readonly compareRecords: boolean,
  ) {}

  private readonly changedCache = new Map<string, boolean>();

  get(guid: string): BookmarkNode | undefined {
    return this.tree.nodes.get(guid);
  }

  has(guid: string): boolean {
    return this.tree.nodes.has(guid);
  }

  /** Deleted on this side since the last sync. Roots are never deleted. */
  isDeleted(guid: string): boolean {
    if (isRootGuid(guid) || this.tree.nodes.has(guid)) return false;
    if (this.tree.deletions.has(guid)) return true;
    // Locally, an item the mirror has and the browser lacks was deleted here. On the server only a
    // tombstone deletes: a record we failed to read is not a deletion.
    return !this.compareRecords && this.mirror.nodes.has(guid);
  }

  /** Milliseconds since this side last changed the item; unknown times count as oldest. */
  age(guid: string): number {
    const modified = this.tree.nodes.get(guid)?.modifiedMs ?? 0;
    return this.nowMs - modified;
  }

  /**
   * Changed since the last sync, as the deletion rules ask it ("did the other side touch what
   * this side deleted?"): new, moved, reordered or edited compared with the mirror, or, on the
   * server, written again since the write the mirror holds (see `rewritten`). Conflicts between
   * two edits (`valueChanged`, `childrenChanged`) stay pure diffs: a record re-uploaded unchanged
   * must not look like a conflicting edit.
   */
  changed(guid: string): boolean {
    let result = this.changedCache.get(guid);
    if (result === undefined) {
      result = this.computeChanged(guid);
      this.changedCache.set(guid, result);
    }
    return result;
  }

  private computeChanged(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return node !== undefined;
    return node.parentGuid !== base.parentGuid || this.valueChanged(guid) || this.childrenChanged(guid)
      || this.rewritten(guid);
  }

  /**
   * Server side: the record arrived in this download (`needsMerge`, as the engine flags what it
   * downloads) as a write later than the one the mirror holds. Another device wrote it again, so
   * its person touched it, even if the record reads as before: a move into a folder deleted here,
   * undone by that device's merge, comes back as the old record (dogear's `needsMerge` rule).
   * A download that is not later than the mirror's copy (server times only grow) is no news: it is
   * our own upload coming back, when a run stopped after writing the mirror and before saving its
   * last-sync time (the mirror holds our records at that time, or later when a server without
   * batches committed them in several requests). Unknown times count as a new write. Locally the
   * diff is all there is.
   */
  private rewritten(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!this.compareRecords || !node?.needsMerge || !base) return false;
    return node.modifiedMs === null || base.modifiedMs === null || node.modifiedMs > base.modifiedMs;
  }

  /** Title, URL, kind or other record content differ from the mirror (or the item is new). */
  valueChanged(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return node !== undefined;
    if (kindGroup(node.kind) !== kindGroup(base.kind)) return true;
    if (node.title !== base.title || !sameUrl(node.url, base.url)) return true;
    if (this.compareRecords && node.record && base.record) {
      return contentKeyOfRecord(node.record) !== contentKeyOfRecord(base.record);
    }
    return false;
  }

  /** The title differs from the mirror's (or the item is new). */
  titleChanged(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return node !== undefined;
    return node.title !== base.title;
  }

  /**
   * What the item points to differs from the mirror: the (normalized) URL, or on the server the
   * kind within its group (bookmark ↔ query, livemark → folder). A browser's kind follows from
   * its URL, so locally the URL says it all.
   */
  urlChanged(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return node !== undefined;
    return !sameUrl(node.url, base.url) || (this.compareRecords && node.kind !== base.kind);
  }

  /** The folder's child list differs from the mirror's (or the folder is new). */
  childrenChanged(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return node !== undefined;
    return !sameList(node.children, base.children);
  }

  /** The folder's children that the mirror also had are in a different relative order. */
  reordered(guid: string): boolean {
    const node = this.tree.nodes.get(guid);
    const base = this.mirror.nodes.get(guid);
    if (!node || !base) return false;
    const mine = new Set(node.children);
    const theirs = new Set(base.children);
    return !sameList(node.children.filter((g) => theirs.has(g)), base.children.filter((g) => mine.has(g)));
  }
}

/**
 * URLs as a browser would store them: Chromium normalizes (`HTTPS://A.example` becomes
 * `https://a.example/`) while the server keeps what Firefox wrote, so raw strings would show a
 * change, or miss a duplicate, that is not there. Unparseable URLs compare as written. Parsed once
 * per URL while the worker lives: a merge of 10,000 bookmarks compares each URL several times, and
 * parsing them all took 0.3 s of an incremental sync.
 */
export function normalizeUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  let href = normalized.get(url);
  if (href === undefined) {
    try {
      href = new URL(url).href;
    } catch {
      href = url;
    }
    if (normalized.size >= NORMALIZED_KEPT) normalized.clear();
    normalized.set(url, href);
  }
  return href;
}

const normalized = new Map<string, string>();
const NORMALIZED_KEPT = 100_000;

/** Whether two URLs name the same page as a browser stores it (the same text always does). */
export function sameUrl(a: string | null | undefined, b: string | null | undefined): boolean {
  return a === b || normalizeUrl(a) === normalizeUrl(b);
}

/** Bookmarks and queries are interchangeable (a query is a bookmark with a place: URL). */
export function kindGroup(kind: BookmarkKind): string {
  if (kind === 'bookmark' || kind === 'query') return 'bookmark';
  if (kind === 'folder' || kind === 'livemark') return 'folder';
  return kind;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Fields that describe the item itself (not its place, not bookkeeping), in a stable form. */
const NOT_CONTENT = new Set(['id', 'parentid', 'parentName', 'children', 'hasDupe', 'dateAdded', 'pos']);
function contentKeyOfRecord(record: object): string {
  const entries = Object.entries(record).filter(([k, v]) => !NOT_CONTENT.has(k) && v !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** Whether the local browser can hold this merged item where it is. */
export interface Representability {
  unsupportedKinds: ReadonlySet<BookmarkKind>;
  unsupportedRoots: ReadonlySet<string>;
  /** Single items this browser refused to create (e.g. a URL it rejects); kept like unsupported kinds. */
  unsupportedGuids: ReadonlySet<string>;
}

export function isUnsupportedItem(rep: Representability, node: Pick<BookmarkNode, 'guid' | 'kind'>): boolean {
  return rep.unsupportedKinds.has(node.kind) || rep.unsupportedGuids.has(node.guid);
}

/**
 * The local tree plus virtual copies of mirror items the browser cannot hold: whole subtrees of
 * unsupported roots, and unsupported items re-inserted after the sibling that preceded them in
 * the mirror. An unsupported item whose mirror parent is gone locally stays out (deleted with it).
 */
export function augmentLocal(local: BookmarkTree, mirror: BookmarkTree, rep: Representability): BookmarkTree {
  if (rep.unsupportedKinds.size === 0 && rep.unsupportedRoots.size === 0 && rep.unsupportedGuids.size === 0) return local;
  const nodes = new Map<string, BookmarkNode>(local.nodes);
  const children = new Map<string, string[]>();
  const childList = (guid: string): string[] => {
    let list = children.get(guid);
    if (!list) {
      list = [...(nodes.get(guid)?.children ?? [])];
      children.set(guid, list);
    }
    return list;
  };
  const addVirtual = (m: BookmarkNode, parent: string, at: number): void => {
    nodes.set(m.guid, { ...m, children: [], parentGuid: parent, needsMerge: false, virtual: true });
    childList(parent).splice(at, 0, m.guid);
  };
  for (const root of rep.unsupportedRoots) {
    const mirrorRoot = mirror.nodes.get(root);
    if (!mirrorRoot || !nodes.has(root)) continue;
    // The browser has no such root: whatever the mirror holds there is still there.
    for (const m of walkTree(mirror, root)) {
      if (m.guid === root) continue;
      if (nodes.has(m.guid) || !nodes.has(m.parentGuid ?? '')) continue;
      addVirtual(m, m.parentGuid as string, childList(m.parentGuid as string).length);
    }
  }
  for (const m of walkTree(mirror, ROOT_GUID)) {
    if (!isUnsupportedItem(rep, m) || nodes.has(m.guid) || m.parentGuid === null) continue;
    if (!nodes.has(m.parentGuid)) continue;
    const siblings = mirror.nodes.get(m.parentGuid)?.children ?? [];
    const list = childList(m.parentGuid);
    let at = 0;
    for (let i = siblings.indexOf(m.guid) - 1; i >= 0; i--) {
      const pos = list.indexOf(siblings[i] as string);
      if (pos >= 0) {
        at = pos + 1;
        break;
      }
    }
    addVirtual(m, m.parentGuid, at);
  }
  for (const [guid, list] of children) {
    const node = nodes.get(guid);
    if (node) nodes.set(guid, { ...node, children: list });
  }
  return { ...local, nodes };
}
