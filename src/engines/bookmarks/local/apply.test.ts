import { describe, expect, it } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { MENU_GUID, TOOLBAR_GUID, UNFILED_GUID } from '../record.ts';
import type { BookmarksApi, BrowserBookmarkNode, BrowserFlavor, CreateDetails } from './api.ts';
import { applyOps, runIdFor } from './apply.ts';
import type { ApplyOptions, LocalOp } from './apply.ts';
import { FakeBookmarksApi, SimulatedKill } from './fakeBookmarksApi.ts';
import { MemoryProgressStore } from './progress.ts';
import { readLocalSnapshot } from './snapshot.ts';
import type { LocalSnapshot } from './snapshot.ts';

interface Setup {
  api: FakeBookmarksApi;
  idMap: IdMapStore;
  snap: LocalSnapshot;
  progress: MemoryProgressStore;
  guid(title: string): string;
  options(ops: readonly LocalOp[], extra?: Partial<ApplyOptions>): ApplyOptions;
}

const SIMPLE = { toolbar: ['Work/', 'Work/Doc', 'Mail', 'Old'], other: ['Misc'] };

async function setup(flavor: BrowserFlavor): Promise<Setup> {
  const api = new FakeBookmarksApi(flavor);
  const bar = flavor === 'chromium' ? '1' : 'toolbar_____';
  const other = flavor === 'chromium' ? '2' : 'unfiled_____';
  const folders = new Map<string, string>();
  const add = async (parent: string, spec: string): Promise<void> => {
    const [folder, leaf] = spec.includes('/') ? spec.split('/') as [string, string] : [null, spec];
    if (leaf === '') {
      folders.set(folder as string, (await api.create({ parentId: parent, title: folder as string, ...(flavor === 'firefox' ? { type: 'folder' as const } : {}) })).id);
      return;
    }
    const parentId = folder === null ? parent : folders.get(folder) as string;
    await api.create({ parentId, title: leaf, url: `https://${leaf.toLowerCase()}/` });
  };
  for (const s of SIMPLE.toolbar) await add(bar, s);
  for (const s of SIMPLE.other) await add(other, s);
  const idMap = new IdMapStore(await freshDatabase(), 'bookmarks');
  const snap = await readLocalSnapshot(api, idMap, flavor);
  const progress = new MemoryProgressStore();
  return {
    api, idMap, snap, progress,
    guid(title) {
      const item = snap.items.find((i) => i.title === title);
      if (!item) throw new Error(`no ${title}`);
      return item.guid;
    },
    options(ops, extra = {}) {
      return { runId: runIdFor(ops), idMap, roots: snap.roots, progress, sliceSize: 3, knownLocalIds: new Set(snap.localIdByGuid.values()), ...extra };
    },
  };
}

const bm = (guid: string, parentGuid: string, index: number, title: string): LocalOp =>
  ({ type: 'create', guid, parentGuid, index, kind: 'bookmark', title, url: `https://${title.toLowerCase().replace(/ /g, '-')}/` });

/** The Chromium scenario: every kind of operation, plus things Chromium cannot show. */
function chromiumOps(s: Setup): LocalOp[] {
  return [
    { type: 'create', guid: 'Projects0001', parentGuid: TOOLBAR_GUID, index: 1, kind: 'folder', title: 'Projects', url: null },
    bm('Spec00000001', 'Projects0001', 0, 'Spec'),
    bm('MenuItem0001', MENU_GUID, 0, 'Menu item'),
    { type: 'create', guid: 'Separator001', parentGuid: TOOLBAR_GUID, index: 0, kind: 'separator', title: '', url: null },
    { type: 'create', guid: 'Query0000001', parentGuid: UNFILED_GUID, index: 0, kind: 'query', title: 'Recent', url: 'place:sort=8' },
    { type: 'update', guid: s.guid('Mail'), title: 'Inbox', url: 'https://inbox/' },
    { type: 'move', guid: s.guid('Doc'), parentGuid: 'Projects0001', index: 1 },
    { type: 'move', guid: s.guid('Misc'), parentGuid: TOOLBAR_GUID, index: 0 },
    { type: 'move', guid: s.guid('Mail'), parentGuid: TOOLBAR_GUID, index: 4 },
    { type: 'delete', guid: s.guid('Old'), kind: 'bookmark' },
    { type: 'delete', guid: s.guid('Work'), kind: 'folder' },
    { type: 'delete', guid: 'NeverExists1', kind: 'bookmark' },
    { type: 'delete', guid: TOOLBAR_GUID, kind: 'folder' },
  ];
}

