import { describe, expect, it } from 'vitest';
import { hawkHeader, hawkMac, hawkUrlParts, normalizedString, parseHawkHeader, payloadHash, verifyHawkHeader } from './hawk.ts';

// Published vectors: hueniverse/hawk README and test/readme.js ("should generate a header protocol
// example" with and without payload); the same values appear in many Hawk ports' test suites.
const ID = 'dh37fgj492je';
const KEY = 'werxhqb98rpaxn39848xrunpaw3489ruxnpa98w4rxn';
const URL_ = 'http://example.com:8000/resource/1?b=1&a=2';

describe('Hawk README vectors', () => {
  it('GET header', () => {
    expect(
      hawkHeader({ method: 'GET', url: URL_, id: ID, key: KEY, ts: 1353832234, nonce: 'j4h3g2', ext: 'some-app-ext-data' }),
    ).toBe(
      'Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", ext="some-app-ext-data", mac="6R4rV5iE+NPoym+WwjeHzjAGXUtLNIxmo1vpMofpLAE="',
    );
  });

  it('POST header with payload hash', () => {
    expect(payloadHash('Thank you for flying Hawk', 'text/plain')).toBe('Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=');
    expect(
      hawkHeader({
        method: 'POST',
        url: URL_,
        id: ID,
        key: KEY,
        ts: 1353832234,
        nonce: 'j4h3g2',
        ext: 'some-app-ext-data',
        payload: 'Thank you for flying Hawk',
        contentType: 'text/plain',
      }),
    ).toBe(
      'Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", hash="Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=", ext="some-app-ext-data", mac="aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw="',
    );
  });

  it('normalized string matches the README layout', () => {
    expect(
      normalizedString({
        ts: 1353832234, nonce: 'j4h3g2', method: 'get', resource: '/resource/1?b=1&a=2',
        host: 'Example.com', port: 8000, ext: 'some-app-ext-data',
      }),
    ).toBe('hawk.1.header\n1353832234\nj4h3g2\nGET\n/resource/1?b=1&a=2\nexample.com\n8000\n\nsome-app-ext-data\n');
  });
});

describe('Hawk details', () => {
  it('payload hash ignores content-type parameters and case; Uint8Array equals string', () => {
    const bare = payloadHash('{}', 'application/json');
    expect(payloadHash('{}', 'Application/JSON; charset=utf-8')).toBe(bare);
    expect(payloadHash(new TextEncoder().encode('{}'), 'application/json')).toBe(bare);
  });

  it('URL parts: default ports, lowercase host, IPv6 brackets stripped, query kept verbatim', () => {
    expect(hawkUrlParts('https://Sync.Example.COM/1.5/123/storage/bookmarks?newer=1.23&batch=a%3Db'))
      .toEqual({ resource: '/1.5/123/storage/bookmarks?newer=1.23&batch=a%3Db', host: 'sync.example.com', port: '443' });
    expect(hawkUrlParts('http://127.0.0.1/x')).toEqual({ resource: '/x', host: '127.0.0.1', port: '80' });
    expect(hawkUrlParts('http://[::1]:5000/x')).toEqual({ resource: '/x', host: '::1', port: '5000' });
  });

  it('omits hash without payload, uses clock offset, and the MAC verifies with the string key bytes', () => {
    const h = hawkHeader({ method: 'GET', url: 'http://127.0.0.1:1234/info/collections', id: 'tok-id==', key: 'k3y', localtimeOffsetMs: 3_600_000 });
    const p = parseHawkHeader(h)!;
    expect(p).not.toBeNull();
    expect(p.hash).toBeUndefined();
    expect(p.id).toBe('tok-id==');
    expect(Math.abs(Number(p.ts) - (Date.now() / 1000 + 3600))).toBeLessThan(5);
    const normalized = normalizedString({ ts: p.ts, nonce: p.nonce, method: 'GET', resource: '/info/collections', host: '127.0.0.1', port: 1234 });
    expect(hawkMac('k3y', normalized)).toBe(p.mac);
    expect(hawkMac(new TextEncoder().encode('k3y'), normalized)).toBe(p.mac);
  });

  it('parseHawkHeader reads the README header and rejects junk', () => {
    const p = parseHawkHeader(
      'Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", hash="Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=", ext="some-app-ext-data", mac="aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw="',
    );
    expect(p).toEqual({
      id: 'dh37fgj492je', ts: '1353832234', nonce: 'j4h3g2', mac: 'aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw=',
      hash: 'Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=', ext: 'some-app-ext-data',
    });
    expect(parseHawkHeader('Bearer abc')).toBeNull();
    expect(parseHawkHeader('Hawk id="a", ts="1"')).toBeNull();
    expect(parseHawkHeader('Hawk id="a", id="b", ts="1", nonce="n", mac="m"')).toBeNull();
  });
});

describe('verifyHawkHeader', () => {
  const header = hawkHeader({
    method: 'POST', url: 'http://127.0.0.1:8080/1.5/1/storage/tabs?batch=true', id: 'abc', key: 'secret',
    payload: '[]', contentType: 'application/json',
  });
  const base = { header, method: 'POST', resource: '/1.5/1/storage/tabs?batch=true', host: '127.0.0.1', port: 8080, key: 'secret' };

  it('accepts a header signed by hawkHeader', () => {
    expect(verifyHawkHeader({ ...base, payload: '[]', contentType: 'application/json; charset=utf-8' })?.id).toBe('abc');
    expect(verifyHawkHeader(base)?.id).toBe('abc');
  });

  it('rejects a wrong key, path, port, or body', () => {
    expect(verifyHawkHeader({ ...base, key: 'other' })).toBeNull();
    expect(verifyHawkHeader({ ...base, resource: '/1.5/1/storage/tabs' })).toBeNull();
    expect(verifyHawkHeader({ ...base, port: 80 })).toBeNull();
    expect(verifyHawkHeader({ ...base, payload: '[1]', contentType: 'application/json' })).toBeNull();
  });

  it('accepts the README POST vector', () => {
    expect(
      verifyHawkHeader({
        header: 'Hawk id="dh37fgj492je", ts="1353832234", nonce="j4h3g2", hash="Yi9LfIIFRtBEPt74PVmbTF/xVAwPn7ub15ePICfgnuY=", ext="some-app-ext-data", mac="aSe1DERmZuRl3pI36/9BdZmnErTw3sNzOOAUlfeKjVw="',
        method: 'POST', resource: '/resource/1?b=1&a=2', host: 'example.com', port: 8000, key: KEY,
        payload: 'Thank you for flying Hawk', contentType: 'text/plain',
      })?.ext,
    ).toBe('some-app-ext-data');
  });
});
