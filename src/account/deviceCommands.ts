// Send Tab in (protocol.md §8.4–§8.5): polls the commands other devices queued for this device,
// decrypts them with our command keys and acts on them: `open-uri` opens the tab it carries
// (`entries[current ?? last]`) and says so in a notification; `close-uri/v1` closes the open tabs
// showing one of its `urls`. Browser-free: tabs and notifications are ports.
//
// Polling: `?index=0` the first time, then the last handled index + 1, paging while `last` is false.
// The server drops commands whose TTL has passed; nothing here needs to.
//
// Handled once, even across worker restarts — the crash window: every command's index is persisted
// *before* we act on it (one IndexedDB write per command, after it was decrypted and checked, which
// has no side effects). A worker killed before that write sees the command again on the next poll
// and handles it then; killed between the write and the tab opening, that one command is lost. We
// prefer that (at most once, as Firefox, which stores its index before handling a batch) to its
// opposite: a tab opened twice, or a second "close these tabs" closing tabs opened since. The window
// is one command wide (Firefox's is the whole batch) and lasts one local call.
import { t, tCount } from '../i18n/i18n.ts';
import type { StoredAccount } from './credentials.ts';
import { CLOSE_URI_COMMAND, OPEN_URI_COMMAND, receiverOf, type CommandKeyStore, type OurCommand, type StoredCommandKeys } from './commandKeys.ts';
import { pollCommands, type DeviceCommandMessage } from './devices.ts';
import type { FetchLike } from './http.ts';
import { isSendableUrl } from './sendTab.ts';
import type { Logger } from '../log/logger.ts';
import { aes128gcmDecrypt, base64UrlToBytes, utf8Decode } from '../sync/crypto/index.ts';

/** Persistence of the last handled command index, per device id (AccountStore in the background). */
export interface CommandIndexStore {
  commandIndex(deviceId: string): Promise<number | null>;
  saveCommandIndex(deviceId: string, index: number): Promise<void>;
}

/** The browser's tabs, as far as received commands need them. */
export interface ReceivedTabsPort {
  /** Opens `url` in a new (background) tab of the current window; its id, or null. */
  open(url: string): Promise<number | null>;
  /** Open tabs of normal, non-private windows. */
  openTabs(): Promise<Array<{ id: number; url: string }>>;
  close(ids: number[]): Promise<void>;
}

/** What the person is told; clicking it shows tab `tabId`. */
export interface CommandNotice {
  title: string;
  message: string;
  tabId: number | null;
}

export interface CommandReceiverDeps {
  account(): Promise<StoredAccount | null>;
  keys: CommandKeyStore;
  index: CommandIndexStore;
  tabs: ReceivedTabsPort;
  notify(notice: CommandNotice): Promise<void>;
  /** The name of one of the account's devices (the sender), or null when unknown. */
  deviceName(id: string): Promise<string | null>;
  log: Logger;
  fetch?: FetchLike;
  /** Messages per request (the server allows up to 100). */
  pageSize?: number;
}

export interface PollResult {
  /** Tabs opened. */
  opened: number;
  /** Tabs closed. */
  closed: number;
  /** Commands we could not read or do not know (skipped for good). */
  ignored: number;
}

type Decoded =
  | { kind: 'open'; url: string; title: string }
  | { kind: 'close'; urls: string[] };

const COMMAND_NAMES: Record<string, OurCommand> = { [OPEN_URI_COMMAND]: 'open-uri', [CLOSE_URI_COMMAND]: 'close-uri' };

const MAX_PAGES = 20;

