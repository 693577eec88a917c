// Every word in the pages' markup comes from the messages: each text node with letters sits in an
// element with data-i18n, each placeholder/aria-label/title/alt with letters has its data-i18n-*
// twin, and every key named in markup (HTML, or data-i18n set from TypeScript) and in the manifest
// (__MSG_…__) exists. localizePage replaces an element's whole text, so a data-i18n element holds
// text only.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, test } from 'vitest';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

const ROOT = path.resolve(import.meta.dirname, '../..');
const en = JSON.parse(readFileSync(path.join(ROOT, 'public/_locales/en/messages.json'), 'utf8')) as Record<string, unknown>;

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => path.join(dir, f))
    .sort();
}

const PAGES = filesUnder('src', '.html');
const LOCALIZED_ATTRIBUTES = ['placeholder', 'aria-label', 'title', 'alt'] as const;
const hasLetters = (s: string): boolean => /\p{L}/u.test(s);
const isElement = (n: Node): n is Element => 'tagName' in n;
const attr = (el: Element, name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value;

function* elements(node: Node): Generator<Element> {
  if (isElement(node)) yield node;
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) yield* elements(child);
  if (isElement(node) && node.tagName === 'template') yield* elements((node as DefaultTreeAdapterMap['template']).content);
}

interface Problem { page: string; where: string; what: string }

function problemsOf(page: string, html: string = readFileSync(path.join(ROOT, page), 'utf8')): Problem[] {
  const doc = parse(html);
  const problems: Problem[] = [];
  const where = (el: Element): string => `<${el.tagName}${attr(el, 'id') ? `#${attr(el, 'id')}` : ''}>`;
  for (const el of elements(doc)) {
    // Scripts and styles hold code, not words.
    if (el.tagName === 'script' || el.tagName === 'style') continue;
    const key = attr(el, 'data-i18n');
    for (const child of el.childNodes) {
      if (child.nodeName === '#text' && hasLetters((child as DefaultTreeAdapterMap['textNode']).value) && key === undefined) {
        problems.push({ page, where: where(el), what: `text "${(child as DefaultTreeAdapterMap['textNode']).value.trim()}" without data-i18n` });
      }
    }
    if (key !== undefined && el.childNodes.some(isElement)) problems.push({ page, where: where(el), what: 'data-i18n on an element with child elements (they would be replaced)' });
    for (const name of LOCALIZED_ATTRIBUTES) {
      const value = attr(el, name);
      if (value !== undefined && hasLetters(value) && attr(el, `data-i18n-${name}`) === undefined) {
        problems.push({ page, where: where(el), what: `${name}="${value}" without data-i18n-${name}` });
      }
    }
    for (const name of ['data-i18n', ...LOCALIZED_ATTRIBUTES.map((a) => `data-i18n-${a}`)]) {
      const k = attr(el, name);
      if (k !== undefined && !(k in en)) problems.push({ page, where: where(el), what: `${name}="${k}" is not a message` });
    }
  }
  return problems;
}

describe('the pages’ markup', () => {
  test('there are pages to check', () => {
    expect(PAGES).toEqual(expect.arrayContaining(['src/popup/popup.html', 'src/options/options.html', 'src/history/history.html']));
  });

  test.each(PAGES)('%s: every word is covered by a data-i18n attribute naming a message', (page) => {
    expect(problemsOf(page)).toEqual([]);
  });

  test('each page script localizes its page', () => {
    for (const page of PAGES) {
      const doc = parse(readFileSync(path.join(ROOT, page), 'utf8'));
      const scripts = [...elements(doc)].filter((el) => el.tagName === 'script').map((el) => attr(el, 'src')).filter((s): s is string => s !== undefined);
      expect(scripts.length, page).toBeGreaterThan(0);
      const code = scripts.map((s) => readFileSync(path.resolve(ROOT, path.dirname(page), s), 'utf8')).join('\n');
      expect(code, page).toMatch(/localizePage\(document\)/);
    }
  });

  test('the checker finds what it is meant to find', () => {
    const html = '<p>Words</p><p data-i18n="popupSyncNow">Sync now</p><input placeholder="Type here"><b data-i18n="noSuchKey"></b>'
      + '<p data-i18n="popupSettings"><span>x</span></p><img alt="">';
    expect(problemsOf('sample.html', html).map((p) => `${p.where} ${p.what}`)).toEqual([
      '<p> text "Words" without data-i18n',
      '<input> placeholder="Type here" without data-i18n-placeholder',
      '<b> data-i18n="noSuchKey" is not a message',
      '<p> data-i18n on an element with child elements (they would be replaced)',
      '<span> text "x" without data-i18n',
    ]);
  });
});

describe('keys named outside the messages files', () => {
  test('data-i18n keys set from TypeScript exist', () => {
    const missing: string[] = [];
    // src/i18n/ itself names keys in its documentation and in these tests' own samples.
    for (const file of filesUnder('src', '.ts').filter((f) => !f.startsWith(path.join('src', 'i18n')))) {
      const code = readFileSync(path.join(ROOT, file), 'utf8');
      const patterns = [
        /data-i18n(?:-[a-z-]+)?=["']([A-Za-z0-9_]+)["']/g,
        /setAttribute\(\s*['"]data-i18n(?:-[a-z-]+)?['"]\s*,\s*['"]([A-Za-z0-9_]+)['"]/g,
        /dataset\[?\.?['"]?i18n[A-Za-z]*['"]?\]?\s*=\s*['"]([A-Za-z0-9_]+)['"]/g,
      ];
      for (const re of patterns) for (const m of code.matchAll(re)) if (!(m[1]! in en)) missing.push(`${file}: ${m[1]}`);
    }
    expect(missing).toEqual([]);
  });

  test('the manifest’s __MSG_…__ names exist, and name, description and title use them', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'manifest.json'), 'utf8')) as {
      name: string; short_name: string; description: string; action: { default_title: string };
    };
    const text = readFileSync(path.join(ROOT, 'manifest.json'), 'utf8');
    for (const m of text.matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) expect(Object.keys(en), m[0]).toContain(m[1]);
    for (const value of [manifest.name, manifest.short_name, manifest.description, manifest.action.default_title]) expect(value).toMatch(/^__MSG_\w+__$/);
  });
});
