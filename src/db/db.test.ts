import 'fake-indexeddb/auto';
import { describe, expect, test } from 'vitest';
import { freshDatabase } from '../test-support/db.ts';
import { openDatabase } from './open.ts';
import { openDB } from 'idb';
import { DB_VERSION, MIGRATIONS, type SyncbridgeDB, type SyncbridgeSchema } from './schema.ts';
import { IdMapStore } from './idMapStore.ts';
import { MIRROR_BUCKETS, MirrorStore } from './mirrorStore.ts';
import { IdbChangeStore, IdbProgressStore } from './engineWorkStore.ts';
import { SafetyStore } from './safetyStore.ts';
import { LeaseLock } from './leaseLock.ts';
import { SettingsStore } from './settingsStore.ts';
import { StatusStore } from './statusStore.ts';
import { SearchStore } from './searchStore.ts';
import { SeededRandom } from '../test-support/seededRandom.ts';

describe('database schema', () => {
  test('a new database has every store the background needs', async () => {
    const db = await freshDatabase();
    expect(db.version).toBe(DB_VERSION);
    expect([...db.objectStoreNames].sort()).toEqual(['account', 'decisions', 'engineWork', 'history', 'idMap', 'idMapJournal', 'locks', 'log', 'mirror', 'search', 'searchMeta', 'settings', 'snapshots', 'status', 'syncState']);
    expect([...db.transaction('history').store.indexNames].sort()).toEqual(['byLastForeign', 'byUrl']);
    expect([...db.transaction('search').store.indexNames].sort()).toEqual(['byKind', 'byWord']);
    expect(db.transaction('search').store.index('byWord').multiEntry).toBe(true);
    expect([...db.transaction('mirror').store.indexNames]).toEqual(['byCollection']);
  });

  test('reopening keeps data (no migration re-runs over existing stores)', async () => {
    const name = `reopen-${Date.now()}`;
    const first = await openDatabase(name);
    await first.put('account', { email: 'a@example.com' }, 'account');
    first.close();
    const second = await openDatabase(name);
    expect(await second.get('account', 'account')).toEqual({ email: 'a@example.com' });
  });
});

