import type { LastRun } from '../shared/status.ts';
import type { SyncbridgeDB } from './schema.ts';

export interface PersistedStatus {
  lastRun: LastRun | null;
  lastSuccessAt: number | null;
  /** Server-requested quiet period (X-Weave-Backoff / Retry-After), ms since epoch. */
  backoffUntil: number | null;
}

const KEY = 'status';
const EMPTY: PersistedStatus = { lastRun: null, lastSuccessAt: null, backoffUntil: null };

/** Sole owner of the `status` store. */
export class StatusStore {
  constructor(private readonly db: SyncbridgeDB) {}

  async get(): Promise<PersistedStatus> {
    return { ...EMPTY, ...((await this.db.get('status', KEY)) as Partial<PersistedStatus> | undefined) };
  }

  async update(patch: Partial<PersistedStatus>): Promise<PersistedStatus> {
    const tx = this.db.transaction('status', 'readwrite');
    const next = { ...EMPTY, ...((await tx.store.get(KEY)) as Partial<PersistedStatus> | undefined), ...patch };
    await tx.store.put(next, KEY);
    await tx.done;
    return next;
  }
}
