// Catalogue: what this browser cannot show (Chromium has no separators, queries, livemarks or
// menu root) stays on the server where it was and never moves or deletes its neighbours; records
// keep the fields this browser cannot edit; broken server structure is repaired and re-uploaded.

import { describe, expect, it } from 'vitest';
import type { BookmarkRecord } from '../record.ts';
import { expectTree, runMerge, uploadIds } from './harness.ts';

const WITH_SEPARATORS = `
  toolbar_____/
    bookmarkAAAA
    separator111 sep
    bookmarkBBBB
    separator222 sep
    bookmarkCCCC
`;

describe('bookmark merge: unsupported items and repairs', () => {
  it('separators_kept_in_place: a Chromium addition does not push separators to the end', () => {
    const r = runMerge({
      mirror: WITH_SEPARATORS,
      local: `toolbar_____/ @90\n  bookmarkAAAA\n  bookmarkBBBB\n  bookmarkCCCC\n  bookmarkDDDD @90`,
      remote: WITH_SEPARATORS,
      unsupportedKinds: ['separator'],
    });
    expectTree(r, `${WITH_SEPARATORS}\n    bookmarkDDDD`);
    expect(r.localOps).toEqual([]);
    expect(uploadIds(r)).toEqual(['toolbar', 'bookmarkDDDD']);
    expect(r.stats.deletionsRemote).toBe(0);
  });

  it('separators_follow_their_preceding_sibling_on_reorder', () => {
    const r = runMerge({
      mirror: WITH_SEPARATORS,
      local: `toolbar_____/ @90\n  bookmarkCCCC\n  bookmarkAAAA\n  bookmarkBBBB`,
      remote: WITH_SEPARATORS,
      unsupportedKinds: ['separator'],
    });
    expectTree(r, `
      toolbar_____/
        bookmarkCCCC
        bookmarkAAAA
        separator111 sep
        bookmarkBBBB
        separator222 sep
    `);
    expect(uploadIds(r)).toEqual(['toolbar']);
  });

  it('nothing_changed_with_separators: no ops and no uploads', () => {
    const r = runMerge({
      mirror: WITH_SEPARATORS,
      local: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB\n  bookmarkCCCC`,
      remote: WITH_SEPARATORS,
      unsupportedKinds: ['separator'],
    });
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('remote_separator_added_not_created_locally; indexes count only what the browser has', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      remote: `toolbar_____/ @90\n  bookmarkAAAA\n  separator333 sep @90\n  bookmarkEEEE @90\n  bookmarkBBBB`,
      unsupportedKinds: ['separator'],
    });
    expectTree(r, `toolbar_____/\n  bookmarkAAAA\n  separator333 sep\n  bookmarkEEEE\n  bookmarkBBBB`);
    expect(r.localOps).toEqual([
      { type: 'create', guid: 'bookmarkEEEE', parentGuid: 'toolbar_____', index: 1, kind: 'bookmark', title: 'bookmarkEEEE', url: 'https://example.com/bookmarkEEEE' },
    ]);
    expect(r.uploads).toEqual([]);
  });

  it('separator_deleted_with_its_folder: deleting a folder in Chromium takes its separators along', () => {
    const r = runMerge({
      mirror: `menu________/\n  folderFFFFFF/\n    bookmarkAAAA\n    separator111 sep`,
      local: `menu________/ @90`,
      remote: `menu________/\n  folderFFFFFF/\n    bookmarkAAAA\n    separator111 sep`,
      unsupportedKinds: ['separator'],
    });
    expectTree(r, '');
    expect(uploadIds(r)).toEqual(['menu', '-bookmarkAAAA', '-folderFFFFFF', '-separator111']);
  });

  it('unsupported_root_kept: a browser without a menu root leaves the menu alone', () => {
    const menu = `menu________/\n  bookmarkAAAA\n  folderFFFFFF/\n    bookmarkBBBB`;
    const r = runMerge({
      mirror: `${menu}\ntoolbar_____/\n  bookmarkCCCC`,
      local: `toolbar_____/\n  bookmarkCCCC`,
      remote: `${menu}\n  bookmarkDDDD @90\ntoolbar_____/\n  bookmarkCCCC`,
      unsupportedRoots: ['menu________'],
    });
    expectTree(r, `${menu}\n  bookmarkDDDD\ntoolbar_____/\n  bookmarkCCCC`);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('remote_move_into_unsupported_root: the item leaves this browser but not the server', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA`,
      local: `toolbar_____/\n  bookmarkAAAA`,
      remote: `menu________/ @90\n  bookmarkAAAA\ntoolbar_____/ @90`,
      unsupportedRoots: ['menu________'],
    });
    expectTree(r, `menu________/\n  bookmarkAAAA`);
    expect(r.localOps).toEqual([{ type: 'delete', guid: 'bookmarkAAAA', kind: 'bookmark' }]);
    expect(r.stats).toMatchObject({ deletionsLocal: 1, deletionsRemote: 0 });
    expect(r.uploads).toEqual([]);
  });

  it('queries_and_livemarks_kept: items a browser cannot create are neither deleted nor recreated', () => {
    const tree = `unfiled_____/\n  query1111111 query <place:sort=8>\n  bookmarkAAAA\n  livemark1111 livemark`;
    const r = runMerge({
      mirror: tree,
      local: `unfiled_____/\n  bookmarkAAAA`,
      remote: tree,
      unsupportedKinds: ['query'],
    });
    expectTree(r, tree);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('fields_this_browser_cannot_see_survive_a_local_edit: tags, keyword, unknown fields', () => {
    const rich: BookmarkRecord = {
      id: 'bookmarkAAAA', type: 'bookmark', parentid: 'toolbar', title: 'Old', bmkUri: 'https://a/',
      tags: ['work'], keyword: 'a', description: 'kept', futureField: { x: 1 }, dateAdded: 1000,
    };
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA "Old" <https://a/>`,
      mirrorRecords: [rich],
      local: `toolbar_____/\n  bookmarkAAAA "New" <https://a/> @90`,
      remote: `toolbar_____/\n  bookmarkAAAA "Old" <https://a/>`,
      remoteRecords: [rich],
    });
    expect(r.uploads).toEqual([{
      ...rich, title: 'New', parentName: 'toolbar', hasDupe: true,
    }]);
  });

  it('hidden_fields_edited_there_title_here: both edits kept, whichever is newer', () => {
    const mirrorRecord: BookmarkRecord = {
      id: 'bookmarkAAAA', type: 'bookmark', parentid: 'toolbar', title: 'Old', bmkUri: 'https://a/',
      tags: ['work'], keyword: 'a', description: 'old', futureField: { x: 1 },
    };
    // Another device (Firefox) edited what this browser cannot show; this browser renamed it.
    const remoteRecord: BookmarkRecord = { ...mirrorRecord, tags: ['work', 'new'], keyword: 'k', description: 'new', futureField: { x: 2 } };
    for (const [localAt, remoteAt] of [[80, 90], [90, 80]]) {
      const r = runMerge({
        mirror: `toolbar_____/\n  bookmarkAAAA "Old" <https://a/>`,
        mirrorRecords: [mirrorRecord],
        local: `toolbar_____/\n  bookmarkAAAA "New" <https://a/> @${localAt}`,
        remote: `toolbar_____/\n  bookmarkAAAA "Old" <https://a/> @${remoteAt}`,
        remoteRecords: [remoteRecord],
      });
      expect(r.localOps, `local @${localAt}`).toEqual([]);
      expect(r.uploads, `local @${localAt}`).toEqual([{ ...remoteRecord, title: 'New', parentName: 'toolbar', hasDupe: true }]);
    }
  });

  it('remote_edit_of_a_hidden_field_is_not_a_local_conflict', () => {
    const tagged: BookmarkRecord = { id: 'bookmarkAAAA', type: 'bookmark', parentid: 'toolbar', title: 'A', bmkUri: 'https://a/', tags: ['new'] };
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA "A" <https://a/>`,
      local: `toolbar_____/\n  bookmarkAAAA "A" <https://a/>`,
      remote: `toolbar_____/\n  bookmarkAAAA "A" <https://a/> @90`,
      remoteRecords: [tagged],
    });
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
    expect(r.merged.nodes.get('bookmarkAAAA')?.record).toMatchObject({ tags: ['new'] });
  });

  it('root_moves_ignored: a root listed inside another root stays a root, and the server is fixed', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA`,
      local: `menu________/\n  bookmarkAAAA`,
      remote: `menu________/\n  bookmarkAAAA`,
      remoteRecords: [
        { id: 'menu', type: 'folder', parentid: 'places', title: 'menu', children: ['toolbar', 'bookmarkAAAA'] },
        { id: 'toolbar', type: 'folder', parentid: 'menu', title: 'toolbar', children: [] },
      ],
    });
    expectTree(r, `menu________/\n  bookmarkAAAA`);
    expect(r.localOps).toEqual([]);
    expect(uploadIds(r)).toEqual(['menu', 'toolbar']);
  });

  it('moved_user_content_roots: roots nested in the local snapshot are put back, contents kept', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkBBBB\ntoolbar_____/\n  bookmarkEEEE\nunfiled_____/\n  bookmarkAAAA`,
      local: `
        unfiled_____/
          bookmarkAAAA
          menu________/
            bookmarkBBBB
            toolbar_____/
              bookmarkEEEE
      `,
      remote: `menu________/\n  bookmarkBBBB\ntoolbar_____/\n  bookmarkEEEE\nunfiled_____/\n  bookmarkAAAA`,
    });
    expectTree(r, `menu________/\n  bookmarkBBBB\ntoolbar_____/\n  bookmarkEEEE\nunfiled_____/\n  bookmarkAAAA`);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('reparent_orphans: items whose parent is missing land in unfiled and are re-uploaded there', () => {
    const r = runMerge({
      mirror: `unfiled_____/`,
      local: `unfiled_____/`,
      remote: `unfiled_____/`,
      remoteRecords: [
        { id: 'bookmarkORPH', type: 'bookmark', parentid: 'folderMISSIN', title: 'Orphan', bmkUri: 'https://o/' },
        { id: 'bookmarkUNLS', type: 'bookmark', parentid: 'menu', title: 'Unlisted', bmkUri: 'https://u/' },
      ],
    });
    expectTree(r, `
      menu________/
        bookmarkUNLS "Unlisted" <https://u/>
      unfiled_____/
        bookmarkORPH "Orphan" <https://o/>
    `);
    expect(uploadIds(r).sort()).toEqual(['bookmarkORPH', 'menu', 'unfiled']);
  });

  it('multiple_parents: a child listed by two folders goes where its parentid says; the other is fixed', () => {
    const r = runMerge({
      mirror: `menu________/\n  folderAAAAAA/\n  folderBBBBBB/\n    bookmarkXXXX`,
      local: `menu________/\n  folderAAAAAA/\n  folderBBBBBB/\n    bookmarkXXXX`,
      remote: `menu________/\n  folderAAAAAA/\n  folderBBBBBB/\n    bookmarkXXXX`,
      remoteRecords: [{ id: 'folderAAAAAA', type: 'folder', parentid: 'menu', title: 'folderAAAAAA', children: ['bookmarkXXXX'] }],
    });
    expectTree(r, `menu________/\n  folderAAAAAA/\n  folderBBBBBB/\n    bookmarkXXXX`);
    expect(uploadIds(r)).toEqual(['folderAAAAAA']);
  });

  it('cycle: folders that contain each other are cut loose into unfiled', () => {
    const r = runMerge({
      mirror: `unfiled_____/`,
      local: `unfiled_____/`,
      remote: `unfiled_____/`,
      remoteRecords: [
        { id: 'folderAAAAAA', type: 'folder', parentid: 'folderBBBBBB', title: 'A', children: ['folderBBBBBB'] },
        { id: 'folderBBBBBB', type: 'folder', parentid: 'folderAAAAAA', title: 'B', children: ['folderAAAAAA'] },
      ],
    });
    expectTree(r, `unfiled_____/\n  folderAAAAAA/ "A"\n    folderBBBBBB/ "B"`);
    expect(uploadIds(r)).toEqual(['unfiled', 'folderAAAAAA', 'folderBBBBBB']);
  });

  it('mismatched_compatible_bookmark_kinds: a query and a bookmark with one GUID merge', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkQQQQ query <place:x>`,
      local: `toolbar_____/\n  bookmarkQQQQ <place:x>`,
      remote: `toolbar_____/\n  bookmarkQQQQ query <place:x>`,
    });
    expectTree(r, `toolbar_____/\n  bookmarkQQQQ query <place:x>`);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('mismatched_incompatible_kinds: the server item wins and the local folder\'s children are kept', () => {
    const r = runMerge({
      mirror: `toolbar_____/`,
      local: `toolbar_____/ @90\n  itemGGGGGGGG/ @90\n    bookmarkXXXX @90`,
      remote: `toolbar_____/ @80\n  itemGGGGGGGG @80`,
    });
    expectTree(r, `
      toolbar_____/
        itemGGGGGGGG
      unfiled_____/
        bookmarkXXXX
    `);
    expect(r.stats.rescued).toBe(1);
  });
});