describe('migrations', () => {
  test('version 6 moves a version-5 mirror (one row per record) into buckets, carried records included', async () => {
    const name = `v5-${Date.now()}`;
    const v5 = await openDB<SyncbridgeSchema>(name, 5, {
      upgrade: (db, _o, _n, tx) => MIGRATIONS.slice(0, 5).forEach((step) => void step(db, tx)),
    });
    const old = [
      { collection: 'bookmarks', id: 'aaaaaaaaaaaa', modified: '1.00', cleartext: { id: 'aaaaaaaaaaaa', type: 'folder', children: [] } },
      { collection: 'bookmarks', id: 'menu', modified: '2.00', cleartext: { id: 'menu', type: 'folder', children: ['aaaaaaaaaaaa'] } },
      { collection: 'bookmarks#carried', id: 'sep000000001', modified: '0.50', cleartext: { id: 'sep000000001', type: 'separator' } },
    ];
    // The old rows are MirrorRecords, which the v6 schema type no longer names.
    for (const r of old) await v5.put('mirror', r as unknown as SyncbridgeSchema['mirror']['value']);
    v5.close();
    const db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    const m = new MirrorStore(db, 'bookmarks');
    expect([...(await m.all())].sort((a, b) => a.id.localeCompare(b.id))).toEqual([old[0], old[1]]);
    expect(await m.carried()).toEqual([old[2]]);
    expect(await m.get('menu')).toEqual(old[1]);
  });

  test('a version-1 profile is upgraded to the newest schema with its data kept', async () => {
    const name = `v1-${Date.now()}`;
    // Build a profile exactly as version 1 of the extension left it.
    const v1 = await openDB<SyncbridgeSchema>(name, 1, { upgrade: (db, _o, _n, tx) => MIGRATIONS[0]!(db, tx) });
    await v1.put('settings', { syncIntervalMinutes: 42 }, 'settings');
    v1.close();
    const db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect(db.objectStoreNames.contains('idMap')).toBe(true);
    expect(await new SettingsStore(db).get()).toEqual({ syncIntervalMinutes: 42, addRemoteHistoryToBrowser: false, autoSync: true });
  });

  test('version 4 moves engine work and bookmark decisions out of syncState into their own stores', async () => {
    const name = `v3-${Date.now()}`;
    // A profile as version 3 left it: everything in syncState.
    const v3 = await openDB<SyncbridgeSchema>(name, 3, {
      upgrade: (db, _o, _n, tx) => MIGRATIONS.slice(0, 3).forEach((step) => void step(db, tx)),
    });
    const owned: Record<string, unknown> = {
      global: { metaGlobal: { syncID: 'globalSyncId' } },
      syncToken: { id: 'token' },
      'engine:bookmarks': { syncID: 'bookmarksSync', lastSync: '1700000000.00' },
      engineChoices: { engines: { history: false }, pending: {} },
      clients: { clientId: 'clientId0001', lastUploadAt: null, uploaded: null, others: [] },
    };
    const decisions = { pending: null, firstSyncChoice: 'merge', approvedDeletions: 0, syncedBefore: true };
    const tx = v3.transaction('syncState', 'readwrite');
    for (const [key, value] of Object.entries(owned)) await tx.store.put(value, key);
    await tx.store.put({ a: 100, b: 200 }, 'bookmarks:changed');
    await tx.store.put({ r: 300 }, 'bookmarks:refused');
    await tx.store.put(250, 'bookmarks:apply:run-1');
    await tx.store.put(decisions, 'bookmarks:decisions');
    await tx.done;
    v3.close();

    const db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect((await db.getAllKeys('engineWork')).sort()).toEqual(['bookmarks:apply:run-1', 'bookmarks:changed', 'bookmarks:refused']);
    expect(await db.getAllKeys('decisions')).toEqual(['bookmarks:decisions']);
    expect(await db.get('decisions', 'bookmarks:decisions')).toEqual(decisions);
    // The owners find what the person had.
    expect(await new IdbChangeStore(db, 'bookmarks').times()).toEqual(new Map([['a', 100], ['b', 200]]));
    expect(await new IdbChangeStore(db, 'bookmarks', Date.now, 'refused').list()).toEqual(['r']);
    expect(await new IdbProgressStore(db, 'bookmarks').get('run-1')).toBe(250);
    const safety = new SafetyStore(db);
    expect(await safety.firstSyncChoice()).toBe('merge');
    expect(await safety.hasSyncedBefore()).toBe(true);
    // syncState keeps only its own keys, untouched.
    expect((await db.getAllKeys('syncState')).sort()).toEqual(Object.keys(owned).sort());
    for (const [key, value] of Object.entries(owned)) expect(await db.get('syncState', key)).toEqual(value);
  });
});

describe('MirrorStore', () => {
  const rec = (id: string, modified = '1.00', extra: Record<string, unknown> = {}) => ({ id, modified, cleartext: { id, type: 'bookmark', ...extra } });

  test('keeps ten thousand records in at most one row per bucket, and one change rewrites one row', async () => {
    const db = await freshDatabase();
    const m = new MirrorStore(db, 'bookmarks');
    const many = Array.from({ length: 10_000 }, (_, i) => rec(`guid${String(i).padStart(8, '0')}`));
    await m.update(many);
    const rows = await db.getAll('mirror');
    expect(rows.length).toBeLessThanOrEqual(MIRROR_BUCKETS);
    expect(rows.length).toBeGreaterThan(MIRROR_BUCKETS / 2); // spread, not piled into a few
    expect(await m.count()).toBe(10_000);
    expect((await m.all()).map((r) => r.id).sort()).toEqual(many.map((r) => r.id));
    await m.update([rec('guid00000007', '2.00', { title: 'changed' })], ['guid00000008']);
    expect(await m.get('guid00000007')).toEqual({ collection: 'bookmarks', ...rec('guid00000007', '2.00', { title: 'changed' }) });
    expect(await m.get('guid00000008')).toBeNull();
    expect(await m.count()).toBe(9_999);
    // A put and a removal of one id in one call: the removal wins, as before.
    await m.update([rec('guid00000009')], ['guid00000009']);
    expect(await m.get('guid00000009')).toBeNull();
    expect(await new MirrorStore(db, 'other').all()).toEqual([]);
  });

  test('carries records over a reset, the newer copy winning over one carried before, until dropped', async () => {
    const db = await freshDatabase();
    const m = new MirrorStore(db, 'bookmarks');
    await m.update([rec('aaaaaaaaaaaa', '1.00'), rec('bbbbbbbbbbbb', '1.00')]);
    await m.carryOver();
    expect(await m.all()).toEqual([]);
    await m.update([rec('aaaaaaaaaaaa', '2.00')]);
    await m.carryOver();
    const carried = new Map((await m.carried()).map((r) => [r.id, r.modified]));
    expect(carried).toEqual(new Map([['aaaaaaaaaaaa', '2.00'], ['bbbbbbbbbbbb', '1.00']]));
    await m.dropCarried();
    expect(await m.carried()).toEqual([]);
    await m.update([rec('cccccccccccc')]);
    await m.clear();
    expect(await m.count()).toBe(0);
  });
});

