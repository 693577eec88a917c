// decideCollection: the per-collection state machine (off / skip / reset / sync) from meta/global
// and the persisted association.
import { describe, expect, test } from 'vitest';
import type { MetaGlobal } from '../setup/metaGlobal.ts';
import { decideCollection } from './collectionState.ts';

const notes = { collection: 'notes', version: 2 };
const meta = (over: Partial<Pick<MetaGlobal, 'engines' | 'declined'>> = {}): Pick<MetaGlobal, 'engines' | 'declined'> => ({
  engines: { notes: { version: 2, syncID: 'notesSyncID1' }, tabs: { version: 1, syncID: 'tabsSyncID01' } },
  declined: [],
  ...over,
});

describe('decideCollection', () => {
  test('declined in meta/global → off, even when the engine is listed', () => {
    expect(decideCollection(notes, meta({ declined: ['notes'] }), { syncID: 'notesSyncID1', lastSync: '1700000000.00' })).toEqual({ action: 'off' });
  });

  test('missing from meta/global → off', () => {
    expect(decideCollection(notes, meta({ engines: { tabs: { version: 1, syncID: 'tabsSyncID01' } } }), { syncID: null, lastSync: '0' })).toEqual({
      action: 'off',
    });
  });

  test('a newer engine version on the server → skip, with a message naming the collection', () => {
    const d = decideCollection(notes, meta({ engines: { notes: { version: 3, syncID: 'notesSyncID1' } } }), { syncID: 'notesSyncID1', lastSync: '1700000000.00' });
    expect(d).toEqual({ action: 'skip', reason: 'newer-version', serverVersion: 3, message: expect.stringContaining('notes skipped') });
    if (d.action === 'skip') expect(d.message).toMatch(/newer format/);
  });

  test('an older engine version on the server is synced (we write our format)', () => {
    expect(decideCollection(notes, meta({ engines: { notes: { version: 1, syncID: 'notesSyncID1' } } }), { syncID: 'notesSyncID1', lastSync: '5.00' })).toEqual({
      action: 'sync', syncID: 'notesSyncID1', reset: false,
    });
  });

  test('a syncID other than the one we are associated with → reset, then sync with the new one', () => {
    expect(decideCollection(notes, meta(), { syncID: 'oldSyncID000', lastSync: '1700000000.00' })).toEqual({
      action: 'sync', syncID: 'notesSyncID1', reset: true,
    });
  });

  test('the same syncID → sync without reset', () => {
    expect(decideCollection(notes, meta(), { syncID: 'notesSyncID1', lastSync: '1700000000.00' })).toEqual({
      action: 'sync', syncID: 'notesSyncID1', reset: false,
    });
  });

  test('no association yet (first sync) → sync without reset', () => {
    expect(decideCollection(notes, meta(), { syncID: null, lastSync: '0' })).toEqual({ action: 'sync', syncID: 'notesSyncID1', reset: false });
  });
});
