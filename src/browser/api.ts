// The one import of the WebExtension API. Chromium 156 and Firefox both expose a promise-based
// `browser` namespace; the polyfill passes it through and fills it in on older Chromium.
import { t } from '../i18n/i18n.ts';
import browser from 'webextension-polyfill';
import type { AlarmsPort } from '../accountSync/scheduler.ts';
import type { SessionArea } from '../account/pendingSignIn.ts';
import type { SignedInMarker, SignedInNote } from '../account/signedInMarker.ts';

export { browser };

/**
 * Memory-only extension storage (`storage.session`, Chromium 102+ and Firefox 115+; needs the
 * `storage` permission): it outlives a stopped service worker or event page but is never written
 * to disk and is gone when the browser or the extension stops. Holds a sign-in waiting for its code.
 */
export const sessionArea: SessionArea = {
  async get(key) {
    return (await browser.storage.session.get(key))[key];
  },
  async set(key, value) {
    await browser.storage.session.set({ [key]: value });
  },
  async remove(key) {
    await browser.storage.session.remove(key);
  },
};

/** The note that this browser is signed in, in extension storage rather than IndexedDB (see signedInMarker.ts). */
export const signedInMarker: SignedInMarker = {
  async read() {
    const v = (await browser.storage.local.get(MARKER_KEY))[MARKER_KEY] as Partial<SignedInNote> | undefined;
    return typeof v?.uid === 'string' && typeof v.email === 'string' ? { uid: v.uid, email: v.email } : null;
  },
  async write(note) {
    await browser.storage.local.set({ [MARKER_KEY]: note });
  },
  async clear() {
    await browser.storage.local.remove(MARKER_KEY);
  },
};
const MARKER_KEY = 'signedIn';

/** The alarm that forgets a password sign-in still waiting for its code once it has expired. */
export const PENDING_SIGN_IN_ALARM = 'forget-pending-sign-in';

export async function scheduleSignInExpiry(at: number | null): Promise<void> {
  if (at === null) await browser.alarms.clear(PENDING_SIGN_IN_ALARM);
  else await browser.alarms.create(PENDING_SIGN_IN_ALARM, { when: at });
}

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
  async clear(name) {
    await browser.alarms.clear(name);
  },
};

/** "<Browser> on <OS>", the default device name other Firefox devices will show. */
export async function describeThisBrowser(): Promise<string> {
  const ua = navigator.userAgent;
  const name = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Brave/.test(ua) ? 'Brave' : /Chrome\//.test(ua) ? 'Chromium' : 'Browser';
  const os = (await browser.runtime.getPlatformInfo()).os;
  const osName: Record<string, string> = { mac: 'macOS', win: 'Windows', linux: 'Linux', cros: 'ChromeOS', android: 'Android', openbsd: 'OpenBSD', fuchsia: 'Fuchsia' };
  return t('defaultDeviceName', name, osName[os] ?? os);
}

/** OS, application and version for our clients record, the way Firefox fills those fields. */
export async function platformInfo(): Promise<{ os: string; application: string; version: string }> {
  const os = (await browser.runtime.getPlatformInfo()).os;
  const osName: Record<string, string> = { mac: 'Darwin', win: 'WINNT', linux: 'Linux', cros: 'ChromeOS', android: 'Android', openbsd: 'OpenBSD' };
  return { os: osName[os] ?? os, application: 'Syncbridge', version: browser.runtime.getManifest().version };
}
