// When a page re-reads something a sync changes but its progress broadcasts do not (the log):
// a sync broadcasts its progress four times a second, and re-reading 500 log entries from the
// background for each one took the worker's time and memory from the sync it reported on.

/** A status broadcast, as far as the gate cares. */
export interface SyncState {
  syncing: boolean;
}

/**
 * Says yes to every broadcast outside a sync and to a sync's first one (it has just started, and
 * its first lines should show); during a sync, at most once every `everyMs`. The broadcast at a
 * sync's end is outside it, so the last lines always show.
 */
export function syncRefreshGate(everyMs: number, now: () => number = Date.now): (s: SyncState) => boolean {
  let wasSyncing = false;
  let lastAt = -Infinity;
  return (s) => {
    const t = now();
    const starting = s.syncing && !wasSyncing;
    wasSyncing = s.syncing;
    if (s.syncing && !starting && t - lastAt < everyMs) return false;
    lastAt = t;
    return true;
  };
}
