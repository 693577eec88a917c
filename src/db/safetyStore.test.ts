import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import type { MergeStats } from '../engines/bookmarks/merge/types.ts';
import { SafetyStore } from './safetyStore.ts';
import { SyncStateStore } from './syncStateStore.ts';
import { SWITCHABLE_ENGINES } from '../engines/registry.ts';

const stats = (deletionsLocal: number, localItems: number) => ({ deletionsLocal, localItems } as MergeStats);

describe('SafetyStore', () => {
  test('first-sync question, answer, and clearing after the sync used it', async () => {
    const s = new SafetyStore(await freshDatabase(), () => 1000);
    expect(await s.firstSyncChoice()).toBeNull();
    await s.askFirstSync({ local: 12, remote: 40 });
    expect(await s.pending()).toEqual({ kind: 'first-sync', local: 12, remote: 40, askedAt: 1000 });
    await s.chooseFirstSync('merge');
    expect(await s.pending()).toBeNull();
    expect(await s.firstSyncChoice()).toBe('merge');
    await s.clearFirstSyncChoice();
    expect(await s.firstSyncChoice()).toBeNull();
  });

  test('a large deletion is approved once, for at most the count the person saw', async () => {
    const s = new SafetyStore(await freshDatabase());
    await expect(s.approveDeletion()).rejects.toThrow(/no deletion/);
    await s.askLargeDeletion(stats(80, 100));
    expect(await s.approvedDeletions(80)).toBe(false);
    await s.approveDeletion();
    expect(await s.approvedDeletions(120)).toBe(false); // more than was shown: ask again
    expect(await s.approvedDeletions(80)).toBe(true);
    expect(await s.approvedDeletions(80)).toBe(false); // used up
  });

  test('keeps the newest five snapshots, newest first, with their item counts', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    for (let i = 1; i <= 7; i++) {
      await s.snapshot(`snap ${i}`, Array.from({ length: i }, (_, k) => ({ guid: `g${k}`, parentGuid: 'unfiled_____', kind: 'bookmark' as const, index: k })));
    }
    const list = await s.snapshots();
    expect(list.map((x) => [x.reason, x.count])).toEqual([['snap 7', 7], ['snap 6', 6], ['snap 5', 5], ['snap 4', 4], ['snap 3', 3]]);
    expect((await s.getSnapshot(list[0]!.id!))?.items).toHaveLength(7);
  });
});

describe('SafetyStore and sync-state resets', () => {
  test('a reset of the sync state (new node, resetAll command) keeps the bookmark decisions', async () => {
    const db = await freshDatabase();
    const safety = new SafetyStore(db);
    await safety.clearFirstSyncChoice(); // a first sync completed
    const syncState = new SyncStateStore(db, SWITCHABLE_ENGINES);
    await syncState.resetGlobal();
    await syncState.associations.reset('bookmarks');
    expect(await safety.hasSyncedBefore()).toBe(true);
    await syncState.forgetAccount(); // the sync state's own sign-out leaves the decisions to their owner
    expect(await safety.hasSyncedBefore()).toBe(true);
    await safety.forgetAccount(); // signing out is a different matter
    expect(await safety.hasSyncedBefore()).toBe(false);
  });

  test('signing out forgets the decisions but keeps the snapshots (the person\'s local copies)', async () => {
    const db = await freshDatabase();
    const safety = new SafetyStore(db, () => 1000);
    await safety.askFirstSync({ local: 3, remote: 4 });
    await safety.chooseFirstSync('merge');
    await safety.snapshot('before merge', [{ guid: 'g0', parentGuid: 'unfiled_____', kind: 'bookmark', index: 0 }]);
    await safety.forgetAccount();
    expect(await safety.firstSyncChoice()).toBeNull();
    expect(await safety.pending()).toBeNull();
    expect((await safety.snapshots()).map((x) => [x.reason, x.count])).toEqual([['before merge', 1]]);
  });
});
