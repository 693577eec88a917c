// Builds both unpacked extensions (dist/chromium, dist/firefox) and their store packages
// (artifacts/syncbridge-<version>-<browser>.zip). Usage: node scripts/build.mjs [--no-zip]
import { build } from 'vite';
import { mkdir, readFile, rm } from 'node:fs/promises';
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
    // web-ext build writes a plain zip of the folder (manifest at the root), which is what both
    // the Chrome Web Store and addons.mozilla.org accept; source maps stay out of store packages.
    const r = spawnSync(
      process.execPath,
      [path.join(root, 'node_modules/web-ext/bin/web-ext.js'), 'build', '--source-dir', `dist/${target}`,
        '--artifacts-dir', 'artifacts', '--filename', name, '--overwrite-dest', '--ignore-files', '**/*.map'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' },
    );
    if (r.status !== 0) {
      console.error(r.stdout);
      throw new Error(`packaging ${target} failed`);
    }
    console.log(`packaged artifacts/${name}`);
  }
}