describe('MirrorStore: the copy held in memory', () => {
  const rec = (id: string, modified: string, title: string) => ({ id, modified, cleartext: { id, type: 'bookmark', title, tags: [title] } });
  /** What the store holds, read through a connection of its own (no copy held yet). */
  async function stored(name: string, collection: string): Promise<string[]> {
    const other = await openDatabase(name);
    try {
      return [...(await new MirrorStore(other, collection).all())].map((r) => `${r.id}@${r.modified}:${String(r.cleartext['title'])}`).sort();
    } finally {
      other.close();
    }
  }
  const seen = async (m: MirrorStore): Promise<string[]> => [...(await m.all())].map((r) => `${r.id}@${r.modified}:${String(r.cleartext['title'])}`).sort();

  // Issue 12: a sync of one change read back and deserialized the whole mirror it had just written.
  test('reads as the store over random writes, resets and sign-outs, also from a second store object and for reads a write overtook', async () => {
    const name = `mirror-copy-${Date.now()}`;
    const db = await openDatabase(name);
    const rnd = new SeededRandom(12);
    const ids = Array.from({ length: 40 }, (_, i) => `guid${String(i).padStart(8, '0')}`);
    const m = new MirrorStore(db, 'bookmarks');
    for (let step = 0; step < 120; step++) {
      const op = rnd.int(10);
      // A read started before the write, finishing after it, must not become the copy.
      const early = rnd.chance(0.3) ? m.all() : null;
      if (op < 6) {
        const put = Array.from({ length: 1 + rnd.int(8) }, () => rec(rnd.pick(ids), `${step}.00`, `t${step}`));
        await m.update(put, Array.from({ length: rnd.int(3) }, () => rnd.pick(ids)));
      } else if (op === 6) await m.carryOver();
      else if (op === 7) await m.dropCarried();
      else if (op === 8) await m.clear();
      else await MirrorStore.clearAll(db);
      await early;
      expect(await seen(m), `step ${step}`).toEqual(await stored(name, 'bookmarks'));
      expect(await seen(new MirrorStore(db, 'bookmarks')), `step ${step}`).toEqual(await stored(name, 'bookmarks'));
      const one = rnd.pick(ids);
      const other = await openDatabase(name);
      const fresh = new MirrorStore(other, 'bookmarks');
      expect([...(await m.carried())].map((r) => r.id).sort(), `step ${step}`).toEqual([...(await fresh.carried())].map((r) => r.id).sort());
      expect((await m.get(one))?.modified ?? null, `step ${step}`).toBe((await fresh.get(one))?.modified ?? null);
      expect(await m.count(), `step ${step}`).toBe(await fresh.count());
      other.close();
    }
    db.close();
  });

  test('hands out the same frozen records until the mirror changes', async () => {
    const db = await freshDatabase();
    const m = new MirrorStore(db, 'bookmarks');
    await m.update([rec('aaaaaaaaaaaa', '1.00', 'A'), rec('bbbbbbbbbbbb', '1.00', 'B')]);
    const first = await m.all();
    expect(await m.all()).toBe(first);
    const a = first.find((r) => r.id === 'aaaaaaaaaaaa')!;
    expect(() => { (a.cleartext as Record<string, unknown>)['title'] = 'changed in place'; }).toThrow(TypeError);
    expect(() => { (a.cleartext['tags'] as string[]).push('x'); }).toThrow(TypeError);
    await m.update([rec('aaaaaaaaaaaa', '2.00', 'A2')]);
    const second = await m.all();
    expect(second).not.toBe(first);
    // The record of the row not written is the same object: what was parsed from it still holds.
    expect(second.find((r) => r.id === 'bbbbbbbbbbbb')!.cleartext).toBe(first.find((r) => r.id === 'bbbbbbbbbbbb')!.cleartext);
  });
});

