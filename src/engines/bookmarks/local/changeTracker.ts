// Notices the person's bookmark edits and asks for a sync a little later (default 5 s after the
// last change, so a burst of edits makes one sync). Changed items are kept in a persisted set,
// as Sync GUIDs when the id map knows them, else as browser ids; the parents whose child lists
// changed are recorded too. The snapshot marks those items `needsMerge`.
//
// Events are a hint, not the truth: they are missed while the extension is not running (disabled,
// updating, the browser starting before the background does) or when the worker dies between an
// event and its write. So the merger always diffs the whole snapshot against the mirror, and the
// periodic alarm syncs even when this set is empty.
//
// Our own writes during a sync must not trigger another sync: the sync wraps its apply in
// `holdDuring` (events are buffered; Chromium and Firefox both fire onCreated before `create`
// resolves, so the new id is not known when the event arrives) and reports each write with
// `noteOwnWrite`: the id and what the write left there (title and URL, parent, removed). An event
// is ours only when it says what our write did; buffered events are judged against every write of
// the run, late ones within a short grace period. Matching by id and time alone took a person's
// rename made within a second of a sync's write to the same item for our own, and "newer wins" then
// counted that rename as the oldest change of all (it lost to an earlier rename on another device).
// During a Chromium import (onImportBegan … onImportEnded) onCreated is ignored and one sync is
// requested at the end.
import type { BookmarkEvents, BrowserBookmarkNode } from './api.ts';
import type { BookmarkIdMap } from './idMap.ts';

/** The persisted set of changed keys (GUIDs or browser ids); the lead backs it with IndexedDB. */
export interface ChangeStore {
  add(keys: readonly string[]): Promise<void>;
  list(): Promise<string[]>;
  /** Removes the keys a finished sync has taken care of; keys added since stay. */
  remove(keys: readonly string[]): Promise<void>;
  /** When each listed key last changed (ms), where the store keeps it. */
  times?(): Promise<Map<string, number>>;
}

export class MemoryChangeStore implements ChangeStore {
  readonly keys = new Set<string>();
  async add(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.keys.add(k);
  }
  async list(): Promise<string[]> {
    return [...this.keys];
  }
  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) this.keys.delete(k);
  }
}

/** What one of our writes left on a browser item: the state its events will report. */
export type OwnWrite =
  | { kind: 'create' | 'update'; title?: string | undefined; url?: string | undefined }
  | { kind: 'move'; parentId: string }
  | { kind: 'remove' };

export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: TimerPort = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export interface ChangeTrackerOptions {
  events: BookmarkEvents;
  idMap: Pick<BookmarkIdMap, 'syncIdFor'>;
  store: ChangeStore;
  requestSync: (reason: 'local-change') => void;
  debounceMs?: number;
  /**
   * How long after a sync's write its events are still ignored (default 1 s). Both browsers report
   * our writes while the sync still holds events, so this only covers stragglers; longer would
   * swallow a person's own edit made right after a sync.
   */
  ownWriteGraceMs?: number;
  timer?: TimerPort;
  now?: () => number;
}

type EventInfo =
  | { event: 'created' }
  | { event: 'changed'; title?: string | undefined; url?: string | undefined }
  | { event: 'moved'; parentId: string }
  | { event: 'removed' }
  | { event: 'reordered' };

type Observed = EventInfo & {
  /** The item the event is about. */
  id: string;
  /** Further ids whose state changed with it (parents, removed descendants). */
  related: string[];
};

/** Whether an event reports what this write did (and so is the write's own echo). */
function reports(ev: EventInfo, w: OwnWrite): boolean {
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
      return false; // we never reorder a folder's children; only the person does
  }
}

interface OwnWrites {
  writes: OwnWrite[];
  /** Late events (after the hold) count as ours until then. */
  until: number;
}

