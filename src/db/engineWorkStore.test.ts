import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { IdbChangeStore, IdbProgressStore } from './engineWorkStore.ts';

describe('engine work stores', () => {
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
    const c = new IdbChangeStore(db, 'bookmarks');
    await c.add(['a', 'b']);
    const seen = await c.list();
    await c.add(['c']); // changed while the sync ran
    await c.remove(seen);
    expect(await c.list()).toEqual(['c']);
  });
});
