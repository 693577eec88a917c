// Catalogue: moves, reorders, additions and conflicts between them (dogear test names where the
// case is dogear's). Times: `@N` = changed at N s; the merge runs at 100 s, so higher is newer.

import { describe, expect, it } from 'vitest';
import { expectTree, runMerge, uploadIds } from './harness.ts';

const SHARED = `
  menu________/
    folderAAAAAA/
      bookmarkAAAA
      folderBBBBBB/
        bookmarkCCCC
        bookmarkDDDD
      bookmarkEEEE
    bookmarkFFFF
`;

describe('bookmark merge: structure', () => {
  it('nothing_changed: no operations, no uploads', () => {
    const r = runMerge({ mirror: SHARED, local: SHARED, remote: SHARED });
    expectTree(r, SHARED);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('reparent_and_reposition: remote restructuring applies locally', () => {
    const r = runMerge({
      mirror: SHARED,
      local: SHARED,
      remote: `
        menu________/ @50
          bookmarkFFFF
        toolbar_____/ @50
          folderAAAAAA/ @50
            bookmarkEEEE
        unfiled_____/ @50
          folderBBBBBB/ @50
            bookmarkDDDD
            bookmarkAAAA
            bookmarkCCCC
      `,
    });
    expectTree(r, `
      menu________/
        bookmarkFFFF
      toolbar_____/
        folderAAAAAA/
          bookmarkEEEE
      unfiled_____/
        folderBBBBBB/
          bookmarkDDDD
          bookmarkAAAA
          bookmarkCCCC
    `);
    expect(r.uploads).toEqual([]);
    expect(r.stats.moved).toBeGreaterThan(0);
  });

  it('move_into_parent_sibling: a local item moves into a new remote folder', () => {
    const r = runMerge({
      mirror: `menu________/\n  folderAAAAAA/\n    bookmarkBBBB`,
      local: `menu________/\n  folderAAAAAA/\n    bookmarkBBBB`,
      remote: `
        menu________/ @50
          folderAAAAAA/ @50
          folderCCCCCC/ @50
            bookmarkBBBB
      `,
    });
    expectTree(r, `
      menu________/
        folderAAAAAA/
        folderCCCCCC/
          bookmarkBBBB
    `);
    expect(r.localOps).toEqual([
      { type: 'create', guid: 'folderCCCCCC', parentGuid: 'menu________', index: 1, kind: 'folder', title: 'folderCCCCCC', url: null },
      { type: 'move', guid: 'bookmarkBBBB', parentGuid: 'folderCCCCCC', index: 0 },
    ]);
    expect(r.uploads).toEqual([]);
  });

  it('reorder_and_insert: the newer reorder is the base, the other side\'s additions follow', () => {
    const mirror = `
      menu________/
        bookmarkAAAA
        bookmarkBBBB
        bookmarkCCCC
      toolbar_____/
        bookmarkDDDD
        bookmarkEEEE
        bookmarkFFFF
    `;
    const r = runMerge({
      mirror,
      local: `
        menu________/ @100
          bookmarkCCCC
          bookmarkAAAA
          bookmarkBBBB
        toolbar_____/ @95
          bookmarkDDDD
          bookmarkEEEE
          bookmarkFFFF
          bookmarkGGGG @95
          bookmarkHHHH @95
      `,
      remote: `
        menu________/ @95
          bookmarkAAAA
          bookmarkBBBB
          bookmarkCCCC
          bookmarkIIII @95
          bookmarkJJJJ @95
        toolbar_____/ @100
          bookmarkFFFF
          bookmarkDDDD
          bookmarkEEEE
      `,
    });
    expectTree(r, `
      menu________/
        bookmarkCCCC
        bookmarkAAAA
        bookmarkBBBB
        bookmarkIIII
        bookmarkJJJJ
      toolbar_____/
        bookmarkFFFF
        bookmarkDDDD
        bookmarkEEEE
        bookmarkGGGG
        bookmarkHHHH
    `);
    expect(uploadIds(r).sort()).toEqual(['bookmarkGGGG', 'bookmarkHHHH', 'menu', 'toolbar']);
  });

  it('reorder_local_add_remote: a reorder survives additions on the other side even when they are newer', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB\n  bookmarkCCCC`,
      local: `toolbar_____/ @60\n  bookmarkCCCC\n  bookmarkBBBB\n  bookmarkAAAA`,
      remote: `toolbar_____/ @90\n  bookmarkAAAA\n  bookmarkDDDD @90\n  bookmarkBBBB\n  bookmarkCCCC`,
    });
    expectTree(r, `
      toolbar_____/
        bookmarkCCCC
        bookmarkBBBB
        bookmarkAAAA
        bookmarkDDDD
    `);
    expect(uploadIds(r)).toEqual(['toolbar']);
    expect(r.stats.created).toBe(1);
  });

  it('reorder_remote_add_local: the symmetric case keeps the remote order', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB\n  bookmarkCCCC`,
      local: `toolbar_____/ @90\n  bookmarkAAAA\n  bookmarkBBBB\n  bookmarkCCCC\n  bookmarkDDDD @90`,
      remote: `toolbar_____/ @60\n  bookmarkCCCC\n  bookmarkAAAA\n  bookmarkBBBB`,
    });
    expectTree(r, `
      toolbar_____/
        bookmarkCCCC
        bookmarkAAAA
        bookmarkBBBB
        bookmarkDDDD
    `);
    expect(uploadIds(r)).toEqual(['toolbar', 'bookmarkDDDD']);
  });

  it('both_sides_add_to_same_folder: both additions kept, newer side first', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA`,
      local: `menu________/ @80\n  bookmarkAAAA\n  bookmarkLLLL @80`,
      remote: `menu________/ @90\n  bookmarkAAAA\n  bookmarkRRRR @90`,
    });
    expectTree(r, `
      menu________/
        bookmarkAAAA
        bookmarkRRRR
        bookmarkLLLL
    `);
    expect(uploadIds(r)).toEqual(['menu', 'bookmarkLLLL']);
  });

  const MOVES_MIRROR = `
    menu________/
      bookmarkAAAA
      folderBBBBBB/
        bookmarkCCCC
      folderDDDDDD/
    toolbar_____/
      bookmarkEEEE
      folderFFFFFF/
        bookmarkGGGG
      folderHHHHHH/
  `;
  const MOVES_LOCAL = (t: number) => `
    menu________/ @${t}
      folderDDDDDD/ @${t}
        bookmarkCCCC @${t}
    toolbar_____/ @${t}
      folderHHHHHH/ @${t}
        bookmarkGGGG @${t}
      folderFFFFFF/ @${t}
      bookmarkEEEE
    unfiled_____/ @${t}
      bookmarkAAAA @${t}
    mobile______/ @${t}
      folderBBBBBB/ @${t}
  `;
  const MOVES_REMOTE = (t: number) => `
    menu________/ @${t}
      folderDDDDDD/ @${t}
        bookmarkGGGG @${t}
    toolbar_____/ @${t}
      folderFFFFFF/ @${t}
      bookmarkEEEE
      folderHHHHHH/ @${t}
        bookmarkCCCC @${t}
    unfiled_____/ @${t}
      folderBBBBBB/ @${t}
    mobile______/ @${t}
      bookmarkAAAA @${t}
  `;

  it('newer_local_moves: conflicting moves resolve to the newer local structure', () => {
    const r = runMerge({ mirror: MOVES_MIRROR, local: MOVES_LOCAL(95), remote: MOVES_REMOTE(90) });
    expectTree(r, MOVES_LOCAL(0).replace(/ @0/g, ''));
    expect(r.localOps).toEqual([]);
    expect(r.stats.uploaded).toBeGreaterThan(0);
  });

  it('newer_remote_moves: conflicting moves resolve to the newer remote structure', () => {
    const r = runMerge({ mirror: MOVES_MIRROR, local: MOVES_LOCAL(90), remote: MOVES_REMOTE(95) });
    expectTree(r, MOVES_REMOTE(0).replace(/ @0/g, ''));
    expect(r.uploads).toEqual([]);
  });

  it('value_structure_conflict: a rename does not drag structure along; values go to the newer side', () => {
    const mirror = `
      menu________/
        folderAAAAAA/
          bookmarkCCCC
        folderBBBBBB/
          bookmarkEEEE
    `;
    const r = runMerge({
      mirror,
      local: `
        menu________/
          folderAAAAAA/ "Local A" @98
            bookmarkCCCC
          folderBBBBBB/
            bookmarkEEEE
      `,
      remote: `
        menu________/
          folderAAAAAA/ "Remote A" @95
          folderBBBBBB/ @95
            bookmarkEEEE
            bookmarkCCCC
      `,
    });
    expectTree(r, `
      menu________/
        folderAAAAAA/ "Local A"
        folderBBBBBB/
          bookmarkEEEE
          bookmarkCCCC
    `);
    expect(uploadIds(r)).toEqual(['folderAAAAAA']);
  });

  it('complex_move_with_additions: a folder moved remotely keeps children added on both sides', () => {
    const r = runMerge({
      mirror: `menu________/\n  folderAAAAAA/\n    bookmarkBBBB`,
      local: `
        menu________/
          folderAAAAAA/ @80
            bookmarkBBBB
            bookmarkCCCC @80
      `,
      remote: `
        menu________/ @90
        toolbar_____/ @90
          folderAAAAAA/ @90
            bookmarkBBBB
            bookmarkDDDD @90
      `,
    });
    expectTree(r, `
      toolbar_____/
        folderAAAAAA/
          bookmarkBBBB
          bookmarkDDDD
          bookmarkCCCC
    `);
    expect(uploadIds(r)).toEqual(['folderAAAAAA', 'bookmarkCCCC']);
  });

  it('edit_conflict_fields_merge: title changed here, URL there, both edits kept whichever is newer', () => {
    // The mirror is the common ancestor: each field changed on one side only takes that side's value.
    const mirror = `menu________/\n  bookmarkAAAA "Old" <https://a.example/>`;
    for (const [localAt, remoteAt] of [[90, 80], [80, 90]]) {
      const r = runMerge({
        mirror,
        local: `menu________/\n  bookmarkAAAA "Local" <https://a.example/> @${localAt}`,
        remote: `menu________/\n  bookmarkAAAA "Old" <https://a2.example/> @${remoteAt}`,
      });
      expectTree(r, `menu________/\n  bookmarkAAAA "Local" <https://a2.example/>`);
      expect(r.localOps, `local @${localAt}`).toEqual([
        { type: 'update', guid: 'bookmarkAAAA', title: 'Local', url: 'https://a2.example/' },
      ]);
      expect(r.uploads, `local @${localAt}`).toEqual([{
        id: 'bookmarkAAAA', type: 'bookmark', parentid: 'menu', parentName: 'menu', title: 'Local', bmkUri: 'https://a2.example/', hasDupe: true,
      }]);
    }
  });

  it('edit_conflict_newer_wins: a field changed on both sides goes to the newer edit, the others merge', () => {
    const mirror = `menu________/\n  bookmarkAAAA "Old" <https://a.example/>`;
    const localNewer = runMerge({
      mirror,
      local: `menu________/\n  bookmarkAAAA "Local" <https://a.example/> @90`,
      remote: `menu________/\n  bookmarkAAAA "Remote" <https://a2.example/> @80`,
    });
    expectTree(localNewer, `menu________/\n  bookmarkAAAA "Local" <https://a2.example/>`);
    expect(localNewer.localOps).toEqual([{ type: 'update', guid: 'bookmarkAAAA', title: 'Local', url: 'https://a2.example/' }]);
    expect(localNewer.uploads).toMatchObject([{ id: 'bookmarkAAAA', title: 'Local', bmkUri: 'https://a2.example/' }]);
    const remoteNewer = runMerge({
      mirror,
      local: `menu________/\n  bookmarkAAAA "Local" <https://a.example/> @80`,
      remote: `menu________/\n  bookmarkAAAA "Remote" <https://a2.example/> @90`,
    });
    expectTree(remoteNewer, `menu________/\n  bookmarkAAAA "Remote" <https://a2.example/>`);
    expect(remoteNewer.localOps).toEqual([{ type: 'update', guid: 'bookmarkAAAA', title: 'Remote', url: 'https://a2.example/' }]);
    expect(remoteNewer.uploads).toEqual([]);
  });

  it('edit_conflict_same_value: the same edit on both sides is no conflict and no upload', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA "Old" <https://a.example/>`,
      // This browser stores the URL normalized, the server as the other device wrote it.
      local: `menu________/\n  bookmarkAAAA "Same" <https://b.example/> @90`,
      remote: `menu________/\n  bookmarkAAAA "Same" <HTTPS://B.example> @80`,
    });
    expectTree(r, `menu________/\n  bookmarkAAAA "Same" <HTTPS://B.example>`);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('folder_renamed_here_moved_there: value and structure merge independently', () => {
    const mirror = `
      menu________/
        folderAAAAAA/ "Old"
          bookmarkBBBB
      toolbar_____/
    `;
    const renamedHere = runMerge({
      mirror,
      local: `
        menu________/
          folderAAAAAA/ "New" @80
            bookmarkBBBB
        toolbar_____/
      `,
      remote: `
        menu________/ @90
        toolbar_____/ @90
          folderAAAAAA/ "Old" @90
            bookmarkBBBB
      `,
    });
    expectTree(renamedHere, `
      toolbar_____/
        folderAAAAAA/ "New"
          bookmarkBBBB
    `);
    expect(renamedHere.localOps).toEqual([{ type: 'move', guid: 'folderAAAAAA', parentGuid: 'toolbar_____', index: 0 }]);
    expect(renamedHere.uploads).toEqual([{
      id: 'folderAAAAAA', type: 'folder', parentid: 'toolbar', parentName: 'toolbar', title: 'New', children: ['bookmarkBBBB'], hasDupe: true,
    }]);
    const movedHere = runMerge({
      mirror,
      local: `
        menu________/ @80
        toolbar_____/ @80
          folderAAAAAA/ "Old" @80
            bookmarkBBBB
      `,
      remote: `
        menu________/
          folderAAAAAA/ "New" @90
            bookmarkBBBB
        toolbar_____/
      `,
    });
    expectTree(movedHere, `
      toolbar_____/
        folderAAAAAA/ "New"
          bookmarkBBBB
    `);
    expect(movedHere.localOps).toEqual([{ type: 'update', guid: 'folderAAAAAA', title: 'New', url: null }]);
    expect(uploadIds(movedHere)).toEqual(['menu', 'toolbar', 'folderAAAAAA']);
    expect(movedHere.uploads).toContainEqual(expect.objectContaining({ id: 'folderAAAAAA', parentid: 'toolbar', title: 'New' }));
  });

  it('concurrent_hierarchy_reversal: A into B locally, B into A remotely, never a cycle', () => {
    const mirror = `menu________/\n  folderAAAAAA/\n  folderBBBBBB/`;
    const local = `menu________/ @90\n  folderBBBBBB/ @90\n    folderAAAAAA/ @90`;
    const remote = `menu________/ @80\n  folderAAAAAA/ @80\n    folderBBBBBB/ @80`;
    expectTree(runMerge({ mirror, local, remote }), `
      menu________/
        folderBBBBBB/
          folderAAAAAA/
    `);
    const remoteNewer = `menu________/ @95\n  folderAAAAAA/ @95\n    folderBBBBBB/ @95`;
    expectTree(runMerge({ mirror, local, remote: remoteNewer }), `
      menu________/
        folderAAAAAA/
          folderBBBBBB/
    `);
  });

  it('unchanged_side_does_not_win_by_age: an untouched newer folder yields to a changed older one', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `toolbar_____/ @99\n  bookmarkAAAA\n  bookmarkBBBB`,
      remote: `toolbar_____/ @10\n  bookmarkBBBB\n  bookmarkAAAA`,
    });
    expectTree(r, `toolbar_____/\n  bookmarkBBBB\n  bookmarkAAAA`);
    expect(r.uploads).toEqual([]);
  });
});
