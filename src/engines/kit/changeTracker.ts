// The engine kit's change tracker: browser events → a persisted set of changed keys → one debounced
// sync request. Every engine that watches the browser (bookmarks today; history and tabs next) puts
// its own event subscription on top and hands each event here as an `ObservedChange`.
//
// Events are a hint, not the truth: they are missed while the extension is not running (disabled,
// updating, the browser starting before the background does) or when the worker dies between an
// event and its write. Engines therefore still compare the browser's state with what they last
// synced; this set adds the time of each change (for "newer wins") and the prompt sync. Within one
// worker, while it listens, nothing is missed: the in-memory count of changes tells an engine that
// nothing changed since its last comparison (a new worker always compares).
//
// Our own writes during a sync must not trigger another sync: the sync wraps its writes in
// `holdDuring` (events are buffered: browsers fire some events before the call that caused them
// resolves, so the new id is not yet known) and reports each write with `noteOwnWrite`, saying what
// the write left there. An event is ours only when the engine's `echoes` says it reports that write;
// buffered events are judged against every write of the run, late ones within a short grace period.
// Matching by id and time alone took a person's edit made within a second of a sync's write to the
// same item for our own (and "newer wins" then counted it as the oldest change of all).

/** The persisted set of changed keys; the background backs it with IndexedDB (db/engineWorkStore.ts). */
export interface ChangeStore {
  add(keys: readonly string[]): Promise<void>;
  list(): Promise<string[]>;
  /**
   * Removes the keys a finished sync has taken care of. With `seen` (each key's time when the sync
   * read it), a key changed again since keeps its newer record.
   */
  remove(keys: readonly string[], seen?: ReadonlyMap<string, number>): Promise<void>;
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

export interface TimerPort {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: TimerPort = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** One browser event about one item. */
export interface ObservedChange {
  /** The browser id of the item the event is about. */
  id: string;
  /** Further ids whose state changed with it (a folder whose children changed, removed descendants). */
  related: readonly string[];
}

export interface ChangeTrackerOptions<E extends ObservedChange, W> {
  store: ChangeStore;
  requestSync: (reason: 'local-change') => void;
  /** Whether an event reports what one of our writes did (and so is that write's echo). */
  echoes: (event: E, write: W) => boolean;
  /** The key a browser id is recorded under (an engine's id map: Sync GUID when known). */
  keyFor?: (id: string) => Promise<string>;
  /** Quiet time after the last change before the sync is requested (default 5 s). */
  debounceMs?: number;
  /**
   * How long after a sync's write its late events are still recognised (default 1 s). Browsers
   * report our writes while the sync still holds events, so this only covers stragglers.
   */
  ownWriteGraceMs?: number;
  timer?: TimerPort;
  now?: () => number;
}

interface OwnWrites<W> {
  writes: W[];
  until: number;
}

export class ChangeTracker<E extends ObservedChange, W> {
  private readonly debounceMs: number;
  private readonly graceMs: number;
  private readonly timer: TimerPort;
  private readonly now: () => number;
  private handle: unknown = null;
  private paused = false;
  private holds = 0;
  private held: E[] = [];
  private readonly ownWrites = new Map<string, OwnWrites<W>>();
  private queue: Promise<void> = Promise.resolve();
  private readonly pendingIds: string[] = [];
  private changesSeen = 0;

  constructor(private readonly o: ChangeTrackerOptions<E, W>) {
    this.debounceMs = o.debounceMs ?? 5000;
    this.graceMs = o.ownWriteGraceMs ?? 1000;
    this.timer = o.timer ?? realTimer;
    this.now = o.now ?? Date.now;
  }

  /** Schedules a sync if changes were recorded before the worker last stopped. */
  resume(): Promise<void> {
    return this.enqueue(async () => {
      if ((await this.o.store.list()).length > 0) this.schedule();
    });
  }

  /** The engine is writing this item, leaving it as `write` says. */
  noteOwnWrite(id: string, write: W): void {
    const until = this.now() + this.graceMs;
    const known = this.ownWrites.get(id);
    if (known) {
      known.writes.push(write);
      known.until = until;
    } else this.ownWrites.set(id, { writes: [write], until });
  }

  /** Runs our own writes: events meanwhile are held, then those that echo our writes are dropped. */
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

  /** A browser event about an item. */
  observe(ev: E): void {
    if (this.holds > 0) {
      this.held.push(ev);
      return;
    }
    if (this.isLateEcho(ev)) return;
    this.changesSeen++;
    // Ids are collected and written in one go per turn of the queue: a burst of events (an
    // import, a folder moved with its contents) costs one store write, not one per event.
    const first = this.pendingIds.length === 0;
    this.pendingIds.push(ev.id, ...ev.related);
    if (first) {
      this.enqueue(async () => {
        const ids = [...new Set(this.pendingIds.splice(0))];
        const keys: string[] = [];
        for (const id of ids) keys.push(this.o.keyFor ? await this.o.keyFor(id) : id);
        await this.o.store.add(keys);
      });
    }
    if (!this.paused) this.schedule();
  }

  /** Stops asking for syncs (a bulk change such as an import is under way); changes are still recorded. */
  pause(): void {
    this.paused = true;
    this.changesSeen++;
    this.cancel();
  }

  /** Ends a pause with one sync request. */
  unpause(): void {
    this.paused = false;
    this.changesSeen++;
    this.cancel();
    void this.queue.then(() => this.o.requestSync('local-change'));
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Changes seen in this worker that were not our own writes' echoes (a bulk change such as an
   * import counts too), counted as the events arrive, before they are stored. Unchanged between two
   * moments, with nothing held: the browser reported no change of the person's in between.
   */
  get changeCount(): number {
    return this.changesSeen;
  }

  /** Events are held for judging (a sync is writing) or wait to be: the count is not final. */
  get holding(): boolean {
    return this.holds > 0 || this.held.length > 0 || this.paused;
  }

  stop(): void {
    this.cancel();
  }

  private echoes(ev: E): boolean {
    return this.ownWrites.get(ev.id)?.writes.some((w) => this.o.echoes(ev, w)) ?? false;
  }

  /** After the hold: ours only within the grace period after our last write to the item. */
  private isLateEcho(ev: E): boolean {
    const own = this.ownWrites.get(ev.id);
    if (own === undefined) return false;
    if (own.until < this.now()) {
      this.ownWrites.delete(ev.id);
      return false;
    }
    return this.echoes(ev);
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
    // Failures to record are not fatal: the engine's comparison with what it last synced still finds the change.
    this.queue = this.queue.then(task).catch(() => undefined);
    return this.queue;
  }
}
