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

  test('waiting for the person: a question until it is answered; an approved deletion no longer waits for them', async () => {
    const s = new SafetyStore(await freshDatabase(), () => 1000);
    expect(await s.waitingForPerson()).toBeNull();
    await s.askLargeDeletion(stats(80, 100));
    expect(await s.waitingForPerson()).toMatchObject({ kind: 'large-deletion', deletions: 80 });
    await s.approveDeletion();
    expect(await s.pending()).toMatchObject({ kind: 'large-deletion' }); // the sync that deletes them has not run yet
    expect(await s.waitingForPerson()).toBeNull();
    await s.askLargeDeletion(stats(90, 100)); // more than approved: asked again
    expect(await s.waitingForPerson()).toMatchObject({ kind: 'large-deletion', deletions: 90 });
    await s.askFirstSync({ local: 1, remote: 2 });
    expect(await s.waitingForPerson()).toMatchObject({ kind: 'first-sync' });
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

describe('SafetyStore: the copy kept before replacing this browser’s bookmarks (issue 9.6)', () => {
  const REASON = 'Before replacing this browser’s bookmarks with the ones from your account';
  const item = (guid: string, index: number) => ({ guid, parentGuid: 'unfiled_____', kind: 'bookmark' as const, title: guid, url: `https://${guid}/`, index });
  const original = Array.from({ length: 8 }, (_, k) => item(`local${k}`, k));
  /** The browser after `attempt` cut-off attempts: some local items already replaced by the account's. */
  const partlyReplaced = (attempt: number) => [
    ...original.slice(attempt + 1),
    ...Array.from({ length: attempt }, (_, k) => item(`account${k}`, k)),
  ];

  test('issue 9.6: six cut-off “use the account’s bookmarks” attempts keep the first snapshot with all original local items', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await s.chooseFirstSync('take-remote');
    for (let attempt = 0; attempt < 6; attempt++) {
      await s.snapshot(REASON, attempt === 0 ? original : partlyReplaced(attempt), { key: 'first-sync' });
    }
    const list = await s.snapshots();
    expect(list.map((x) => x.reason)).toEqual([REASON]);
    const kept = (await s.getSnapshot(list[0]!.id!))!;
    expect(kept.time).toBe(1);
    for (const o of original) expect(kept.items).toContainEqual(o); // as they were before the first attempt
  });

  test('issue 9.6: a bookmark added between attempts joins the kept copy; the originals stay as they were', async () => {
    const s = new SafetyStore(await freshDatabase());
    await s.snapshot(REASON, original, { key: 'first-sync' });
    const added = item('addedLater1', 0);
    const renamed = { ...original[3]!, title: 'renamed by the apply' };
    await s.snapshot(REASON, [added, renamed, ...original.slice(5)], { key: 'first-sync' });
    const [only] = await s.snapshots();
    const kept = (await s.getSnapshot(only!.id!))!;
    expect(kept.items).toContainEqual(added);
    expect(kept.items.filter((i) => i['guid'] === 'local3')).toEqual([original[3]]);
    expect(kept.items).toHaveLength(original.length + 1);
  });

  test('issue 9.6: the kept copy is not pushed out by other snapshots while its decision is carried out', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await s.snapshot(REASON, original, { key: 'first-sync' });
    for (let i = 0; i < 6; i++) await s.snapshot(`other ${i}`, [item(`o${i}`, 0)]);
    await s.snapshot(REASON, partlyReplaced(3), { key: 'first-sync' });
    const list = await s.snapshots();
    expect(list.map((x) => x.reason)).toContain(REASON);
    const kept = (await s.getSnapshot(list.find((x) => x.reason === REASON)!.id!))!;
    for (const o of original) expect(kept.items).toContainEqual(o);
  });

  test('issue 9.6: once the first sync completes, a later replace takes a new snapshot', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await s.snapshot(REASON, original, { key: 'first-sync' });
    await s.clearFirstSyncChoice();
    await s.snapshot(REASON, partlyReplaced(2), { key: 'first-sync' });
    const list = await s.snapshots();
    expect(list.map((x) => [x.reason, x.count])).toEqual([[REASON, partlyReplaced(2).length], [REASON, original.length]]);
  });

  test('issue 9.6: forgetting the decisions (reset, sign-out) also ends the kept copy’s decision; the copy stays', async () => {
    const s = new SafetyStore(await freshDatabase());
    await s.snapshot(REASON, original, { key: 'first-sync' });
    await s.forgetDecisions();
    await s.snapshot(REASON, partlyReplaced(1), { key: 'first-sync' });
    expect((await s.snapshots()).map((x) => x.count)).toEqual([partlyReplaced(1).length, original.length]);
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

describe('SafetyStore: the account’s side (issue 9 item 0, part c)', () => {
  const question = (deletions: number, ids: string[] = ['a', 'b']) => ({ deletions, remoteItems: 200, emptiedRoots: ['toolbar'], ids });
  const records = (n: number, modified = 10) =>
    Array.from({ length: n }, (_, k) => ({ id: `rec${k}`, modified, cleartext: { id: `rec${k}`, type: 'bookmark', bmkUri: `https://r${k}.example/` } }));
  const local = (n: number) => Array.from({ length: n }, (_, k) => ({ guid: `g${k}`, parentGuid: 'unfiled_____', kind: 'bookmark' as const, index: k }));

  test('a large deletion in the account: the question, then an approval for at most that count, until a sync that read it completes', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await expect(s.approveRemoteDeletion()).rejects.toThrow(/no deletion from your account/);
    await expect(s.keepRemoteBookmarks()).rejects.toThrow(/no deletion from your account/);
    await s.askLargeRemoteDeletion(question(80));
    expect(await s.pending()).toMatchObject({ kind: 'large-remote-deletion', deletions: 80, remoteItems: 200, emptiedRoots: ['toolbar'], ids: ['a', 'b'] });
    await s.approveRemoteDeletion();
    expect(await s.pending()).toBeNull();
    const seen = await s.accountDecisions();
    expect(seen.approvedRemoteDeletions).toMatchObject({ count: 80 });
    // Reading it does not use it up (a 412 makes the engine merge and check again in the same run).
    expect((await s.accountDecisions()).approvedRemoteDeletions).toMatchObject({ count: 80 });
    await s.accountDecisionsDone(seen);
    expect((await s.accountDecisions()).approvedRemoteDeletions).toBeNull();
  });

  test('an answer given after a sync read the decisions is not ended by that sync', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await s.askLargeRemoteDeletion(question(80));
    await s.approveRemoteDeletion();
    const seen = await s.accountDecisions();
    await s.askLargeRemoteDeletion(question(90, ['x']));
    await s.keepRemoteBookmarks(); // replaces the approval
    await s.accountDecisionsDone(seen);
    const now = await s.accountDecisions();
    expect(now.approvedRemoteDeletions).toBeNull();
    expect(now.keepRemote).toMatchObject({ ids: ['x'] });
    await s.accountDecisionsDone(now);
    expect((await s.accountDecisions()).keepRemote).toBeNull();
  });

  test('copies of the account are kept apart from the local ones: the newest five of each, an identical newest copy not repeated', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    for (let i = 1; i <= 6; i++) await s.snapshot(`local ${i}`, local(i));
    for (let i = 1; i <= 7; i++) await s.accountSnapshot(`account ${i}`, records(i));
    await s.accountSnapshot('account 7 again', records(7)); // the same records: a sync repeated after a cut
    const list = await s.snapshots();
    expect(list.filter((x) => x.kind === 'account').map((x) => [x.reason, x.count])).toEqual([
      ['account 7', 7], ['account 6', 6], ['account 5', 5], ['account 4', 4], ['account 3', 3],
    ]);
    expect(list.filter((x) => x.kind === 'local').map((x) => x.reason)).toEqual(['local 6', 'local 5', 'local 4', 'local 3', 'local 2']);
    expect(await s.snapshotKind(list[0]!.id!)).toBe('account');
  });

  test('"Put back in my account": the copy waits for the next sync, and is not pushed out meanwhile', async () => {
    let t = 0;
    const s = new SafetyStore(await freshDatabase(), () => ++t);
    await s.snapshot('local', local(2));
    await expect(s.requestAccountRestore((await s.snapshots())[0]!.id!)).rejects.toThrow(/no longer exists/);
    await s.accountSnapshot('the one', records(3));
    const id = (await s.snapshots()).find((x) => x.reason === 'the one')!.id!;
    await s.requestAccountRestore(id);
    for (let i = 0; i < 6; i++) await s.accountSnapshot(`later ${i}`, records(4, 100 + i));
    expect((await s.snapshots()).map((x) => x.reason)).toContain('the one');
    const seen = await s.accountDecisions();
    expect(seen.restore).toMatchObject({ snapshotId: id, records: records(3) });
    await s.accountDecisionsDone(seen);
    expect(await s.pendingAccountRestore()).toBeNull();
    // Done: an ordinary copy again, which newer ones push out.
    await s.accountSnapshot('later still', records(5, 200));
    expect((await s.snapshots()).map((x) => x.reason)).not.toContain('the one');
  });

  test('signing out forgets the copies of the account (they belong to it) and keeps this browser\'s', async () => {
    const s = new SafetyStore(await freshDatabase());
    await s.snapshot('local copy', local(2));
    await s.accountSnapshot('account copy', records(3));
    await s.askLargeRemoteDeletion(question(80));
    await s.forgetAccount();
    expect((await s.snapshots()).map((x) => [x.reason, x.kind])).toEqual([['local copy', 'local']]);
    expect(await s.pending()).toBeNull();
  });
});
