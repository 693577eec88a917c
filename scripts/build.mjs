// Builds both unpacked extensions (dist/chromium, dist/firefox) and their store packages
// (artifacts/syncbridge-<version>-<browser>.zip). Usage: node scripts/build.mjs [--no-zip]
import { build } from 'vite';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const zip = !process.argv.includes('--no-zip');
const targets = ['chromium', 'firefox'];

for (const target of targets) {
  await build({ root, mode: target, configFile: path.join(root, 'vite.config.ts') });
  console.log(`built dist/${target}`);
}

if (zip) {
  const { version } = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
  const outDir = path.join(root, 'artifacts');
  await mkdir(outDir, { recursive: true });
  for (const target of targets) {
    const name = `syncbridge-${version}-${target}.zip`;
    await rm(path.join(outDir, name), { force: true });
    const sourceDir = target === 'chromium' ? await chromiumStoreCopy() : path.join(root, `dist/${target}`);
    // web-ext build writes a plain zip of the folder (manifest at the root), which is what both
    // the Chrome Web Store and addons.mozilla.org accept; source maps stay out of store packages.
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/web-ext/bin/web-ext.js'), 'build', '--source-dir', sourceDir,
        '--artifacts-dir', 'artifacts', '--filename', name, '--overwrite-dest', '--ignore-files', '**/*.map'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    if (target === 'chromium') await rm(sourceDir, { recursive: true, force: true });
    if (r.status !== 0) {
      console.error(r.stdout);
      throw new Error(`packaging ${target} failed`);
    }
    console.log(`packaged artifacts/${name}`);
  }
}

/**
 * dist/chromium without the manifest's `key`, in a temporary folder: the key pins the extension id
 * for loading the folder by hand and for the tests, but the Chrome Web Store refuses an upload that
 * has one ("key field is not allowed in manifest") and assigns the id itself.
 */
async function chromiumStoreCopy() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'syncbridge-store-'));
  await cp(path.join(root, 'dist/chromium'), dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  delete manifest.key;
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}
