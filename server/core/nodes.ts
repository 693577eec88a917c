// Per-user node assignment. A reassignment bumps the user's generation (so storage rejects
// tokens minted before it) and empties the user's storage, because a fresh node holds no data.
import { join } from 'node:path';
import type { NodeAssignments } from './context.ts';
import { readJsonIfExists, writeJsonAtomic } from './atomicFile.ts';

export class LocalNodeAssignments implements NodeAssignments {
  private readonly generations = new Map<string, number>();
  private readonly file: string | null;

  constructor(
    dataDir: string | null,
    private readonly onReassign: (uid: string) => void,
  ) {
    this.file = dataDir ? join(dataDir, 'nodes.json') : null;
    const saved = this.file ? readJsonIfExists(this.file) : undefined;
    if (saved && typeof saved === 'object') {
      for (const [uid, gen] of Object.entries(saved as Record<string, unknown>)) {
        if (typeof gen === 'number') this.generations.set(uid, gen);
      }
    }
  }

  currentGeneration(uid: string): number {
    return this.generations.get(uid) ?? 0;
  }

  reassign(uid: string): void {
    this.generations.set(uid, this.currentGeneration(uid) + 1);
    if (this.file) writeJsonAtomic(this.file, Object.fromEntries(this.generations));
    this.onReassign(uid);
  }
}