/** Same address, however it is spelled (`https://a.example` vs `https://a.example/`). */
function normalized(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

export class CommandReceiver {
  #running: Promise<PollResult> | null = null;

  constructor(private readonly d: CommandReceiverDeps) {}

  /** Polls and handles what is waiting. Concurrent calls share one poll. */
  poll(): Promise<PollResult> {
    if (this.#running) return this.#running;
    const run = this.#poll().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }

  async #poll(): Promise<PollResult> {
    const result: PollResult = { opened: 0, closed: 0, ignored: 0 };
    const account = await this.d.account();
    const deviceId = account?.deviceId;
    if (!account || !deviceId) return result; // nothing can have been sent to a device not registered
    const keys = await this.d.keys.commandKeys();
    if (!keys || keys.uid !== account.uid || keys.published === null) return result; // nobody has our keys yet
    const call = { config: account.server, auth: { refreshToken: account.refreshToken }, ...(this.d.fetch ? { fetch: this.d.fetch } : {}) };

    let last = await this.d.index.commandIndex(deviceId);
    let next = last === null ? 0 : last + 1;
    const opened: Array<{ sender: string | null; title: string; url: string; tabId: number | null }> = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const res = await pollCommands({ ...call, index: next, limit: this.d.pageSize ?? 100 });
      const messages = [...res.messages].sort((a, b) => a.index - b.index);
      for (const m of messages) {
        if (last !== null && m.index <= last) continue; // handled before
        const decoded = await this.#decode(m, keys);
        // Claimed before acting: see the file comment.
        await this.d.index.saveCommandIndex(deviceId, m.index);
        last = m.index;
        if (!decoded) {
          result.ignored++;
          continue;
        }
        try {
          if (decoded.kind === 'open') {
            const tabId = await this.d.tabs.open(decoded.url);
            result.opened++;
            opened.push({ sender: m.sender, title: decoded.title, url: decoded.url, tabId });
            this.d.log.info('Opened a tab sent from another device');
          } else {
            const closed = await this.#close(decoded.urls);
            result.closed += closed;
            this.d.log.info('Another device asked to close tabs here', { asked: decoded.urls.length, closed });
          }
        } catch (e) {
          this.d.log.warn('A command from another device could not be carried out', { command: m.command, error: String(e) });
        }
      }
      if (res.last || messages.length === 0) break;
      next = Math.max(res.index, last ?? 0) + 1;
    }
    if (opened.length > 0) await this.#notify(opened);
    return result;
  }

  async #decode(m: DeviceCommandMessage, keys: StoredCommandKeys): Promise<Decoded | null> {
    const name = COMMAND_NAMES[m.command];
    if (!name) {
      this.d.log.info('Ignored a device command this browser does not know', { command: m.command });
      return null;
    }
    const encrypted = m.payload.encrypted;
    if (typeof encrypted !== 'string') {
      this.d.log.warn('Ignored a device command without an encrypted payload', { command: m.command });
      return null;
    }
    let data: Record<string, unknown>;
    try {
      const clear = await aes128gcmDecrypt(base64UrlToBytes(encrypted), receiverOf(keys.keys[name]));
      data = JSON.parse(utf8Decode(clear)) as Record<string, unknown>;
      if (typeof data !== 'object' || data === null) throw new TypeError('not an object');
    } catch (e) {
      // Sent to keys we no longer have (another sign-in), or damaged.
      this.d.log.warn('Ignored a device command that could not be decrypted', { command: m.command, error: e instanceof Error ? e.name : 'error' });
      return null;
    }
    if (name === 'close-uri') {
      const urls = Array.isArray(data.urls) ? data.urls.filter((u): u is string => typeof u === 'string') : [];
      return urls.length > 0 ? { kind: 'close', urls } : null;
    }
    const entries = Array.isArray(data.entries) ? data.entries : [];
    const current = typeof data.current === 'number' && Number.isInteger(data.current) && data.current >= 0 && data.current < entries.length
      ? data.current : entries.length - 1;
    const entry = entries[current] as { url?: unknown; title?: unknown } | undefined;
    if (typeof entry?.url !== 'string' || !isSendableUrl(entry.url)) {
      this.d.log.warn('Ignored a tab sent from another device: not a web page address');
      return null;
    }
    return { kind: 'open', url: entry.url, title: typeof entry.title === 'string' ? entry.title : '' };
  }

  async #close(urls: string[]): Promise<number> {
    const wanted = new Set(urls.map(normalized));
    const ids = (await this.d.tabs.openTabs()).filter((t) => wanted.has(normalized(t.url))).map((t) => t.id);
    if (ids.length > 0) await this.d.tabs.close(ids);
    return ids.length;
  }

  /** One notification per sender: "Tab received from <device>" (or "3 tabs received from …"). */
  async #notify(opened: Array<{ sender: string | null; title: string; url: string; tabId: number | null }>): Promise<void> {
    const bySender = new Map<string | null, typeof opened>();
    for (const o of opened) bySender.set(o.sender, [...(bySender.get(o.sender) ?? []), o]);
    for (const [sender, tabs] of bySender) {
      const name = sender ? await this.d.deviceName(sender).catch(() => null) : null;
      const newest = tabs[tabs.length - 1]!;
      const first = tabs[0]!;
      const title = tabs.length === 1
        ? (name ? t('notificationTabReceivedFrom', name) : t('notificationTabReceived'))
        : (name ? tCount('notificationTabsReceivedFrom', tabs.length, name) : tCount('notificationTabsReceived', tabs.length));
      const message = tabs.length === 1 ? first.title || first.url : tCount('notificationAndMore', tabs.length - 1, first.title || first.url);
      await this.d.notify({ title, message, tabId: newest.tabId }).catch((e: unknown) => this.d.log.warn('Could not show a notification', { error: String(e) }));
    }
  }
}