describe('version 7: the search index', () => {
  test('a version-5 profile gains an empty search index; its synced pages stay, and the index is built from them later', async () => {
    const name = `v5-${Date.now()}`;
    const v5 = await openDB<SyncbridgeSchema>(name, 5, {
      upgrade: async (db, _o, _n, tx) => {
        for (const step of MIGRATIONS.slice(0, 5)) await step(db, tx);
      },
    });
    const page = { id: 'hsPage000001', url: 'https://example.com/', title: 'Example', visits: [], extra: {}, modified: '1.00', own: [], imported: [], lastForeign: 5 };
    await v5.put('history', page);
    v5.close();
    const db = await openDatabase(name);
    expect(db.version).toBe(DB_VERSION);
    expect(await db.get('history', 'hsPage000001')).toEqual(page);
    const store = new SearchStore(db);
    expect(await store.count()).toBe(0);
    expect(await store.state()).toBeNull(); // no state: the background's first refresh builds the index
    await store.update([{ key: 'history:hsPage000001', kind: 'history', url: page.url, title: 'Example', device: null, when: 5, words: ['example', 'com'] }]);
    expect((await store.candidates(['exa'], 10)).map((e) => e.key)).toEqual(['history:hsPage000001']);
    // Listed under two words with the prefix, an entry is still one candidate.
    await store.update([{ key: 'bookmark:1', kind: 'bookmark', url: 'https://mozilla.org/', title: 'Mozilla mozillians', device: null, when: 0, words: ['mozilla', 'mozillians', 'org'] }]);
    expect((await store.candidates(['mozilla'], 10)).map((e) => e.key)).toEqual(['bookmark:1']);
    expect(await store.candidates(['mozilla', 'nothing'], 10)).toEqual([]);
    expect(await store.keysOfKind('bookmark')).toEqual(['bookmark:1']);
  });
});

/** A second connection to the same database: what a restarted worker reads. */
function reopen(db: SyncbridgeDB): Promise<SyncbridgeDB> {
  return openDatabase(db.name);
}

