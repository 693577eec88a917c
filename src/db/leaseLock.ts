import type { LeaseRecord, SyncbridgeDB } from './schema.ts';

export type AcquireResult =
  | { acquired: true; lease: LeaseRecord; /** a previous holder's lease had run out: it died mid-run */ tookOverExpired: boolean }
  | { acquired: false; heldBy: LeaseRecord };

/**
 * A lease-based lock in IndexedDB. It guards the sync run so two runs never overlap, even across
 * service-worker restarts: the in-memory state dies with the worker, the lease does not. A worker
 * killed mid-run cannot release its lease, so leases expire unless renewed; the holder renews while
 * it runs. Check-and-set happens inside one readwrite transaction, which IndexedDB serialises.
 */
export class LeaseLock {
  constructor(
    private readonly db: SyncbridgeDB,
    private readonly name: string,
    private readonly leaseMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the lease if it is free, expired, or `preempt` says its live holder is gone (the caller
   * may know more than the clock, e.g. that the holder was a worker instance that no longer exists).
   */
  async acquire(owner: string, preempt: (holder: LeaseRecord) => boolean = () => false): Promise<AcquireResult> {
    const tx = this.db.transaction('locks', 'readwrite');
    const current = await tx.store.get(this.name);
    const t = this.now();
    if (current && current.expiresAt > t && current.owner !== owner && !preempt(current)) {
      await tx.done;
      return { acquired: false, heldBy: current };
    }
    const lease: LeaseRecord = { name: this.name, owner, acquiredAt: t, expiresAt: t + this.leaseMs };
    await tx.store.put(lease);
    await tx.done;
    return { acquired: true, lease, tookOverExpired: current !== undefined && current.owner !== owner };
  }

  /** Extends the lease; false if it was lost (expired and taken by someone else). */
  async renew(owner: string): Promise<boolean> {
    const tx = this.db.transaction('locks', 'readwrite');
    const current = await tx.store.get(this.name);
    if (!current || current.owner !== owner) {
      await tx.done;
      return false;
    }
    current.expiresAt = this.now() + this.leaseMs;
    await tx.store.put(current);
    await tx.done;
    return true;
  }

  async release(owner: string): Promise<void> {
    const tx = this.db.transaction('locks', 'readwrite');
    const current = await tx.store.get(this.name);
    if (current && current.owner === owner) await tx.store.delete(this.name);
    await tx.done;
  }

  /** The live lease, if any. */
  async holder(): Promise<LeaseRecord | null> {
    const current = await this.db.get('locks', this.name);
    return current && current.expiresAt > this.now() ? current : null;
  }
}
