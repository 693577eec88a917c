import { describe, expect, test } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { checkChromePackage, filesFromMap, filesFromZip, pngSize, validVersion } from './checks.ts';

/** The first bytes of a PNG: signature and IHDR (all the checks read). */
function png(width: number, height: number): Buffer {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write('IHDR', 12, 'latin1');
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  return b;
}

const ICONS = { 16: 'icons/16.png', 32: 'icons/32.png', 48: 'icons/48.png', 128: 'icons/128.png' };

function pkg(manifest: Record<string, unknown> = {}, extra: Record<string, Buffer | string> = {}): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  files.set('manifest.json', Buffer.from(JSON.stringify({
    manifest_version: 3, name: 'Syncbridge', version: '0.1.0', description: 'Sync with Firefox Sync.',
    icons: ICONS, action: { default_popup: 'popup.html' }, background: { service_worker: 'sw.js' },
    content_security_policy: { extension_pages: "script-src 'self'; object-src 'self'" },
    ...manifest,
  })));
  for (const [size, name] of Object.entries(ICONS)) files.set(name, png(Number(size), Number(size)));
  files.set('popup.html', Buffer.from('<!doctype html><script type="module" src="/assets/popup.js"></script>'));
  files.set('sw.js', Buffer.from('import "./assets/main.js";'));
  files.set('assets/popup.js', Buffer.from('const o = { evaluate(x) { return x; } }; o.evaluate(1); document.title = "x";'));
  for (const [name, content] of Object.entries(extra)) files.set(name, Buffer.from(content));
  return files;
}

const check = (files: Map<string, Buffer>, storePackage = true): string[] => checkChromePackage(filesFromMap(files), { storePackage });

describe('Chrome Web Store offline checks', () => {
  test('a package that meets them has no problems', () => {
    expect(check(pkg())).toEqual([]);
  });

  test('__MSG_ names resolve through the default locale, and their length counts', () => {
    const messages = { extensionName: { message: 'Syncbridge' }, extensionDescription: { message: 'x'.repeat(133) } };
    const files = pkg({ name: '__MSG_extensionName__', description: '__MSG_extensionDescription__', default_locale: 'en' }, { '_locales/en/messages.json': JSON.stringify(messages) });
    expect(check(files)).toEqual(['description is 133 characters (the store allows 132)']);
    expect(check(pkg({ name: '__MSG_extensionName__' }))).toContain('name uses __MSG_extensionName__ but the manifest has no default_locale');
    expect(check(pkg({}, { '_locales/en/messages.json': '{}' }))).toContain('_locales exists but the manifest has no default_locale');
  });

  test('version, short_name and manifest_version', () => {
    expect(['1', '0.1.0', '1.2.3.4', '65535.0'].filter((v) => !validVersion(v))).toEqual([]);
    expect(['', '0', '0.0', '1.2.3.4.5', '01.2', '1.65536', '1.0-beta', 1].filter(validVersion)).toEqual([]);
    expect(check(pkg({ version: '1.0-beta', short_name: 'Syncbridge for Firefox', manifest_version: 2 }))).toEqual([
      'manifest_version must be 3', 'short_name is 22 characters (at most 12)', 'version "1.0-beta" is not 1–4 dot-separated integers',
    ]);
  });

  test('icons: every required size, PNGs of exactly their size', () => {
    expect(pngSize(png(48, 48))).toEqual({ width: 48, height: 48 });
    expect(pngSize(Buffer.from('GIF89a…………………………………………'))).toBeNull();
    const files = pkg({ icons: { 16: 'icons/16.png', 32: 'icons/32.png', 48: 'icons/48.png' }, action: { default_popup: 'popup.html', default_icon: { 32: 'icons/missing.png' } } });
    files.set('icons/16.png', png(32, 32));
    files.set('icons/48.png', Buffer.from('not a png at all, really not'));
    expect(check(files)).toEqual([
      'icons has no 128×128 icon',
      'icons.16: icons/16.png is 32×32, not 16×16',
      'icons.48: icons/48.png is not a PNG',
      'action.default_icon.32: icons/missing.png is not in the package',
    ]);
  });

  test('no remote code: eval, new Function, remote imports and scripts, a permissive CSP', () => {
    const files = pkg({ content_security_policy: { extension_pages: "script-src 'self' 'unsafe-eval' https://cdn.example.com; object-src 'self'" } }, {
      'assets/a.js': 'const f = eval("1+1");',
      'assets/b.js': 'const g = new Function("return 1");',
      'assets/c.js': 'await import("https://cdn.example.com/x.js");',
      'remote.html': '<script src="https://cdn.example.com/lib.js"></script><script>alert(1)</script>',
    });
    expect(check(files)).toEqual([
      "CSP script-src allows 'unsafe-eval'",
      'CSP script-src allows the remote source https://cdn.example.com',
      'assets/a.js: eval(',
      'assets/b.js: new Function(',
      'assets/c.js: import() of a remote URL',
      'remote.html: <script src="https://cdn.example.com/lib.js"> loads remote code',
      'remote.html: inline <script> (the extension CSP refuses it)',
    ]);
  });

  test('the store package has no key and no source maps; the unpacked build may', () => {
    const files = pkg({ key: 'MIIB…' }, { 'assets/popup.js.map': '{}' });
    expect(check(files)).toEqual([
      'the store package must not contain a "key" field (the store assigns the extension id)',
      'assets/popup.js.map: source maps do not belong in the store package',
    ]);
    expect(check(files, false)).toEqual([]);
  });

  test('zip archives are read through their central directory, stored and deflated entries alike', () => {
    const zip = writeZip([['manifest.json', Buffer.from('{"a":1}'), false], ['dir/big.txt', Buffer.from('hello '.repeat(100)), true]]);
    const files = filesFromZip(zip);
    expect(files.names()).toEqual(['manifest.json', 'dir/big.txt']);
    expect(files.read('manifest.json')?.toString()).toBe('{"a":1}');
    expect(files.read('dir/big.txt')?.toString()).toBe('hello '.repeat(100));
    expect(files.read('nope')).toBeUndefined();
    expect(() => filesFromZip(Buffer.alloc(40))).toThrow(/not a zip/);
  });
});

/** A minimal zip writer (no CRCs: the reader does not check them), for the reader's test. */
function writeZip(entries: Array<[string, Buffer, boolean]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content, deflate] of entries) {
    const data = deflate ? deflateRawSync(content) : content;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(content.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(content.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
