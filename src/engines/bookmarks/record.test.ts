import { describe, expect, it } from 'vitest';
import {
  FOLDER_SORTINDEX,
  bookmarkSortIndex,
  guidToRecordId,
  isValidGuid,
  parseBookmarkRecord,
  recordIdToGuid,
  serializeBookmarkRecord,
} from './record.ts';

describe('bookmark records', () => {
  it('maps the five root ids both ways and leaves other ids alone', () => {
    const pairs = [['places', 'root________'], ['menu', 'menu________'], ['toolbar', 'toolbar_____'],
      ['unfiled', 'unfiled_____'], ['mobile', 'mobile______']] as const;
    for (const [id, guid] of pairs) {
      expect(recordIdToGuid(id)).toBe(guid);
      expect(guidToRecordId(guid)).toBe(id);
    }
    expect(recordIdToGuid('abcdefghijkl')).toBe('abcdefghijkl');
    expect(guidToRecordId('abcdefghijkl')).toBe('abcdefghijkl');
  });

  it('checks GUID validity like Places (12 URL-safe base64 characters)', () => {
    expect(isValidGuid('toolbar_____')).toBe(true);
    expect(isValidGuid('aB3-_xyzQW12')).toBe(true);
    expect(isValidGuid('short')).toBe(false);
    expect(isValidGuid('has space!!!')).toBe(false);
  });

  it('parses a Firefox bookmark and writes it back byte for byte', () => {
    const firefox = {
      id: 'dR8NfFrJbHfq', type: 'bookmark', parentid: 'toolbar', hasDupe: true, parentName: 'toolbar',
      dateAdded: 1700000000123, bmkUri: 'https://www.mozilla.org/', title: 'Mozilla', tags: ['moz'], keyword: 'm',
    };
    const parsed = parseBookmarkRecord(firefox);
    expect(parsed).toEqual(firefox);
    expect(JSON.stringify(serializeBookmarkRecord(parsed!))).toBe(JSON.stringify(firefox));
  });

  it('parses leniently: dateAdded as a string, null title, missing children, junk children', () => {
    expect(parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: null, dateAdded: '1500000000000' }))
      .toEqual({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: '', dateAdded: 1500000000000 });
    expect(parseBookmarkRecord({ id: 'f', type: 'folder', title: 'F' })).toEqual({ id: 'f', type: 'folder', title: 'F', children: [] });
    expect(parseBookmarkRecord({ id: 'f', type: 'folder', title: 'F', children: ['x', 3, null, 'y'] }))
      .toMatchObject({ children: ['x', 'y'] });
    expect(parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', dateAdded: 'soon' })).not.toHaveProperty('dateAdded');
  });

  it('keeps unknown fields', () => {
    const r = parseBookmarkRecord({ id: 'a', type: 'folder', title: 'F', children: [], somethingNew: [1, 2] });
    expect(r).toMatchObject({ somethingNew: [1, 2] });
    expect(serializeBookmarkRecord(r!)).toMatchObject({ somethingNew: [1, 2] });
  });

  it('reads every record type', () => {
    expect(parseBookmarkRecord({ id: 'q', type: 'query', title: 'Q', bmkUri: 'place:tag=x', folderName: 'x', queryId: 'q1' }))
      .toMatchObject({ type: 'query', folderName: 'x', queryId: 'q1' });
    expect(parseBookmarkRecord({ id: 'l', type: 'livemark', title: 'L', feedUri: 'https://f/', siteUri: 'https://s/' }))
      .toMatchObject({ type: 'livemark', feedUri: 'https://f/', siteUri: 'https://s/', children: [] });
    expect(parseBookmarkRecord({ id: 's', type: 'separator', pos: 3 })).toEqual({ id: 's', type: 'separator', pos: 3 });
    expect(parseBookmarkRecord({ id: 's', type: 'separator', pos: 'x' })).toEqual({ id: 's', type: 'separator' });
    expect(parseBookmarkRecord({ id: 'b', type: 'bookmark', bmkUri: 'https://b/', loadInSidebar: true, description: 'd' }))
      .toMatchObject({ loadInSidebar: true, description: 'd', title: '' });
  });

  it('reads tombstones, whatever else they carry', () => {
    expect(parseBookmarkRecord({ id: 'gone', deleted: true })).toEqual({ id: 'gone', deleted: true });
    expect(serializeBookmarkRecord({ id: 'gone', deleted: true, type: 'bookmark' })).toEqual({ id: 'gone', deleted: true });
  });

  it('returns null for anything unusable and never throws', () => {
    for (const junk of [null, undefined, 3, 'x', [], {}, { id: 5 }, { id: 'a' }, { id: 'a', type: 'weird' },
      { id: 'a', type: 'bookmark' }, { id: 'a', type: 'bookmark', bmkUri: '' }]) {
      expect(parseBookmarkRecord(junk)).toBeNull();
    }
  });

  it('drops empty optional fields on the way out, as Firefox does', () => {
    const out = serializeBookmarkRecord({ id: 'a', type: 'bookmark', title: 'A', bmkUri: 'https://a/', tags: [], keyword: '', loadInSidebar: false });
    expect(out).toEqual({ id: 'a', type: 'bookmark', title: 'A', bmkUri: 'https://a/' });
  });

  it('computes sortindex: folders first, toolbar bonus, frecency otherwise', () => {
    expect(bookmarkSortIndex({ id: 'f', type: 'folder', title: '', children: [] })).toBe(FOLDER_SORTINDEX);
    expect(bookmarkSortIndex({ id: 'b', type: 'bookmark', title: '', bmkUri: 'https://b/', parentid: 'toolbar' }, 20)).toBe(170);
    expect(bookmarkSortIndex({ id: 'b', type: 'bookmark', title: '', bmkUri: 'https://b/', parentid: 'menu' })).toBe(0);
    expect(bookmarkSortIndex({ id: 'b', deleted: true })).toBe(0);
  });
});
