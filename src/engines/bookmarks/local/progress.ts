// How far a run of local operations got, so a worker killed mid-run resumes where it stopped.
// The lead backs this with IndexedDB; tests use the in-memory one. Progress is only good for the
// plan it was recorded against: a new snapshot of the browser makes a new plan (the browser side
// clears it then), so a browser that lost the writes counted here never has them skipped.

export interface ProgressStore {
  /** Operations finished for this run; 0 when the run is unknown. */
  get(runId: string): Promise<number>;
  /** Whether this run was started before (progress recorded for it, even 0). */
  started(runId: string): Promise<boolean>;
  set(runId: string, done: number): Promise<void>;
  clear(runId: string): Promise<void>;
  /** Forgets every run's progress. */
  clearAll(): Promise<void>;
}

export class MemoryProgressStore implements ProgressStore {
  readonly values = new Map<string, number>();
  async get(runId: string): Promise<number> {
    return this.values.get(runId) ?? 0;
  }
  async started(runId: string): Promise<boolean> {
    return this.values.has(runId);
  }
  async set(runId: string, done: number): Promise<void> {
    this.values.set(runId, done);
  }
  async clear(runId: string): Promise<void> {
    this.values.delete(runId);
  }
  async clearAll(): Promise<void> {
    this.values.clear();
  }
}
