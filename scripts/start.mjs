// `npm start`: build the extension, start the local Sync stack with the demo account, and open
// Chromium with the extension loaded. Ctrl+C stops everything.
// Options: --port <n> (default 8400), --headless (default when there is no display).
import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? '') || 8400;
const headless = args.includes('--headless') || (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const built = spawnSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--no-zip'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const dataDir = path.join(root, '.syncbridge-data');
await mkdir(path.join(dataDir, 'server'), { recursive: true });

// The server prints its URLs and the demo credentials itself.
const server = spawn(
  process.execPath,
  // --data keeps accounts and synced data across restarts, like the browser profile beside it.
  [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'server/main.ts'), '--port', String(port), '--demo', '--data', path.join(dataDir, 'server')],
  { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
);
server.stdout.pipe(process.stdout);
const ready = new Promise((resolve, reject) => {
  server.once('exit', (code) => reject(new Error(`the local Sync server exited (code ${code})`)));
  server.stdout.on('data', (chunk) => {
    if (String(chunk).includes(`http://127.0.0.1:${port}`)) resolve(undefined);
  });
});
await ready;

const dist = path.join(root, 'dist/chromium');
const context = await chromium.launchPersistentContext(path.join(dataDir, 'chromium-profile'), {
  executablePath: chromiumPath,
  headless,
  viewport: null,
  args: [
    `--disable-extensions-except=${dist}`,
    `--load-extension=${dist}`,
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
  ],
});
let [worker] = context.serviceWorkers();
if (!worker) worker = await context.waitForEvent('serviceworker');
const extensionId = new URL(worker.url()).host;
const page = context.pages()[0] ?? (await context.newPage());
await page.goto(`chrome-extension://${extensionId}/src/options/options.html`);
// Point the extension at the local stack, as a person would by typing it into "Sync server".
const origin = `http://127.0.0.1:${port}`;
const reply = await page.evaluate(
  (accountsUrl) => chrome.runtime.sendMessage({ type: 'setServer', accountsUrl, tokenServerUrl: null }),
  origin,
);
if (!reply?.ok && !/Sign out before/.test(reply?.error ?? '')) console.warn(`Could not preconfigure the Sync server: ${reply?.error}`);
await page.reload();

console.log(`\nChromium is running with Syncbridge (${extensionId})${headless ? ' headless (no display found)' : ''}.`);
console.log(`Options page: chrome-extension://${extensionId}/src/options/options.html (Sync server set to ${origin})`);
console.log('Sign in there with the demo account printed above, then press Sync now in the popup.');
console.log('Press Ctrl+C to stop.');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await context.close().catch(() => undefined);
  server.kill('SIGTERM');
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
context.on('close', stop);
