// Catalogue: deletions against edits, moves and additions on the other side. The rule is never to
// lose a bookmark: an edited non-folder survives a deletion; a deleted folder stays deleted but
// whatever was added or changed inside it on the other side moves up to the nearest survivor.

import { describe, expect, it } from 'vitest';
import { SyncServer, expectTree, runMerge, uploadIds } from './harness.ts';
import { render } from './testTrees.ts';

const NESTED = `
  menu________/
    bookmarkAAAA
    folderBBBBBB/
      bookmarkCCCC
      folderDDDDDD/
        bookmarkEEEE
`;

describe('bookmark merge: deletions', () => {
  it('locally_modified_remotely_deleted: local edits revive, local additions move up', () => {
    const r = runMerge({
      mirror: NESTED,
      local: `
        menu________/
          bookmarkAAAA "Edited here" @90
          folderBBBBBB/
            bookmarkCCCC
            folderDDDDDD/ @90
              bookmarkEEEE
              bookmarkFFFF @90
      `,
      remote: `menu________/ @80`,
      remoteDeleted: ['bookmarkAAAA', 'folderBBBBBB', 'bookmarkCCCC', 'folderDDDDDD', 'bookmarkEEEE'],
    });
    expectTree(r, `
      menu________/
        bookmarkAAAA "Edited here"
        bookmarkFFFF
    `);
    expect(r.stats).toMatchObject({ localRevives: 1, remoteDeletes: 1, deletionsLocal: 4, deletionsRemote: 0 });
    expect(uploadIds(r)).toEqual(['menu', 'bookmarkAAAA', 'bookmarkFFFF']);
    expect(r.localOps.filter((op) => op.type === 'delete').map((op) => op.guid))
      .toEqual(['bookmarkEEEE', 'bookmarkCCCC', 'folderDDDDDD', 'folderBBBBBB']);
  });

  it('locally_deleted_remotely_modified: remote edits revive, remote additions move up', () => {
    const r = runMerge({
      mirror: NESTED,
      local: `menu________/ @80`,
      remote: `
        menu________/
          bookmarkAAAA "Edited there" @90
          folderBBBBBB/
            bookmarkCCCC
            folderDDDDDD/ @90
              bookmarkEEEE
              bookmarkFFFF @90
      `,
    });
    expectTree(r, `
      menu________/
        bookmarkAAAA "Edited there"
        bookmarkFFFF
    `);
    expect(r.stats).toMatchObject({ remoteRevives: 1, localDeletes: 1, deletionsLocal: 0, deletionsRemote: 4, created: 2 });
    expect(uploadIds(r)).toEqual(['menu', 'bookmarkFFFF', '-bookmarkCCCC', '-bookmarkEEEE', '-folderBBBBBB', '-folderDDDDDD']);
  });

  it('unchanged_newer_changed_older: deletions win over unchanged items, additions move up', () => {
    const r = runMerge({
      mirror: `
        menu________/
          folderAAAAAA/
          bookmarkBBBB
        toolbar_____/
          folderCCCCCC/
          bookmarkDDDD
      `,
      local: `
        menu________/
          folderAAAAAA/ @90
            bookmarkEEEE @90
          bookmarkBBBB
        toolbar_____/ @95
          bookmarkDDDD
      `,
      remote: `
        menu________/ @95
          bookmarkBBBB
        toolbar_____/
          folderCCCCCC/ @90
            bookmarkFFFF @90
          bookmarkDDDD
      `,
      remoteDeleted: ['folderAAAAAA'],
    });
    expectTree(r, `
      menu________/
        bookmarkBBBB
        bookmarkEEEE
      toolbar_____/
        bookmarkDDDD
        bookmarkFFFF
    `);
    expect(r.stats).toMatchObject({ localDeletes: 1, remoteDeletes: 1 });
    expect(uploadIds(r)).toEqual(['menu', 'bookmarkEEEE', 'toolbar', 'bookmarkFFFF', '-folderCCCCCC']);
  });

  it('complex_orphaning: deleted folders on each side hand their new children to the nearest survivor', () => {
    const r = runMerge({
      mirror: `
        toolbar_____/
          folderAAAAAA/
            folderBBBBBB/
        menu________/
          folderCCCCCC/
            folderDDDDDD/
      `,
      local: `
        toolbar_____/
          folderAAAAAA/ @90
        menu________/
          folderCCCCCC/
            folderDDDDDD/ @90
              bookmarkEEEE @90
      `,
      remote: `
        toolbar_____/
          folderAAAAAA/
            folderBBBBBB/ @90
              bookmarkFFFF @90
        menu________/
          folderCCCCCC/ @90
      `,
      remoteDeleted: ['folderDDDDDD'],
    });
    expectTree(r, `
      menu________/
        folderCCCCCC/
          bookmarkEEEE
      toolbar_____/
        folderAAAAAA/
          bookmarkFFFF
    `);
    expect(uploadIds(r).sort()).toEqual(['-folderBBBBBB', 'bookmarkEEEE', 'bookmarkFFFF', 'folderAAAAAA', 'folderCCCCCC']);
  });

  it('clear_folder_then_delete: children moved out before the folder was deleted stay where they went', () => {
    const r = runMerge({
      mirror: `
        menu________/
          folderAAAAAA/
            bookmarkBBBB
            bookmarkCCCC
          folderDDDDDD/
            bookmarkEEEE
            bookmarkFFFF
      `,
      local: `
        menu________/ @95
          folderDDDDDD/
            bookmarkEEEE
            bookmarkFFFF
        mobile______/ @95
          bookmarkBBBB
          bookmarkCCCC
      `,
      remote: `
        menu________/ @90
          folderAAAAAA/
            bookmarkBBBB
            bookmarkCCCC
        mobile______/ @90
          bookmarkEEEE
        unfiled_____/ @90
          bookmarkFFFF
      `,
      remoteDeleted: ['folderDDDDDD'],
    });
    expectTree(r, `
      unfiled_____/
        bookmarkFFFF
      mobile______/
        bookmarkBBBB
        bookmarkCCCC
        bookmarkEEEE
    `);
    expect(uploadIds(r).sort()).toEqual(['-folderAAAAAA', 'bookmarkBBBB', 'bookmarkCCCC', 'menu', 'mobile']);
  });

  it('newer_move_to_deleted: an item moved into a folder the other side deleted moves up', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA\n  folderBBBBBB/`,
      local: `menu________/ @90\n  folderBBBBBB/ @90\n    bookmarkAAAA @90`,
      remote: `menu________/ @80\n  bookmarkAAAA`,
      remoteDeleted: ['folderBBBBBB'],
    });
    expectTree(r, `menu________/\n  bookmarkAAAA`);
    expect(r.localOps.map((op) => op.type)).toEqual(['move', 'delete']);
  });

  it('deleted_on_both_sides: no conflict, nothing to upload', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `menu________/ @90\n  bookmarkBBBB`,
      remote: `menu________/ @90\n  bookmarkBBBB`,
      remoteDeleted: ['bookmarkAAAA'],
    });
    expectTree(r, `menu________/\n  bookmarkBBBB`);
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('nonexistent_on_one_side: deletions of items the other side never had change nothing', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA`,
      local: `menu________/\n  bookmarkAAAA`,
      localDeleted: ['bookmarkLLLL'],
      remote: `menu________/\n  bookmarkAAAA`,
      remoteDeleted: ['bookmarkRRRR'],
    });
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('remote_tombstone_applies: an unchanged local item is deleted', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      remote: `toolbar_____/ @90\n  bookmarkBBBB`,
      remoteDeleted: ['bookmarkAAAA'],
    });
    expectTree(r, `toolbar_____/\n  bookmarkBBBB`);
    expect(r.localOps).toEqual([{ type: 'delete', guid: 'bookmarkAAAA', kind: 'bookmark' }]);
    expect(r.uploads).toEqual([]);
  });

  it('local_delete_uploads_tombstone: the parent and a tombstone go up together', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `toolbar_____/ @90\n  bookmarkBBBB`,
      remote: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
    });
    expectTree(r, `toolbar_____/\n  bookmarkBBBB`);
    expect(r.uploads).toEqual([
      { id: 'toolbar', type: 'folder', parentid: 'places', parentName: '', title: 'toolbar', children: ['bookmarkBBBB'], hasDupe: true },
      { id: 'bookmarkAAAA', deleted: true },
    ]);
  });

  it('missing_record_is_not_a_deletion: an item absent from the server without a tombstone is re-uploaded', () => {
    const r = runMerge({
      mirror: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      local: `toolbar_____/\n  bookmarkAAAA\n  bookmarkBBBB`,
      // The server still lists AAAA but its record is gone (say it failed to decrypt).
      remote: `toolbar_____/\n  bookmarkBBBB`,
      remoteRecords: [{ id: 'toolbar', type: 'folder', parentid: 'places', title: 'toolbar', children: ['bookmarkAAAA', 'bookmarkBBBB'] }],
    });
    // The server's list lost AAAA, so its order is the base and AAAA comes back after it.
    expectTree(r, `toolbar_____/\n  bookmarkBBBB\n  bookmarkAAAA`);
    expect(r.stats.deletionsLocal).toBe(0);
    expect(uploadIds(r)).toEqual(['toolbar', 'bookmarkAAAA']);
  });

  it('mass_delete_local_reported: deleting everything locally is counted for the safety check', () => {
    const many = Array.from({ length: 10 }, (_, i) => `  bookmark${String(i).padStart(4, '0')}`).join('\n');
    const r = runMerge({ mirror: `menu________/\n${many}`, local: `menu________/ @90`, remote: `menu________/\n${many}` });
    expect(r.stats).toMatchObject({ deletionsRemote: 10, deletionsLocal: 0, localItems: 0, remoteItems: 10, mergedItems: 0 });
  });

  it('mass_delete_remote_reported: tombstones for everything are counted for the safety check', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `bookmark${String(i).padStart(4, '0')}`);
    const many = ids.map((g) => `  ${g}`).join('\n');
    const r = runMerge({ mirror: `menu________/\n${many}`, local: `menu________/\n${many}`, remote: `menu________/ @90`, remoteDeleted: ids });
    expect(r.stats).toMatchObject({ deletionsLocal: 10, deletionsRemote: 0, localItems: 10, mergedItems: 0 });
    expect(r.uploads).toEqual([]);
  });

  it('deleted_user_content_roots: root tombstones on either side delete nothing; the server gets its roots back', () => {
    const r = runMerge({
      mirror: `mobile______/\n  bookmarkAAAA`,
      local: `mobile______/\n  bookmarkAAAA`,
      remote: `mobile______/\n  bookmarkAAAA`,
      remoteDeleted: ['mobile______', 'toolbar_____'],
      localDeleted: ['mobile______', 'unfiled_____'],
    });
    expectTree(r, `mobile______/\n  bookmarkAAAA`);
    // The tombstones replaced the root records on the server: the roots are revived there.
    expect(uploadIds(r)).toEqual(['toolbar', 'mobile']);
    expect(r.localOps).toEqual([]);
  });

  it('incoming_record_revives: a record that arrived in this download is a remote change, even unchanged', () => {
    const c = {
      mirror: `menu________/\n  bookmarkAAAA @10\n  bookmarkBBBB`,
      local: `menu________/ @90\n  bookmarkBBBB`,
      // Another device wrote AAAA again (at 50 s) without changing what it says.
      remote: `menu________/\n  bookmarkAAAA @50\n  bookmarkBBBB`,
    };
    const revived = runMerge({ ...c, incoming: ['bookmarkAAAA'] });
    // The local child list changed (AAAA left it), so it is the base and the revived item follows.
    expectTree(revived, `menu________/\n  bookmarkBBBB\n  bookmarkAAAA`);
    expect(revived.stats.remoteRevives).toBe(1);
    expect(revived.localOps).toEqual([
      { type: 'create', guid: 'bookmarkAAAA', parentGuid: 'menu________', index: 1, kind: 'bookmark', title: 'bookmarkAAAA', url: 'https://example.com/bookmarkAAAA' },
    ]);
    expect(uploadIds(revived)).toEqual(['menu']);
    // Not downloaded this time: the record is the mirror's, and the local deletion applies.
    const deleted = runMerge(c);
    expectTree(deleted, `menu________/\n  bookmarkBBBB`);
    expect(uploadIds(deleted)).toEqual(['menu', '-bookmarkAAAA']);
  });

  it('own_echo_does_not_revive: a downloaded record no later than the mirror\'s copy is no change', () => {
    // Our own upload, downloaded again because the last sync stopped after writing the mirror and
    // before saving its last-sync time. The mirror holds it at the upload's time (50 s), or later
    // when a server without batches committed it in an earlier request (40 s).
    for (const at of [50, 40]) {
      const r = runMerge({
        mirror: `menu________/\n  bookmarkAAAA "Renamed" @50\n  bookmarkBBBB`,
        local: `menu________/ @90\n  bookmarkBBBB`,
        remote: `menu________/\n  bookmarkAAAA "Renamed" @${at}\n  bookmarkBBBB`,
        incoming: ['bookmarkAAAA'],
      });
      expectTree(r, `menu________/\n  bookmarkBBBB`);
      expect(uploadIds(r), `downloaded @${at}`).toEqual(['menu', '-bookmarkAAAA']);
    }
  });

  it('concurrent_move_revives: a bookmark moved into a folder deleted here, then moved back up there, survives its deletion here', () => {
    const server = new SyncServer(`
      menu________/
        folderXXXXXX/
        bookmarkBBBB
        bookmarkCCCC
    `);
    const here = server.device();
    const firefox = server.device({ firefox: true });
    here.remove('folderXXXXXX');
    firefox.move('bookmarkBBBB', 'folderXXXXXX', 0);
    expect(uploadIds(here.sync())).toEqual(['menu', '-folderXXXXXX']);
    // Firefox moves B up out of the deleted folder and uploads it (its change counter says it moved).
    firefox.sync();
    expect(render(server.tree())).toBe(`menu________/\n  bookmarkBBBB\n  bookmarkCCCC`);
    // This browser, not yet aware, deletes B: the other device's move wins, as a rename would.
    here.remove('bookmarkBBBB');
    const r = here.sync();
    expect(r.stats.remoteRevives).toBe(1);
    // B comes back after C: the local child list (B removed) is the base order.
    expect(uploadIds(r)).toEqual(['menu']);
    firefox.sync();
    const expected = `menu________/\n  bookmarkCCCC\n  bookmarkBBBB`;
    expect(render(here.tree)).toBe(expected);
    expect(render(firefox.tree)).toBe(expected);
    expect(render(server.tree())).toBe(expected);
  });

  it('concurrent_rename_revives: the same with a rename there instead of the move', () => {
    const server = new SyncServer(`menu________/\n  folderXXXXXX/\n  bookmarkBBBB`);
    const here = server.device();
    const firefox = server.device({ firefox: true });
    here.remove('folderXXXXXX');
    firefox.rename('bookmarkBBBB', 'Renamed');
    here.sync();
    firefox.sync();
    here.remove('bookmarkBBBB');
    expect(here.sync().stats.remoteRevives).toBe(1);
    firefox.sync();
    for (const tree of [here.tree, firefox.tree, server.tree()]) expect(render(tree)).toBe(`menu________/\n  bookmarkBBBB "Renamed"`);
  });

  it('interrupted_sync_echo: our own upload downloaded again does not revive what was deleted since', () => {
    const server = new SyncServer(`menu________/\n  bookmarkBBBB\n  bookmarkCCCC`);
    const here = server.device();
    const firefox = server.device({ firefox: true });
    here.rename('bookmarkBBBB', 'Renamed');
    // The mirror is written, the last-sync time is not: the next download brings B back.
    expect(uploadIds(here.sync({ saveLastSync: false }))).toEqual(['bookmarkBBBB']);
    here.remove('bookmarkBBBB');
    const r = here.sync();
    expect(r.stats.remoteRevives).toBe(0);
    expect(uploadIds(r)).toEqual(['menu', '-bookmarkBBBB']);
    firefox.sync();
    for (const tree of [here.tree, firefox.tree, server.tree()]) expect(render(tree)).toBe(`menu________/\n  bookmarkCCCC`);
  });

  it('complex_deletions: deletions, revives and relocations on both sides at once', () => {
    const r = runMerge({
      mirror: `
        menu________/
          folderAAAAAA/
            bookmarkA111
            bookmarkA222
          folderBBBBBB/
            bookmarkB111
          bookmarkCCCC
        toolbar_____/
          folderDDDDDD/
            bookmarkD111
            folderEEEEEE/
              bookmarkE111
          bookmarkFFFF
      `,
      local: `
        menu________/ @90
          folderBBBBBB/ @90
            bookmarkB111
            bookmarkGGGG @90
          bookmarkCCCC
        toolbar_____/
          folderDDDDDD/
            bookmarkD111 "Edited here" @90
            folderEEEEEE/ @90
          bookmarkFFFF
      `,
      remote: `
        menu________/ @80
          folderAAAAAA/
            bookmarkA111
            bookmarkA222 "Edited there" @80
          bookmarkCCCC
        toolbar_____/ @80
          bookmarkFFFF
      `,
      remoteDeleted: ['folderBBBBBB', 'bookmarkB111', 'folderDDDDDD', 'bookmarkD111', 'folderEEEEEE', 'bookmarkE111'],
    });
    expectTree(r, `
      menu________/
        bookmarkGGGG
        bookmarkCCCC
        bookmarkA222 "Edited there"
      toolbar_____/
        bookmarkFFFF
        bookmarkD111 "Edited here"
    `);
    expect(r.stats).toMatchObject({ localRevives: 1, remoteRevives: 1, remoteDeletes: 2, localDeletes: 0 });
    expect(uploadIds(r)).toEqual(['menu', 'bookmarkGGGG', 'bookmarkA222', 'toolbar', 'bookmarkD111', '-bookmarkA111', '-folderAAAAAA']);
  });
});