export class ChangeTracker {
  private readonly debounceMs: number;
  private readonly graceMs: number;
  private readonly timer: TimerPort;
  private readonly now: () => number;
  private handle: unknown = null;
  private importing = false;
  private holds = 0;
  private held: Observed[] = [];
  private readonly ownWrites = new Map<string, OwnWrites>();
  private queue: Promise<void> = Promise.resolve();
  private readonly pendingIds: string[] = [];
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly o: ChangeTrackerOptions) {
    this.debounceMs = o.debounceMs ?? 5000;
    this.graceMs = o.ownWriteGraceMs ?? 1000;
    this.timer = o.timer ?? realTimer;
    this.now = o.now ?? Date.now;
  }

  /** Subscribes synchronously (call at the top level of the background, so events wake it), then
   *  schedules a sync if changes were recorded before the worker last stopped. */
  start(): Promise<void> {
    const e = this.o.events;
    this.on(e.onCreated, (id: string, node: BrowserBookmarkNode) => {
      if (!this.importing) this.observe({ event: 'created', id, related: node.parentId ? [node.parentId] : [] });
    });
    this.on(e.onChanged, (id: string, info: { title?: string; url?: string }) =>
      this.observe({ event: 'changed', id, related: [], title: info.title, url: info.url }));
    this.on(e.onMoved, (id: string, info: { parentId: string; oldParentId: string }) =>
      this.observe({ event: 'moved', id, related: [info.parentId, info.oldParentId], parentId: info.parentId }));
    this.on(e.onRemoved, (id: string, info: { parentId: string; node?: BrowserBookmarkNode }) =>
      this.observe({ event: 'removed', id, related: [info.parentId, ...descendants(info.node)] }));
    if (e.onChildrenReordered) this.on(e.onChildrenReordered, (id: string) => this.observe({ event: 'reordered', id, related: [] }));
    if (e.onImportBegan) this.on(e.onImportBegan, () => this.beginImport());
    if (e.onImportEnded) this.on(e.onImportEnded, () => this.endImport());
    return this.enqueue(async () => {
      if ((await this.o.store.list()).length > 0) this.schedule();
    });
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.cancel();
  }

  /** The sync is writing this browser item, leaving it as `write` says. */
  noteOwnWrite(localId: string, write: OwnWrite): void {
    const until = this.now() + this.graceMs;
    const known = this.ownWrites.get(localId);
    if (known) {
      known.writes.push(write);
      known.until = until;
    } else this.ownWrites.set(localId, { writes: [write], until });
  }

  /** Runs our own writes: events meanwhile are held, then those about our ids are dropped. */
  async holdDuring<T>(fn: () => Promise<T>): Promise<T> {
    this.holds++;
    try {
      return await fn();
    } finally {
      this.holds--;
      if (this.holds === 0) {
        const held = this.held;
        this.held = [];
        // Held events are judged against every write of the run, however long it took: a large
        // first sync must not come back as thousands of "local changes" once its grace ran out.
        for (const ev of held) if (!this.echoes(ev)) this.observe(ev);
        for (const [id, own] of this.ownWrites) if (own.until < this.now()) this.ownWrites.delete(id);
      }
    }
  }

  /** Resolves once every event seen so far is in the store (tests, and before a snapshot). */
  settled(): Promise<void> {
    return this.queue;
  }

  private on<A extends unknown[]>(event: { addListener(l: (...args: A) => void): void; removeListener(l: (...args: A) => void): void }, l: (...args: A) => void): void {
    event.addListener(l);
    this.unsubscribe.push(() => event.removeListener(l));
  }

  /** The event reports one of our writes to its item (any of this run's, however long ago). */
  private echoes(ev: Observed): boolean {
    return this.ownWrites.get(ev.id)?.writes.some((w) => reports(ev, w)) ?? false;
  }

  /** A late event: ours only within the grace period after our last write to the item. */
  private isOwn(ev: Observed): boolean {
    const own = this.ownWrites.get(ev.id);
    if (own === undefined) return false;
    if (own.until < this.now()) {
      this.ownWrites.delete(ev.id);
      return false;
    }
    return this.echoes(ev);
  }

  private observe(ev: Observed): void {
    if (this.holds > 0) {
      this.held.push(ev);
      return;
    }
    if (this.isOwn(ev)) return;
    // Ids are collected and written in one go per turn of the queue: a burst of events (an
    // import, a folder moved with its contents) costs one store write, not one per event.
    const first = this.pendingIds.length === 0;
    this.pendingIds.push(ev.id, ...ev.related);
    if (first) {
      this.enqueue(async () => {
        const ids = [...new Set(this.pendingIds.splice(0))];
        const keys: string[] = [];
        for (const id of ids) keys.push((await this.o.idMap.syncIdFor(id)) ?? id);
        await this.o.store.add(keys);
      });
    }
    if (!this.importing) this.schedule();
  }

  private beginImport(): void {
    this.importing = true;
    this.cancel();
  }

  private endImport(): void {
    this.importing = false;
    this.cancel();
    void this.queue.then(() => this.o.requestSync('local-change'));
  }

  private schedule(): void {
    this.cancel();
    this.handle = this.timer.set(() => {
      this.handle = null;
      void this.queue.then(() => this.o.requestSync('local-change'));
    }, this.debounceMs);
  }

  private cancel(): void {
    if (this.handle !== null) this.timer.clear(this.handle);
    this.handle = null;
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    // Failures to record are not fatal: the merger's diff against the mirror still finds the change.
    this.queue = this.queue.then(task).catch(() => undefined);
    return this.queue;
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
