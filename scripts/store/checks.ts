// The Chrome Web Store's checks that can be run offline, over an unpacked extension or its zip:
// the manifest fields the store reads (with __MSG_…__ names resolved through _locales), icon files
// that are PNGs of exactly their declared sizes, and no remote code (the store rejects MV3 packages
// that load or evaluate code they do not contain). Pure functions over a file listing, so the unit
// test can feed them small packages and the CLI (scripts/checkStore.ts) the real ones.
import { inflateRawSync } from 'node:zlib';

/** A package's files by their path inside it ("manifest.json", "icons/icon-16.png"). */
export interface PackageFiles {
  names(): string[];
  read(name: string): Buffer | undefined;
}

export function filesFromMap(files: ReadonlyMap<string, Buffer>): PackageFiles {
  return { names: () => [...files.keys()], read: (n) => files.get(n) };
}

/** The store's limits (developer.chrome.com/docs/webstore and the manifest reference). */
export const LIMITS = { name: 75, shortName: 12, description: 132 } as const;
export const REQUIRED_ICON_SIZES = [16, 32, 48, 128] as const;

type Json = Record<string, unknown>;

/** Width and height from a PNG's IHDR chunk; null when the bytes are not a PNG. */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(signature)) return null;
  // The first chunk must be IHDR: length (4), type (4), then width and height, big-endian.
  if (bytes.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** A manifest version as Chrome accepts it: 1–4 dot-separated integers 0–65535, no leading zeros. */
export function validVersion(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const parts = v.split('.');
  return parts.length >= 1 && parts.length <= 4 && parts.every((p) => /^(0|[1-9]\d{0,4})$/.test(p) && Number(p) <= 65535) && !parts.every((p) => p === '0');
}

/** Resolves "__MSG_name__" through the default locale's messages (names are case-insensitive). */
export function resolveMessage(value: unknown, files: PackageFiles, manifest: Json, problems: string[], field: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^__MSG_(\w+)__$/.exec(value);
  if (!m) return value;
  const locale = manifest['default_locale'];
  if (typeof locale !== 'string') {
    problems.push(`${field} uses ${value} but the manifest has no default_locale`);
    return undefined;
  }
  const raw = files.read(`_locales/${locale}/messages.json`);
  if (!raw) {
    problems.push(`${field} uses ${value} but _locales/${locale}/messages.json is missing`);
    return undefined;
  }
  const messages = JSON.parse(raw.toString('utf8')) as Record<string, { message?: unknown }>;
  const key = Object.keys(messages).find((k) => k.toLowerCase() === m[1]!.toLowerCase());
  const text = key === undefined ? undefined : messages[key]?.message;
  if (typeof text !== 'string') {
    problems.push(`${field} uses ${value}, which _locales/${locale}/messages.json does not define`);
    return undefined;
  }
  return text;
}

export interface CheckOptions {
  /**
   * false for the unpacked dev build (dist/chromium), which keeps the manifest's `key` (a fixed id
   * for loading it by hand and for the tests) and its source maps; the zip for the store has neither.
   */
  storePackage: boolean;
}

function checkManifest(files: PackageFiles, manifest: Json, problems: string[], opts: CheckOptions): void {
  if (manifest['manifest_version'] !== 3) problems.push('manifest_version must be 3');
  const name = resolveMessage(manifest['name'], files, manifest, problems, 'name');
  if (!name) problems.push('name is missing or empty');
  else if (name.length > LIMITS.name) problems.push(`name is ${name.length} characters (the store allows ${LIMITS.name})`);
  if (manifest['short_name'] !== undefined) {
    const short = resolveMessage(manifest['short_name'], files, manifest, problems, 'short_name');
    if (short !== undefined && (short.length === 0 || short.length > LIMITS.shortName)) problems.push(`short_name is ${short.length} characters (at most ${LIMITS.shortName})`);
  }
  const description = resolveMessage(manifest['description'], files, manifest, problems, 'description');
  if (!description) problems.push('description is missing or empty');
  else if (description.length > LIMITS.description) problems.push(`description is ${description.length} characters (the store allows ${LIMITS.description})`);
  if (!validVersion(manifest['version'])) problems.push(`version ${JSON.stringify(manifest['version'])} is not 1–4 dot-separated integers`);
  // The store refuses an upload whose manifest pins the id; it assigns the id itself.
  if (opts.storePackage && 'key' in manifest) problems.push('the store package must not contain a "key" field (the store assigns the extension id)');
  const locale = manifest['default_locale'];
  const hasLocales = files.names().some((n) => n.startsWith('_locales/'));
  if (hasLocales && typeof locale !== 'string') problems.push('_locales exists but the manifest has no default_locale');
  if (typeof locale === 'string' && !files.read(`_locales/${locale}/messages.json`)) problems.push(`default_locale ${locale} has no _locales/${locale}/messages.json`);
}

function checkIcons(files: PackageFiles, manifest: Json, problems: string[]): void {
  const icons = (manifest['icons'] ?? {}) as Record<string, unknown>;
  const declared: Array<[string, string, unknown]> = Object.entries(icons).map(([size, file]) => ['icons', size, file]);
  const action = manifest['action'] as { default_icon?: Record<string, unknown> | string } | undefined;
  if (action?.default_icon && typeof action.default_icon === 'object') {
    for (const [size, file] of Object.entries(action.default_icon)) declared.push(['action.default_icon', size, file]);
  }
  for (const size of REQUIRED_ICON_SIZES) if (icons[String(size)] === undefined) problems.push(`icons has no ${size}×${size} icon`);
  for (const [field, size, file] of declared) {
    if (typeof file !== 'string') {
      problems.push(`${field}.${size} is not a file name`);
      continue;
    }
    const bytes = files.read(file.replace(/^\//, ''));
    if (!bytes) {
      problems.push(`${field}.${size}: ${file} is not in the package`);
      continue;
    }
    const dims = pngSize(bytes);
    if (!dims) problems.push(`${field}.${size}: ${file} is not a PNG`);
    else if (dims.width !== Number(size) || dims.height !== Number(size)) problems.push(`${field}.${size}: ${file} is ${dims.width}×${dims.height}, not ${size}×${size}`);
  }
}

/** Files the manifest names directly: they must be in the package. */
function checkReferencedFiles(files: PackageFiles, manifest: Json, problems: string[]): void {
  const refs: string[] = [];
  const action = manifest['action'] as { default_popup?: string } | undefined;
  if (action?.default_popup) refs.push(action.default_popup);
  const options = manifest['options_ui'] as { page?: string } | undefined;
  if (options?.page) refs.push(options.page);
  const background = manifest['background'] as { service_worker?: string } | undefined;
  if (background?.service_worker) refs.push(background.service_worker);
  for (const r of refs) if (!files.read(r.replace(/^\//, ''))) problems.push(`the manifest names ${r}, which is not in the package`);
}

const REMOTE = /^(https?:)?\/\//i;

function checkCsp(manifest: Json, problems: string[]): void {
  const csp = manifest['content_security_policy'] as { extension_pages?: unknown } | undefined;
  const policy = csp?.extension_pages;
  if (policy === undefined) return; // Chrome's default: script-src 'self'
  if (typeof policy !== 'string') {
    problems.push('content_security_policy.extension_pages is not a string');
    return;
  }
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    if (name !== 'script-src' && name !== 'object-src' && name !== 'default-src' && name !== 'worker-src') continue;
    for (const s of sources) {
      if (s === "'unsafe-eval'" || s === "'unsafe-inline'") problems.push(`CSP ${name} allows ${s}`);
      else if (REMOTE.test(s) || s === '*' || s.includes('*.') || /^[\w-]+\.[\w.-]+/.test(s)) problems.push(`CSP ${name} allows the remote source ${s}`);
    }
  }
}

/** Code constructs that run text as code, or fetch code from elsewhere. */
const CODE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  [/(?<![\w$.])eval\s*\(/, 'eval('],
  [/\bnew\s+Function\s*\(/, 'new Function('],
  [/\bimport\s*\(\s*['"`](https?:)?\/\//, 'import() of a remote URL'],
  [/\bimportScripts\s*\(\s*['"`](https?:)?\/\//, 'importScripts() of a remote URL'],
  [/\bset(Timeout|Interval)\s*\(\s*['"`]/, 'setTimeout/setInterval with code in a string'],
];

function checkCode(files: PackageFiles, problems: string[], opts: CheckOptions): void {
  for (const name of files.names()) {
    if (opts.storePackage && name.endsWith('.map')) problems.push(`${name}: source maps do not belong in the store package`);
    if (/\.(m?js)$/.test(name)) {
      const text = files.read(name)!.toString('utf8');
      for (const [pattern, what] of CODE_PATTERNS) if (pattern.test(text)) problems.push(`${name}: ${what}`);
    } else if (name.endsWith('.html')) {
      const text = files.read(name)!.toString('utf8');
      for (const m of text.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
        const src = /\bsrc\s*=\s*["']?([^"'\s>]+)/i.exec(m[1]!)?.[1];
        if (src === undefined) {
          if (m[2]!.trim() !== '') problems.push(`${name}: inline <script> (the extension CSP refuses it)`);
        } else if (REMOTE.test(src)) problems.push(`${name}: <script src="${src}"> loads remote code`);
      }
    }
  }
}

/** Every problem the store would raise that can be seen offline; empty when the package is fine. */
export function checkChromePackage(files: PackageFiles, opts: CheckOptions = { storePackage: true }): string[] {
  const problems: string[] = [];
  const raw = files.read('manifest.json');
  if (!raw) return ['manifest.json is not at the root of the package'];
  let manifest: Json;
  try {
    manifest = JSON.parse(raw.toString('utf8')) as Json;
  } catch (e) {
    return [`manifest.json is not JSON: ${e instanceof Error ? e.message : String(e)}`];
  }
  checkManifest(files, manifest, problems, opts);
  checkIcons(files, manifest, problems);
  checkReferencedFiles(files, manifest, problems);
  checkCsp(manifest, problems);
  checkCode(files, problems, opts);
  return problems;
}

/**
 * The files of a zip archive (stored or deflated entries, as web-ext writes them), read through its
 * central directory.
 */
export function filesFromZip(zip: Buffer): PackageFiles {
  let eocd = -1;
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries = new Map<string, { method: number; size: number; offset: number }>();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = zip.readUInt16LE(at + 10);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    if (!name.endsWith('/')) entries.set(name, { method, size, offset });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return {
    names: () => [...entries.keys()],
    read(name) {
      const e = entries.get(name);
      if (!e) return undefined;
      const start = e.offset + 30 + zip.readUInt16LE(e.offset + 26) + zip.readUInt16LE(e.offset + 28);
      const data = zip.subarray(start, start + e.size);
      if (e.method === 0) return Buffer.from(data);
      if (e.method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported zip compression method ${e.method}`);
    },
  };
}
