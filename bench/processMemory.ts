// Peak memory of the Chromium extension process, for the benchmarks.
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Peak resident memory (VmHWM, MiB) of the Chromium extension process of this profile: the process
 * that runs the extension's service worker and pages. Linux only; null when it cannot be found.
 */
export function extensionProcessPeakMiB(profileDir: string): number | null {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--extension-process') || !cmd.includes(profileDir)) continue;
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) return Math.round(Number(hwm[1]) / 1024);
    } catch {
      // The process went away between listing and reading.
    }
  }
  return null;
}
