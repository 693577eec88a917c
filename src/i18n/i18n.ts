// Every word a person reads comes from public/_locales/<lang>/messages.json through the browser's
// i18n API, which picks the browser's language and falls back to English (default_locale "en").
// Outside a browser (Node tests, the bench's seeding) the English file answers the same way, so the
// code that builds messages never needs to know where it runs. Keys are typed: a key that is not in
// the English messages does not compile.
import en from '../../public/_locales/en/messages.json' with { type: 'json' };

export type MessageKey = keyof typeof en;
/** A message and its substitutions, for text made in one context and shown in another. */
export interface LocalizedText { key: MessageKey; subs?: ReadonlyArray<string | number> }

interface MessageEntry { message: string; placeholders?: Record<string, { content: string }> }

type GetMessage = (key: string, subs?: string | string[]) => string;

function browserGetMessage(): GetMessage | null {
  const api = (globalThis as { chrome?: { i18n?: { getMessage?: GetMessage } } }).chrome?.i18n;
  return typeof api?.getMessage === 'function' ? api.getMessage.bind(api) : null;
}

/** The browser's rules for one message: $NAME$ → its placeholder's content, then $1…$9 → substitutions, $$ → $. */
export function formatMessage(entry: MessageEntry, subs: ReadonlyArray<string>): string {
  const named = entry.message.replace(/\$([A-Za-z0-9_@]+)\$/g, (whole, name: string) => {
    const ph = Object.entries(entry.placeholders ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
    return ph ? ph[1].content : whole;
  });
  return named.replace(/\$(\$|[1-9])/g, (_w, d: string) => (d === '$' ? '$' : subs[Number(d) - 1] ?? ''));
}

/** The message for `key` in the browser's language, with its substitutions filled in. */
export function t(key: MessageKey, ...subs: ReadonlyArray<string | number>): string {
  const strings = subs.map(String);
  const fromBrowser = browserGetMessage()?.(key, strings);
  if (fromBrowser) return fromBrowser;
  return formatMessage(en[key] as MessageEntry, strings);
}

export function tText(text: LocalizedText): string {
  return t(text.key, ...(text.subs ?? []));
}

/**
 * The language of the words shown ("de", "en-US"), for Intl formatting and <html lang>: the
 * browser's UI language when the messages are in it, else the language of the messages the browser
 * fell back to — a date or "3 minutes ago" must be in the language of the sentence around it.
 * (Chromium started with --lang=de shows German messages while getUILanguage may still say en-US.)
 * Outside a browser the messages are English, so numbers and dates are too, whatever the machine's locale.
 */
export function uiLanguage(): string {
  const api = (globalThis as { chrome?: { i18n?: { getUILanguage?: () => string } } }).chrome?.i18n;
  const browserLanguage = (typeof api?.getUILanguage === 'function' ? api.getUILanguage() : '') || 'en';
  const messagesLanguage = browserGetMessage()?.('messagesLanguage') || en.messagesLanguage.message;
  const primary = (tag: string): string => tag.split(/[-_]/)[0]!.toLowerCase();
  return primary(browserLanguage) === primary(messagesLanguage) ? browserLanguage : messagesLanguage;
}

// Intl objects are costly to make and a page formats thousands of rows: one per language.
const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();
function cached<T>(cache: Map<string, T>, lang: string, make: (lang: string) => T): T {
  let value = cache.get(lang);
  if (value === undefined) cache.set(lang, (value = make(lang)));
  return value;
}

/** Keys that come in plural forms: `<base>_one`, `<base>_other` (and any other CLDR category a language needs). */
export type PluralBase = { [K in MessageKey]: K extends `${infer B}_other` ? B : never }[MessageKey];

/**
 * A message about `count` things, in the plural form the browser's language uses for it
 * (Intl.PluralRules; the browser's i18n has none). The count, formatted for the language, is `$1`;
 * `subs` follow as `$2`…
 */
export function tCount(base: PluralBase, count: number, ...subs: ReadonlyArray<string | number>): string {
  const category = cached(pluralRules, uiLanguage(), (lang) => new Intl.PluralRules(lang)).select(count);
  const key = `${base}_${category}`;
  const chosen = (key in en ? key : `${base}_other`) as MessageKey;
  return t(chosen, formatNumber(count), ...subs);
}

/** A number as the browser's language writes it ("1,440", "1.440"). */
export function formatNumber(n: number): string {
  return cached(numberFormats, uiLanguage(), (lang) => new Intl.NumberFormat(lang)).format(n);
}

/** A date and time as the browser's language writes it. */
export function formatDateTime(ms: number, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  return new Intl.DateTimeFormat(uiLanguage(), options).format(ms);
}

/** "a, b and c" in the browser's language. */
export function formatList(items: readonly string[]): string {
  return new Intl.ListFormat(uiLanguage(), { style: 'long', type: 'conjunction' }).format(items);
}

const ATTRIBUTES: ReadonlyArray<[string, string]> = [
  ['i18nPlaceholder', 'placeholder'], ['i18nAriaLabel', 'aria-label'], ['i18nTitle', 'title'], ['i18nAlt', 'alt'],
];

/**
 * Fills a page from its markup: `data-i18n="key"` sets the element's text, `data-i18n-placeholder`,
 * `data-i18n-aria-label`, `data-i18n-title` and `data-i18n-alt` set those attributes; `<html lang>`
 * follows the browser's language. Called once when a page loads, before its script renders.
 */
export function localizePage(doc: Document): void {
  doc.documentElement.lang = uiLanguage();
  for (const node of doc.querySelectorAll<HTMLElement>('[data-i18n]')) node.textContent = t(node.dataset['i18n'] as MessageKey);
  for (const [data, attr] of ATTRIBUTES) {
    const selector = `[data-${data.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}]`;
    for (const node of doc.querySelectorAll<HTMLElement>(selector)) node.setAttribute(attr, t(node.dataset[data] as MessageKey));
  }
}
