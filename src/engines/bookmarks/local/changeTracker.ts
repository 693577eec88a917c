// Notices the person's bookmark edits and asks for a sync a little later (default 5 s after the
// last change, so a burst of edits makes one sync), on the engine kit's change tracker
// (../../kit/changeTracker.ts: persisted change set, debounce, telling our own writes' echoes from
// the person's edits). Changed items are recorded as Sync GUIDs when the id map knows them, else as
// browser ids; the parents whose child lists changed are recorded too. The snapshot marks those
// items `needsMerge` and takes their change times for "newer wins"; the merger still diffs the
// whole tree against the mirror, since events are missed while the extension is not running. Its
// count of the person's changes lets a sync skip the tree altogether when nothing changed here since
// the last sync of this worker and nothing came down (BrowserBookmarks.unchangedSinceSync).
//
// What is bookmark-specific lives here: which events to watch, and what each of our writes looks
// like when its event comes back (a create/update echoes with the title and URL we wrote, a move
// with the parent, a removal as a removal; we never reorder, so a reorder is always the person's).
// During a Chromium import (onImportBegan … onImportEnded) onCreated is ignored and one sync is
// requested at the end.
import { ChangeTracker as KitTracker, type ChangeStore, type TimerPort } from '../../kit/changeTracker.ts';
import type { BookmarkEvents, BrowserBookmarkNode } from './api.ts';
import type { BookmarkIdMap } from './idMap.ts';

export type { ChangeStore, TimerPort } from '../../kit/changeTracker.ts';
export { MemoryChangeStore, realTimer } from '../../kit/changeTracker.ts';

/** What one of our writes left on a browser item: the state its events will report. */
export type OwnWrite =
  | { kind: 'create' | 'update'; title?: string | undefined; url?: string | undefined; parentId?: string | undefined }
  | { kind: 'move'; parentId: string }
  | { kind: 'remove' };

type BookmarkEvent = { id: string; related: string[] } & (
  | { event: 'created' }
  | { event: 'changed'; title?: string | undefined; url?: string | undefined }
  | { event: 'moved'; parentId: string }
  | { event: 'removed' }
  | { event: 'reordered' }
);

/** Whether an event reports what this write did (and so is the write's own echo). */
function echoes(ev: BookmarkEvent, w: OwnWrite): boolean {
  switch (ev.event) {
    case 'created':
      return w.kind === 'create';
    case 'changed':
      // Chromium reports the item's title and URL, Firefox only the fields that changed: every
      // field the event names must be what we wrote.
      return (w.kind === 'create' || w.kind === 'update')
        && (ev.title === undefined || ev.title === w.title)
        && (ev.url === undefined || ev.url === w.url);
    case 'moved':
      return w.kind === 'move' && w.parentId === ev.parentId;
    case 'removed':
      return w.kind === 'remove';
    case 'reordered':
      return false;
  }
}

export interface ChangeTrackerOptions {
  events: BookmarkEvents;
  idMap: Pick<BookmarkIdMap, 'syncIdFor'>;
  store: ChangeStore;
  requestSync: (reason: 'local-change') => void;
  debounceMs?: number;
  /** How long after a sync's write its late events are still recognised (default 1 s). */
  ownWriteGraceMs?: number;
  timer?: TimerPort;
  now?: () => number;
}

export class ChangeTracker {
  private readonly kit: KitTracker<BookmarkEvent, OwnWrite>;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly o: ChangeTrackerOptions) {
    this.kit = new KitTracker<BookmarkEvent, OwnWrite>({
      store: o.store,
      requestSync: o.requestSync,
      echoes,
      keyFor: async (id) => (await o.idMap.syncIdFor(id)) ?? id,
      ...(o.debounceMs === undefined ? {} : { debounceMs: o.debounceMs }),
      ...(o.ownWriteGraceMs === undefined ? {} : { ownWriteGraceMs: o.ownWriteGraceMs }),
      ...(o.timer ? { timer: o.timer } : {}),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  /** Subscribes synchronously (call at the top level of the background, so events wake it), then
   *  schedules a sync if changes were recorded before the worker last stopped. */
  start(): Promise<void> {
    const e = this.o.events;
    const kit = this.kit;
    this.on(e.onCreated, (id: string, node: BrowserBookmarkNode) => {
      if (!kit.isPaused) kit.observe({ event: 'created', id, related: node.parentId ? [node.parentId] : [] });
    });
    this.on(e.onChanged, (id: string, info: { title?: string; url?: string }) =>
      kit.observe({ event: 'changed', id, related: [], title: info.title, url: info.url }));
    this.on(e.onMoved, (id: string, info: { parentId: string; oldParentId: string }) =>
      kit.observe({ event: 'moved', id, related: [info.parentId, info.oldParentId], parentId: info.parentId }));
    this.on(e.onRemoved, (id: string, info: { parentId: string; node?: BrowserBookmarkNode }) =>
      kit.observe({ event: 'removed', id, related: [info.parentId, ...descendants(info.node)] }));
    if (e.onChildrenReordered) this.on(e.onChildrenReordered, (id: string) => kit.observe({ event: 'reordered', id, related: [] }));
    if (e.onImportBegan) this.on(e.onImportBegan, () => kit.pause());
    if (e.onImportEnded) this.on(e.onImportEnded, () => kit.unpause());
    return kit.resume();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.kit.stop();
  }

  /** The sync is writing this browser item, leaving it as `write` says. */
  noteOwnWrite(localId: string, write: OwnWrite): void {
    this.kit.noteOwnWrite(localId, write);
  }

  /** Runs our own writes: events meanwhile are held, then those that echo our writes are dropped. */
  holdDuring<T>(fn: () => Promise<T>): Promise<T> {
    return this.kit.holdDuring(fn);
  }

  /** Resolves once every event seen so far is in the store (tests, and before a snapshot). */
  settled(): Promise<void> {
    return this.kit.settled();
  }

  /** The person's changes seen in this worker so far (see the kit's changeCount). */
  get changeCount(): number {
    return this.kit.changeCount;
  }

  /** Events wait to be judged, or an import is under way: changeCount is not final. */
  get holding(): boolean {
    return this.kit.holding;
  }

  private on<A extends unknown[]>(event: { addListener(l: (...args: A) => void): void; removeListener(l: (...args: A) => void): void }, l: (...args: A) => void): void {
    event.addListener(l);
    this.unsubscribe.push(() => event.removeListener(l));
  }
}

function descendants(node: BrowserBookmarkNode | undefined): string[] {
  const out: string[] = [];
  const stack = [...(node?.children ?? [])];
  while (stack.length > 0) {
    const n = stack.pop() as BrowserBookmarkNode;
    out.push(n.id);
    if (n.children) stack.push(...n.children);
  }
  return out;
}