describe('IdMapStore', () => {
  test('pairs Sync GUIDs with browser ids both ways, per collection, re-pairing a reused local id', async () => {
    const db = await freshDatabase();
    const bookmarks = new IdMapStore(db, 'bookmarks');
    const other = new IdMapStore(db, 'other');
    await bookmarks.pair([{ syncId: 'aaaaaaaaaaaa', localId: '5' }, { syncId: 'bbbbbbbbbbbb', localId: '6' }]);
    await other.pair([{ syncId: 'aaaaaaaaaaaa', localId: '99' }]);
    expect(await bookmarks.localIdFor('aaaaaaaaaaaa')).toBe('5');
    expect(await bookmarks.syncIdFor('6')).toBe('bbbbbbbbbbbb');
    expect(await other.localIdFor('aaaaaaaaaaaa')).toBe('99');
    await bookmarks.pair([{ syncId: 'cccccccccccc', localId: '5' }]);
    expect(await bookmarks.localIdFor('aaaaaaaaaaaa')).toBeNull();
    expect(await bookmarks.syncIdFor('5')).toBe('cccccccccccc');
    await bookmarks.forgetLocal(['6']);
    expect((await bookmarks.all()).map((m) => m.syncId)).toEqual(['cccccccccccc']);
    await bookmarks.clear();
    expect(await bookmarks.all()).toEqual([]);
    expect(await other.all()).toHaveLength(1);
  });

  test('a batch that re-pairs one reused local id among many new ones keeps every pairing right, and a local id paired twice in one batch ends with the last', async () => {
    const db = await freshDatabase();
    const map = new IdMapStore(db, 'bookmarks');
    await map.pair([{ syncId: 'oldoldoldold', localId: '7', dateAdded: 1 }]);
    const fresh = Array.from({ length: 300 }, (_, i) => ({ syncId: `new${String(i).padStart(9, '0')}`, localId: String(100 + i), dateAdded: 2 }));
    await map.pair([...fresh.slice(0, 150), { syncId: 'reusedreused', localId: '7', dateAdded: 3 }, ...fresh.slice(150)]);
    expect(await map.localIdFor('oldoldoldold')).toBeNull();
    expect(await map.mappingFor('reusedreused')).toMatchObject({ localId: '7', dateAdded: 3 });
    expect(await map.syncIdFor('399')).toBe('new000000299');
    expect(await map.all()).toHaveLength(301);
    // Two local ids swapping their GUIDs in one batch keep both pairings (review of issue 12).
    await map.pair([{ syncId: 'swapAswapAsw', localId: '50' }, { syncId: 'swapBswapBsw', localId: '51' }]);
    await map.pair([{ syncId: 'swapAswapAsw', localId: '51' }, { syncId: 'swapBswapBsw', localId: '50' }]);
    expect(await map.localIdFor('swapAswapAsw')).toBe('51');
    expect(await map.localIdFor('swapBswapBsw')).toBe('50');
    await map.pair([{ syncId: 'firstfirstfi', localId: '8' }, { syncId: 'secondsecond', localId: '8' }]);
    expect(await map.syncIdFor('8')).toBe('secondsecond');
    expect(await map.localIdFor('firstfirstfi')).toBeNull();
  });

  // Issue 12: the id map is a log of rows held in memory, compacted now and then; it must read as
  // the plain map of pairings it stands for, whatever the order of writes, compactions and restarts.
  test('the log reads exactly as a plain map of pairings, before and after compactions, after a restart, and from the old one-row-per-pairing store', async () => {
    let seed = 12;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    /** The meaning of the id map: one GUID per browser id and one browser id per GUID, the last pairing winning. */
    class PlainMap {
      bySync = new Map<string, { syncId: string; localId: string; dateAdded?: number }>();
      pair(pairs: ReadonlyArray<{ syncId: string; localId: string; dateAdded?: number }>): void {
        for (const p of pairs) {
          for (const [g, m] of this.bySync) if (m.localId === p.localId || g === p.syncId) this.bySync.delete(g);
          this.bySync.set(p.syncId, { ...p });
        }
      }
      forgetLocal(ids: readonly string[]): void {
        for (const [g, m] of this.bySync) if (ids.includes(m.localId)) this.bySync.delete(g);
      }
      forgetSync(ids: readonly string[]): void {
        for (const g of ids) this.bySync.delete(g);
      }
    }
    for (let round = 0; round < 30; round++) {
      const name = `journal-${round}-${Date.now()}`;
      let db = await openDatabase(name);
      const plain = new PlainMap();
      const guid = (): string => `guid${String(random(12)).padStart(8, '0')}`;
      const local = (): string => String(random(12));
      // Every third round starts from what earlier versions stored: a row per pairing in `idMap`.
      if (round % 3 === 0) {
        const old = Array.from({ length: 6 }, (_, i) => ({ syncId: `guid${String(i * 2).padStart(8, '0')}`, localId: String(i), dateAdded: i }));
        for (const m of old) await db.put('idMap', { collection: 'bookmarks', ...m });
        await db.put('idMap', { collection: 'other', syncId: 'guid00000001', localId: '1' });
        plain.pair(old);
      }
      let map = new IdMapStore(db, 'bookmarks');
      for (let step = 0; step < 40; step++) {
        const what = random(10);
        if (what < 5) {
          const pairs = Array.from({ length: 1 + random(4) }, () => ({ syncId: guid(), localId: local(), dateAdded: random(3) }));
          plain.pair(pairs);
          await map.pair(pairs);
        } else if (what === 5) {
          const ids = [local()];
          plain.forgetLocal(ids);
          await map.forgetLocal(ids);
        } else if (what === 6) {
          const ids = [guid()];
          plain.forgetSync(ids);
          await map.forgetSync(ids);
        } else if (what === 7) {
          await map.compact();
        } else if (what === 8) {
          // The worker stops: a new connection reads the log from the database.
          db.close();
          db = await openDatabase(name);
          map = new IdMapStore(db, 'bookmarks');
        }
        const sorted = (rows: Array<{ syncId: string; localId: string; dateAdded?: number }>) => rows.map((r) => `${r.syncId}=${r.localId}@${r.dateAdded}`).sort();
        expect(sorted(await map.all()), `round ${round} step ${step}`).toEqual(sorted([...plain.bySync.values()]));
        for (let k = 0; k < 12; k++) {
          const g = `guid${String(k).padStart(8, '0')}`;
          const want = plain.bySync.get(g);
          expect((await map.mappingFor(g))?.localId ?? null).toBe(want?.localId ?? null);
          expect(await map.syncIdFor(String(k))).toBe([...plain.bySync.values()].find((m) => m.localId === String(k))?.syncId ?? null);
        }
      }
      // A compaction leaves the net pairings: one row here, and nothing in the old store of this collection.
      for (let i = 0; i < 17; i++) await map.pair([{ syncId: 'guid00000099', localId: '99' }]);
      plain.pair([{ syncId: 'guid00000099', localId: '99' }]);
      await map.compact();
      expect(await db.count('idMapJournal')).toBe(1);
      expect(await db.count('idMap')).toBe(round % 3 === 0 ? 1 : 0); // the other collection's row stays
      db.close();
      db = await openDatabase(name);
      const sorted = (rows: Array<{ syncId: string; localId: string; dateAdded?: number }>) => rows.map((r) => `${r.syncId}=${r.localId}@${r.dateAdded}`).sort();
      expect(sorted(await new IdMapStore(db, 'bookmarks').all())).toEqual(sorted([...plain.bySync.values()]));
      if (round % 3 === 0) expect(await new IdMapStore(db, 'other').syncIdFor('1')).toBe('guid00000001');
      db.close();
    }
  });

  test('issue 12: a first sync\'s row per slice is compacted after it into a few rows in one transaction, not folded pairing by pairing into an indexed store (that took more than ten seconds and slowed the next sync)', async () => {
    const db = await freshDatabase();
    const map = new IdMapStore(db, 'bookmarks');
    for (let r = 0; r < 40; r++) {
      await map.pair(Array.from({ length: 250 }, (_, i) => ({ syncId: `bulk${String(r * 250 + i).padStart(8, '0')}`, localId: String(r * 250 + i) })));
    }
    expect(await db.count('idMapJournal')).toBe(40);
    const transactions: string[] = [];
    const transaction = db.transaction.bind(db);
    db.transaction = ((...args: Parameters<typeof db.transaction>) => {
      transactions.push(String(args[1] ?? 'readonly'));
      return transaction(...args);
    }) as typeof db.transaction;
    await map.compact();
    expect(transactions).toEqual(['readwrite']);
    expect(await db.count('idMapJournal')).toBe(5);
    expect(await db.count('idMap')).toBe(0);
    expect(await map.localIdFor('bulk00009999')).toBe('9999');
    // A log that has not grown is left as it is.
    await map.pair([{ syncId: 'newnewnewnew', localId: '10000' }]);
    transactions.length = 0;
    await map.compact();
    expect(transactions).toEqual([]);
    expect(await db.count('idMapJournal')).toBe(6);
  });

  test('a pairing asked for while the log is compacted comes after it, and reads right', async () => {
    const db = await freshDatabase();
    const map = new IdMapStore(db, 'bookmarks');
    for (let r = 0; r < 20; r++) {
      await map.pair(Array.from({ length: 25 }, (_, i) => ({ syncId: `bulk${String(r * 25 + i).padStart(8, '0')}`, localId: String(r * 25 + i) })));
    }
    const compacting = map.compact();
    // The next sync's snapshot pairs a bookmark made since, and re-pairs one of the bulk's ids.
    await map.pair([{ syncId: 'newnewnewnew', localId: '900' }, { syncId: 'movedmovedmo', localId: '7' }]);
    await compacting;
    expect(await db.count('idMapJournal')).toBe(2);
    for (const m of [map, new IdMapStore(await reopen(db), 'bookmarks')]) {
      expect(await m.localIdFor('newnewnewnew')).toBe('900');
      expect(await m.syncIdFor('7')).toBe('movedmovedmo');
      expect(await m.localIdFor('bulk00000007')).toBeNull();
      expect(await m.all()).toHaveLength(501);
    }
  });

  test('sign-out forgets the log and what the old store held; sign-out during a compaction leaves no pairing behind', async () => {
    const db = await freshDatabase();
    await db.put('idMap', { collection: 'bookmarks', syncId: 'oldoldoldold', localId: '1' });
    const map = new IdMapStore(db, 'bookmarks');
    for (let r = 0; r < 20; r++) {
      await map.pair(Array.from({ length: 50 }, (_, i) => ({ syncId: `bulk${String(r * 50 + i).padStart(8, '0')}`, localId: String(100 + r * 50 + i) })));
    }
    expect(await map.localIdFor('oldoldoldold')).toBe('1');
    const compacting = map.compact();
    const signingOut = IdMapStore.clearAll(db);
    await Promise.all([compacting, signingOut]);
    expect(await db.count('idMap')).toBe(0);
    expect(await db.count('idMapJournal')).toBe(0);
    expect(await map.localIdFor('bulk00000001')).toBeNull();
    expect(await map.syncIdFor('1')).toBeNull();
    expect(await new IdMapStore(await reopen(db), 'bookmarks').all()).toEqual([]);
    await map.pair([{ syncId: 'againagainag', localId: '1' }]);
    expect(await map.syncIdFor('1')).toBe('againagainag');
  });
});

