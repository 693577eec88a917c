// What the extension shows as notifications, for e2e tests: chrome.notifications cannot read a
// notification's title or message back, so the worker's `create` is wrapped to record them.
import type { ChromiumExtension } from './chromium.ts';

export interface ShownNotification { id: string; title: string; message: string }

/** Records every notification the extension shows from now on, passing each call on to Chromium (until the worker restarts). */
export async function recordNotifications(ext: ChromiumExtension): Promise<void> {
  await ext.worker.evaluate(() => {
    const g = globalThis as unknown as { __shown?: unknown[]; chrome: typeof chrome; browser?: { notifications?: unknown } };
    if (g.__shown) return;
    const shown: unknown[] = (g.__shown = []);
    const spaces = new Set([g.chrome.notifications, g.browser?.notifications].filter(Boolean)) as Set<{ create: (...a: unknown[]) => unknown }>;
    for (const ns of spaces) {
      const create = ns.create.bind(ns);
      ns.create = (...args: unknown[]) => {
        const [id, options] = typeof args[0] === 'string' ? args : [undefined, args[0]];
        const o = options as { title?: string; message?: string };
        shown.push({ id, title: o.title, message: o.message });
        return create(...args);
      };
    }
  });
}

/** The notifications recorded since recordNotifications(), and the ids Chromium shows now. */
export async function shownNotifications(ext: ChromiumExtension): Promise<{ recorded: ShownNotification[]; live: string[] }> {
  const seen = await ext.worker.evaluate(async () => ({
    recorded: (globalThis as unknown as { __shown?: Array<{ id: string; title: string; message: string }> }).__shown ?? null,
    live: Object.keys(await chrome.notifications.getAll()),
  }));
  if (seen.recorded === null) throw new Error('the service worker restarted since recordNotifications(): nothing was recorded');
  return { recorded: seen.recorded, live: seen.live };
}
