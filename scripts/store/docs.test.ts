// docs/store is complete and agrees with the extension: both listings, both privacy statements, and
// screenshots of the store's size for every language that has them.
import { describe, expect, test } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LIMITS, pngSize } from './checks.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const store = path.join(root, 'docs/store');
const read = (file: string): string => readFileSync(path.join(store, file), 'utf8');
const message = (lang: string, key: string): string =>
  (JSON.parse(readFileSync(path.join(root, 'public/_locales', lang, 'messages.json'), 'utf8')) as Record<string, { message: string }>)[key]!.message;

/** The text under a "## …" heading of a listing, up to the next heading. */
function section(markdown: string, heading: RegExp): string {
  const parts = markdown.split(/^## /m);
  const hit = parts.find((p) => heading.test(p.split('\n')[0]!));
  return hit === undefined ? '' : hit.split('\n').slice(1).join('\n').trim();
}

describe('docs/store', () => {
  test.each([['en', 'listing.en.md', /^Short description/], ['de', 'listing.de.md', /^Kurzbeschreibung/]])('%s listing: the manifest’s name and description, within the limits', (lang, file, short) => {
    const listing = read(file);
    expect(section(listing, /^Name/)).toBe(message(lang, 'extensionName'));
    const description = section(listing, short);
    expect(description).toBe(message(lang, 'extensionDescription'));
    expect(description.length).toBeLessThanOrEqual(LIMITS.description);
    for (const heading of [/^(Long description|Ausführliche Beschreibung)/, /^(Category|Kategorie)/, /^(Permissions|Berechtigungen)/]) expect(section(listing, heading)).not.toBe('');
  });

  test('every permission the manifest asks for is explained in both listings', () => {
    const manifest = JSON.parse(readFileSync(path.join(root, 'manifest.json'), 'utf8')) as { permissions: string[] };
    for (const file of ['listing.en.md', 'listing.de.md']) {
      const permissions = section(read(file), /^(Permissions|Berechtigungen)/);
      expect(manifest.permissions.filter((p) => !permissions.includes(`\`${p}\``)), file).toEqual([]);
    }
  });

  test('the privacy statements exist and name where data goes', () => {
    for (const file of ['privacy.md', 'privacy.de.md']) {
      const text = read(file);
      for (const fact of ['accounts.firefox.com', 'token.services.mozilla.com', 'lockbox.firefox.com', 'storage.session', 'AES-256-CBC']) expect(text, `${file}: ${fact}`).toContain(fact);
    }
  });

  test('screenshots: the four views, 1280×800 PNGs, for English and any other language present', () => {
    const dir = path.join(store, 'screenshots');
    const langs = readdirSync(dir);
    expect(langs).toContain('en');
    for (const lang of langs) {
      const files = readdirSync(path.join(dir, lang)).sort();
      expect(files, lang).toEqual(['1-popup.png', '2-tabs.png', '3-settings.png', '4-history.png']);
      for (const f of files) expect(pngSize(readFileSync(path.join(dir, lang, f))), `${lang}/${f}`).toEqual({ width: 1280, height: 800 });
    }
    expect(existsSync(path.join(store, 'README.md'))).toBe(true);
  });
});
