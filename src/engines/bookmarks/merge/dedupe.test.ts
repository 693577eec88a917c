// Catalogue: deduplication of new items by content, and first syncs (floccus's top complaint is
// duplicates). Local GUIDs here differ from the server's, as they do for a Chromium profile.

import { describe, expect, it } from 'vitest';
import { expectTree, runMerge, uploadIds } from './harness.ts';

describe('bookmark merge: dedupe and first sync', () => {
  it('dedupe_similar_bookmarks: same title and URL in the same folder become one item', () => {
    const r = runMerge({
      mirror: '',
      local: `menu________/ @90\n  localAAAAAAA "News" <https://news.example/> @90\n  localBBBBBBB "News" <https://other.example/> @90`,
      remote: `menu________/ @80\n  remoteAAAAAA "News" <https://news.example/> @80`,
    });
    expectTree(r, `
      menu________/
        remoteAAAAAA "News" <https://news.example/>
        localBBBBBBB "News" <https://other.example/>
    `);
    expect(r.localOps[0]).toEqual({ type: 'changeGuid', from: 'localAAAAAAA', to: 'remoteAAAAAA' });
    expect(r.stats.dupes).toBe(1);
    expect(uploadIds(r)).toEqual(['menu', 'localBBBBBBB']);
  });

  it('dedupe_unnormalized_urls: Chromium\'s normalized URL matches what Firefox wrote', () => {
    const r = runMerge({
      mirror: '',
      local: `menu________/ @90\n  localAAAAAAA "Ex" <https://example.com/>`,
      remote: `menu________/ @80\n  remoteAAAAAA "Ex" <HTTPS://Example.COM>`,
    });
    expect(r.stats.dupes).toBe(1);
    expect(r.localOps).toEqual([{ type: 'changeGuid', from: 'localAAAAAAA', to: 'remoteAAAAAA' }]);
  });

  it('normalized_url_is_not_a_change: a later sync does not rewrite the server\'s URL', () => {
    const r = runMerge({
      mirror: `menu________/\n  bookmarkAAAA "Ex" <HTTPS://Example.COM>`,
      local: `menu________/\n  bookmarkAAAA "Ex" <https://example.com/>`,
      remote: `menu________/\n  bookmarkAAAA "Ex" <HTTPS://Example.COM>`,
    });
    expect(r.localOps).toEqual([]);
    expect(r.uploads).toEqual([]);
  });

  it('dupes_new_local_items: several identical new items pair up one to one, in order', () => {
    const r = runMerge({
      mirror: '',
      local: `toolbar_____/ @90\n  localAAAAAAA "X" <https://x/>\n  localBBBBBBB "X" <https://x/>\n  localCCCCCCC "X" <https://x/>`,
      remote: `toolbar_____/ @80\n  remoteAAAAAA "X" <https://x/>\n  remoteBBBBBB "X" <https://x/>`,
    });
    expectTree(r, `
      toolbar_____/
        remoteAAAAAA "X" <https://x/>
        remoteBBBBBB "X" <https://x/>
        localCCCCCCC "X" <https://x/>
    `);
    expect(r.stats.dupes).toBe(2);
  });

  it('dedupe_local_and_remote_folders: folders match by title, then their children by content', () => {
    const r = runMerge({
      mirror: '',
      local: `
        menu________/ @90
          localFOLDERA/ "Work" @90
            localBMKAAAA "Wiki" <https://wiki/> @90
            localBMKBBBB "Mail" <https://mail/> @90
      `,
      remote: `
        menu________/ @80
          remoteFOLDER/ "Work" @80
            remoteBMKAAA "Wiki" <https://wiki/> @80
            remoteBMKCCC "Chat" <https://chat/> @80
      `,
    });
    expectTree(r, `
      menu________/
        remoteFOLDER/ "Work"
          remoteBMKAAA "Wiki" <https://wiki/>
          localBMKBBBB "Mail" <https://mail/>
          remoteBMKCCC "Chat" <https://chat/>
    `);
    expect(r.localOps.filter((op) => op.type === 'changeGuid')).toHaveLength(2);
    expect(uploadIds(r)).toEqual(['remoteFOLDER', 'localBMKBBBB']);
  });

  it('deduping_remote_newer: remote values and order win for matched items', () => {
    const r = runMerge({
      mirror: '',
      local: `unfiled_____/ @80\n  localFOLDERA/ "F" @80\n    localBMKAAAA "A" <https://a/> @80\n    localBMKBBBB "B" <https://b/> @80`,
      remote: `unfiled_____/ @90\n  remoteFOLDER/ "F" @90\n    remoteBMKBBB "B" <https://b/> @90\n    remoteBMKAAA "A" <https://a/> @90`,
    });
    expectTree(r, `
      unfiled_____/
        remoteFOLDER/ "F"
          remoteBMKBBB "B" <https://b/>
          remoteBMKAAA "A" <https://a/>
    `);
    expect(r.uploads).toEqual([]);
  });

  it('deduping_local_newer: the local order wins and is uploaded', () => {
    const r = runMerge({
      mirror: '',
      local: `unfiled_____/ @90\n  localFOLDERA/ "F" @90\n    localBMKAAAA "A" <https://a/> @90\n    localBMKBBBB "B" <https://b/> @90`,
      remote: `unfiled_____/ @80\n  remoteFOLDER/ "F" @80\n    remoteBMKBBB "B" <https://b/> @80\n    remoteBMKAAA "A" <https://a/> @80`,
    });
    expectTree(r, `
      unfiled_____/
        remoteFOLDER/ "F"
          remoteBMKAAA "A" <https://a/>
          remoteBMKBBB "B" <https://b/>
    `);
    expect(uploadIds(r)).toEqual(['remoteFOLDER']);
  });

  it('applying_two_empty_folders_doesnt_smush: two remote folders with one title stay two', () => {
    const r = runMerge({
      mirror: '',
      local: `mobile______/`,
      remote: `mobile______/ @90\n  remoteFOLDA/ "Empty" @90\n  remoteFOLDB/ "Empty" @90`,
    });
    expectTree(r, `mobile______/\n  remoteFOLDA/ "Empty"\n  remoteFOLDB/ "Empty"`);
    expect(r.stats).toMatchObject({ created: 2, dupes: 0 });
  });

  it('applying_two_empty_folders_matches_only_one: one local folder matches the first remote one', () => {
    const r = runMerge({
      mirror: '',
      local: `mobile______/ @80\n  localFOLDERA/ "Empty" @80`,
      remote: `mobile______/ @90\n  remoteFOLDA/ "Empty" @90\n  remoteFOLDB/ "Empty" @90`,
    });
    expectTree(r, `mobile______/\n  remoteFOLDA/ "Empty"\n  remoteFOLDB/ "Empty"`);
    expect(r.localOps).toEqual([
      { type: 'changeGuid', from: 'localFOLDERA', to: 'remoteFOLDA' },
      { type: 'create', guid: 'remoteFOLDB', parentGuid: 'mobile______', index: 1, kind: 'folder', title: 'Empty', url: null },
    ]);
  });

  it('deduping_ignores_parent_title: parents matched by GUID dedupe their children whatever their titles', () => {
    const r = runMerge({
      mirror: '',
      local: `toolbar_____/ @90\n  localBMKAAAA "A" <https://a/>`,
      remote: `toolbar_____/ @80\n  remoteBMKAAA "A" <https://a/>`,
      remoteRecords: [{ id: 'toolbar', type: 'folder', parentid: 'places', title: 'Some other title', children: ['remoteBMKAAA'] }],
    });
    expectTree(r, `toolbar_____/\n  remoteBMKAAA "A" <https://a/>`);
    expect(r.stats.dupes).toBe(1);
  });

  it('no_dedupe_across_folders: the same bookmark in different folders is not merged', () => {
    const r = runMerge({
      mirror: '',
      local: `menu________/ @90\n  localBMKAAAA "A" <https://a/>`,
      remote: `toolbar_____/ @80\n  remoteBMKAAA "A" <https://a/>`,
    });
    expectTree(r, `
      menu________/
        localBMKAAAA "A" <https://a/>
      toolbar_____/
        remoteBMKAAA "A" <https://a/>
    `);
    expect(r.stats.dupes).toBe(0);
  });

  it('no_dedupe_of_synced_items: items the server already had are never matched by content', () => {
    const r = runMerge({
      mirror: `menu________/\n  remoteBMKAAA "A" <https://a/>`,
      local: `menu________/ @90\n  remoteBMKAAA "A" <https://a/>\n  localBMKAAAA "A" <https://a/> @90`,
      remote: `menu________/\n  remoteBMKAAA "A" <https://a/>`,
    });
    expectTree(r, `menu________/\n  remoteBMKAAA "A" <https://a/>\n  localBMKAAAA "A" <https://a/>`);
    expect(r.stats.dupes).toBe(0);
  });

  it('dedupe_separators_by_position', () => {
    const r = runMerge({
      mirror: '',
      local: `toolbar_____/ @90\n  localBMKAAAA "A" <https://a/>\n  localSEPAAAA sep\n  localBMKBBBB "B" <https://b/>`,
      remote: `toolbar_____/ @80\n  remoteBMKAAA "A" <https://a/>\n  remoteSEPAAA sep\n  remoteBMKBBB "B" <https://b/>`,
    });
    expectTree(r, `toolbar_____/\n  remoteBMKAAA "A" <https://a/>\n  remoteSEPAAA sep\n  remoteBMKBBB "B" <https://b/>`);
    expect(r.stats.dupes).toBe(3);
  });

  it('complex_deduping: nested new folders on both sides dedupe level by level', () => {
    const r = runMerge({
      mirror: '',
      local: `
        menu________/ @90
          localFOLDER1/ "A" @90
            localFOLDER2/ "B" @90
              localBMK1111 "x" <https://x/> @90
            localBMK2222 "y" <https://y/> @90
          localFOLDER3/ "C" @90
      `,
      remote: `
        menu________/ @80
          remoteFOLDR1/ "A" @80
            remoteBMK222 "y" <https://y/> @80
            remoteFOLDR2/ "B" @80
              remoteBMK111 "x" <https://x/> @80
              remoteBMK333 "z" <https://z/> @80
      `,
    });
    expectTree(r, `
      menu________/
        remoteFOLDR1/ "A"
          remoteFOLDR2/ "B"
            remoteBMK111 "x" <https://x/>
            remoteBMK333 "z" <https://z/>
          remoteBMK222 "y" <https://y/>
        localFOLDER3/ "C"
    `);
    expect(r.stats.dupes).toBe(4);
  });

  it('first_sync_identical_trees: no duplicates, no creates, nothing uploaded', () => {
    const tree = (prefix: string, t: number) => `
      toolbar_____/ @${t}
        ${prefix}FOLDER1/ "Dev" @${t}
          ${prefix}BMK1111 "MDN" <https://developer.mozilla.org/> @${t}
          ${prefix}BMK2222 "Rust" <https://rust-lang.org/> @${t}
        ${prefix}BMK3333 "Search" <https://search.example/> @${t}
      unfiled_____/ @${t}
        ${prefix}BMK4444 "Later" <https://later.example/> @${t}
    `;
    for (const [lt, rt] of [[90, 80], [80, 90]] as const) {
      const r = runMerge({ local: tree('local', lt), remote: tree('remot', rt) });
      expectTree(r, tree('remot', 0).replace(/ @0/g, ''));
      expect(r.uploads).toEqual([]);
      expect(r.localOps.every((op) => op.type === 'changeGuid')).toBe(true);
      expect(r.stats).toMatchObject({ dupes: 5, created: 0, deletionsLocal: 0, deletionsRemote: 0, uploaded: 0 });
    }
  });

  it('first_sync_different_trees: both sides\' items are kept, each uploaded or created once', () => {
    const r = runMerge({
      local: `toolbar_____/ @90\n  localBMKAAAA "Mine" <https://mine/>`,
      remote: `toolbar_____/ @80\n  remoteBMKAAA "Theirs" <https://theirs/>`,
    });
    expectTree(r, `toolbar_____/\n  localBMKAAAA "Mine" <https://mine/>\n  remoteBMKAAA "Theirs" <https://theirs/>`);
    expect(r.stats).toMatchObject({ created: 1, createdRemote: 1, uploaded: 2, dupes: 0 });
  });

  describe('first_sync_choice', () => {
    const local = `toolbar_____/ @90\n  localBMKAAAA "Mine" <https://mine/>\n  localBMKSAME "Same" <https://same/>`;
    const remote = `
      toolbar_____/ @80
        remoteBMKAAA "Theirs" <https://theirs/>
        remoteSEPAAA sep
        remoteBMKSAM "Same" <https://same/>
    `;

    it('take_firefoxs: this browser ends up as the server is, the server untouched', () => {
      const r = runMerge({ local, remote, strategy: 'takeRemote', unsupportedKinds: ['separator'] });
      expectTree(r, `toolbar_____/\n  remoteBMKAAA "Theirs" <https://theirs/>\n  remoteSEPAAA sep\n  remoteBMKSAM "Same" <https://same/>`);
      expect(r.uploads).toEqual([]);
      // The local "Same" matches the server's and is kept under the server's GUID.
      expect(r.localOps[0]).toEqual({ type: 'changeGuid', from: 'localBMKSAME', to: 'remoteBMKSAM' });
      expect(r.stats).toMatchObject({ deletionsLocal: 1, created: 1, deletionsRemote: 0 });
    });

    it('keep_this_browsers: the server ends up as this browser is, keeping what it cannot show', () => {
      const r = runMerge({ local, remote, strategy: 'keepLocal', unsupportedKinds: ['separator'] });
      // The separator's neighbour before it is gone, so it goes to the front.
      expectTree(r, `toolbar_____/\n  remoteSEPAAA sep\n  localBMKAAAA "Mine" <https://mine/>\n  localBMKSAME "Same" <https://same/>`);
      expect(r.localOps).toEqual([]);
      expect(uploadIds(r)).toEqual(['toolbar', 'localBMKAAAA', 'localBMKSAME', '-remoteBMKAAA', '-remoteBMKSAM']);
      expect(r.stats).toMatchObject({ deletionsLocal: 0, deletionsRemote: 2 });
    });

    it('merge_reports_what_it_would_do', () => {
      const r = runMerge({ local, remote, unsupportedKinds: ['separator'] });
      expectTree(r, `
        toolbar_____/
          localBMKAAAA "Mine" <https://mine/>
          remoteBMKSAM "Same" <https://same/>
          remoteBMKAAA "Theirs" <https://theirs/>
          remoteSEPAAA sep
      `);
      expect(r.stats).toMatchObject({ dupes: 1, created: 1, createdRemote: 1, deletionsLocal: 0, deletionsRemote: 0 });
    });
  });
});
