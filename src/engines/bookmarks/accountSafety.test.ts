// The account's safety helpers on their own: what "put back" lays over the server side, what
// "keep" takes out of the mirror, and which roots a merge would empty.
import { describe, expect, test } from 'vitest';
import { emptiedRoots, forgetLocalDeletions, planAccountRestore, type AccountRecord } from './accountSafety.ts';
import { parseBookmarkRecord, type BookmarkRecord } from './record.ts';
import { buildTreeFromRecords, overlayRecords, type RecordEntry } from './tree.ts';

const rec = (r: Record<string, unknown>): BookmarkRecord => parseBookmarkRecord(r)!;
const entry = (r: Record<string, unknown>, modifiedS = 10): RecordEntry => ({ record: rec(r), modifiedS });
const saved = (r: Record<string, unknown>): AccountRecord => ({ id: String(r['id']), modified: 10, cleartext: r });
const folder = (id: string, parentid: string, children: string[]) => ({ id, type: 'folder', parentid, parentName: '', title: id, children });
const bm = (id: string, parentid: string) => ({ id, type: 'bookmark', parentid, parentName: '', title: id, bmkUri: `https://${id}.example/` });

describe('planAccountRestore', () => {
  const copy = [
    folder('toolbar', 'places', ['bmA000000001', 'fdGone000001', 'bmB000000001', 'bmC000000001']),
    bm('bmA000000001', 'toolbar'), folder('fdGone000001', 'toolbar', ['bmIn00000001', 'bmMoved00001']), bm('bmIn00000001', 'fdGone000001'),
    bm('bmMoved00001', 'fdGone000001'), bm('bmB000000001', 'toolbar'), bm('bmC000000001', 'toolbar'),
  ].map(saved);

  test('deleted and missing records come back; a live folder gets them back in its list where they were', () => {
    const server = [
      entry({ ...folder('toolbar', 'places', ['bmNew0000001', 'bmB000000001']), title: 'toolbar, renamed since' }),
      entry(bm('bmNew0000001', 'toolbar')), entry(bm('bmB000000001', 'toolbar')),
      entry({ id: 'fdGone000001', deleted: true }), entry({ id: 'bmIn00000001', deleted: true }),
      // Moved elsewhere since: it stays there, and the restored folder does not list it.
      entry(bm('bmMoved00001', 'unfiled')), entry(folder('unfiled', 'places', ['bmMoved00001'])),
    ];
    const plan = planAccountRestore(copy, server, new Set(), 99)!;
    const byId = new Map(plan.entries.map((e) => [e.record.id, e.record as unknown as Record<string, unknown>]));
    expect([...plan.ids].sort()).toEqual(['bmA000000001', 'bmC000000001', 'bmIn00000001', 'fdGone000001', 'toolbar']);
    expect(byId.get('toolbar')).toMatchObject({ title: 'toolbar, renamed since', children: ['bmA000000001', 'fdGone000001', 'bmNew0000001', 'bmB000000001', 'bmC000000001'] });
    expect(byId.get('fdGone000001')!['children']).toEqual(['bmIn00000001']);
    expect(plan.entries.every((e) => e.needsMerge && e.modifiedS === 99)).toBe(true);
  });

  test('nothing to do when the server holds every record; unreadable records are never written', () => {
    const all = copy.map((c) => entry(c.cleartext));
    expect(planAccountRestore(copy, all, new Set(), 1)).toBeNull();
    const plan = planAccountRestore(copy, all.filter((e) => e.record.id !== 'bmC000000001'), new Set(['bmC000000001']), 1);
    expect(plan).toBeNull();
  });

  test('an item whose folder is gone for good goes to Other Bookmarks', () => {
    const orphan = [saved(bm('bmLost000001', 'fdNotSaved01'))];
    const plan = planAccountRestore(orphan, [entry(folder('unfiled', 'places', ['bmX000000001'])), entry(bm('bmX000000001', 'unfiled'))], new Set(), 1)!;
    const byId = new Map(plan.entries.map((e) => [e.record.id, e.record as unknown as Record<string, unknown>]));
    expect(byId.get('bmLost000001')).toMatchObject({ parentid: 'unfiled' });
    expect(byId.get('unfiled')!['children']).toEqual(['bmX000000001', 'bmLost000001']);
  });
});

describe('forgetLocalDeletions', () => {
  test('the kept records leave the mirror (and its folders\' lists); the server side stays as it was', () => {
    const mirror = [entry(folder('toolbar', 'places', ['bmA000000001', 'bmB000000001'])), entry(bm('bmA000000001', 'toolbar')), entry(bm('bmB000000001', 'toolbar'))];
    const out = forgetLocalDeletions(['bmA000000001', 'bmGone000001', 'toolbar'], mirror, new Map(), mirror)!;
    expect(out.kept).toBe(1);
    expect(out.mirrorEntries.map((e) => e.record.id)).toEqual(['toolbar', 'bmB000000001']);
    expect((out.mirrorEntries[0]!.record as { children: string[] }).children).toEqual(['bmB000000001']);
    expect([...out.incoming.keys()].sort()).toEqual(['bmA000000001', 'toolbar']);
    expect((out.incoming.get('toolbar')!.record as { children: string[] }).children).toEqual(['bmA000000001', 'bmB000000001']);
    // Deleted on the server since: nothing to keep.
    expect(forgetLocalDeletions(['bmA000000001'], mirror, new Map(), overlayRecords(mirror, [entry({ id: 'bmA000000001', deleted: true })]))).toBeNull();
  });
});

describe('emptiedRoots', () => {
  test('a root with items on the server and none after the merge', () => {
    const remote = buildTreeFromRecords([entry(folder('toolbar', 'places', ['bmA000000001'])), entry(bm('bmA000000001', 'toolbar')), entry(folder('menu', 'places', []))]);
    const merged = buildTreeFromRecords([entry(folder('toolbar', 'places', [])), entry(folder('menu', 'places', []))]);
    expect(emptiedRoots(remote, merged)).toEqual(['toolbar']);
    expect(emptiedRoots(remote, remote)).toEqual([]);
  });
});
