// The options page's side of the bookmarks safety: what Settings shows and what its buttons do,
// for the question about the account's bookmarks and the copies of the account (issue 9 item 0, c).
import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../../test-support/db.ts';
import { SafetyStore } from '../../db/safetyStore.ts';
import { BookmarksController } from './controller.ts';

async function setup() {
  let t = 1000;
  const safety = new SafetyStore(await freshDatabase(), () => ++t);
  const syncs: string[] = [];
  const restored: unknown[] = [];
  const controller = new BookmarksController({
    safety, rootProblems: async () => [],
    restore: async (items) => {
      restored.push(items);
      return items.length;
    },
    requestSync: async () => void syncs.push('sync'),
  });
  return { safety, controller, syncs, restored };
}

describe('BookmarksController: the account’s bookmarks', () => {
  test('the question shows the counts and the emptied roots by name; either answer syncs at once', async () => {
    const { safety, controller, syncs } = await setup();
    await safety.askLargeRemoteDeletion({ deletions: 72, remoteItems: 80, emptiedRoots: ['toolbar', 'unfiled'], ids: ['a'] });
    expect((await controller.view()).pending).toEqual({ kind: 'large-remote-deletion', deletions: 72, remoteItems: 80, emptiedRoots: ['Bookmarks Toolbar', 'Other Bookmarks'] });
    const approved = await controller.approveRemoteDeletion();
    expect(approved.pending).toBeNull();
    expect((await safety.accountDecisions()).approvedRemoteDeletions).toMatchObject({ count: 72 });
    expect(syncs).toEqual(['sync']);

    await safety.askLargeRemoteDeletion({ deletions: 72, remoteItems: 80, emptiedRoots: [], ids: ['a', 'b'] });
    expect((await controller.keepRemoteBookmarks()).pending).toBeNull();
    expect((await safety.accountDecisions()).keepRemote).toMatchObject({ ids: ['a', 'b'] });
    expect((await safety.accountDecisions()).approvedRemoteDeletions).toBeNull();
    expect(syncs).toEqual(['sync', 'sync']);
    await expect(controller.keepRemoteBookmarks()).rejects.toThrow(/no deletion from your account/);
  });

  test('copies of the account are listed with the local ones; "Put back in my account" waits for the next sync', async () => {
    const { safety, controller, syncs, restored } = await setup();
    await safety.snapshot('local copy', [{ guid: 'g0', parentGuid: 'unfiled_____', kind: 'bookmark', index: 0 }]);
    await safety.accountSnapshot('Before deleting 72 bookmarks from your account', [{ id: 'r1', modified: 5, cleartext: { id: 'r1', type: 'bookmark', bmkUri: 'https://r.example/' } }]);
    const view = await controller.view();
    expect(view.snapshots.map((s) => [s.reason, s.kind, s.count])).toEqual([
      ['Before deleting 72 bookmarks from your account', 'account', 1], ['local copy', 'local', 1],
    ]);
    expect(view.accountRestore).toBeNull();
    const accountCopy = view.snapshots[0]!;
    // A copy of the account is not restored into this browser as if it were one of its trees.
    await expect(controller.restoreSnapshot(accountCopy.id)).rejects.toThrow(/Put back in my account/);
    expect(restored).toEqual([]);
    const after = await controller.restoreAccountSnapshot(accountCopy.id);
    expect(after.accountRestore).toEqual({ id: accountCopy.id });
    expect(syncs).toEqual(['sync']);
    // The local copy still restores here.
    expect(await controller.restoreSnapshot(view.snapshots[1]!.id)).toEqual({ restored: 1 });
    await expect(controller.restoreAccountSnapshot(view.snapshots[1]!.id)).rejects.toThrow(/no longer exists/);
  });
});
