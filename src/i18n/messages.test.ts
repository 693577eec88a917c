// The messages files themselves: every locale has every English key, no message is empty, the
// placeholders match, German is really German, and formatMessage substitutes as the browser does.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatMessage } from './i18n.ts';

interface Entry { message: string; description?: string; placeholders?: Record<string, { content: string; example?: string }> }
type Messages = Record<string, Entry>;

const LOCALES_DIR = path.resolve(import.meta.dirname, '../../public/_locales');
const read = (lang: string): Messages => JSON.parse(readFileSync(path.join(LOCALES_DIR, lang, 'messages.json'), 'utf8')) as Messages;
const LOCALES = readdirSync(LOCALES_DIR).sort();
const en = read('en');

/**
 * Messages German writes exactly as English: names, and words German uses as they are. Anything
 * else identical in both files is an untranslated copy. (A message made only of placeholders and
 * punctuation, e.g. "$TYPE$ · $LASTUSED$", has no words to translate and is not listed.)
 */
const SAME_IN_GERMAN = new Set([
  'extensionName', // the product's name
  'deviceTypeDesktop', // "Desktop" is German too
  'deviceTypeTablet', // "Tablet" is German too
  'engineTabs', // Firefox's German UI says "Tabs"
]);

const placeholderShape = (e: Entry): Record<string, string> =>
  Object.fromEntries(Object.entries(e.placeholders ?? {}).map(([name, p]) => [name.toLowerCase(), p.content]));
const namesIn = (message: string): string[] => [...message.matchAll(/\$([A-Za-z0-9_@]+)\$/g)].map((m) => m[1]!.toLowerCase());
const wordsOutsidePlaceholders = (message: string): boolean => /\p{L}/u.test(message.replace(/\$[A-Za-z0-9_@]+\$/g, ''));

describe('the messages files', () => {
  test('English and German are there, English is the default locale of the manifest', () => {
    expect(LOCALES).toEqual(expect.arrayContaining(['de', 'en']));
    const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../manifest.json'), 'utf8')) as { default_locale: string };
    expect(manifest.default_locale).toBe('en');
  });

  test.each(LOCALES)('%s has exactly the English keys', (lang) => {
    expect(Object.keys(read(lang)).sort()).toEqual(Object.keys(en).sort());
  });

  test.each(LOCALES)('%s: every message is a non-empty string, and keys are valid message names', (lang) => {
    for (const [key, entry] of Object.entries(read(lang))) {
      // Chrome: ASCII letters, digits and underscore; "@@" names are the browser's own.
      expect(key, key).toMatch(/^[A-Za-z0-9_]+$/);
      expect(typeof entry.message, key).toBe('string');
      expect(entry.message.trim(), key).not.toBe('');
    }
  });

  test.each(LOCALES)('%s: every $NAME$ is a defined placeholder, every placeholder stands for a substitution (dollar and one digit), and they match English', (lang) => {
    for (const [key, entry] of Object.entries(read(lang))) {
      const defined = placeholderShape(entry);
      for (const name of namesIn(entry.message)) expect(Object.keys(defined), `${lang} ${key}: $${name}$`).toContain(name);
      for (const content of Object.values(defined)) expect(content, `${lang} ${key}`).toMatch(/^\$[1-9]$/);
      expect(defined, `${lang} ${key}`).toEqual(placeholderShape(en[key]!));
      // A placeholder English uses must be used in the translation too (plural "one" forms may leave the count out).
      if (!key.endsWith('_one')) expect(new Set(namesIn(entry.message)), `${lang} ${key}`).toEqual(new Set(namesIn(en[key]!.message)));
    }
  });

  test('each file says which language its messages are in', () => {
    for (const lang of LOCALES) expect(read(lang)['messagesLanguage']?.message).toBe(lang.replace('_', '-'));
  });

  test('plural messages come with an "other" form', () => {
    for (const key of Object.keys(en)) {
      const m = /^(.*)_(zero|one|two|few|many)$/.exec(key);
      if (m) expect(Object.keys(en), key).toContain(`${m[1]}_other`);
    }
  });

  test('German is a translation, not a copy of the English', () => {
    const de = read('de');
    const copies = Object.keys(en).filter((key) => de[key]!.message === en[key]!.message && wordsOutsidePlaceholders(en[key]!.message));
    expect(copies.filter((key) => !SAME_IN_GERMAN.has(key))).toEqual([]);
    // The allowlist stays honest: every name on it is a message that exists and is the same.
    for (const key of SAME_IN_GERMAN) expect(de[key]?.message, key).toBe(en[key]?.message);
  });

  test('German uses German typography: no English quotes or "..." for an ellipsis', () => {
    for (const [key, entry] of Object.entries(read('de'))) {
      expect(entry.message, key).not.toMatch(/“[^”]*”|\.\.\./);
    }
  });

  test('the names stay names in every language', () => {
    for (const lang of LOCALES) {
      expect(read(lang)['extensionName']!.message).toBe('Syncbridge');
      expect(read(lang)['extensionDescription']!.message).toContain('Firefox Sync');
    }
  });
});

describe('formatMessage follows the browser’s substitution rules', () => {
  const entry = (message: string, placeholders?: Record<string, string>): Entry => ({
    message, ...(placeholders ? { placeholders: Object.fromEntries(Object.entries(placeholders).map(([k, v]) => [k, { content: v }])) } : {}),
  });

  test('a named placeholder takes its content, and $1…$9 the substitutions', () => {
    expect(formatMessage(entry('Last synced $WHEN$.', { when: '$1' }), ['5 minutes ago'])).toBe('Last synced 5 minutes ago.');
    expect(formatMessage(entry('$B$ then $A$', { a: '$1', b: '$2' }), ['one', 'two'])).toBe('two then one');
  });

  test('placeholder names are case-insensitive', () => {
    expect(formatMessage(entry('Hello $Who$', { WHO: '$1' }), ['Ada'])).toBe('Hello Ada');
  });

  test('a placeholder whose content is text gives the text', () => {
    expect(formatMessage(entry('Open $BRAND$', { brand: 'Firefox' }), [])).toBe('Open Firefox');
  });

  test('$$ is a dollar sign; a missing substitution is empty; an unknown $NAME$ stays as written', () => {
    expect(formatMessage(entry('Costs $$5'), [])).toBe('Costs $5');
    expect(formatMessage(entry('[$1|$2]'), ['a'])).toBe('[a|]');
    expect(formatMessage(entry('Keep $UNKNOWN$'), [])).toBe('Keep $UNKNOWN$');
  });

  test('substituted text is not substituted again', () => {
    expect(formatMessage(entry('Name: $N$', { n: '$1' }), ['$2 and $$'])).toBe('Name: $2 and $$');
  });
});
