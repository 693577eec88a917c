// Send Tab in the background: the pages' "Send this tab to…" (targets, send), the "Send to device"
// context menu on pages and links, and tabs other devices send here — polled after every sync, at
// browser start, when a window gains focus (at most every 30 s) and on a one-minute alarm while
// signed in; opened in a new tab with a notification that shows the tab when clicked; close-tabs
// requests close the matching tabs. The protocol work is in account/ (sendTab.ts,
// deviceCommands.ts, commandKeys.ts); this module joins it to the browser through ports, so Node
// tests drive it with fakes (the browser's side: browser/sendTab.ts).
import type { StoredAccount } from '../account/credentials.ts';
import { CLOSE_URI_COMMAND, OPEN_URI_COMMAND, type CommandKeyStore } from '../account/commandKeys.ts';
import { CommandReceiver, type CommandIndexStore, type PollResult, type ReceivedTabsPort } from '../account/deviceCommands.ts';
import type { RemoteDevice } from '../account/devices.ts';
import { isSendableUrl, sendTab, sendTargetsOf, SendTabError } from '../account/sendTab.ts';
import type { FetchLike } from '../account/http.ts';
import { t } from '../i18n/i18n.ts';
import type { Logger } from '../log/logger.ts';
import type { SendTargetView } from '../shared/sendTab.ts';

export const DEVICE_COMMANDS_ALARM = 'syncbridge-device-commands';
export const MENU_ROOT_ID = 'syncbridge-send-to-device';
const MENU_DEVICE_PREFIX = 'syncbridge-send-to:';
const MENU_NONE_ID = 'syncbridge-send-to-none';
const RECEIVED_PREFIX = 'syncbridge-tab-received:';
const SENT_PREFIX = 'syncbridge-tab-sent:';
/** Focus changes come in bursts; a poll on focus at most this often. */
export const FOCUS_POLL_INTERVAL_MS = 30_000;

export interface MenuItemSpec {
  id: string;
  title: string;
  parentId?: string;
  enabled?: boolean;
}

export interface SendTabPorts {
  tabs: ReceivedTabsPort & {
    /** Shows the tab: selects it and focuses its window. */
    focus(tabId: number): Promise<void>;
  };
  notifications: {
    show(id: string, title: string, message: string): Promise<void>;
    clear(id: string): Promise<void>;
  };
  /** Replaces our context menu with these items (the first is the root); null removes it. */
  menus: { set(items: MenuItemSpec[] | null): Promise<void> };
  alarms: { ensure(name: string, periodInMinutes: number): Promise<void>; clear(name: string): Promise<void> };
}

export interface SendTabDeps {
  accounts: { account(): Promise<StoredAccount | null> } & CommandKeyStore & CommandIndexStore;
  /** The account's device list, cached (background/accountDevices.ts). */
  devices: { list(): Promise<RemoteDevice[] | null>; invalidate(): void; subscribe?(listener: (devices: RemoteDevice[]) => void): void };
  ports: SendTabPorts;
  log: Logger;
  fetch?: FetchLike;
  now?: () => number;
}

/** A context menu click, as both browsers report it. */
export interface MenuClick {
  menuItemId: string | number;
  linkUrl?: string;
  linkText?: string;
}

export type PollTrigger = 'sync' | 'alarm' | 'startup' | 'focus';

export class SendTabService {
  readonly receiver: CommandReceiver;
  private lastFocusPoll = -Infinity;
  private menuSignature: string | null = null;
  private notificationCount = 0;
  private menuChain: Promise<void> = Promise.resolve();

