// What the options page can ask and tell about bookmarks: decisions the engine waits for (about
// this browser's bookmarks and about the account's), the copies kept before big changes (of this
// browser's tree, restored here; of the account's records, put back by the next sync), and
// problems with this browser's bookmark roots.
import { t } from '../../i18n/i18n.ts';
import type { SafetyStore } from '../../db/safetyStore.ts';
import type { BookmarksView, FirstSyncChoiceView } from '../../shared/account.ts';
import type { LocalItem } from './tree.ts';
import { rootName } from './accountSafety.ts';

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
    const [pending, snapshots, rootProblems, restore] = await Promise.all([
      this.d.safety.pending(), this.d.safety.snapshots(), this.d.rootProblems(), this.d.safety.pendingAccountRestore(),
    ]);
    return {
      pending: pending === null ? null
        : pending.kind === 'first-sync' ? { kind: 'first-sync', local: pending.local, remote: pending.remote }
          : pending.kind === 'large-deletion' ? { kind: 'large-deletion', deletions: pending.deletions, localItems: pending.localItems }
            : { kind: 'large-remote-deletion', deletions: pending.deletions, remoteItems: pending.remoteItems, emptiedRoots: pending.emptiedRoots.map(rootName) },
      snapshots: snapshots.map((s) => ({ id: s.id ?? 0, time: s.time, reason: s.reason, count: s.count, kind: s.kind })),
      accountRestore: restore === null ? null : { id: restore.snapshotId },
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

  /** "Delete them from my account": the next sync deletes them on the server (a copy is kept first). */
  async approveRemoteDeletion(): Promise<BookmarksView> {
    await this.d.safety.approveRemoteDeletion();
    await this.d.requestSync();
    return this.view();
  }

  /** "Keep them in my account": the next sync leaves them on the server and brings them back here. */
  async keepRemoteBookmarks(): Promise<BookmarksView> {
    await this.d.safety.keepRemoteBookmarks();
    await this.d.requestSync();
    return this.view();
  }

  /** "Put back in my account": the next sync writes the copy's records that the account no longer holds. */
  async restoreAccountSnapshot(id: number): Promise<BookmarksView> {
    await this.d.safety.requestAccountRestore(id);
    await this.d.requestSync();
    return this.view();
  }

  async restoreSnapshot(id: number): Promise<{ restored: number }> {
    const snap = await this.d.safety.getSnapshot(id);
    if (!snap) throw new Error(t('bookmarksSnapshotGone'));
    if ((await this.d.safety.snapshotKind(id)) === 'account') {
      throw new Error(t('bookmarksSnapshotIsAccount'));
    }
    const restored = await this.d.restore(snap.items as unknown as LocalItem[]);
    if (restored > 0) await this.d.requestSync();
    return { restored };
  }
}