const CHROMIUM_RESULT = `/
  Bookmarks bar/
    Misc <https://misc/>
    Projects/
      Spec <https://spec/>
      Doc <https://doc/>
    Inbox <https://inbox/>
  Other bookmarks/
    Bookmarks Menu/
      Menu item <https://menu-item/>`;

describe('applyOps, Chromium', () => {
  it('creates, updates, moves and deletes; skips what Chromium cannot show', async () => {
    const s = await setup('chromium');
    const ops = chromiumOps(s);
    const report = await applyOps(s.api, ops, s.options(ops));
    expect(s.api.dump()).toBe(CHROMIUM_RESULT);
    expect(report).toMatchObject({ total: 13, done: 13, complete: true, rescued: [] });
    expect(report.skipped.map((k) => [k.at, k.reason, k.detail])).toEqual([
      [3, 'unsupported-kind', 'separator'], [4, 'unsupported-kind', 'query'], [12, 'protected', undefined],
    ]);
    const specId = await s.idMap.localIdFor('Spec00000001');
    expect((await s.api.get(specId as string))[0]?.title).toBe('Spec');
    expect(await s.idMap.localIdFor(s.guid('Old'))).toBeNull(); // forgotten once deleted
    expect(await s.progress.get(runIdFor(ops))).toBe(13);
    // A second run of the same list does nothing.
    const writes = s.api.writeCalls;
    await applyOps(s.api, ops, s.options(ops));
    expect(s.api.writeCalls).toBe(writes);
  });

  it('is correct and duplicates nothing when the worker dies at any write, before or after it lands', async () => {
    const reference = await setup('chromium');
    const refOps = chromiumOps(reference);
    const start = reference.api.writeCalls;
    await applyOps(reference.api, refOps, reference.options(refOps));
    const writes = reference.api.writeCalls - start;
    expect(writes).toBeGreaterThan(8);
    for (const phase of ['before', 'after'] as const) {
      for (let k = 0; k < writes; k++) {
        const s = await setup('chromium');
        const ops = chromiumOps(s);
        s.api.killAfter(k, phase);
        await expect(applyOps(s.api, ops, s.options(ops)), `kill ${phase} write ${k}`).rejects.toBeInstanceOf(SimulatedKill);
        const resumed = await applyOps(s.api, ops, s.options(ops));
        expect(resumed.complete).toBe(true);
        expect(s.api.dump(), `kill ${phase} write ${k}`).toBe(CHROMIUM_RESULT);
        for (const guid of ['Projects0001', 'Spec00000001', 'MenuItem0001', MENU_GUID]) {
          expect(await s.idMap.localIdFor(guid), `${guid} after kill ${phase} ${k}`).not.toBeNull();
        }
      }
    }
  });

  it('never replays a delete onto the item that replaced it (kind change), whatever write the worker dies at', async () => {
    const kindChange = (s: Setup): LocalOp[] => [
      { type: 'delete', guid: s.guid('Mail'), kind: 'bookmark' },
      { type: 'create', guid: s.guid('Mail'), parentGuid: TOOLBAR_GUID, index: 1, kind: 'folder', title: 'Mail', url: null },
      bm('Letter000001', s.guid('Mail'), 0, 'Letter'),
      { type: 'update', guid: s.guid('Old'), title: 'Older', url: 'https://old/' },
    ];
    const expected = ['Work', 'Mail', 'Older'];
    for (const phase of ['before', 'after'] as const) {
      for (let k = 0; k < 4; k++) {
        const s = await setup('chromium');
        const ops = kindChange(s);
        s.api.killAfter(k, phase);
        const writes = s.api.writeCalls;
        await expect(applyOps(s.api, ops, s.options(ops, { sliceSize: 10 }))).rejects.toBeInstanceOf(SimulatedKill);
        await applyOps(s.api, ops, s.options(ops, { sliceSize: 10 }));
        expect((await s.api.getChildren('1')).map((n) => n.title), `kill ${phase} ${k}`).toEqual(expected);
        const mailId = await s.idMap.localIdFor(s.guid('Mail'));
        expect((await s.api.getChildren(mailId as string)).map((n) => n.title)).toEqual(['Letter']);
        expect(s.api.writeCalls - writes, `writes after kill ${phase} ${k}`).toBeLessThanOrEqual(5);
      }
    }
  });

  it('resumes after the last recorded slice instead of replaying earlier ones', async () => {
    const s = await setup('chromium');
    const ops: LocalOp[] = [
      { type: 'move', guid: s.guid('Old'), parentGuid: TOOLBAR_GUID, index: 0 },
      { type: 'update', guid: s.guid('Misc'), title: 'Misc 2', url: 'https://misc/' },
      bm('New000000001', UNFILED_GUID, 1, 'New'),
      bm('New000000002', UNFILED_GUID, 2, 'Newer'),
    ];
    s.api.killAfter(3);
    await expect(applyOps(s.api, ops, s.options(ops, { sliceSize: 2 }))).rejects.toBeInstanceOf(SimulatedKill);
    expect(await s.progress.get(runIdFor(ops))).toBe(2);
    // Meanwhile the person moves Old back to the end; the finished first slice must not undo that.
    const oldId = s.snap.localIdByGuid.get(s.guid('Old')) as string;
    await s.api.move(oldId, { parentId: '1', index: 3 });
    await applyOps(s.api, ops, s.options(ops, { sliceSize: 2 }));
    expect((await s.api.getChildren('1')).map((n) => n.title)).toEqual(['Work', 'Mail', 'Old']);
    expect((await s.api.getChildren('2')).map((n) => n.title)).toEqual(['Misc 2', 'New', 'Newer']);
  });

  it('pauses between slices when asked and continues later', async () => {
    const s = await setup('chromium');
    const ops = [bm('A00000000001', UNFILED_GUID, 1, 'A'), bm('B00000000001', UNFILED_GUID, 2, 'B'), bm('C00000000001', UNFILED_GUID, 3, 'C')];
    const first = await applyOps(s.api, ops, s.options(ops, { sliceSize: 2, shouldPause: () => true }));
    expect(first).toMatchObject({ done: 2, complete: false });
    const second = await applyOps(s.api, ops, s.options(ops, { sliceSize: 2 }));
    expect(second).toMatchObject({ done: 3, complete: true });
    expect((await s.api.getChildren('2')).map((n) => n.title)).toEqual(['Misc', 'A', 'B', 'C']);
  });

  it('moves what the person added since the snapshot out of a folder before deleting it', async () => {
    const s = await setup('chromium');
    const workId = s.snap.localIdByGuid.get(s.guid('Work')) as string;
    const added = await s.api.create({ parentId: workId, title: 'Added just now', url: 'https://added/' });
    const ops: LocalOp[] = [
      { type: 'delete', guid: s.guid('Doc'), kind: 'bookmark' },
      { type: 'delete', guid: s.guid('Work'), kind: 'folder' },
    ];
    const report = await applyOps(s.api, ops, s.options(ops));
    expect(report.rescued).toEqual([added.id]);
    expect((await s.api.getChildren('1')).map((n) => n.title)).toEqual(['Added just now', 'Mail', 'Old']);
  });

  it('reports what the browser refuses and carries on', async () => {
    const s = await setup('chromium');
    const ops: LocalOp[] = [
      { type: 'create', guid: 'BadUrl000001', parentGuid: UNFILED_GUID, index: 0, kind: 'bookmark', title: 'Bad', url: 'not a url' },
      { type: 'create', guid: 'Livemark0001', parentGuid: UNFILED_GUID, index: 0, kind: 'livemark', title: 'Feed', url: null },
      bm('Orphan000001', 'NoSuchFolder', 0, 'Orphan'),
      bm('Good00000001', UNFILED_GUID, 0, 'Good'),
    ];
    const report = await applyOps(s.api, ops, s.options(ops));
    expect(report.skipped.map((k) => [k.guid, k.reason])).toEqual([
      ['BadUrl000001', 'rejected'], ['Livemark0001', 'unsupported-kind'], ['Orphan000001', 'parent-missing'],
    ]);
    expect((await s.api.getChildren('2')).map((n) => n.title)).toEqual(['Good', 'Misc']);
  });

  it('gives a local item the server GUID it was matched to', async () => {
    const s = await setup('chromium');
    const mailId = s.snap.localIdByGuid.get(s.guid('Mail'));
    const ops: LocalOp[] = [
      { type: 'changeGuid', from: s.guid('Mail'), to: 'ServerMail01' },
      { type: 'update', guid: 'ServerMail01', title: 'Mail (server)', url: 'https://mail/' },
    ];
    await applyOps(s.api, ops, s.options(ops));
    expect(await s.idMap.localIdFor('ServerMail01')).toBe(mailId);
    expect(await s.idMap.localIdFor(s.guid('Mail'))).toBeNull();
    expect((await s.api.get(mailId as string))[0]?.title).toBe('Mail (server)');
  });

  it('reports every id it writes, so the change tracker can ignore them', async () => {
    const s = await setup('chromium');
    const written: string[] = [];
    const ops = chromiumOps(s);
    await applyOps(s.api, ops, s.options(ops, { onWrite: (id) => written.push(id) }));
    const expected = [
      await s.idMap.localIdFor('Projects0001'), await s.idMap.localIdFor('Spec00000001'), await s.idMap.localIdFor(MENU_GUID),
      await s.idMap.localIdFor('MenuItem0001'),
      ...['Mail', 'Doc', 'Misc', 'Old', 'Work'].map((t) => s.snap.localIdByGuid.get(s.guid(t))),
    ];
    expect([...new Set(written)].sort()).toEqual(expected.sort());
  });
});

