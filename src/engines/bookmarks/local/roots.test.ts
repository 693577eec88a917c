import { describe, expect, it } from 'vitest';
import { IdMapStore } from '../../../db/idMapStore.ts';
import { freshDatabase } from '../../../test-support/db.ts';
import { MENU_GUID, MOBILE_GUID, ROOT_GUID, TOOLBAR_GUID, UNFILED_GUID } from '../record.ts';
import { FakeBookmarksApi } from './fakeBookmarksApi.ts';
import { MENU_STAND_IN_TITLE, MOBILE_STAND_IN_TITLE, resolveRoots, resumeRootSync } from './roots.ts';
import { describeRootProblems } from './rootProblems.ts';

async function idMap(): Promise<IdMapStore> {
  return new IdMapStore(await freshDatabase(), 'bookmarks');
}

describe('resolveRoots, Firefox', () => {
  it('maps every root to itself', async () => {
    const api = new FakeBookmarksApi('firefox');
    const roots = await resolveRoots(api, await idMap(), 'firefox');
    for (const guid of [ROOT_GUID, MENU_GUID, TOOLBAR_GUID, UNFILED_GUID, MOBILE_GUID]) {
      expect(roots.localIdFor(guid)).toBe(guid);
      expect(roots.rootGuidFor(guid)).toBe(guid);
      expect(roots.isProtected(guid)).toBe(true);
    }
    expect(await roots.ensureRoot(MENU_GUID)).toBe(MENU_GUID);
    expect(roots.isStandIn(MENU_GUID)).toBe(false);
  });
});

describe('resolveRoots, Chromium', () => {
  it('maps toolbar and unfiled both ways; menu and mobile wait for a stand-in', async () => {
    const api = new FakeBookmarksApi('chromium');
    const roots = await resolveRoots(api, await idMap(), 'chromium');
    expect(roots.localIdFor(ROOT_GUID)).toBe('0');
    expect(roots.localIdFor(TOOLBAR_GUID)).toBe('1');
    expect(roots.localIdFor(UNFILED_GUID)).toBe('2');
    expect(roots.rootGuidFor('1')).toBe(TOOLBAR_GUID);
    expect(roots.rootGuidFor('2')).toBe(UNFILED_GUID);
    expect(roots.localIdFor(MENU_GUID)).toBeNull();
    expect(roots.localIdFor(MOBILE_GUID)).toBeNull();
    expect(api.size).toBe(4); // nothing created just by looking
  });

  it('creates each stand-in once, inside Other bookmarks, and finds it again after a rename', async () => {
    const api = new FakeBookmarksApi('chromium');
    const map = await idMap();
    const roots = await resolveRoots(api, map, 'chromium');
    const [menu, again] = await Promise.all([roots.ensureRoot(MENU_GUID), roots.ensureRoot(MENU_GUID)]);
    expect(again).toBe(menu);
    const mobile = await roots.ensureRoot(MOBILE_GUID);
    expect((await api.getChildren('2')).map((n) => [n.id, n.title])).toEqual([[menu, MENU_STAND_IN_TITLE], [mobile, MOBILE_STAND_IN_TITLE]]);
    expect(roots.isStandIn(menu)).toBe(true);
    expect(await map.localIdFor(MENU_GUID)).toBe(menu);

    await api.update(menu, { title: 'Firefox menu' });
    await api.move(mobile, { parentId: '1', index: 0 });
    const later = await resolveRoots(api, map, 'chromium');
    expect(later.localIdFor(MENU_GUID)).toBe(menu);
    expect(later.localIdFor(MOBILE_GUID)).toBe(mobile);
    expect(await later.ensureRoot(MENU_GUID)).toBe(menu);
    expect((await api.getChildren('2')).length).toBe(1);
  });

  it('adopts an existing "Bookmarks Menu" folder when the id map was cleared', async () => {
    const api = new FakeBookmarksApi('chromium');
    const menu = await (await resolveRoots(api, await idMap(), 'chromium')).ensureRoot(MENU_GUID);
    const fresh = await idMap();
    const roots = await resolveRoots(api, fresh, 'chromium');
    expect(roots.localIdFor(MENU_GUID)).toBe(menu);
    expect(await fresh.localIdFor(MENU_GUID)).toBe(menu);
    expect(roots.lostRoots).toEqual([]);
  });

  it('treats a stand-in the person deleted as a lost root until told to sync it again', async () => {
    const api = new FakeBookmarksApi('chromium');
    const map = await idMap();
    const menu = await (await resolveRoots(api, map, 'chromium')).ensureRoot(MENU_GUID);
    await api.removeTree(menu);
    const after = await resolveRoots(api, map, 'chromium');
    expect(after.lostRoots).toEqual([MENU_GUID]);
    expect(after.localIdFor(MENU_GUID)).toBeNull();
    await expect(after.ensureRoot(MENU_GUID)).rejects.toThrow('has no folder');
    expect((await api.getChildren('2')).length).toBe(0);

    await resumeRootSync(map, MENU_GUID);
    const resumed = await resolveRoots(api, map, 'chromium');
    expect(resumed.lostRoots).toEqual([]);
    const made = await resumed.ensureRoot(MENU_GUID);
    expect(made).not.toBe(menu);
    expect(await map.localIdFor(MENU_GUID)).toBe(made);
  });

  // Regression (issue 9.0, found by the crash e2e): a browser killed during a first sync lost the
  // "Bookmarks Menu" stand-in it had just made; read as deleted by the person, the menu became a
  // lost root, and once its id was handed to another folder the menu's content was deleted from
  // the account.
  it('a stand-in the browser lost (no removal recorded) is made again, never taken as lost or as the folder that got its id', async () => {
    const api = new FakeBookmarksApi('chromium');
    const map = await idMap();
    api.save();
    const menu = await (await resolveRoots(api, map, 'chromium')).ensureRoot(MENU_GUID);
    api.crash(); // the browser never saved it
    const reused = await api.create({ parentId: '2', title: 'Getting Started' });
    expect(reused.id).toBe(menu); // Chromium numbers from its saved file again
    const roots = await resolveRoots(api, map, 'chromium', undefined, { personRemoved: () => false });
    expect(roots.lostRoots).toEqual([]);
    expect(roots.localIdFor(MENU_GUID)).toBeNull();
    expect(roots.isProtected(reused.id)).toBe(false);
    const made = await roots.ensureRoot(MENU_GUID);
    expect(made).not.toBe(reused.id);
    expect((await api.getChildren('2')).map((n) => n.title).sort()).toEqual(['Bookmarks Menu', 'Getting Started']);
  });

  it('a stand-in the person removed (the change tracker recorded it) is a lost root', async () => {
    const api = new FakeBookmarksApi('chromium');
    const map = await idMap();
    const menu = await (await resolveRoots(api, map, 'chromium')).ensureRoot(MENU_GUID);
    await api.removeTree(menu);
    const roots = await resolveRoots(api, map, 'chromium', undefined, { personRemoved: (guid, id) => guid === MENU_GUID && id === menu });
    expect(roots.lostRoots).toEqual([MENU_GUID]);
  });

  it('uses Chromium\'s mobile root when the API shows it', async () => {
    const api = new FakeBookmarksApi('chromium');
    api.seed('3', { title: 'from phone', url: 'https://phone/' });
    const roots = await resolveRoots(api, await idMap(), 'chromium');
    expect(roots.localIdFor(MOBILE_GUID)).toBe('3');
    expect(roots.isStandIn('3')).toBe(false);
    expect(await roots.ensureRoot(MOBILE_GUID)).toBe('3');
  });

  it('prefers the folders on this device over the account copies, and keeps its choice', async () => {
    const api = new FakeBookmarksApi('chromium', { accountRoots: true });
    const map = await idMap();
    const roots = await resolveRoots(api, map, 'chromium');
    expect(roots.localIdFor(TOOLBAR_GUID)).toBe('1');
    expect(roots.localIdFor(UNFILED_GUID)).toBe('2');
    expect([...roots.ignoredLocalIds].sort()).toEqual(['5', '6']);
    // The person moves the local bar into the account: `syncing` flips, the choice does not.
    api.setSyncing('1', true);
    const later = await resolveRoots(api, map, 'chromium');
    expect(later.localIdFor(TOOLBAR_GUID)).toBe('1');
  });
});