  constructor(private readonly d: SendTabDeps) {
    const { ports } = d;
    this.receiver = new CommandReceiver({
      account: () => d.accounts.account(),
      keys: d.accounts,
      index: d.accounts,
      tabs: ports.tabs,
      notify: async (n) => {
        // The tab id rides in the notification id, so a click finds it even in a restarted worker.
        await ports.notifications.show(`${RECEIVED_PREFIX}${n.tabId ?? 'none'}:${++this.notificationCount}`, n.title, n.message);
      },
      deviceName: async (id) => (await d.devices.list())?.find((dv) => dv.id === id)?.name ?? null,
      log: d.log,
      ...(d.fetch ? { fetch: d.fetch } : {}),
    });
    d.devices.subscribe?.((devices) => void this.devicesChanged(devices));
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  /**
   * Wiring done (every worker start, e.g. each alarm): the alarm while signed in. Nothing reaches
   * the network here; the menu, which the browser keeps across worker restarts, is rebuilt at
   * browser start, on install, after syncs and when the device list changes.
   */
  async start(): Promise<void> {
    if (await this.d.accounts.account()) await this.d.ports.alarms.ensure(DEVICE_COMMANDS_ALARM, 1);
  }

  /** The browser started: the menu for the devices as they are now, and what was sent meanwhile. */
  async browserStarted(): Promise<void> {
    await this.refreshMenu();
    await this.poll('startup');
  }

  /** The devices a tab can be sent to: the account's other devices that publish open-uri. */
  /**
   * The devices a tab can be sent to. `fresh` (the person opened the list): asked of the server
   * now, so a device that joined a moment ago is there; the menu, rebuilt after every sync, uses
   * the device list's minute of caching.
   */
  async targets(opts: { fresh?: boolean } = {}): Promise<SendTargetView[]> {
    if (!(await this.d.accounts.account())) return [];
    if (opts.fresh) this.d.devices.invalidate();
    const devices = await this.d.devices.list();
    if (devices === null) throw new SendTabError('network', t('sendErrorListNetwork'));
    return sendTargetsOf(devices);
  }

  /** Sends a tab; errors carry words for the person (SendTabError, AccountError). */
  async send(req: { deviceId: string; url: string; title: string }): Promise<{ sent: true; deviceName: string }> {
    const account = await this.d.accounts.account();
    if (!account) throw new SendTabError('gone', t('sendErrorSignedOut'));
    if (!isSendableUrl(req.url)) throw new SendTabError('bad-url', t('sendErrorBadUrl'));
    // The freshest list: the bundle and the kid are checked against what the target publishes now.
    this.d.devices.invalidate();
    const devices = await this.d.devices.list();
    if (devices === null) throw new SendTabError('network', t('sendErrorNetwork'));
    const { device } = await sendTab({ account, deviceId: req.deviceId, url: req.url, title: req.title, devices, ...(this.d.fetch ? { fetch: this.d.fetch } : {}) });
    this.d.log.info('Sent a tab to another device', { deviceType: device.type });
    return { sent: true, deviceName: device.name };
  }

  /** Polls for commands sent here; failures are logged (the next trigger tries again). */
  async poll(trigger: PollTrigger): Promise<PollResult | null> {
    if (trigger === 'focus') {
      if (this.now() - this.lastFocusPoll < FOCUS_POLL_INTERVAL_MS) return null;
      this.lastFocusPoll = this.now();
    }
    try {
      const result = await this.receiver.poll();
      if (result.opened + result.closed + result.ignored > 0) this.d.log.info('Handled commands from other devices', { trigger, ...result });
      return result;
    } catch (e) {
      this.d.log.warn('Could not check for tabs sent from other devices', { trigger, error: e instanceof Error ? e.message : String(e) });
      return null;
    }
  }

  /** After a successful sync: commands, the alarm, and the menu (devices may have come or gone). */
  async afterSync(): Promise<void> {
    await this.d.ports.alarms.ensure(DEVICE_COMMANDS_ALARM, 1);
    await this.poll('sync');
    // The device list's own minute of caching is enough: a sync every few seconds (tab changes)
    // must not mean a device-list request every few seconds.
    await this.refreshMenu();
  }

  /**
   * Signed in: the poll alarm and the menu at once, whatever the first sync's outcome (a sync
   * waiting for the person's answer about bookmarks still registered the device and its keys).
   */
  async signedIn(): Promise<void> {
    await this.d.ports.alarms.ensure(DEVICE_COMMANDS_ALARM, 1);
    this.d.devices.invalidate();
    await this.refreshMenu();
  }

  /** Sign-out (keys and index are forgotten by the account store): no alarm, no menu. */
  async signedOut(): Promise<void> {
    await this.d.ports.alarms.clear(DEVICE_COMMANDS_ALARM);
    this.d.devices.invalidate();
    await this.refreshMenu();
  }

  /** Rebuilds the "Send to device" menu when its targets changed; true when it did. One at a time. */
  refreshMenu(): Promise<boolean> {
    const run = this.menuChain.then(() => this.rebuildMenu());
    this.menuChain = run.then(() => undefined, () => undefined);
    return run;
  }

  private async rebuildMenu(): Promise<boolean> {
    let items: MenuItemSpec[] | null = null;
    if (await this.d.accounts.account()) {
      const targets = await this.targets().catch(() => null);
      items = [{ id: MENU_ROOT_ID, title: t('menuSendToDevice') }];
      if (targets && targets.length > 0) {
        for (const target of targets) items.push({ id: `${MENU_DEVICE_PREFIX}${target.id}`, title: target.name || t('deviceUnnamed'), parentId: MENU_ROOT_ID });
      } else {
        items.push({ id: MENU_NONE_ID, title: targets ? t('menuNoTargets') : t('menuDevicesUnavailable'), parentId: MENU_ROOT_ID, enabled: false });
      }
    }
    const signature = JSON.stringify(items);
    if (signature === this.menuSignature) return false;
    await this.d.ports.menus.set(items);
    this.menuSignature = signature;
    return true;
  }

  /** "Send to device" → a device: the link, or else the page. */
  async menuClicked(info: MenuClick, tab: { url?: string; title?: string; incognito?: boolean } | undefined): Promise<void> {
    const id = String(info.menuItemId);
    if (!id.startsWith(MENU_DEVICE_PREFIX)) return;
    const deviceId = id.slice(MENU_DEVICE_PREFIX.length);
    const url = info.linkUrl ?? tab?.url ?? '';
    const title = info.linkUrl ? (info.linkText?.trim() || info.linkUrl) : (tab?.title ?? url);
    const note = `${SENT_PREFIX}${++this.notificationCount}`;
    if (tab?.incognito) {
      await this.d.ports.notifications.show(note, t('notificationTabNotSent'), t('notificationNoPrivate'));
      return;
    }
    try {
      const { deviceName } = await this.send({ deviceId, url, title });
      await this.d.ports.notifications.show(note, t('notificationSentTo', deviceName || t('notificationYourDevice')), title || url);
    } catch (e) {
      const words = (e as { userMessage?: unknown } | null)?.userMessage;
      await this.d.ports.notifications.show(note, t('notificationSendFailed'), typeof words === 'string' ? words : t('notificationSomethingWrong'));
    }
  }

  /** A click on "Tab received from …" shows the tab. */
  async notificationClicked(id: string): Promise<void> {
    if (!id.startsWith(RECEIVED_PREFIX) && !id.startsWith(SENT_PREFIX)) return;
    await this.d.ports.notifications.clear(id).catch(() => undefined);
    if (!id.startsWith(RECEIVED_PREFIX)) return;
    const tabId = Number(id.slice(RECEIVED_PREFIX.length).split(':')[0]);
    if (Number.isInteger(tabId)) await this.d.ports.tabs.focus(tabId).catch(() => undefined); // the tab may be closed by now
  }

  /**
   * The account's list changed: refresh the menu; and when the server's copy of our own command
   * bundles is not what we published (another client overwrote them), the next sync publishes again.
   */
  private async devicesChanged(devices: RemoteDevice[]): Promise<void> {
    try {
      const me = devices.find((dv) => dv.isCurrentDevice);
      const keys = await this.d.accounts.commandKeys();
      const published = keys?.published;
      if (me && keys && published && published.deviceId === me.id &&
        [OPEN_URI_COMMAND, CLOSE_URI_COMMAND].some((c) => me.availableCommands[c] !== published.availableCommands[c])) {
        this.d.log.warn('The account does not list this browser’s Send Tab keys as published; they go up again with the next sync');
        await this.d.accounts.saveCommandKeys({ ...keys, published: null });
      }
      await this.refreshMenu();
    } catch (e) {
      this.d.log.debug('Send Tab menu not refreshed', { error: String(e) });
    }
  }
}
