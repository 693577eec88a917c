// What the benchmarks share: signing in through the real options page, and the peak memory of
// the Chromium extension process.
import { readFileSync, readdirSync } from 'node:fs';
import type { ChromiumExtension } from '../e2e/support/chromium.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../server/identity/demo/fixtures.ts';

/**
 * Starts a password sign-in to the demo account from the options page (it returns before the sync
 * is done) and returns the time (ms) just before the Sign in click: the form-filling before it is
 * the test driver's, not the extension's.
 */
export async function signIn(ext: ChromiumExtension, origin: string): Promise<number> {
  const options = await ext.openPage('src/options/options.html');
  await options.getByLabel('Sync server').fill(origin);
  await options.getByRole('link', { name: 'Sign in with password' }).click();
  await options.getByLabel('Email').fill(DEMO_EMAIL);
  await options.getByLabel('Password').fill(DEMO_PASSWORD);
  const button = options.getByRole('button', { name: 'Sign in' });
  await button.waitFor();
  const clickedAt = Date.now();
  await button.click();
  return clickedAt;
}

/**
 * Peak resident memory (VmHWM, MiB) of the Chromium extension process of this profile: the process
 * that runs the extension's service worker and pages. Linux only; null when it cannot be found.
 */
export function extensionProcessPeakMiB(profileDir: string): number | null {
  return extensionProcessMemory(profileDir, 'VmHWM');
}

/** Resident memory now (VmRSS, MiB) of the same process: its idle level, before the work starts. */
export function extensionProcessRssMiB(profileDir: string): number | null {
  return extensionProcessMemory(profileDir, 'VmRSS');
}

/** RssAnon, RssFile and RssShmem (MiB) of the same process, to tell heap growth from mapped files and shared buffers. */
export function extensionProcessRssParts(profileDir: string): string {
  return (['RssAnon', 'RssFile', 'RssShmem'] as const).map((f) => `${f} ${extensionProcessMemory(profileDir, f)}`).join(', ');
}

function extensionProcessMemory(profileDir: string, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile' | 'RssShmem'): number | null {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--extension-process') || !cmd.includes(profileDir)) continue;
      const kb = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (kb) return Math.round(Number(kb[1]) / 1024);
    } catch {
      // The process went away between listing and reading.
    }
  }
  return null;
}