describe('applyOps and Firefox’s limits (issue 9.1)', () => {
  it('issue 9.1: an update does not cut a long local title down to the 4096 characters the sync carries', async () => {
    const s = await setup('chromium');
    const mailId = s.snap.localIdByGuid.get(s.guid('Mail')) as string;
    const long = 'M'.repeat(5000);
    await s.api.update(mailId, { title: long });
    // Another device changed the URL; the merged title is the one the server holds (truncated).
    const ops: LocalOp[] = [{ type: 'update', guid: s.guid('Mail'), title: long.slice(0, 4096), url: 'https://new-mail/' }];
    await applyOps(s.api, ops, s.options(ops));
    const [node] = await s.api.get(mailId);
    expect(node).toMatchObject({ title: long, url: 'https://new-mail/' });
  });

  it('issue 9.1: indexes count only what the sync carries: a local-only bookmark does not shift what is placed after it', async () => {
    const s = await setup('chromium');
    await s.api.create({ parentId: '1', index: 0, title: 'Huge', url: `https://huge/?${'x'.repeat(70_000)}` });
    const snap = await readLocalSnapshot(s.api, s.idMap, 'chromium');
    const ops: LocalOp[] = [bm('NewOne000001', TOOLBAR_GUID, 1, 'New one'), { type: 'move', guid: s.guid('Old'), parentGuid: TOOLBAR_GUID, index: 0 }];
    await applyOps(s.api, ops, s.options(ops, { roots: snap.roots, knownLocalIds: new Set(snap.localIdByGuid.values()) }));
    expect((await s.api.getChildren('1')).map((n) => n.title)).toEqual(['Huge', 'Old', 'Work', 'New one', 'Mail']);
  });

  it('issue 9.1: a local-only bookmark (URL over the limit) in a folder the merge deletes is moved out, not deleted', async () => {
    const s = await setup('chromium');
    const docId = s.snap.localIdByGuid.get(s.guid('Doc')) as string;
    const workGuid = s.guid('Work');
    await s.api.update(docId, { url: `https://doc/?${'x'.repeat(70_000)}` });
    const snap = await readLocalSnapshot(s.api, s.idMap, 'chromium'); // Doc is local-only now
    const ops: LocalOp[] = [{ type: 'delete', guid: workGuid, kind: 'folder' }];
    const report = await applyOps(s.api, ops, s.options(ops, { roots: snap.roots, knownLocalIds: new Set(snap.localIdByGuid.values()) }));
    expect(report.rescued).toEqual([docId]);
    expect((await s.api.getChildren('1')).map((n) => n.title)).toEqual(['Doc', 'Mail', 'Old']);
  });
});

