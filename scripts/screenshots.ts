// `npm run screenshots`: the store screenshots in docs/store/screenshots/, taken from the real UI.
// It builds the extension, starts the local Sync stack with the demo account, loads dist/chromium
// into Chromium, signs in through the settings page and syncs, then captures the popup, the tabs
// from other devices, the settings page and the History from other devices page at the stores'
// 1280×800. In English, and in German too once the pages are translated (data-i18n markup and a
// German message for every English one).
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startServer } from '../server/start.ts';
import { DEMO_CLIENT_NAME, DEMO_EMAIL, DEMO_PASSWORD } from '../server/identity/demo/fixtures.ts';
import { CHROMIUM_PATH, distDir, repoRoot } from '../e2e/support/paths.ts';

const OUT = path.join(repoRoot, 'docs/store/screenshots');
const SIZE = { width: 1280, height: 800 };

/** Captions drawn above the popup shots: store artwork, not text of the extension itself. */
const CAPTIONS = {
  en: { popup: 'Your Firefox Sync account, in any browser', tabs: 'Open tabs from your other devices' },
  de: { popup: 'Ihr Firefox-Sync-Konto, in jedem Browser', tabs: 'Offene Tabs Ihrer anderen Geräte' },
} as const;
type Lang = keyof typeof CAPTIONS;

