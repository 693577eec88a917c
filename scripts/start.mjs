// `npm start`: build the extension, start the local Sync stack with the demo account, and open
// Chromium with the extension loaded. Ctrl+C stops everything.
// Options: --port <n> (default 8400), --headless (default when there is no display).
// Without a display, or without Chromium, it says what to do instead (scripts/startChecks.mjs) and
// keeps the local Sync stack running for a browser of the person's own.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { findChromium, hasDisplay, launchFailure, loadByHandSteps, missingChromiumMessage, noDisplayMessage } from './startChecks.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] ?? '') || 8400;
const display = hasDisplay(process.env, process.platform);
const headless = args.includes('--headless') || !display;
const browserFound = findChromium(process.env, process.platform, existsSync);

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
try {
  await ready;
} catch (e) {
  // Its own error (e.g. the port in use) is already on stderr.
  console.error(`\n${e.message}. Is another \`npm start\` or server using port ${port}? Try: npm start -- --port ${port + 1}`);
  process.exit(1);
}
const origin = `http://127.0.0.1:${port}`;

/** Ctrl+C when there is no browser to close: only the server. */
function serveOnly(message) {
  console.log(`\n${message}\n\nPress Ctrl+C to stop the local Sync stack.`);
  const stopServer = () => {
    server.kill('SIGTERM');
    process.exit(0);
  };
  process.on('SIGINT', stopServer);
  process.on('SIGTERM', stopServer);
}

if (!browserFound.found) {
  serveOnly(missingChromiumMessage(browserFound, process.platform, root, origin));
} else {
  if (!display && !args.includes('--headless')) console.log(`\n${noDisplayMessage(root, origin)}\n`);
  await runChromium(browserFound.path);
}

async function runChromium(chromiumPath) {
  const dist = path.join(root, 'dist/chromium');
  let context;
  try {
    context = await chromium.launchPersistentContext(path.join(dataDir, 'chromium-profile'), {
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
  } catch (e) {
    // A Chromium that is there but will not run (missing libraries, a broken profile): one line, not a stack.
    serveOnly(`Chromium (${chromiumPath}) did not start: ${launchFailure(e)}\n${loadByHandSteps(root, origin)}`);
    return;
  }
  let [worker] = context.serviceWorkers();
  if (!worker) worker = await context.waitForEvent('serviceworker');
  const extensionId = new URL(worker.url()).host;
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`chrome-extension://${extensionId}/src/options/options.html`);
  // Point the extension at the local stack, as a person would by typing it into "Sync server".
  const reply = await page.evaluate(
    (accountsUrl) => chrome.runtime.sendMessage({ type: 'setServer', accountsUrl, tokenServerUrl: null }),
    origin,
  );
  if (!reply?.ok && !/Sign out before/.test(reply?.error ?? '')) console.warn(`Could not preconfigure the Sync server: ${reply?.error}`);
  await page.reload();

  const how = headless ? (display ? ' headless' : ' headless (no display found: see above for how to see it)') : '';
  console.log(`\nChromium is running with Syncbridge (${extensionId})${how}.`);
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
}
