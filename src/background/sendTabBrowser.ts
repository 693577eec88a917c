// The browser's side of Send Tab (background/sendTab.ts): tabs, notifications, the "Send to
// device" context menu and the poll alarm through the WebExtension API, and the events that drive
// it, registered synchronously at start-up so they wake the worker.
import type { Menus, Tabs } from 'webextension-polyfill';
import { browser } from '../browser/api.ts';
import { DEVICE_COMMANDS_ALARM, MENU_ROOT_ID, type MenuItemSpec, type SendTabPorts, type SendTabService } from './sendTab.ts';

/** The menu shows on web pages only, over the page or a link. */
const MENU_CONTEXTS: Menus.ContextType[] = ['page', 'link'];
const WEB_PAGES = ['http://*/*', 'https://*/*'];

/** A normal, non-private window to open a received tab in: the last focused one if it is. */
async function windowForNewTab(): Promise<number | null> {
  const focused = await browser.windows.getLastFocused().catch(() => null);
  if (focused?.id !== undefined && !focused.incognito && focused.type === 'normal') return focused.id;
  const all = await browser.windows.getAll({ windowTypes: ['normal'] }).catch(() => []);
  return all.find((w) => !w.incognito && w.id !== undefined)?.id ?? null;
}

function createMenuItem(item: MenuItemSpec): Promise<void> {
  return new Promise((resolve) => {
    const props: Menus.CreateCreatePropertiesType = { id: item.id, title: item.title, contexts: MENU_CONTEXTS, documentUrlPatterns: WEB_PAGES };
    if (item.parentId !== undefined) props.parentId = item.parentId;
    if (item.enabled !== undefined) props.enabled = item.enabled;
    browser.contextMenus.create(props, () => {
      // A duplicate id after a worker restart is harmless; reading lastError keeps Chromium quiet.
      void browser.runtime.lastError;
      resolve();
    });
  });
}

export function browserSendTabPorts(): SendTabPorts {
  return {
    tabs: {
      async open(url) {
        const windowId = await windowForNewTab();
        if (windowId === null) {
          const w = await browser.windows.create({ url, focused: false });
          return w.tabs?.[0]?.id ?? null;
        }
        return (await browser.tabs.create({ url, windowId, active: false })).id ?? null;
      },
      async openTabs() {
        const tabs: Tabs.Tab[] = await browser.tabs.query({ windowType: 'normal' });
        return tabs.flatMap((t) => (t.id !== undefined && t.url && !t.incognito ? [{ id: t.id, url: t.url }] : []));
      },
      async close(ids) {
        await browser.tabs.remove(ids);
      },
      async focus(tabId) {
        const tab = await browser.tabs.update(tabId, { active: true });
        if (tab.windowId !== undefined) await browser.windows.update(tab.windowId, { focused: true });
      },
    },
    notifications: {
      async show(id, title, message) {
        await browser.notifications.create(id, { type: 'basic', iconUrl: browser.runtime.getURL('icons/icon-128.png'), title, message });
      },
      async clear(id) {
        await browser.notifications.clear(id);
      },
    },
    menus: {
      async set(items) {
        // Removing the root removes its submenu too.
        await browser.contextMenus.remove(MENU_ROOT_ID).catch(() => undefined);
        for (const item of items ?? []) await createMenuItem(item);
      },
    },
    alarms: {
      async ensure(name, periodInMinutes) {
        const existing = await browser.alarms.get(name);
        if (existing?.periodInMinutes === periodInMinutes) return;
        await browser.alarms.create(name, { periodInMinutes, delayInMinutes: periodInMinutes });
      },
      async clear(name) {
        await browser.alarms.clear(name);
      },
    },
  };
}

/** The events that drive Send Tab; call once, synchronously, at start-up. */
export function listenForSendTab(service: Promise<SendTabService>): void {
  void service.catch(() => undefined); // a failed start-up is logged by main.ts
  const withService = (fn: (s: SendTabService) => Promise<unknown>): void => {
    void service.then(fn).catch(() => undefined);
  };
  browser.notifications.onClicked.addListener((id) => withService((s) => s.notificationClicked(id)));
  browser.contextMenus.onClicked.addListener((info, tab) => withService((s) => s.menuClicked(info, tab)));
  // Firefox tells us when a menu opens (Chromium has no such event): the device list is refreshed then.
  const onShown = (browser.contextMenus as Partial<Pick<typeof browser.contextMenus, 'onShown'>>).onShown;
  onShown?.addListener(() => withService(async (s) => {
    if (await s.refreshMenu()) await browser.contextMenus.refresh();
  }));
  browser.windows.onFocusChanged.addListener((windowId) => {
    if (windowId !== browser.windows.WINDOW_ID_NONE) withService((s) => s.poll('focus'));
  });
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === DEVICE_COMMANDS_ALARM) withService((s) => s.poll('alarm'));
  });
  browser.runtime.onStartup.addListener(() => withService((s) => s.browserStarted()));
  // Installed or updated: the browser may have dropped our menu.
  browser.runtime.onInstalled.addListener(() => withService((s) => s.refreshMenu()));
}
