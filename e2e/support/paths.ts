import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function distDir(target: 'chromium' | 'firefox'): string {
  const dir = path.join(repoRoot, 'dist', target);
  if (!existsSync(path.join(dir, 'manifest.json'))) {
    throw new Error(`${dir} is not built: run \`npm run build\` first`);
  }
  return dir;
}

export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env['FIREFOX_PATH'] ?? '/usr/bin/firefox-esr';
/** The gecko id in manifest.json. */
export const GECKO_ID = 'syncbridge@syncbridge.dev';
/** Fixed by the `key` in manifest.json. */
export const CHROMIUM_EXTENSION_ID = 'gepddcomddcdeifomghcbclpafdbnfcb';
