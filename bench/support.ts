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
  const kb = statusFields(profileDir)?.get(field);
  return kb === undefined ? null : Math.round(kb / 1024);
}

/** The extension process of each profile, once found (the sampler reads it twenty times a second). */
const extensionPid = new Map<string, string>();

/** The extension process's /proc status fields in kB (null when it cannot be found). */
function statusFields(profileDir: string): Map<string, number> | null {
  const read = (pid: string): Map<string, number> | null => {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--extension-process') || !cmd.includes(profileDir)) return null;
      const fields = new Map<string, number>();
      for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields.set(m[1] as string, Number(m[2]));
      return fields;
    } catch {
      return null; // the process went away between listing and reading
    }
  };
  const known = extensionPid.get(profileDir);
  const again = known === undefined ? null : read(known);
  if (again) return again;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const fields = read(pid);
    if (!fields) continue;
    extensionPid.set(profileDir, pid);
    return fields;
  }
  return null;
}

/**
 * Chromium's private memory footprint of the extension process, in MiB: RssAnon + VmSwap, what
 * its task manager's "Memory footprint" column and its Memory.Extension.PrivateMemoryFootprint
 * metric count on Linux (CalculatePrivateFootprintKb in services/resource_coordinator/
 * memory_instrumentation). Resident pages of files (Chromium's own code, mapped the first time a
 * path runs) are not in it; they are in VmRSS.
 */
export function extensionProcessFootprintMiB(profileDir: string): number | null {
  const f = statusFields(profileDir);
  const anon = f?.get('RssAnon');
  return anon === undefined ? null : Math.round((anon + (f?.get('VmSwap') ?? 0)) / 1024);
}

/** Samples the footprint every `everyMs` (there is no high-water mark for it) until `stop`, which returns the highest seen. */
export function footprintPeakSampler(profileDir: string, everyMs = 50): { stop(): number | null; peakAt(): number | null } {
  let peak: number | null = null;
  let peakAt: number | null = null;
  const sample = (): void => {
    const now = extensionProcessFootprintMiB(profileDir);
    if (now !== null && (peak === null || now > peak)) {
      peak = now;
      peakAt = Date.now();
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
    /** When the highest was seen (ms since the epoch). */
    peakAt: () => peakAt,
  };
}

/**
 * CPU seconds (user + system) each kind of Chromium process of this profile has used so far:
 * browser, extension (its worker and pages), renderer, network, storage, gpu, other. Wall time on
 * a shared two-core machine varies by a third between runs; CPU time tells which process does the
 * work and varies far less. Linux only.
 */
export function chromiumCpuSeconds(profileDir: string): Record<string, number> {
  const ticks = 100; // USER_HZ, 100 on Linux
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes(profileDir)) continue;
      const kind = cmd.includes('--extension-process') ? 'extension'
        : !cmd.includes('--type=') ? 'browser'
        : cmd.includes('--type=renderer') ? 'renderer'
        : cmd.includes('NetworkService') ? 'network'
        : cmd.includes('StorageService') ? 'storage'
        : cmd.includes('--type=gpu') ? 'gpu' : 'other';
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out[kind] = (out[kind] ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // The process went away between listing and reading.
    }
  }
  return out;
}

/** What each kind of process used between two readings, as "browser 2.1 s, extension 1.4 s, …" (the busy ones). */
export function cpuSpent(before: Record<string, number>, after: Record<string, number>): string {
  return Object.entries(after)
    .map(([k, v]) => [k, v - (before[k] ?? 0)] as const)
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ');
}
