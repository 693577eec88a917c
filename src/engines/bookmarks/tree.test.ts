import { describe, expect, it } from 'vitest';
import type { BookmarkRecord } from './record.ts';
import { buildTreeFromLocal, buildTreeFromRecords, overlayRecords } from './tree.ts';
import type { RecordEntry } from './tree.ts';
import { render } from './merge/testTrees.ts';

const folder = (id: string, parentid: string, children: string[], modifiedS = 0): RecordEntry =>
  ({ record: { id, type: 'folder', parentid, title: id, children }, modifiedS });
const bookmark = (id: string, parentid: string, modifiedS = 0): RecordEntry =>
  ({ record: { id, type: 'bookmark', parentid, title: id, bmkUri: `https://example.com/${id}` }, modifiedS });

describe('bookmark tree from records', () => {
  it('creates missing roots and orders the Places root', () => {
    const t = buildTreeFromRecords([]);
    expect(t.nodes.get('root________')?.children).toEqual(['menu________', 'toolbar_____', 'unfiled_____', 'mobile______']);
    expect(t.problems.filter((p) => p.kind === 'missingRoot')).toHaveLength(4);
  });

  it('follows folder children over parentid, and appends unlisted children to their parentid folder', () => {
    const t = buildTreeFromRecords([
      folder('menu', 'places', ['bookmarkAAAA']),
      folder('toolbar', 'places', []),
      bookmark('bookmarkAAAA', 'toolbar'),
      bookmark('bookmarkBBBB', 'toolbar'),
    ]);
    expect(render(t)).toBe('menu________/\n  bookmarkAAAA\ntoolbar_____/\n  bookmarkBBBB');
    expect([...t.diverged].sort()).toEqual(['bookmarkAAAA', 'toolbar_____']);
  });

  it('reparent_orphans: a missing parent sends the item to unfiled', () => {
    const t = buildTreeFromRecords([bookmark('bookmarkAAAA', 'folderGONEGO')]);
    expect(render(t)).toBe('unfiled_____/\n  bookmarkAAAA');
    expect(t.problems).toContainEqual({ kind: 'orphan', guid: 'bookmarkAAAA' });
  });

  it('multiple_parents: parentid decides; failing that the newest folder listing it', () => {
    const listedTwice = [folder('folderAAAAAA', 'menu', ['bookmarkXXXX'], 5), folder('folderBBBBBB', 'menu', ['bookmarkXXXX'], 9),
      folder('menu', 'places', ['folderAAAAAA', 'folderBBBBBB'])];
    expect(buildTreeFromRecords([...listedTwice, bookmark('bookmarkXXXX', 'folderAAAAAA')]).nodes.get('bookmarkXXXX')?.parentGuid)
      .toBe('folderAAAAAA');
    expect(buildTreeFromRecords([...listedTwice, bookmark('bookmarkXXXX', 'unfiled')]).nodes.get('bookmarkXXXX')?.parentGuid)
      .toBe('folderBBBBBB');
  });

  it('cycle: breaks it at the smallest GUID, deterministically', () => {
    const t = buildTreeFromRecords([
      folder('folderCCCCCC', 'folderBBBBBB', ['folderAAAAAA']),
      folder('folderAAAAAA', 'folderCCCCCC', ['folderBBBBBB']),
      folder('folderBBBBBB', 'folderAAAAAA', ['folderCCCCCC']),
    ]);
    expect(render(t)).toBe('unfiled_____/\n  folderAAAAAA/\n    folderBBBBBB/\n      folderCCCCCC/');
    expect(t.problems).toContainEqual({ kind: 'cycle', guid: 'folderAAAAAA' });
  });

  it('drops children that do not exist and ignores children of non-folders', () => {
    const weird: BookmarkRecord = { id: 'bookmarkAAAA', type: 'bookmark', parentid: 'menu', title: 'a', bmkUri: 'https://a/', children: ['bookmarkBBBB'] };
    const t = buildTreeFromRecords([folder('menu', 'places', ['ghostGHOSTGH', 'bookmarkAAAA']), { record: weird }, bookmark('bookmarkBBBB', 'menu')]);
    expect(t.nodes.get('menu________')?.children).toEqual(['bookmarkAAAA', 'bookmarkBBBB']);
    expect(t.nodes.get('bookmarkAAAA')?.children).toEqual([]);
    expect(t.diverged.has('menu________')).toBe(true);
  });

  it('skips records Firefox refuses (pinned, readinglist) and keeps tombstones as deletions', () => {
    const t = buildTreeFromRecords([
      folder('readinglist', 'places', []),
      bookmark('bookmarkPINN', 'pinned'),
      { record: { id: 'bookmarkGONE', deleted: true } },
      { record: { id: 'menu', deleted: true } },
    ]);
    expect(t.nodes.has('readinglist')).toBe(false);
    expect(t.nodes.has('bookmarkPINN')).toBe(false);
    expect([...t.deletions]).toEqual(['bookmarkGONE']);
  });

  it('overlays incoming records and tombstones on the mirror', () => {
    const merged = overlayRecords(
      [bookmark('bookmarkAAAA', 'menu'), bookmark('bookmarkBBBB', 'menu')],
      [{ record: { id: 'bookmarkAAAA', deleted: true } }, bookmark('bookmarkCCCC', 'menu', 7)],
    );
    expect(merged.map((e) => [e.record.id, e.record.deleted === true])).toEqual([
      ['bookmarkAAAA', true], ['bookmarkBBBB', false], ['bookmarkCCCC', false],
    ]);
  });
});

describe('bookmark tree from the local snapshot', () => {
  it('orders children by index and sends orphans to unfiled', () => {
    const t = buildTreeFromLocal([
      { guid: 'root________', parentGuid: null, kind: 'folder', index: 0 },
      { guid: 'toolbar_____', parentGuid: 'root________', kind: 'folder', index: 1 },
      { guid: 'bookmarkBBBB', parentGuid: 'toolbar_____', kind: 'bookmark', title: 'bookmarkBBBB', url: 'https://example.com/bookmarkBBBB', index: 1 },
      { guid: 'bookmarkAAAA', parentGuid: 'toolbar_____', kind: 'bookmark', title: 'bookmarkAAAA', url: 'https://example.com/bookmarkAAAA', index: 0 },
      { guid: 'bookmarkCCCC', parentGuid: 'nowhere', kind: 'bookmark', title: 'bookmarkCCCC', url: 'https://example.com/bookmarkCCCC', index: 0 },
    ], ['bookmarkDDDD']);
    expect(render(t)).toBe('toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB\nunfiled_____/\n  bookmarkCCCC');
    expect([...t.deletions]).toEqual(['bookmarkDDDD']);
    expect(t.nodes.get('bookmarkAAAA')?.modifiedMs).toBeNull();
  });

  it('never lets a root move under another folder', () => {
    const t = buildTreeFromLocal([
      { guid: 'menu________', parentGuid: 'toolbar_____', kind: 'folder', index: 0 },
      { guid: 'toolbar_____', parentGuid: 'root________', kind: 'folder', index: 0 },
    ]);
    expect(t.nodes.get('menu________')?.parentGuid).toBe('root________');
    expect(t.nodes.get('toolbar_____')?.children).toEqual([]);
  });
});
