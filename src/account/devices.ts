// FxA device registration, device list and the polled command queue (protocol.md §8.1, §8.4).
// Calls authenticate with the oldsync-scoped refresh token (what we persist) or a session token.
import type { ServerConfig } from './config.ts';
import { AccountError } from './errors.ts';
import type { RequestAuth, TokenAuthMode, TransportOptions } from './http.ts';
import { joinUrl, requestJson, resolveTransport } from './http.ts';

export type DeviceAuth = { refreshToken: string } | { sessionToken: string };

export interface DeviceCallOptions extends TransportOptions {
  config: ServerConfig;
  auth: DeviceAuth;
}

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'vr' | 'tv';

export interface DeviceRecord {
  id: string;
  name: string;
  type: string;
  availableCommands: Record<string, string>;
  pushCallback: string | null;
  pushPublicKey: string | null;
  pushAuthKey: string | null;
  pushEndpointExpired: boolean;
}

export interface RemoteDevice extends DeviceRecord {
  isCurrentDevice: boolean;
  /** ms since epoch, when the server reports it. */
  lastAccessTime: number | null;
}

export interface DeviceCommandMessage {
  index: number;
  command: string;
  payload: Record<string, unknown>;
  /** Sender device id, when the sender had one. */
  sender: string | null;
}

export interface CommandsPage {
  index: number;
  last: boolean;
  messages: DeviceCommandMessage[];
}

function requestAuth(auth: DeviceAuth): RequestAuth {
  return 'refreshToken' in auth
    ? { kind: 'bearer', token: auth.refreshToken }
    : { kind: 'fxa-token', token: auth.sessionToken, tokenKind: 'sessionToken' };
}

function transportFor(opts: DeviceCallOptions): ReturnType<typeof resolveTransport> {
  // Refresh tokens are plain bearers; only session tokens can be Hawk-signed.
  const authMode: TokenAuthMode = 'refreshToken' in opts.auth ? 'bearer' : (opts.authMode ?? 'bearer');
  return resolveTransport({ ...opts, authMode });
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function commandsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  }
  return out;
}

function parseDevice(v: unknown): DeviceRecord {
  if (typeof v !== 'object' || v === null) throw new AccountError('bad-response', { serverMessage: 'device is not an object' });
  const d = v as Record<string, unknown>;
  if (typeof d.id !== 'string' || d.id === '') throw new AccountError('bad-response', { serverMessage: 'device has no id' });
  return {
    id: d.id,
    name: typeof d.name === 'string' ? d.name : '',
    type: typeof d.type === 'string' ? d.type : 'desktop',
    availableCommands: commandsOf(d.availableCommands),
    pushCallback: stringOrNull(d.pushCallback),
    pushPublicKey: stringOrNull(d.pushPublicKey),
    pushAuthKey: stringOrNull(d.pushAuthKey),
    pushEndpointExpired: d.pushEndpointExpired === true,
  };
}

export interface DeviceFields {
  name?: string;
  type?: DeviceType;
  availableCommands?: Record<string, string>;
}

/**
 * `POST /account/device`: registers the caller's device (no `id`) or updates it (`id` given).
 * FxA ties the record to the token used, so a later call with the same token updates it.
 */
