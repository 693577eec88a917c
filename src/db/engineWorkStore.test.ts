import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { IdbChangeStore, IdbProgressStore, IdbWriteLog } from './engineWorkStore.ts';
import type { WrittenState } from '../engines/bookmarks/local/writeLog.ts';
import { SyncStateStore } from './syncStateStore.ts';
import { SWITCHABLE_ENGINES } from '../engines/registry.ts';

const written = (localId: string, at: number, title = `t${localId}`): WrittenState => ({ guid: `g${localId}`, localId, at, removed: false, title });

describe('engine work stores', () => {
  test('write log in chunks: a later entry for an id replaces an earlier one, save replaces all, old one-per-id entries still read', async () => {
    const db = await freshDatabase();
    // An entry as an earlier version stored it (one record per browser id).
    await db.put('engineWork', written('7', 1, 'old format'), 'bookmarks:written:7');
    const log = new IdbWriteLog(db, 'bookmarks');
    const many = Array.from({ length: IdbWriteLog.CHUNK * 2 + 500 }, (_, i) => written(String(100 + i), 2));
    await log.append(many);
    await log.append([written('100', 3, 'again'), written('7', 3, 'new')]);
    const loaded = await log.load();
    expect(loaded).toHaveLength(many.length + 1);
    const byId = new Map(loaded.map((e) => [e.localId, e]));
    expect(byId.get('100')).toMatchObject({ at: 3, title: 'again' });
    expect(byId.get('7')).toMatchObject({ at: 3, title: 'new' });
    expect(byId.get(String(99 + many.length))).toMatchObject({ at: 2 });
    // Far fewer records than entries: that is the point of the chunks.
    const keys = await db.getAllKeys('engineWork', IDBKeyRange.bound('bookmarks:written:', 'bookmarks:written:\uffff'));
    expect(keys.length).toBe(1 + 3 + 1);
    await log.save([written('1', 4)]);
    expect(await log.load()).toEqual([written('1', 4)]);
    expect(await new IdbWriteLog(db, 'history').load()).toEqual([]);
  });

  test('apply progress per run survives reopening and is cleared at the end', async () => {
    const db = await freshDatabase();
    const p = new IdbProgressStore(db, 'bookmarks');
    expect(await p.get('run-1')).toBe(0);
    await p.set('run-1', 250);
    expect(await new IdbProgressStore(db, 'bookmarks').get('run-1')).toBe(250);
    expect(await new IdbProgressStore(db, 'history').get('run-1')).toBe(0);
    await p.clear('run-1');
    expect(await p.get('run-1')).toBe(0);
  });

  test('changed keys: a finished sync removes only what it saw', async () => {
    const db = await freshDatabase();
    let t = 100;
    const c = new IdbChangeStore(db, 'bookmarks', () => t);
    await c.add(['a', 'b']);
    t = 200;
    await c.add(['b']);
    expect(await c.times()).toEqual(new Map([['a', 100], ['b', 200]]));
    const seen = await c.list();
    await c.add(['c']); // changed while the sync ran
    await c.remove(seen);
    expect(await c.list()).toEqual(['c']);
    expect(seen.sort()).toEqual(['a', 'b']);
  });

  // Regression (found in review): a person's second edit of an item, made while the sync that had
  // read the first one was still running, was removed with it; the next sync then took the browser's
  // state for a rollback of the sync's own write and put the old title back.
  test('changed keys: a key changed again after the sync read it keeps its newer record', async () => {
    const db = await freshDatabase();
    const store = new IdbChangeStore(db, 'bookmarks', () => 5000);
    await store.add(['edited', 'once']);
    const seen = await store.times();
    await store.add(['edited']); // the person edits it again during the sync (same millisecond even)
    await store.remove(['edited', 'once'], seen);
    expect(await store.list()).toEqual(['edited']);
    expect((await store.times()).get('edited')).toBeGreaterThan(seen.get('edited')!);
  });

  test('sync-state resets leave the engine work alone; signing out forgets all of it', async () => {
    const db = await freshDatabase();
    const changed = new IdbChangeStore(db, 'bookmarks', () => 5);
    const refused = new IdbChangeStore(db, 'bookmarks', () => 5, 'refused');
    const progress = new IdbProgressStore(db, 'bookmarks');
    await changed.add(['a']);
    await refused.add(['r']);
    await progress.set('run-1', 7);
    const syncState = new SyncStateStore(db, SWITCHABLE_ENGINES);
    await syncState.resetGlobal();
    await syncState.associations.reset('bookmarks');
    await syncState.forgetAccount();
    expect(await changed.list()).toEqual(['a']);
    expect(await refused.list()).toEqual(['r']);
    expect(await progress.get('run-1')).toBe(7);
    await IdbChangeStore.forgetAll(db);
    expect(await changed.list()).toEqual([]);
    expect(await refused.list()).toEqual([]);
    expect(await progress.get('run-1')).toBe(0);
  });
});