describe('SettingsStore', () => {
  test('returns defaults, saves valid patches, refuses invalid ones with a readable message', async () => {
    const s = new SettingsStore(await freshDatabase());
    expect(await s.get()).toEqual({ syncIntervalMinutes: 10, addRemoteHistoryToBrowser: false, autoSync: true });
    expect(await s.update({ syncIntervalMinutes: 30 })).toEqual({ syncIntervalMinutes: 30, addRemoteHistoryToBrowser: false, autoSync: true });
    await expect(s.update({ syncIntervalMinutes: 0 })).rejects.toThrow(/whole number of minutes from 1 to 1440/);
    await expect(s.update({ syncIntervalMinutes: 2.5 })).rejects.toThrow(/whole number/);
    expect(await s.get()).toEqual({ syncIntervalMinutes: 30, addRemoteHistoryToBrowser: false, autoSync: true });
  });
});

describe('StatusStore', () => {
  test('merges patches over what is stored', async () => {
    const s = new StatusStore(await freshDatabase());
    expect(await s.get()).toEqual({ lastRun: null, lastSuccessAt: null, backoffUntil: null, failures: null, notified: null });
    await s.update({ lastSuccessAt: 5 });
    await s.update({ backoffUntil: 9 });
    expect(await s.get()).toEqual({ lastRun: null, lastSuccessAt: 5, backoffUntil: 9, failures: null, notified: null });
  });

  test('sign-out forgets what the runs learned about the account (the last run keeps its words); the server’s backoff stays', async () => {
    const s = new StatusStore(await freshDatabase());
    const lastRun = { startedAt: 1, finishedAt: 2, outcome: 'error' as const, message: 'x', trigger: 'alarm' as const, problem: 'sign-in-again' as const };
    await s.update({ lastRun, lastSuccessAt: 1, backoffUntil: 9, failures: { count: 2, since: 1 } });
    await s.forgetAccount();
    const { problem: _problem, ...words } = lastRun;
    expect(await s.get()).toEqual({ lastRun: words, lastSuccessAt: null, backoffUntil: 9, failures: null, notified: null });
  });
});

