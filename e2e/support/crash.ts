// A Chromium profile that can crash: the real browser process is SIGKILLed (no shutdown, no last
// save of the bookmark file, exactly as a power cut or the OOM killer would leave it), then the
// browser starts again on the same profile. The helper owns the temporary profile and removes it.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { launchChromiumWithExtension, type ChromiumExtension } from './chromium.ts';

const run = promisify(execFile);

/** The browser (main) process of a profile: `--user-data-dir=<profileDir>` and no `--type=` on its command line. */
export async function mainChromiumPid(profileDir: string): Promise<number> {
  const { stdout } = await run('ps', ['-ww', '-eo', 'pid=,args='], { maxBuffer: 16 * 1024 * 1024 });
  const found: Array<{ pid: number; args: string[] }> = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const args = m[2]!.split(/\s+/);
    if (!args.includes(`--user-data-dir=${profileDir}`)) continue;
    if (args.some((a) => a.startsWith('--type='))) continue;
    // A wrapper script that did not exec (sh /usr/bin/chromium …) is not the browser.
    if (/(^|\/)(ba|da)?sh$/.test(args[0]!)) continue;
    found.push({ pid: Number(m[1]), args });
  }
  if (found.length !== 1) {
    throw new Error(`expected one Chromium browser process for ${profileDir}, found ${found.length}: ${found.map((f) => f.pid).join(', ')}`);
  }
  return found[0]!.pid;
}

export interface CrashableChromium {
  profileDir: string;
  /** The browser running now (replaced by relaunch()). */
  readonly ext: ChromiumExtension;
  /** SIGKILLs the browser process and waits until Playwright has seen it go. Returns when it was killed (ms). */
  kill(): Promise<number>;
  /** Starts Chromium again on the same profile, with the extension. */
  relaunch(): Promise<ChromiumExtension>;
  /** Closes the browser if it runs and removes the profile. */
  close(): Promise<void>;
}

export async function launchCrashableChromium(): Promise<CrashableChromium> {
  const profileDir = await mkdtemp(path.join(os.tmpdir(), 'sb-crash-'));
  let ext: ChromiumExtension | null = null;
  let alive = false;
  const start = async (): Promise<ChromiumExtension> => {
    const launched = await launchChromiumWithExtension({ profileDir });
    ext = launched;
    alive = true;
    launched.context.once('close', () => {
      if (ext === launched) alive = false;
    });
    return launched;
  };
  try {
    await start();
  } catch (e) {
    await rm(profileDir, { recursive: true, force: true });
    throw e;
  }
  return {
    profileDir,
    get ext() {
      if (!ext) throw new Error('no browser running');
      return ext;
    },
    async kill() {
      const current = ext;
      if (!current || !alive) throw new Error('the browser is not running');
      const pid = await mainChromiumPid(profileDir);
      const closed = new Promise<void>((resolve) => current.context.once('close', () => resolve()));
      process.kill(pid, 'SIGKILL');
      const at = Date.now();
      await closed;
      alive = false;
      return at;
    },
    async relaunch() {
      if (alive) throw new Error('the browser still runs: kill() it first');
      return start();
    },
    async close() {
      try {
        if (ext && alive) await ext.context.close();
      } finally {
        alive = false;
        ext = null;
        await rm(profileDir, { recursive: true, force: true });
      }
    },
  };
}

/** A bookmark as Chromium saved it to disk (the profile's `Default/Bookmarks` JSON). */
export interface SavedBookmark {
  title: string;
  url: string;
  /** Titles of the folders above it, from the root Chromium shows (e.g. ["Bookmarks bar", "News"]). */
  path: string[];
}

/** The bookmarks in the profile's bookmark file as it is on disk now (empty if Chromium has not saved one yet). */
export async function savedBookmarks(profileDir: string): Promise<SavedBookmark[]> {
  let text: string;
  try {
    text = await readFile(path.join(profileDir, 'Default', 'Bookmarks'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  interface FileNode { type: 'url' | 'folder'; name: string; url?: string; children?: FileNode[] }
  const file = JSON.parse(text) as { roots: Record<string, FileNode | unknown> };
  const out: SavedBookmark[] = [];
  const walk = (n: FileNode, above: string[]): void => {
    if (n.type === 'url') out.push({ title: n.name, url: n.url ?? '', path: above });
    for (const c of n.children ?? []) walk(c, [...above, n.name]);
  };
  for (const root of Object.values(file.roots)) {
    if (root && typeof root === 'object' && 'type' in root) walk(root as FileNode, []);
  }
  return out;
}