describe('applyOps, Firefox', () => {
  function firefoxOps(s: Setup): LocalOp[] {
    return [
      { type: 'create', guid: 'Separator001', parentGuid: TOOLBAR_GUID, index: 0, kind: 'separator', title: '', url: null },
      { type: 'create', guid: 'Query0000001', parentGuid: UNFILED_GUID, index: 1, kind: 'query', title: 'Recent', url: 'place:sort=8' },
      bm('MenuItem0001', MENU_GUID, 0, 'Menu item'),
      { type: 'move', guid: s.guid('Mail'), parentGuid: TOOLBAR_GUID, index: 3 },
      { type: 'move', guid: s.guid('Misc'), parentGuid: TOOLBAR_GUID, index: 1 },
      { type: 'update', guid: s.guid('Work'), title: 'Job', url: null },
      { type: 'delete', guid: s.guid('Doc'), kind: 'bookmark' },
      { type: 'delete', guid: MENU_GUID, kind: 'folder' },
    ];
  }
  const FIREFOX_RESULT = `/
  Bookmarks Menu/
    Menu item <https://menu-item/>
  Bookmarks Toolbar/
    ---
    Misc <https://misc/>
    Job/
    Old <https://old/>
    Mail <https://mail/>
  Other Bookmarks/
    Recent <place:sort=8>
  Mobile Bookmarks/`;

  it('creates separators and queries, moves with final-position indexes, never touches roots', async () => {
    const s = await setup('firefox');
    const ops = firefoxOps(s);
    const report = await applyOps(s.api, ops, s.options(ops));
    expect(s.api.dump()).toBe(FIREFOX_RESULT);
    expect(report.skipped.map((k) => [k.guid, k.reason])).toEqual([[MENU_GUID, 'protected']]);
    const sep = await s.idMap.localIdFor('Separator001');
    expect((await s.api.get(sep as string))[0]?.type).toBe('separator');
  });

  it('treats malformed GUIDs as unknown items instead of failing', async () => {
    const s = await setup('firefox');
    const ops: LocalOp[] = [
      { type: 'delete', guid: 'short', kind: 'bookmark' },
      { type: 'update', guid: 'not/a/guid!!', title: 'x', url: null },
      bm('Good00000001', 'bad parent', 0, 'Good'),
    ];
    const report = await applyOps(s.api, ops, s.options(ops));
    expect(report.skipped.map((k) => k.reason)).toEqual(['missing', 'parent-missing']);
  });

  it('survives a kill at any write when given the snapshot\'s ids', async () => {
    const reference = await setup('firefox');
    const refOps = firefoxOps(reference);
    const start = reference.api.writeCalls;
    await applyOps(reference.api, refOps, reference.options(refOps));
    const writes = reference.api.writeCalls - start;
    for (const phase of ['before', 'after'] as const) {
      for (let k = 0; k < writes; k++) {
        const s = await setup('firefox');
        const ops = firefoxOps(s);
        s.api.killAfter(k, phase);
        await expect(applyOps(s.api, ops, s.options(ops))).rejects.toBeInstanceOf(SimulatedKill);
        await applyOps(s.api, ops, s.options(ops));
        expect(s.api.dump(), `kill ${phase} write ${k}`).toBe(FIREFOX_RESULT);
      }
    }
  });
});

