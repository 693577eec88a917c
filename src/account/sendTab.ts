// Send Tab out (protocol.md §8.3, §8.5): the account's devices that accept tabs, and sending one a
// tab (or asking it to close tabs) as Firefox does — its bundle opened with kSync after checking its
// kid equals ours, the payload encrypted with aes128gcm for it, then `invoke_command`. Failures are
// SendTabError with words for the person. Browser-free.
import { t } from '../i18n/i18n.ts';
import type { StoredAccount } from './credentials.ts';
import { accountKeys } from './credentials.ts';
import { bundleKid, CLOSE_URI_COMMAND, commandKid, CommandBundleError, decryptCommandBundle, OPEN_URI_COMMAND } from './commandKeys.ts';
import { invokeCommand, listDevices, type RemoteDevice } from './devices.ts';
import { isAccountError } from './errors.ts';
import type { FetchLike } from './http.ts';
import { aes128gcmEncrypt, bytesToBase64Url, utf8Encode } from '../sync/crypto/index.ts';

export type SendTabErrorKind = 'gone' | 'unsupported' | 'stale-keys' | 'network' | 'bad-url';

export class SendTabError extends Error {
  override name = 'SendTabError';
  constructor(readonly kind: SendTabErrorKind, readonly userMessage: string) {
    super(`${kind}: ${userMessage}`);
  }
}

/** A device a tab can be sent to. */
export interface SendTarget {
  id: string;
  name: string;
  type: string;
  /** ms since epoch, when the server reports it. */
  lastAccessTime: number | null;
}

/** The account's other devices that publish open-uri, most recently used first (Firefox lists them all, whatever their kid). */
export function sendTargetsOf(devices: readonly RemoteDevice[]): SendTarget[] {
  return devices
    .filter((d) => !d.isCurrentDevice && typeof d.availableCommands[OPEN_URI_COMMAND] === 'string')
    .map((d) => ({ id: d.id, name: d.name, type: d.type, lastAccessTime: d.lastAccessTime }))
    .sort((a, b) => (b.lastAccessTime ?? 0) - (a.lastAccessTime ?? 0) || a.name.localeCompare(b.name));
}

/** Only web pages travel: the receiving browsers refuse the rest (Firefox's filtered schemes). */
export function isSendableUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'https:' || u.protocol === 'http:') && url.length <= 65_536;
  } catch {
    return false;
  }
}

export interface SendOptions {
  account: StoredAccount;
  deviceId: string;
  /** The account's device list, when the caller just fetched it (otherwise fetched here). */
  devices?: readonly RemoteDevice[];
  fetch?: FetchLike;
  /** flowID / streamID source (Firefox sends UUIDs). */
  uuid?: () => string;
}

function callOptions(o: SendOptions) {
  return { config: o.account.server, auth: { refreshToken: o.account.refreshToken }, ...(o.fetch ? { fetch: o.fetch } : {}) };
}


async function devicesOf(o: SendOptions): Promise<readonly RemoteDevice[]> {
  if (o.devices) return o.devices;
  try {
    return await listDevices(callOptions(o));
  } catch (e) {
    if (isAccountError(e, 'server-unreachable')) throw new SendTabError('network', t('sendErrorNetwork'));
    throw e;
  }
}

const label = (d: RemoteDevice): string => d.name || t('sendThatDevice');

/** Encrypts `data` for the target's `command` bundle and queues it; returns the target. */
async function sendCommand(o: SendOptions, command: string, data: Record<string, unknown>): Promise<RemoteDevice> {
  const devices = await devicesOf(o);
  const target = devices.find((d) => d.id === o.deviceId && !d.isCurrentDevice);
  if (!target) throw new SendTabError('gone', t('sendErrorGone'));
  const bundle = target.availableCommands[command];
  const openUri = command === OPEN_URI_COMMAND;
  const unsupported = () => new SendTabError('unsupported', t(openUri ? 'sendErrorNoTabs' : 'sendErrorNoClose', label(target)));
  if (typeof bundle !== 'string') throw unsupported();
  // As Firefox: a bundle made with another key generation (kid) is refused before anything else.
  const staleKeys = () => new SendTabError('stale-keys', t(openUri ? 'sendErrorStaleReceive' : 'sendErrorStaleClose', label(target)));
  const kid = bundleKid(bundle);
  if (kid === null) throw unsupported();
  if (kid.toLowerCase() !== commandKid(o.account)) throw staleKeys();
  let keys: { publicKey: Uint8Array; authSecret: Uint8Array };
  try {
    keys = await decryptCommandBundle(bundle, accountKeys(o.account).kSync);
  } catch (e) {
    if (e instanceof CommandBundleError) throw e.reason === 'wrong-key' ? staleKeys() : unsupported();
    throw e;
  }
  const uuid = o.uuid ?? (() => globalThis.crypto.randomUUID());
  const plaintext = utf8Encode(JSON.stringify({ ...data, flowID: uuid(), streamID: uuid() }));
  const encrypted = bytesToBase64Url(await aes128gcmEncrypt(plaintext, keys.publicKey, keys.authSecret));
  try {
    await invokeCommand({ ...callOptions(o), target: target.id, command, payload: { encrypted } });
  } catch (e) {
    if (isAccountError(e) && e.errno === 157) throw unsupported();
    if (isAccountError(e) && e.errno === 123) throw new SendTabError('gone', t('sendErrorDeviceGone', label(target)));
    if (isAccountError(e, 'server-unreachable')) throw new SendTabError('network', t('sendErrorNetwork'));
    throw e;
  }
  return target;
}

/** Sends one tab (`{"entries":[{title,url}],"flowID","streamID"}`, as Firefox writes it). */
export async function sendTab(o: SendOptions & { url: string; title: string }): Promise<{ device: RemoteDevice }> {
  if (!isSendableUrl(o.url)) throw new SendTabError('bad-url', t('sendErrorBadUrl'));
  return { device: await sendCommand(o, OPEN_URI_COMMAND, { entries: [{ title: o.title, url: o.url }] }) };
}

/** Asks a device to close its tabs showing these addresses (close-uri/v1 `{urls}`). */
export async function closeTabsOn(o: SendOptions & { urls: string[] }): Promise<{ device: RemoteDevice }> {
  return { device: await sendCommand(o, CLOSE_URI_COMMAND, { urls: o.urls }) };
}