export async function registerDevice(opts: DeviceCallOptions & { device: DeviceFields & { id?: string } }): Promise<DeviceRecord> {
  const { device } = opts;
  const body: Record<string, unknown> = {};
  if (device.id !== undefined) body.id = device.id;
  if (device.name !== undefined) body.name = device.name.slice(0, 255);
  if (device.id === undefined || device.type !== undefined) body.type = device.type ?? 'desktop';
  if (device.id === undefined || device.availableCommands !== undefined) body.availableCommands = device.availableCommands ?? {};
  const res = await requestJson<unknown>(
    { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/device'), body, auth: requestAuth(opts.auth) },
    transportFor(opts),
  );
  return parseDevice(res);
}

/** Updates only the given fields of our registered device. */
export function updateDevice(opts: DeviceCallOptions & { id: string; changes: DeviceFields }): Promise<DeviceRecord> {
  return registerDevice({ ...opts, device: { ...opts.changes, id: opts.id } });
}

/** `GET /account/devices` (optionally hiding devices idle since before the given ms timestamp). */
export async function listDevices(opts: DeviceCallOptions & { filterIdleDevicesTimestamp?: number }): Promise<RemoteDevice[]> {
  const query = opts.filterIdleDevicesTimestamp !== undefined
    ? `?filterIdleDevicesTimestamp=${Math.floor(opts.filterIdleDevicesTimestamp)}`
    : '';
  const res = await requestJson<unknown>(
    { method: 'GET', url: joinUrl(opts.config.authUrl, `/account/devices${query}`), auth: requestAuth(opts.auth) },
    transportFor(opts),
  );
  if (!Array.isArray(res)) throw new AccountError('bad-response', { serverMessage: 'device list is not an array' });
  return res.map((v: unknown) => {
    const d = v as Record<string, unknown>;
    return {
      ...parseDevice(v),
      isCurrentDevice: d.isCurrentDevice === true,
      lastAccessTime: typeof d.lastAccessTime === 'number' ? d.lastAccessTime : null,
    };
  });
}

/** `POST /account/device/destroy`: removes a device (and the token it was registered with). */
export async function destroyDevice(opts: DeviceCallOptions & { id: string }): Promise<void> {
  await requestJson<unknown>(
    { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/device/destroy'), body: { id: opts.id }, auth: requestAuth(opts.auth) },
    transportFor(opts),
  );
}

/**
 * `GET /account/device/commands?index=…&limit=…`: commands queued for our device from `index` on
 * (pass last handled index + 1). Page while `last` is false.
 */
export async function pollCommands(opts: DeviceCallOptions & { index: number; limit?: number }): Promise<CommandsPage> {
  const params = new URLSearchParams({ index: String(Math.max(0, Math.floor(opts.index))) });
  if (opts.limit !== undefined) params.set('limit', String(opts.limit));
  const res = await requestJson<{ index?: unknown; last?: unknown; messages?: unknown }>(
    { method: 'GET', url: joinUrl(opts.config.authUrl, `/account/device/commands?${params.toString()}`), auth: requestAuth(opts.auth) },
    transportFor(opts),
  );
  if (typeof res.index !== 'number' || !Array.isArray(res.messages)) {
    throw new AccountError('bad-response', { serverMessage: 'commands response malformed' });
  }
  const messages: DeviceCommandMessage[] = [];
  for (const m of res.messages as unknown[]) {
    const msg = m as { index?: unknown; data?: { command?: unknown; payload?: unknown; sender?: unknown } } | null;
    const data = msg?.data;
    if (typeof msg?.index !== 'number' || typeof data?.command !== 'string') continue; // skip what we cannot read
    messages.push({
      index: msg.index,
      command: data.command,
      payload: typeof data.payload === 'object' && data.payload !== null ? (data.payload as Record<string, unknown>) : {},
      sender: typeof data.sender === 'string' ? data.sender : null,
    });
  }
  return { index: res.index, last: res.last !== false, messages };
}

/** All pending commands after `lastHandledIndex` (pages through `last`). */
export async function pollAllCommands(
  opts: DeviceCallOptions & { lastHandledIndex: number; pageSize?: number; maxPages?: number },
): Promise<{ messages: DeviceCommandMessage[]; lastIndex: number }> {
  const messages: DeviceCommandMessage[] = [];
  let next = opts.lastHandledIndex + 1;
  let lastIndex = opts.lastHandledIndex;
  for (let page = 0; page < (opts.maxPages ?? 20); page++) {
    const res = await pollCommands({ ...opts, index: next, limit: opts.pageSize ?? 100 });
    messages.push(...res.messages);
    for (const m of res.messages) lastIndex = Math.max(lastIndex, m.index);
    if (res.last || res.messages.length === 0) break;
    next = lastIndex + 1;
  }
  return { messages, lastIndex };
}

/** `POST /account/devices/invoke_command`: queue a command for another device (e.g. send-tab). */
export async function invokeCommand(
  opts: DeviceCallOptions & { target: string; command: string; payload: Record<string, unknown>; ttl?: number },
): Promise<void> {
  const body: Record<string, unknown> = { target: opts.target, command: opts.command, payload: opts.payload };
  if (opts.ttl !== undefined) body.ttl = opts.ttl;
  await requestJson<unknown>(
    { method: 'POST', url: joinUrl(opts.config.authUrl, '/account/devices/invoke_command'), body, auth: requestAuth(opts.auth) },
    transportFor(opts),
  );
}
