// The one import of the WebExtension API. Chromium 156 and Firefox both expose a promise-based
// `browser` namespace; the polyfill passes it through and fills it in on older Chromium.
import browser from 'webextension-polyfill';
import type { AlarmsPort } from '../accountSync/scheduler.ts';

export { browser };

export const alarmsPort: AlarmsPort = {
  async get(name) {
    const a = await browser.alarms.get(name);
    if (!a) return undefined;
    return a.periodInMinutes === undefined
      ? { scheduledTime: a.scheduledTime }
      : { scheduledTime: a.scheduledTime, periodInMinutes: a.periodInMinutes };
  },
  async create(name, info) {
    await browser.alarms.create(name, info);
  },
};

/** "<Browser> on <OS>", the default device name other Firefox devices will show. */
export async function describeThisBrowser(): Promise<string> {
  const ua = navigator.userAgent;
  const name = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Brave/.test(ua) ? 'Brave' : /Chrome\//.test(ua) ? 'Chromium' : 'Browser';
  const os = (await browser.runtime.getPlatformInfo()).os;
  const osName: Record<string, string> = { mac: 'macOS', win: 'Windows', linux: 'Linux', cros: 'ChromeOS', android: 'Android', openbsd: 'OpenBSD', fuchsia: 'Fuchsia' };
  return `${name} on ${osName[os] ?? os}`;
}

/** OS, application and version for our clients record, the way Firefox fills those fields. */
export async function platformInfo(): Promise<{ os: string; application: string; version: string }> {
  const os = (await browser.runtime.getPlatformInfo()).os;
  const osName: Record<string, string> = { mac: 'Darwin', win: 'WINNT', linux: 'Linux', cros: 'ChromeOS', android: 'Android', openbsd: 'OpenBSD' };
  return { os: osName[os] ?? os, application: 'Syncbridge', version: browser.runtime.getManifest().version };
}
