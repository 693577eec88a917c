// Launches Debian's Chromium headless with the built extension in a fresh profile.
import { chromium, type BrowserContext, type CDPSession, type Page, type Worker } from 'playwright-core';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_EXTENSION_ID, CHROMIUM_PATH, distDir } from './paths.ts';

export interface ChromiumExtension {
  context: BrowserContext;
  worker: Worker;
  extensionId: string;
  profileDir: string;
  /** Opens an extension page (e.g. "src/popup/popup.html") in a new tab. */
  openPage(relativePath: string): Promise<Page>;
  /** Stops the extension's service worker as Chromium does when it is idle, and waits until it is stopped. */
  stopServiceWorker(): Promise<void>;
  close(): Promise<void>;
}

export interface LaunchOptions {
  profileDir?: string;
  /**
   * Turns on the extension's "Allow in Incognito" (as a person does on chrome://extensions: developer
   * mode first, or Chromium disables the reloaded unpacked extension). Chromium reloads the extension
   * for it; the returned worker is the new one.
   */
  allowIncognito?: boolean;
  /**
   * The browser's language, e.g. "de" (default: Chromium's own, English here). On Linux headless
   * Chromium picks the extension's messages from --lang (LANGUAGE/LANG alone change nothing), while
   * chrome.i18n.getUILanguage and navigator.language in pages follow Playwright's locale; both are set.
   */
  language?: string;
  /** Another unpacked extension instead of the built one (benchmarks' floors). */
  extensionDir?: string;
}

export async function launchChromiumWithExtension(opts: LaunchOptions = {}): Promise<ChromiumExtension> {
  const dist = opts.extensionDir ?? distDir('chromium');
  const profileDir = opts.profileDir ?? (await mkdtemp(path.join(os.tmpdir(), 'sb-chromium-')));
  const ownsProfile = opts.profileDir === undefined;
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...(opts.language ? { locale: opts.language } : {}),
    args: [
      ...(opts.language ? [`--lang=${opts.language}`] : []),
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      // Profiling a benchmark, e.g. CHROMIUM_EXTRA_ARGS="--trace-startup=toplevel,IndexedDB
      // --trace-startup-format=json --trace-startup-file=/tmp/trace.json" (docs/benchmarks.md).
      ...(process.env['CHROMIUM_EXTRA_ARGS']?.split(' ').filter((a) => a !== '') ?? []),
      // Tests never leave the machine: every name but loopback fails to resolve, locally. (The web
      // sign-in redirects to the OAuth client's https URL; the extension reads it from the tab.)
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
  let worker = context.serviceWorkers().find((w) => opts.extensionDir !== undefined || w.url().includes(CHROMIUM_EXTENSION_ID));
  if (!worker) worker = await context.waitForEvent('serviceworker', { timeout: 30_000 });
  const extensionId = new URL(worker.url()).host;
  if (opts.allowIncognito) worker = await allowInIncognito(context, extensionId);
  let cdp: CDPSession | null = null;

  return {
    context,
    worker,
    extensionId,
    profileDir,
    async openPage(relativePath) {
      const page = await context.newPage();
      await page.goto(`chrome-extension://${extensionId}/${relativePath}`);
      return page;
    },
    async stopServiceWorker() {
      if (!cdp) {
        const page = context.pages()[0] ?? (await context.newPage());
        cdp = await context.newCDPSession(page);
        await cdp.send('ServiceWorker.enable');
      }
      const session = cdp;
      const stopped = new Promise<void>((resolve) => {
        const onUpdate = (e: { versions: Array<{ scriptURL: string; runningStatus: string }> }): void => {
          if (e.versions.some((v) => v.scriptURL.includes(extensionId) && v.runningStatus === 'stopped')) {
            session.off('ServiceWorker.workerVersionUpdated', onUpdate);
            resolve();
          }
        };
        session.on('ServiceWorker.workerVersionUpdated', onUpdate);
      });
      await session.send('ServiceWorker.stopAllWorkers');
      await stopped;
    },
    async close() {
      await context.close();
      if (ownsProfile) await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** "Allow in Incognito" through chrome://extensions' own API; waits for the reloaded extension's worker. */
async function allowInIncognito(context: BrowserContext, extensionId: string): Promise<Worker> {
  const page = await context.newPage();
  try {
    await page.goto('chrome://extensions/');
    const restarted = context.waitForEvent('serviceworker', { predicate: (w) => w.url().includes(extensionId), timeout: 30_000 });
    const access = await page.evaluate(async (id) => {
      const dp = (globalThis as unknown as { chrome: { developerPrivate: {
        updateProfileConfiguration(c: { inDeveloperMode: boolean }): Promise<void>;
        updateExtensionConfiguration(c: { extensionId: string; incognitoAccess: boolean }): Promise<void>;
        getExtensionInfo(id: string): Promise<{ incognitoAccess: { isActive: boolean } }>;
      } } }).chrome.developerPrivate;
      await dp.updateProfileConfiguration({ inDeveloperMode: true });
      await dp.updateExtensionConfiguration({ extensionId: id, incognitoAccess: true });
      return (await dp.getExtensionInfo(id)).incognitoAccess.isActive;
    }, extensionId);
    if (!access) throw new Error('Chromium did not allow the extension in incognito');
    const worker = await restarted;
    if (!(await worker.evaluate(() => chrome.extension.isAllowedIncognitoAccess()))) throw new Error('the reloaded extension is not allowed in incognito');
    return worker;
  } finally {
    await page.close();
  }
}