describe('describeRootProblems', () => {
  it('is quiet for a plain profile and for Firefox', async () => {
    expect(describeRootProblems(await new FakeBookmarksApi('chromium').getTree())).toEqual([]);
    expect(describeRootProblems(await new FakeBookmarksApi('firefox').getTree())).toEqual([]);
  });

  it('explains duplicate account/local roots', async () => {
    const problems = describeRootProblems(await new FakeBookmarksApi('chromium', { accountRoots: true }).getTree());
    expect(problems.map((p) => p.kind)).toEqual(['duplicate-roots']);
    const message = problems[0]?.message ?? '';
    expect(message).toContain('"Bookmarks bar" and "Other bookmarks"');
    expect(message).toContain('Google Account');
    expect(message).toContain('only the copy kept on this device');
    expect(message).toContain('move it into the folder Syncbridge uses');
  });

  it('warns that Chrome Sync syncs the same folders', async () => {
    const problems = describeRootProblems(await new FakeBookmarksApi('chromium', { syncing: true }).getTree());
    expect(problems.map((p) => p.kind)).toEqual(['chrome-sync']);
    const message = problems[0]?.message ?? '';
    expect(message).toContain('Chrome Sync is also syncing "Bookmarks bar" and "Other bookmarks"');
    expect(message).toContain('duplicated');
    expect(message).toContain('Turn off Bookmarks in Chrome\'s sync settings');
  });

  it('mentions managed bookmarks and missing roots', async () => {
    const managed = describeRootProblems(await new FakeBookmarksApi('chromium', { managed: true }).getTree());
    expect(managed.map((p) => p.kind)).toEqual(['managed-bookmarks']);
    const bare = [{ id: '0', title: '', syncing: false, children: [{ id: '2', parentId: '0', title: 'Other bookmarks', folderType: 'other' as const, syncing: false, children: [] }] }];
    const missing = describeRootProblems(bare);
    expect(missing.map((p) => p.kind)).toEqual(['missing-root']);
    expect(missing[0]?.message).toContain('"Bookmarks bar"');
  });
});