describe('LeaseLock', () => {
  test('one holder at a time; released or expired leases can be taken', async () => {
    let now = 1_000;
    const db = await freshDatabase();
    const lock = new LeaseLock(db, 'sync', 100, () => now);
    const a = await lock.acquire('A');
    expect(a).toMatchObject({ acquired: true, tookOverExpired: false });
    expect(await lock.acquire('B')).toMatchObject({ acquired: false, heldBy: { owner: 'A' } });
    expect((await lock.holder())?.owner).toBe('A');

    now += 60;
    expect(await lock.renew('A')).toBe(true);
    now += 60; // 120 after acquiring, but renewed at 60: still held
    expect(await lock.acquire('B')).toMatchObject({ acquired: false });

    now += 200; // A stopped renewing (its worker died)
    expect(await lock.holder()).toBeNull();
    expect(await lock.acquire('B')).toMatchObject({ acquired: true, tookOverExpired: true });
    expect(await lock.renew('A')).toBe(false);
    await lock.release('A'); // not the holder: no effect
    expect((await lock.holder())?.owner).toBe('B');
    await lock.release('B');
    expect(await lock.holder()).toBeNull();
  });

  test('a caller that knows the holder is gone may preempt a live lease', async () => {
    const lock = new LeaseLock(await freshDatabase(), 'sync', 60_000);
    await lock.acquire('old-worker');
    const r = await lock.acquire('new-worker', (h) => h.owner === 'old-worker');
    expect(r).toMatchObject({ acquired: true, tookOverExpired: true });
  });

  test('concurrent acquires from two contexts: exactly one wins', async () => {
    const db = await freshDatabase();
    const l1 = new LeaseLock(db, 'sync', 60_000);
    const l2 = new LeaseLock(db, 'sync', 60_000);
    const results = await Promise.all([l1.acquire('one'), l2.acquire('two'), l1.acquire('three')]);
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
  });
});
