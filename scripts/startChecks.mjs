// What `npm start` tells a person when it cannot show them Chromium: no display to draw on, or no
// Chromium to run. Plain functions of the environment (no I/O of their own), so
// scripts/startChecks.test.ts can check the advice for each case.
import path from 'node:path';

/** Chromium's usual places when CHROMIUM_PATH is not set, per platform. Branded Google Chrome no longer loads unpacked extensions from the command line, so it is not one of them. */
const CANDIDATES = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
  darwin: ['/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: [],
};

/**
 * The Chromium to launch: CHROMIUM_PATH when set (even if it does not exist: that is then the
 * problem to report), else the first usual place that exists.
 * @param {Record<string, string | undefined>} env
 * @param {string} platform process.platform
 * @param {(file: string) => boolean} exists
 * @returns {{ path: string, found: boolean, fromEnv: boolean, tried: string[] }}
 */
export function findChromium(env, platform, exists) {
  const configured = env['CHROMIUM_PATH'];
  if (configured) return { path: configured, found: exists(configured), fromEnv: true, tried: [configured] };
  const tried = CANDIDATES[/** @type {keyof typeof CANDIDATES} */ (platform)] ?? [];
  const hit = tried.find((p) => exists(p));
  return { path: hit ?? tried[0] ?? 'chromium', found: hit !== undefined, fromEnv: false, tried };
}

/**
 * Whether a browser window could be shown: on Linux only with an X11 or Wayland display (macOS
 * and Windows always have one).
 * @param {Record<string, string | undefined>} env
 * @param {string} platform
 */
export function hasDisplay(env, platform) {
  if (platform !== 'linux') return true;
  return Boolean(env['DISPLAY'] || env['WAYLAND_DISPLAY']);
}

/**
 * Loading the built extension into a Chrome or Chromium of one's own, pointed at the local server.
 * @param {string} root the repository
 * @param {string} origin the local Sync stack, e.g. http://127.0.0.1:8400
 */
export function loadByHandSteps(root, origin) {
  const port = new URL(origin).port;
  return [
    'To use it in your own Chrome, Chromium, Brave or Edge instead:',
    '  1. open chrome://extensions and turn on Developer mode (top right);',
    `  2. choose "Load unpacked" and pick ${path.join(root, 'dist/chromium')};`,
    `  3. open Syncbridge's settings, set Sync server to ${origin} and sign in with the demo account above.`,
    `  (From another computer, forward the port first: ssh -L ${port}:127.0.0.1:${port} <this machine>; the`,
    '   extension accepts plain http:// only for this machine\'s own addresses.)',
  ].join('\n');
}

/**
 * What to say when there is no display: Chromium runs headless, where nobody can see it.
 * @param {string} root
 * @param {string} origin
 */
export function noDisplayMessage(root, origin) {
  return [
    'No display found (neither DISPLAY nor WAYLAND_DISPLAY is set), so Chromium runs headless: the',
    'extension and the local Sync stack work, but there is no window to see.',
    'To see Chromium, run it in a virtual display and look at that display, e.g.:',
    '  sudo apt-get install xvfb x11vnc',
    '  xvfb-run -n 99 -s "-screen 0 1280x800x24" npm start   # and, in another terminal:',
    '  x11vnc -display :99 -localhost                         # then connect a VNC viewer (over ssh -L 5900:127.0.0.1:5900)',
    'or run `npm start` from a desktop session (or over `ssh -X`).',
    loadByHandSteps(root, origin),
  ].join('\n');
}

/**
 * What to say when there is no Chromium to run, instead of Playwright's stack trace.
 * @param {{ path: string, fromEnv: boolean, tried: string[] }} chromium what findChromium found
 * @param {string} platform
 * @param {string} root
 * @param {string} origin
 */
export function missingChromiumMessage(chromium, platform, root, origin) {
  const where = chromium.fromEnv
    ? `CHROMIUM_PATH is ${chromium.path}, but there is no such file.`
    : `Chromium is not installed (looked in ${chromium.tried.join(', ') || 'no usual place on this system'}).`;
  const install = {
    linux: '  Debian: sudo apt-get install chromium    Ubuntu: sudo snap install chromium    Fedora: sudo dnf install chromium',
    darwin: '  brew install --cask chromium',
  }[/** @type {'linux' | 'darwin'} */ (platform)] ?? '  Install Chromium from https://www.chromium.org/getting-involved/download-chromium/';
  return [
    where,
    'Install it:',
    install,
    'or point npm start at one you have: CHROMIUM_PATH=/path/to/chromium npm start',
    'The local Sync stack is running meanwhile.',
    loadByHandSteps(root, origin),
  ].join('\n');
}

/**
 * Playwright's launch error in one line (its messages carry a call log and a box of advice).
 * @param {unknown} error
 */
export function launchFailure(error) {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').find((line) => line.trim() !== '')?.replace(/^.*?launchPersistentContext:\s*/, '') ?? text;
}
