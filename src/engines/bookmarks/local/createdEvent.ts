// One subscription to the browser's bookmarks.onCreated for everything in the background that
// listens (the change tracker, the search index), which a bulk of the sync's own creates can switch
// off. Chromium sends every create's event over to a listening extension, and that is about a third
// of what a create costs it: 10,500 creates take 1.7 s with no listener and 2.3 s with one that does
// nothing (bench/bookmarks.bench.ts, its floors). So a first sync's apply runs `quietDuring`, the
// browser's listener removed (removing it also stops the event waking the worker, which is running
// anyway), and afterwards hands the creates that went unheard to the listeners with `replay`: the
// sync's own to those that want them (the search index), the person's (found by the apply) to all.
import type { ApiEvent, BrowserBookmarkNode } from './api.ts';

type Listener = (id: string, node: BrowserBookmarkNode) => void;

export class SharedCreatedEvent implements ApiEvent<[id: string, node: BrowserBookmarkNode]> {
  private readonly listeners = new Map<Listener, { own: boolean }>();
  private quiet = 0;
  private readonly dispatch: Listener = (id, node) => {
    for (const l of [...this.listeners.keys()]) l(id, node);
  };

  /** Subscribes to the browser's event now (at start-up, so that a create wakes the worker). */
  constructor(private readonly browserEvent: ApiEvent<[id: string, node: BrowserBookmarkNode]>) {
    browserEvent.addListener(this.dispatch);
  }

  /** `own`: also hear, through `replay`, the sync's own creates made while the event was off. */
  addListener(listener: Listener, options: { own?: boolean } = {}): void {
    this.listeners.set(listener, { own: options.own ?? false });
  }

  removeListener(listener: Listener): void {
    this.listeners.delete(listener);
  }

  /** Runs `fn` with the browser's event unsubscribed (nested calls share one unsubscription). */
  async quietDuring<T>(fn: () => Promise<T>): Promise<T> {
    if (this.quiet++ === 0) this.browserEvent.removeListener(this.dispatch);
    try {
      return await fn();
    } finally {
      if (--this.quiet === 0) this.browserEvent.addListener(this.dispatch);
    }
  }

  /** Creates that went unheard while the event was off: `ours` reach only the listeners that asked for them. */
  replay(creates: ReadonlyArray<{ id: string; node: BrowserBookmarkNode; ours: boolean }>): void {
    for (const [l, o] of [...this.listeners]) {
      for (const c of creates) if (!c.ours || o.own) l(c.id, c.node);
    }
  }
}
