// The browser's side of the toolbar badge (background/badge.ts): the action button, the
// notifications, opening the options page at a section, and the notification clicks, registered
// synchronously at start-up so a click wakes the worker.
import { browser } from '../browser/api.ts';
import type { BadgePorts, BadgeService } from './badge.ts';
import type { Place } from './badgeState.ts';

/** The options page's section ids (src/options/options.html). */
const SECTIONS: Readonly<Record<Place, string>> = { account: 'account-section', bookmarks: 'bookmarks-section' };

function optionsUrl(): string {
  const page = (browser.runtime.getManifest() as { options_ui?: { page?: string } }).options_ui?.page ?? 'src/options/options.html';
  return browser.runtime.getURL(page);
}

export function browserBadgePorts(): BadgePorts {
  return {
    action: {
      setBadgeText: (text) => browser.action.setBadgeText({ text }),
      setBadgeBackgroundColor: (color) => browser.action.setBadgeBackgroundColor({ color }),
      setTitle: (title) => browser.action.setTitle({ title }),
    },
    notifications: {
      async show(id, title, message) {
        await browser.notifications.create(id, { type: 'basic', iconUrl: browser.runtime.getURL('icons/icon-128.png'), title, message });
      },
      async clear(id) {
        await browser.notifications.clear(id);
      },
    },
    async openOptions(place) {
      const base = optionsUrl();
      const url = `${base}#${SECTIONS[place]}`;
      // An options page already open is shown at that section rather than opened twice.
      const open = (await browser.tabs.query({})).find((tab) => tab.url?.startsWith(base) && !tab.incognito);
      const tab = open?.id !== undefined
        ? await browser.tabs.update(open.id, { url, active: true })
        : await browser.tabs.create({ url, active: true });
      if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true }).catch(() => undefined);
    },
  };
}

/** Problem notification clicks; call once, synchronously, at start-up. */
export function listenForBadgeClicks(service: Promise<BadgeService>): void {
  void service.catch(() => undefined); // a failed start-up is logged by main.ts
  browser.notifications.onClicked.addListener((id) => {
    void service.then((s) => s.notificationClicked(id)).catch(() => undefined);
  });
}
