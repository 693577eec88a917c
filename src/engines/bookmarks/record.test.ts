import { describe, expect, it } from 'vitest';
import {
  FOLDER_SORTINDEX,
  MAX_TITLE_LENGTH,
  MAX_URL_LENGTH,
  limitTitle,
  bookmarkSortIndex,
  guidToRecordId,
  isValidGuid,
  parseBookmarkRecord,
  recordIdToGuid,
  serializeBookmarkRecord,
  urlWithinFirefoxLimit,
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

  // Issue 9.1 (limits): Firefox's Places limits (DB_TITLE_LENGTH_MAX, DB_URL_LENGTH_MAX).
  it('issue 9.1: an oversize title (3 MB) is written truncated to Firefox’s 4096 characters, parentName too', () => {
    const huge = 'T'.repeat(3 * 1024 * 1024);
    expect(MAX_TITLE_LENGTH).toBe(4096);
    const out = serializeBookmarkRecord({ id: 'a', type: 'bookmark', title: huge, bmkUri: 'https://a/', parentid: 'f', parentName: huge });
    expect(out['title']).toBe('T'.repeat(4096));
    expect(out['parentName']).toBe('T'.repeat(4096));
    const folder = serializeBookmarkRecord({ id: 'f', type: 'folder', title: huge, children: [] });
    expect((folder['title'] as string).length).toBe(4096);
  });

  it('issue 9.1: an oversize incoming title is read truncated, as Firefox’s mirror reads it', () => {
    const parsed = parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: 'x'.repeat(5000) });
    expect(parsed).toMatchObject({ title: 'x'.repeat(4096) });
  });

  it('issue 9.1: truncation never splits a surrogate pair', () => {
    const title = 'a'.repeat(4095) + '😀' + 'tail';
    expect(limitTitle(title)).toBe('a'.repeat(4095));
    expect(limitTitle('short')).toBe('short');
  });

  it('issue 9.1: a URL longer than Firefox’s 65536 characters is not syncable; 65536 is', () => {
    expect(MAX_URL_LENGTH).toBe(65536);
    const base = 'https://example.com/?q=';
    expect(urlWithinFirefoxLimit(base + 'x'.repeat(MAX_URL_LENGTH - base.length))).toBe(true);
    expect(urlWithinFirefoxLimit(base + 'x'.repeat(MAX_URL_LENGTH - base.length + 1))).toBe(false);
  });

  // Issue 9.9: numeric fields written by another client.
  it('issue 9.9: a numeric title from another client is read as text, not as an empty title', () => {
    expect(parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: 42 })).toMatchObject({ title: '42' });
    expect(parseBookmarkRecord({ id: 'f', type: 'folder', title: 7, children: [] })).toMatchObject({ title: '7' });
    expect(parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: 'A', keyword: 42, description: 3.5 }))
      .toMatchObject({ keyword: '42', description: '3.5' });
  });

  it('issue 9.9: …and a round trip writes the other device’s numbers back unchanged', () => {
    const other = { id: 'a', type: 'bookmark', parentid: 'menu', bmkUri: 'https://a/', title: 42, keyword: 7, description: 1 };
    const parsed = parseBookmarkRecord(other)!;
    expect(JSON.stringify(serializeBookmarkRecord(parsed))).toBe(JSON.stringify(other));
    // Copies made by the merge (moved elsewhere) keep it too.
    expect(serializeBookmarkRecord({ ...parsed, parentid: 'toolbar' })).toMatchObject({ title: 42, keyword: 7, parentid: 'toolbar' });
  });

  it('issue 9.9: a title changed here is written as the new text', () => {
    const parsed = parseBookmarkRecord({ id: 'a', type: 'bookmark', bmkUri: 'https://a/', title: 42 })!;
    expect(serializeBookmarkRecord({ ...parsed, title: 'Forty-two' })).toMatchObject({ title: 'Forty-two' });
  });
});