/** The browser as an extension sees it: each call is handled when made, its answer comes later. */
class AnsweringLater implements BookmarksApi {
  inFlight = 0;
  maxInFlight = 0;
  childListReads = 0;
  constructor(private readonly inner: FakeBookmarksApi) {}
  private async later<T>(call: () => Promise<T>): Promise<T> {
    const answer = call(); // handled now, in the order of the calls
    answer.catch(() => undefined); // answered (and looked at) below
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise((r) => setTimeout(r, 0));
      return await answer;
    } finally {
      this.inFlight--;
    }
  }
  getTree(): Promise<BrowserBookmarkNode[]> { return this.later(() => this.inner.getTree()); }
  get(id: string): Promise<BrowserBookmarkNode[]> { return this.later(() => this.inner.get(id)); }
  getChildren(id: string): Promise<BrowserBookmarkNode[]> {
    this.childListReads++;
    return this.later(() => this.inner.getChildren(id));
  }
  create(details: CreateDetails): Promise<BrowserBookmarkNode> { return this.later(() => this.inner.create(details)); }
  update(id: string, changes: { title?: string; url?: string }): Promise<BrowserBookmarkNode> { return this.later(() => this.inner.update(id, changes)); }
  move(id: string, destination: { parentId?: string; index?: number }): Promise<BrowserBookmarkNode> { return this.later(() => this.inner.move(id, destination)); }
  remove(id: string): Promise<void> { return this.later(() => this.inner.remove(id)); }
  removeTree(id: string): Promise<void> { return this.later(() => this.inner.removeTree(id)); }
  getRecent(count: number): Promise<BrowserBookmarkNode[]> { return this.later(() => this.inner.getRecent(count)); }
}

