// What the options page can ask and tell about bookmarks: decisions the engine waits for, the
// snapshots kept before big changes, and problems with this browser's bookmark roots.
import type { SafetyStore } from '../../db/safetyStore.ts';
import type { BookmarksView, FirstSyncChoiceView } from '../../shared/account.ts';
import type { LocalItem } from './tree.ts';

export interface BookmarksControllerDeps {
  safety: SafetyStore;
  /** Root problems in words (Chromium account/local roots, Chrome Sync on the same folders). */
  rootProblems(): Promise<string[]>;
  /** Re-creates the snapshot's items that are missing from the browser; returns how many. */
  restore(items: readonly LocalItem[]): Promise<number>;
  requestSync(): Promise<void>;
}

export class BookmarksController {
  constructor(private readonly d: BookmarksControllerDeps) {}

  async view(): Promise<BookmarksView> {
    const [pending, snapshots, rootProblems] = await Promise.all([this.d.safety.pending(), this.d.safety.snapshots(), this.d.rootProblems()]);
    return {
      pending: pending === null ? null
        : pending.kind === 'first-sync' ? { kind: 'first-sync', local: pending.local, remote: pending.remote }
          : { kind: 'large-deletion', deletions: pending.deletions, localItems: pending.localItems },
      snapshots: snapshots.map((s) => ({ id: s.id ?? 0, time: s.time, reason: s.reason, count: s.count })),
      rootProblems,
    };
  }

  async chooseFirstSync(choice: FirstSyncChoiceView): Promise<BookmarksView> {
    await this.d.safety.chooseFirstSync(choice);
    await this.d.requestSync();
    return this.view();
  }

  async approveDeletion(): Promise<BookmarksView> {
    await this.d.safety.approveDeletion();
    await this.d.requestSync();
    return this.view();
  }

  async restoreSnapshot(id: number): Promise<{ restored: number }> {
    const snap = await this.d.safety.getSnapshot(id);
    if (!snap) throw new Error('That snapshot no longer exists.');
    const restored = await this.d.restore(snap.items as unknown as LocalItem[]);
    if (restored > 0) await this.d.requestSync();
    return { restored };
  }
}
