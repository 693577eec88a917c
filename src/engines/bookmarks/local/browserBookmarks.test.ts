import { describe, expect, it } from 'vitest';
import type { BrowserBookmarkNode, CreateDetails } from './api.ts';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { TOOLBAR_GUID } from '../record.ts';
import type { LocalOp } from './apply.ts';
import { runIdFor } from './apply.ts';
import { BrowserBookmarks, QUIET_CREATES } from './browserBookmarks.ts';
import { FakeBookmarksApi } from './fakeBookmarksApi.ts';
import { MemoryProgressStore } from './progress.ts';
import { IdbChangeStore } from '../../../db/engineWorkStore.ts';
import { ChangeTracker } from './changeTracker.ts';
import { SharedCreatedEvent } from './createdEvent.ts';
import { SAVED_AFTER_MS, type WriteLogStore, type WrittenState } from './writeLog.ts';

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

  // Issue 12: Chromium sending each of a first sync's creates back as an event cost a third of the
  // apply; the sync unsubscribes from onCreated for a bulk, then finds the person's creates itself.
  it('a bulk of creates runs without onCreated, and a bookmark the person adds meanwhile is still noted', async () => {
    const listening: number[] = [];
    let personal: BrowserBookmarkNode | null = null;
    class PersonAddsOne extends FakeBookmarksApi {
      calls = 0;
      override async create(details: CreateDetails): Promise<BrowserBookmarkNode> {
        listening.push(this.events.onCreated.size);
        if (++this.calls === 300) personal = await super.create({ parentId: '1', title: 'Mine', url: 'https://mine.example/' });
        return super.create(details);
      }
    }
    const api = new PersonAddsOne('chromium');
    const db = await freshDatabase();
    const idMap = new IdMapStore(db, 'bookmarks');
    const changes = new IdbChangeStore(db, 'bookmarks');
    const requests: string[] = [];
    const createdEvent = new SharedCreatedEvent(api.events.onCreated);
    const tracker = new ChangeTracker({ events: { ...api.events, onCreated: createdEvent }, idMap, store: changes, requestSync: (r) => requests.push(r), timer: { set: (fn) => fn(), clear: () => undefined } });
    await tracker.start();
    const side = new BrowserBookmarks({ api, idMap, flavor: 'chromium', progress: new MemoryProgressStore(), changes, tracker, createdEvent });
    await side.snapshot();
    const ops: LocalOp[] = Array.from({ length: QUIET_CREATES }, (_, i) => (
      { type: 'create', guid: `Bulk${String(i).padStart(8, '0')}`, parentGuid: TOOLBAR_GUID, index: i, kind: 'bookmark', title: `B${i}`, url: `https://b.example/${i}` }));
    await side.apply(ops);
    await tracker.settled();
    expect(listening.length).toBe(QUIET_CREATES);
    expect(listening.filter((n) => n !== 0)).toEqual([]); // none of the sync's creates was heard
    expect(api.events.onCreated.size).toBe(1); // subscribed again
    expect(await changes.list()).toEqual([(personal as BrowserBookmarkNode | null)?.id, TOOLBAR_GUID]);
    expect(requests).toEqual(['local-change']);
    // A create after the bulk is heard as always.
    const later = await api.create({ parentId: '1', title: 'Later', url: 'https://later.example/' });
    await tracker.settled();
    expect(await changes.list()).toContain(later.id);
  });

  it('a few creates keep their onCreated events (they are recognised as the sync\'s own)', async () => {
    const api = new FakeBookmarksApi('chromium');
    const db = await freshDatabase();
    const idMap = new IdMapStore(db, 'bookmarks');
    const changes = new IdbChangeStore(db, 'bookmarks');
    const createdEvent = new SharedCreatedEvent(api.events.onCreated);
    const tracker = new ChangeTracker({ events: { ...api.events, onCreated: createdEvent }, idMap, store: changes, requestSync: () => undefined, timer: { set: () => null, clear: () => undefined } });
    await tracker.start();
    const sizes: number[] = [];
    const create = api.create.bind(api);
    api.create = async (details) => {
      sizes.push(api.events.onCreated.size);
      return create(details);
    };
    const side = new BrowserBookmarks({ api, idMap, flavor: 'chromium', progress: new MemoryProgressStore(), changes, tracker, createdEvent });
    await side.snapshot();
    await side.apply([{ type: 'create', guid: 'FolderA00001', parentGuid: TOOLBAR_GUID, index: 0, kind: 'folder', title: 'A', url: null }]);
    await tracker.settled();
    expect(sizes).toEqual([1]);
    expect(await changes.list()).toEqual([]);
  });

  // Issue 12: after a first sync the write log holds an entry per bookmark for 15 s; every sync in
  // that time rewrote all of them although nothing had changed.
  it('the write log is saved only when this apply wrote something or an entry settled', async () => {
    const api = new FakeBookmarksApi('chromium');
    let clock = 1_000_000;
    let stored: readonly WrittenState[] = [];
    const saves: number[] = [];
    const writeLog: WriteLogStore = {
      load: async () => [...stored],
      save: async (entries) => {
        saves.push(entries.length);
        stored = [...entries];
      },
      append: async (entries) => {
        const byId = new Map(stored.map((e) => [e.localId, e]));
        for (const e of entries) byId.set(e.localId, e);
        stored = [...byId.values()];
      },
    };
    const side = new BrowserBookmarks({ api, idMap: new IdMapStore(await freshDatabase(), 'bookmarks'), flavor: 'chromium', progress: new MemoryProgressStore(), writeLog, now: () => clock });
    await side.snapshot();
    await side.apply([
      { type: 'create', guid: 'FolderA00001', parentGuid: TOOLBAR_GUID, index: 0, kind: 'folder', title: 'A', url: null },
      { type: 'create', guid: 'InsideA00001', parentGuid: 'FolderA00001', index: 0, kind: 'bookmark', title: 'In A', url: 'https://in-a.example/' },
    ]);
    expect(saves).toEqual([2]);
    clock += 1000; // the browser may not have saved them yet: the log stays as it is, unwritten
    await side.snapshot();
    await side.apply([]);
    expect(saves).toEqual([2]);
    expect(stored.map((e) => e.guid).sort()).toEqual(['FolderA00001', 'InsideA00001']);
    clock += 1000; // a write of this run: saved with the entries still unsettled
    await side.snapshot();
    await side.apply([{ type: 'update', guid: 'InsideA00001', title: 'In A, renamed', url: 'https://in-a.example/' }]);
    expect(saves).toEqual([2, 2]);
    clock += SAVED_AFTER_MS; // settled: they leave the log
    await side.snapshot();
    await side.apply([]);
    expect(saves).toEqual([2, 2, 0]);
    await side.snapshot();
    await side.apply([]);
    expect(saves).toEqual([2, 2, 0]);
  });
});
