import { describe, expect, it } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { TOOLBAR_GUID } from '../record.ts';
import type { LocalOp } from './apply.ts';
import { runIdFor } from './apply.ts';
import { BrowserBookmarks } from './browserBookmarks.ts';
import { FakeBookmarksApi } from './fakeBookmarksApi.ts';
import { MemoryProgressStore } from './progress.ts';
import { IdbChangeStore } from '../../../db/engineWorkStore.ts';
import { ChangeTracker } from './changeTracker.ts';

describe('BrowserBookmarks', () => {
  // Regression (issue 9.0): a first sync's apply cut off by a browser crash came back with the same
  // plan (the browser had lost every write), and the stored progress skipped the operations the
  // browser no longer had: their children were then "refused" and later deleted on the server.
  it('a new snapshot does not skip operations counted against an older plan the browser lost', async () => {
    const api = new FakeBookmarksApi('chromium');
    const progress = new MemoryProgressStore();
    const side = new BrowserBookmarks({ api, idMap: new IdMapStore(await freshDatabase(), 'bookmarks'), flavor: 'chromium', progress });
    const ops: LocalOp[] = [
      { type: 'create', guid: 'FolderA00001', parentGuid: TOOLBAR_GUID, index: 0, kind: 'folder', title: 'A', url: null },
      { type: 'create', guid: 'InsideA00001', parentGuid: 'FolderA00001', index: 0, kind: 'bookmark', title: 'In A', url: 'https://in-a.example/' },
    ];
    await progress.set(runIdFor(ops), 1); // an earlier attempt counted the folder as made
    await side.snapshot();
    await side.apply(ops);
    const [bar] = await api.getChildren('1');
    expect(bar).toMatchObject({ title: 'A' });
    expect((await api.getChildren(bar!.id)).map((n) => n.title)).toEqual(['In A']);
  });

  // Regression (found in review): the person's second edit, made while the sync that read the
  // first was running, was dropped from the change set when that sync finished.
  it('a sync finishing keeps the record of an edit made again while it ran', async () => {
    const api = new FakeBookmarksApi('chromium');
    const db = await freshDatabase();
    const idMap = new IdMapStore(db, 'bookmarks');
    const changes = new IdbChangeStore(db, 'bookmarks');
    const tracker = new ChangeTracker({ events: api.events, idMap, store: changes, requestSync: () => undefined, timer: { set: () => null, clear: () => undefined } });
    await tracker.start();
    const side = new BrowserBookmarks({ api, idMap, flavor: 'chromium', progress: new MemoryProgressStore(), changes, tracker });
    const x = await api.create({ parentId: '1', title: 'X', url: 'https://x.example/' });
    await side.snapshot(); // an earlier sync pairs it with its GUID
    await side.syncFinished();
    await api.update(x.id, { title: 'X, edited' });
    await side.snapshot(); // the sync reads the edit…
    await api.update(x.id, { title: 'X, edited again' }); // …and the person edits again meanwhile
    await side.syncFinished();
    expect(await changes.list()).toEqual([await idMap.syncIdFor(x.id)]);
  });
});