/** A first sync's operations: folders in Other bookmarks, each with its bookmarks, in the merger's order. */
function manyCreates(folders: number, perFolder: number, bad: (f: number, b: number) => boolean = () => false): LocalOp[] {
  const ops: LocalOp[] = [];
  for (let f = 0; f < folders; f++) {
    const folder = `Folder${String(f).padStart(6, '0')}`;
    ops.push({ type: 'create', guid: folder, parentGuid: UNFILED_GUID, index: f + 1, kind: 'folder', title: `F${f}`, url: null });
    for (let b = 0; b < perFolder; b++) {
      ops.push({ type: 'create', guid: `B${String(f * perFolder + b).padStart(11, '0')}`, parentGuid: folder, index: b, kind: 'bookmark', title: `B${f}.${b}`, url: bad(f, b) ? 'not a url' : `https://b/${f}/${b}` });
    }
  }
  return ops;
}

describe('applyOps at the speed of the browser (issue 12)', () => {
  it('issue 12: on Chromium, creates that append are in flight together and land in the merger’s order, reading each folder’s children at most once', async () => {
    const s = await setup('chromium');
    const api = new AnsweringLater(s.api);
    const ops = manyCreates(30, 10);
    const report = await applyOps(api, ops, s.options(ops, { sliceSize: 200, localIdByGuid: s.snap.localIdByGuid }));
    expect(report).toMatchObject({ complete: true, skipped: [] });
    expect(api.maxInFlight).toBeGreaterThan(50);
    expect(api.childListReads).toBe(1); // Other bookmarks; the new folders' lists are known
    const other = await s.api.getChildren('2');
    expect(other.map((n) => n.title)).toEqual(['Misc', ...Array.from({ length: 30 }, (_, f) => `F${f}`)]);
    for (const [f, folder] of other.slice(1).entries()) {
      expect((await s.api.getChildren(folder.id)).map((n) => n.title)).toEqual(Array.from({ length: 10 }, (_, b) => `B${f}.${b}`));
    }
    for (const op of ops) expect(await s.idMap.localIdFor((op as { guid: string }).guid)).not.toBeNull();
  });

  it('issue 12: the next slice is issued while the one before it lands, and progress only moves forward', async () => {
    const s = await setup('chromium');
    const api = new AnsweringLater(s.api);
    const ops = manyCreates(12, 9); // 120 creates in slices of 20
    const seen: number[] = [];
    const set = s.progress.set.bind(s.progress);
    s.progress.set = (runId: string, n: number) => { seen.push(n); return set(runId, n); };
    const report = await applyOps(api, ops, s.options(ops, { sliceSize: 20, localIdByGuid: s.snap.localIdByGuid }));
    expect(report).toMatchObject({ complete: true, skipped: [] });
    expect(api.maxInFlight).toBeGreaterThan(20); // two slices' creates at once
    expect(seen.at(-1)).toBe(ops.length);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    const folders = (await s.api.getChildren('2')).slice(1);
    expect(folders.map((n) => n.title)).toEqual(Array.from({ length: 12 }, (_, f) => `F${f}`));
    for (const op of ops) expect(await s.idMap.localIdFor((op as { guid: string }).guid)).not.toBeNull();
  });

  it('issue 12: a bookmark the browser refuses among creates in flight leaves no gap: the rest keep their order, the refusal is reported', async () => {
    const s = await setup('chromium');
    const api = new AnsweringLater(s.api);
    const ops = manyCreates(3, 6, (f, b) => f === 1 && (b === 0 || b === 3));
    const report = await applyOps(api, ops, s.options(ops, { localIdByGuid: s.snap.localIdByGuid }));
    expect(report.skipped.map((k) => [k.guid, k.reason])).toEqual([['B00000000006', 'rejected'], ['B00000000009', 'rejected']]);
    const folder = (await s.api.getChildren('2'))[2] as BrowserBookmarkNode;
    expect((await s.api.getChildren(folder.id)).map((n) => n.title)).toEqual(['B1.1', 'B1.2', 'B1.4', 'B1.5']);
  });

  it('issue 12: a create in the middle of a folder waits for the ones before it and lands at its place', async () => {
    const s = await setup('chromium');
    const api = new AnsweringLater(s.api);
    const ops: LocalOp[] = [
      bm('App000000001', TOOLBAR_GUID, 3, 'Appended'),
      bm('Mid000000001', TOOLBAR_GUID, 1, 'Middle'),
      bm('App000000002', TOOLBAR_GUID, 5, 'Last'),
    ];
    await applyOps(api, ops, s.options(ops, { localIdByGuid: s.snap.localIdByGuid }));
    expect((await s.api.getChildren('1')).map((n) => n.title)).toEqual(['Work', 'Middle', 'Mail', 'Old', 'Appended', 'Last']);
  });

  it('issue 12: Firefox gets its creates one at a time, still without reading the folder for each', async () => {
    const s = await setup('firefox');
    const api = new AnsweringLater(s.api);
    const ops = manyCreates(5, 8);
    await applyOps(api, ops, s.options(ops, { localIdByGuid: s.snap.localIdByGuid }));
    expect(api.maxInFlight).toBe(1);
    expect(api.childListReads).toBe(1);
    const folders = (await s.api.getChildren('unfiled_____')).slice(1);
    expect(folders.map((n) => n.title)).toEqual(['F0', 'F1', 'F2', 'F3', 'F4']);
  });

  it('issue 12: a run cut with creates in flight resumes without duplicates or misplaced items, whichever answer the kill comes at', async () => {
    const total = manyCreates(4, 5).length;
    for (let k = 0; k < total; k += 3) {
      const s = await setup('chromium');
      const api = new AnsweringLater(s.api);
      const ops = manyCreates(4, 5);
      s.api.killAfter(k, 'after');
      await expect(applyOps(api, ops, s.options(ops, { sliceSize: 8, localIdByGuid: s.snap.localIdByGuid }))).rejects.toBeInstanceOf(SimulatedKill);
      await applyOps(api, ops, s.options(ops, { sliceSize: 8, localIdByGuid: s.snap.localIdByGuid }));
      const folders = (await s.api.getChildren('2')).slice(1);
      expect(folders.map((n) => n.title), `kill at ${k}`).toEqual(['F0', 'F1', 'F2', 'F3']);
      for (const [f, folder] of folders.entries()) {
        expect((await s.api.getChildren(folder.id)).map((n) => n.title), `kill at ${k}`).toEqual(Array.from({ length: 5 }, (_, b) => `B${f}.${b}`));
      }
    }
  });
});