async function json(file: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** German shots only when they would show German: translated markup and every message in German. */
async function languages(dist: string): Promise<Lang[]> {
  const en = await json(path.join(dist, '_locales/en/messages.json'));
  const de = await json(path.join(dist, '_locales/de/messages.json'));
  const popup = await readFile(path.join(dist, 'src/popup/popup.html'), 'utf8');
  const translated = en !== null && de !== null && popup.includes('data-i18n') && Object.keys(en).every((k) => k in de);
  return translated ? ['en', 'de'] : ['en'];
}

async function launch(dist: string, lang: Lang): Promise<{ context: BrowserContext; extensionId: string; profile: string }> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'sb-shots-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    locale: lang,
    // chrome.i18n follows the browser's UI language, which on Linux comes from LANGUAGE.
    env: { ...process.env, LANGUAGE: lang, LANG: lang === 'de' ? 'de_DE.UTF-8' : 'en_US.UTF-8' },
    viewport: SIZE,
    args: [
      `--disable-extensions-except=${dist}`,
      `--load-extension=${dist}`,
      `--lang=${lang}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--hide-scrollbars',
      // Nothing leaves the machine: the demo tabs' favicons fail to load and show the placeholder.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 30_000 }));
  return { context, extensionId: new URL(worker.url()).host, profile };
}

async function signInAndSync(context: BrowserContext, base: string, origin: string): Promise<void> {
  const options = await context.newPage();
  await options.goto(`${base}/src/options/options.html`);
  await options.locator('#signed-out').waitFor();
  await options.locator('#server-url').fill(origin);
  await options.locator('#show-password').click();
  await options.locator('#email').fill(DEMO_EMAIL);
  await options.locator('#password').fill(DEMO_PASSWORD);
  await options.locator('#password-submit').click();
  await options.locator('#signed-in').waitFor({ timeout: 30_000 });
  // Signing in starts the first sync; wait until it has brought the other device in.
  const popup = await context.newPage();
  await popup.goto(`${base}/src/popup/popup.html`);
  await popup.locator('#devices', { hasText: DEMO_CLIENT_NAME }).waitFor({ timeout: 60_000 });
  await popup.waitForFunction(() => !(document.getElementById('sync-now') as HTMLButtonElement).disabled, null, { timeout: 60_000 });
  await popup.close();
  await options.close();
}

/** The popup as the browser shows it (its own 320px width), sharp at twice the pixels. */
async function popupImage(context: BrowserContext, base: string, prepare?: (p: Page) => Promise<void>): Promise<Buffer> {
  const page = await context.newPage();
  await page.setViewportSize({ width: 320, height: 800 });
  await page.goto(`${base}/src/popup/popup.html`);
  await page.locator('#tabs-section:not([hidden]) .tabs-list li').first().waitFor({ timeout: 30_000 });
  await page.locator('#devices-section:not([hidden])').waitFor();
  await prepare?.(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setDeviceMetricsOverride', { width: 320, height: 800, deviceScaleFactor: 2, mobile: false });
  const shot = await page.locator('body').screenshot({ animations: 'disabled' });
  await page.close();
  return shot;
}

/** A 1280×800 store image: a caption and the popup, on the page colours of the extension. */
async function compose(context: BrowserContext, caption: string, image: Buffer): Promise<Buffer> {
  const page = await context.newPage();
  const src = `data:image/png;base64,${image.toString('base64')}`;
  await page.setContent(`<!doctype html><html><head><style>
    html, body { margin: 0; width: ${SIZE.width}px; height: ${SIZE.height}px; }
    body { display: grid; grid-template-columns: 1fr auto; align-items: center; gap: 64px; padding: 0 96px; box-sizing: border-box;
      background: linear-gradient(135deg, #fff7ed, #ffedd5); font: 600 40px/1.25 system-ui, sans-serif; color: #111827; }
    img { width: 320px; max-height: 720px; object-fit: cover; object-position: top; border-radius: 10px; box-shadow: 0 12px 40px rgb(0 0 0 / .22); background: #fff; }
  </style></head><body><p>${caption}</p><img src="${src}" alt=""></body></html>`);
  await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
  const shot = await page.screenshot();
  await page.close();
  return shot;
}

async function pageShot(context: BrowserContext, url: string, prepare: (p: Page) => Promise<void>): Promise<Buffer> {
  const page = await context.newPage();
  await page.setViewportSize(SIZE);
  await page.goto(url);
  await prepare(page);
  const shot = await page.screenshot({ animations: 'disabled' });
  await page.close();
  return shot;
}

async function shoot(lang: Lang, dist: string, origin: string): Promise<string[]> {
  const { context, extensionId, profile } = await launch(dist, lang);
  const base = `chrome-extension://${extensionId}`;
  const written: string[] = [];
  const save = async (name: string, png: Buffer): Promise<void> => {
    const file = path.join(OUT, lang, name);
    await writeFile(file, png);
    written.push(path.relative(repoRoot, file));
  };
  try {
    await mkdir(path.join(OUT, lang), { recursive: true });
    await signInAndSync(context, base, origin);
    // Opened as a tab, the popup's own page is the "current tab", which cannot be sent: leave that row out.
    await save('1-popup.png', await compose(context, CAPTIONS[lang].popup, await popupImage(context, base, async (p) => {
      await p.addStyleTag({ content: '#send-section { display: none !important; }' });
    })));
    // The tabs list given the room: the popup scrolled to it, the rest of the popup above it out of view.
    await save('2-tabs.png', await compose(context, CAPTIONS[lang].tabs, await popupImage(context, base, async (p) => {
      await p.addStyleTag({ content: '#tabs-section { --tabs-max-height: 640px; } #devices-section, #engines, #send-section, #open-history, .actions { display: none !important; }' });
    })));
    await save('3-settings.png', await pageShot(context, `${base}/src/options/options.html`, async (p) => {
      await p.locator('#signed-in:not([hidden])').waitFor();
      await p.locator('#log').evaluate((t: HTMLTextAreaElement) => { t.scrollTop = t.scrollHeight; });
    }));
    await save('4-history.png', await pageShot(context, `${base}/src/history/history.html`, async (p) => {
      await p.locator('#results li').first().waitFor({ timeout: 30_000 });
      await p.locator('#tabs-section:not([hidden]) .tabs-list li').first().waitFor({ timeout: 30_000 });
    }));
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
  return written;
}

async function main(): Promise<void> {
  if (!process.argv.includes('--no-build')) {
    const built = spawnSync(process.execPath, [path.join(repoRoot, 'scripts/build.mjs'), '--no-zip'], { cwd: repoRoot, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('the build failed');
  }
  const dist = distDir('chromium');
  // --languages en,de overrides the detection (e.g. to try the German run before the translation is done).
  const asked = process.argv[process.argv.indexOf('--languages') + 1];
  const langs = process.argv.includes('--languages') && asked ? asked.split(',').filter((l): l is Lang => l in CAPTIONS) : await languages(dist);
  const written: string[] = [];
  for (const lang of langs) {
    // A fresh stack per language: each run is one new device joining the demo account.
    const server = await startServer({ port: 0, host: '127.0.0.1', demo: true });
    try {
      written.push(...(await shoot(lang, dist, server.origin)));
    } finally {
      await server.close();
    }
  }
  console.log(`Screenshots (${SIZE.width}×${SIZE.height}):\n${written.map((f) => `  ${f}`).join('\n')}`);
  if (!langs.includes('de')) console.log('German: skipped, the pages are not translated yet (no data-i18n markup or missing German messages).');
}

await main();
