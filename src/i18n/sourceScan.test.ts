// No words in the UI code outside the messages: the string literals of src/popup, src/options,
// src/history, src/ui and src/background are read (comments skipped) and any that holds words a
// person would read fails, unless it is a log message (English on purpose, for bug reports) or on
// the short allowlist below.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UI_DIRS = ['src/popup', 'src/options', 'src/history', 'src/ui', 'src/background'];

interface Literal { line: number; text: string; quote: string }

/**
 * The string literals of a TypeScript file, template literals with each `${…}` as a space. A small
 * tokenizer rather than regexes over lines, so comments, quotes inside other strings and regular
 * expressions are told apart.
 */
function stringLiterals(code: string): Literal[] {
  const out: Literal[] = [];
  let i = 0;
  let line = 1;

  const readTemplate = (): void => {
    const startLine = line;
    let text = '';
    while (i < code.length) {
      const c = code[i]!;
      if (c === '\\') { text += code.slice(i, i + 2); i += 2; continue; }
      if (c === '`') { i++; break; }
      if (c === '$' && code[i + 1] === '{') { i += 2; text += ' '; scan(true); continue; }
      if (c === '\n') line++;
      text += c;
      i++;
    }
    out.push({ line: startLine, text, quote: '`' });
  };

  /** Code up to the end, or (inside a template's `${`) up to its closing brace. */
  const scan = (untilClosingBrace: boolean): void => {
    let depth = 0;
    // Whether a `/` here starts a regular expression (after an operator or keyword) rather than dividing.
    let regexAllowed = true;
    while (i < code.length) {
      const c = code[i]!;
      const next = code[i + 1];
      if (c === '\n') { line++; i++; continue; }
      if (/\s/.test(c)) { i++; continue; }
      if (c === '/' && next === '/') { while (i < code.length && code[i] !== '\n') i++; continue; }
      if (c === '/' && next === '*') {
        const end = code.indexOf('*/', i + 2);
        const stop = end < 0 ? code.length : end + 2;
        line += (code.slice(i, stop).match(/\n/g) ?? []).length;
        i = stop;
        continue;
      }
      if (c === "'" || c === '"') {
        let text = '';
        i++;
        while (i < code.length && code[i] !== c && code[i] !== '\n') {
          if (code[i] === '\\') { text += code.slice(i, i + 2); i += 2; continue; }
          text += code[i];
          i++;
        }
        i++;
        out.push({ line, text, quote: c });
        regexAllowed = false;
        continue;
      }
      if (c === '`') { i++; readTemplate(); regexAllowed = false; continue; }
      if (c === '{') { depth++; i++; regexAllowed = true; continue; }
      if (c === '}') {
        i++;
        if (untilClosingBrace && depth === 0) return;
        depth--;
        regexAllowed = false;
        continue;
      }
      if (c === '/' && regexAllowed) {
        i++;
        let inClass = false;
        while (i < code.length && code[i] !== '\n') {
          if (code[i] === '\\') { i += 2; continue; }
          if (code[i] === '[') inClass = true;
          else if (code[i] === ']') inClass = false;
          else if (code[i] === '/' && !inClass) break;
          i++;
        }
        i++;
        while (/[a-z]/i.test(code[i] ?? '')) i++;
        regexAllowed = false;
        continue;
      }
      if (/[A-Za-z0-9_$]/.test(c)) {
        let word = '';
        while (i < code.length && /[A-Za-z0-9_$]/.test(code[i]!)) word += code[i++];
        regexAllowed = /^(return|typeof|case|of|in|delete|void|throw|new|else|do|yield|await)$/.test(word);
        continue;
      }
      regexAllowed = !/[)\]]/.test(c);
      i++;
    }
  };

  scan(false);
  return out;
}

/** Words a person would read: two words in a row, or a capitalised word standing alone ("Settings"). */
function looksLikeWords(text: string): boolean {
  return /\p{L}{2,}[,.:;!?…’'"“”]*\s+["'“„]?\p{L}/u.test(text) || /^\p{Lu}\p{Ll}+[.!?…]?$/u.test(text.trim());
}

/** What a literal is for, from the code just before it on its line. */
function isExempt(lineText: string, lit: Literal): boolean {
  // Log messages stay English: they are copied into bug reports.
  if (/\blog\w*\.(debug|info|warn|error)\(|\bconsole\.\w+\(/.test(lineText)) return true;
  if (/^\s*(import|export)\b.*\bfrom\b/.test(lineText)) return true;
  // Key names of keyboard events ("Escape", "Home").
  if (/\.key\s*[!=]==/.test(lineText)) return true;
  // Class lists, element ids and CSS selectors are names for code, not words.
  if (/^[a-z0-9 _#.[\]='":-]+$/.test(lit.text) && /\b(className|classList|querySelector\w*|getElementById|el\b|el<[^>]*>)\s*\(?/.test(lineText)) return true;
  return false;
}

/**
 * Literals with words that are not the person's: each with why.
 * file → exact literal texts.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // Which address was typed, passed to checkTypedAddress to choose its message (not shown as such).
  'src/options/account.ts': ['Sync server', 'token server'],
};

/** `el()` helpers name the page in a programming error: the markup lacks an element (never a person's message). */
const MISSING_ELEMENT = /^[a-z]+: missing # $/;

function findings(file: string, code: string): string[] {
  const lines = code.split('\n');
  const allowed = ALLOWED[file] ?? [];
  return stringLiterals(code)
    .filter((lit) => looksLikeWords(lit.text) && !MISSING_ELEMENT.test(lit.text) && !allowed.includes(lit.text) && !isExempt(lines[lit.line - 1] ?? '', lit))
    .map((lit) => `${file}:${lit.line}: ${lit.quote}${lit.text}${lit.quote}`);
}

const uiFiles = (): string[] => UI_DIRS.flatMap((dir) => readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => path.join(dir, f)))
  .sort();

describe('UI code holds no words of its own', () => {
  test('every person-visible string in src/popup, src/options, src/history, src/ui and src/background comes from the messages', () => {
    const found = uiFiles().flatMap((f) => findings(f, readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });

  test('the allowlist names literals that are still there', () => {
    for (const [file, texts] of Object.entries(ALLOWED)) {
      const literals = stringLiterals(readFileSync(path.join(ROOT, file), 'utf8')).map((l) => l.text);
      for (const text of texts) expect(literals, `${file}: ${text}`).toContain(text);
    }
  });

  test('the scan catches words in the ways UI code sets them', () => {
    const sample = [
      "label.textContent = 'Filter tabs';",
      'button.title = `Restore the copy from ${when}`;',
      "li.append('Settings');",
      "input.placeholder = \"Search history\";",
      "showError('Something went wrong.');",
      "throw new Error('Choose a device.');",
      "// textContent = 'Only a comment';",
      "const re = /it's \\/ a regex/; x.textContent = t('popupSyncNow');",
      "log.warn('Log messages stay English', { error });",
      "el.className = 'tab-row tab-row-text';",
      'const s = `${a} ${b}`;',
    ].join('\n');
    expect(findings('sample.ts', sample)).toEqual([
      "sample.ts:1: 'Filter tabs'",
      'sample.ts:2: `Restore the copy from  `',
      "sample.ts:3: 'Settings'",
      'sample.ts:4: "Search history"',
      "sample.ts:5: 'Something went wrong.'",
      "sample.ts:6: 'Choose a device.'",
    ]);
  });
});