describe('applyOps when the person edits during the apply (issue 12 review)', () => {
  for (const flavor of ['chromium', 'firefox'] as const) {
    it(`${flavor}: creates into a folder deleted since the snapshot are skipped; the rest land, paired and reported`, async () => {
      const s = await setup(flavor);
      const api = new AnsweringLater(s.api);
      const workId = s.snap.localIdByGuid.get(s.guid('Work')) as string;
      await s.api.removeTree(workId); // the person, between the snapshot and the apply
      const ops: LocalOp[] = [
        bm('Toolbar00001', TOOLBAR_GUID, 3, 'In the toolbar'),
        bm('InWork000001', s.guid('Work'), 1, 'In Work'),
        bm('InWork000002', s.guid('Work'), 2, 'Also in Work'),
      ];
      const written: string[] = [];
      const report = await applyOps(api, ops, s.options(ops, { localIdByGuid: s.snap.localIdByGuid, onWrite: (id) => written.push(id) }));
      expect(report.complete).toBe(true);
      expect(report.skipped.map((k) => [k.guid, k.reason])).toEqual([['InWork000001', 'parent-missing'], ['InWork000002', 'parent-missing']]);
      const made = await s.idMap.localIdFor('Toolbar00001');
      expect(made).not.toBeNull();
      expect(written).toContain(made);
    });
  }

  it('chromium: a folder deleted while its creates are in flight: they are skipped, and the ones already made are paired', async () => {
    const s = await setup('chromium');
    const api = new AnsweringLater(s.api);
    const workId = s.snap.localIdByGuid.get(s.guid('Work')) as string;
    const ops: LocalOp[] = [bm('InWork000001', s.guid('Work'), 1, 'First'), bm('InWork000002', s.guid('Work'), 2, 'Second')];
    // The list of Work is read, the first create is made; then the person deletes Work.
    const create = api.create.bind(api);
    let calls = 0;
    api.create = async (details) => {
      const made = create(details);
      if (++calls === 1) await s.api.removeTree(workId);
      return made;
    };
    const report = await applyOps(api, ops, s.options(ops, { localIdByGuid: s.snap.localIdByGuid }));
    expect(report.skipped.map((k) => [k.guid, k.reason])).toEqual([['InWork000002', 'parent-missing']]);
    // The first was made (and went with the folder): it was paired when made, and forgetting it is the next sync's business.
    expect(await s.idMap.localIdFor('InWork000001')).not.toBeNull();
  });
});
