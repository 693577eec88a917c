// FxA devices and device commands ("pushbox" queue, polled by clients) — mozilla/fxa
// lib/routes/devices-and-sessions.js; protocol.md §8.
import { randomBytes } from 'node:crypto';
import type { ServerRequest } from '../../core/http.ts';
import type { DeviceCaller } from '../accounts/auth.ts';
import { authenticateDeviceCaller } from '../accounts/auth.ts';
import type { Device, DeviceCommand, IdentityState } from '../state.ts';
import { isHex } from '../util/encoding.ts';
import { errors } from '../util/errors.ts';
import { readJsonObject, requireString } from '../util/respond.ts';
import type { Route } from '../util/router.ts';
import { ok } from '../util/router.ts';

const COMMAND_NAME = /^[a-zA-Z0-9._/\-:]{1,100}$/;
/**
 * TTLs in seconds, as the auth server and pushbox apply them (devices-and-sessions.js
 * DEFAULT_COMMAND_TTL, lib/pushbox): open-uri defaults to 30 days, a command without a default to
 * the maximum, and nothing outlives pushbox's maxTTL (28 days by default).
 */
const DEFAULT_COMMAND_TTL_SECONDS: ReadonlyMap<string, number> = new Map([['https://identity.mozilla.com/cmd/open-uri', 30 * 24 * 3600]]);
export const MAX_COMMAND_TTL_SECONDS = 28 * 24 * 3600;

export function callerDevice(state: IdentityState, caller: DeviceCaller): Device | undefined {
  for (const device of state.devices.values()) {
    if (device.uid !== caller.account.uid) continue;
    if (caller.kind === 'session' && device.sessionTokenId === caller.session.id) return device;
    if (caller.kind === 'refresh' && device.refreshTokenId === caller.refresh.id) return device;
  }
  return undefined;
}

export function deviceResponse(device: Device): Record<string, unknown> {
  return {
    id: device.id,
    createdAt: device.createdAt,
    name: device.name,
    type: device.type,
    pushCallback: device.pushCallback,
    pushPublicKey: device.pushPublicKey,
    pushAuthKey: device.pushAuthKey,
    pushEndpointExpired: device.pushEndpointExpired,
    availableCommands: device.availableCommands,
  };
}

function validateCommands(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw errors.invalidParameter('availableCommands');
  const out: Record<string, string> = {};
  for (const [name, data] of Object.entries(value)) {
    if (!COMMAND_NAME.test(name) || typeof data !== 'string' || data.length > 2048) throw errors.invalidParameter('availableCommands');
    out[name] = data;
  }
  return out;
}

/** Creates or updates the caller's device record from a registration payload. */
export function upsertDevice(state: IdentityState, caller: DeviceCaller, body: Record<string, unknown>): Device {
  const existing = callerDevice(state, caller);
  const id = body.id;
  if (id !== undefined) {
    if (!isHex(id, 32)) throw errors.invalidParameter('id');
    if (!existing || existing.id !== id) throw errors.unknownDevice();
  }
  const name = body.name;
  if (name !== undefined && (typeof name !== 'string' || name.length > 255)) throw errors.invalidParameter('name');
  const type = body.type;
  if (type !== undefined && (typeof type !== 'string' || type.length > 16)) throw errors.invalidParameter('type');
  const push = ['pushCallback', 'pushPublicKey', 'pushAuthKey'].filter((k) => body[k] !== undefined);
  if (push.length !== 0 && push.length !== 3) throw errors.invalidParameter('pushCallback');
  for (const key of push) if (typeof body[key] !== 'string') throw errors.invalidParameter(key);
  const commands = body.availableCommands === undefined ? undefined : validateCommands(body.availableCommands);
  const now = state.ctx.now();
  const device: Device = existing ?? {
    id: randomBytes(16).toString('hex'),
    uid: caller.account.uid,
    sessionTokenId: caller.kind === 'session' ? caller.session.id : null,
    refreshTokenId: caller.kind === 'refresh' ? caller.refresh.id : null,
    name: '',
    type: caller.kind === 'refresh' ? 'mobile' : 'desktop',
    createdAt: now,
    lastAccessTime: now,
    availableCommands: {},
    pushCallback: null,
    pushPublicKey: null,
    pushAuthKey: null,
    pushEndpointExpired: false,
  };
  if (typeof name === 'string') device.name = name;
  if (typeof type === 'string') device.type = type;
  if (commands) device.availableCommands = commands;
  if (push.length === 3) {
    device.pushCallback = String(body.pushCallback);
    device.pushPublicKey = String(body.pushPublicKey);
    device.pushAuthKey = String(body.pushAuthKey);
    device.pushEndpointExpired = false;
  }
  device.lastAccessTime = now;
  state.devices.set(device.id, device);
  return device;
}

/**
 * Queues a command for `target` (a device of the same account) as `invoke_command` does: errno 123
 * for a device the account lacks, 157 for one that does not list the command; expiry as pushbox
 * stores it (`ceil(now s) + ttl`). Also used by the demo's "Firefox device" (demo/sendTab.ts).
 */
export function enqueueCommand(
  state: IdentityState,
  c: { uid: string; sender: string | null; target: string; command: string; payload: Record<string, unknown>; ttl?: number },
): DeviceCommand {
  const device = state.devices.get(c.target);
  if (!device || device.uid !== c.uid) throw errors.unknownDevice();
  if (!Object.prototype.hasOwnProperty.call(device.availableCommands, c.command)) throw errors.unavailableDeviceCommand();
  let ttl = c.ttl ?? DEFAULT_COMMAND_TTL_SECONDS.get(c.command) ?? MAX_COMMAND_TTL_SECONDS;
  if (ttl > MAX_COMMAND_TTL_SECONDS) ttl = MAX_COMMAND_TTL_SECONDS;
  const entry: DeviceCommand = {
    index: state.nextCommandIndex++,
    uid: c.uid,
    deviceId: device.id,
    data: { command: c.command, payload: c.payload, ...(c.sender ? { sender: c.sender } : {}) },
    expiresAt: (Math.ceil(state.ctx.now() / 1000) + ttl) * 1000,
  };
  state.commands.push(entry);
  return entry;
}

/** A command is live while its expiry second has not passed (pushbox: `ttl >= floor(now s)`). */
export function commandLive(state: IdentityState, c: DeviceCommand): boolean {
  return c.expiresAt / 1000 >= Math.floor(state.ctx.now() / 1000);
}

/**
 * `GET /account/device/commands` as pushbox answers it: live messages with index ≥ `index` (0:
 * all), at most `limit`; `index` is the last one returned (0 if none); `last` when that is the
 * device's newest message ever queued, or nothing came back.
 */
export function retrieveCommands(state: IdentityState, deviceId: string, index: number, limit: number): {
  index: number; last: boolean; messages: Array<{ index: number; data: DeviceCommand['data'] }>;
} {
  const mine = state.commands.filter((c) => c.deviceId === deviceId);
  const maxIndex = Math.max(0, ...mine.map((c) => c.index));
  const page = mine
    .filter((c) => commandLive(state, c) && (!index || c.index >= index))
    .sort((a, b) => a.index - b.index)
    .slice(0, limit);
  const lastIndex = page.at(-1)?.index ?? 0;
  return {
    index: lastIndex,
    last: lastIndex === maxIndex || maxIndex === 0 || page.length === 0,
    messages: page.map((c) => ({ index: c.index, data: c.data })),
  };
}

export function deviceRoutes(state: IdentityState): Route[] {

  async function register(req: ServerRequest) {
    const caller = authenticateDeviceCaller(state, req);
    const body = readJsonObject(req);
    delete body.capabilities;
    return ok(state, deviceResponse(upsertDevice(state, caller, body)));
  }

  async function list(req: ServerRequest) {
    const caller = authenticateDeviceCaller(state, req);
    const mine = callerDevice(state, caller);
    const filter = req.url.searchParams.get('filterIdleDevicesTimestamp');
    const since = filter === null ? null : Number(filter);
    const devices = [...state.devices.values()]
      .filter((d) => d.uid === caller.account.uid)
      .filter((d) => since === null || !Number.isFinite(since) || d.lastAccessTime >= since || d.id === mine?.id)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map((d) => ({
        id: d.id,
        isCurrentDevice: d.id === mine?.id,
        lastAccessTime: d.lastAccessTime,
        location: {},
        name: d.name,
        type: d.type,
        pushCallback: d.pushCallback,
        pushPublicKey: d.pushPublicKey,
        pushAuthKey: d.pushAuthKey,
        pushEndpointExpired: d.pushEndpointExpired,
        availableCommands: d.availableCommands,
      }));
    return ok(state, devices);
  }

  async function destroy(req: ServerRequest) {
    const caller = authenticateDeviceCaller(state, req);
    const body = readJsonObject(req);
    const id = requireString(body, 'id');
    if (!isHex(id, 32)) throw errors.invalidParameter('id');
    const device = state.devices.get(id);
    if (!device || device.uid !== caller.account.uid) throw errors.unknownDevice();
    state.devices.delete(id);
    // The device's own session or refresh token goes with it.
    if (device.sessionTokenId) state.sessions.delete(device.sessionTokenId);
    if (device.refreshTokenId) state.refreshTokens.delete(device.refreshTokenId);
    state.commands = state.commands.filter((c) => c.deviceId !== id);
    return ok(state, {});
  }

  async function invoke(req: ServerRequest) {
    const caller = authenticateDeviceCaller(state, req);
    const body = readJsonObject(req);
    const target = requireString(body, 'target');
    if (!isHex(target, 32)) throw errors.invalidParameter('target');
    const command = requireString(body, 'command');
    const payload = body.payload;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw payload === undefined ? errors.missingParameter('payload') : errors.invalidParameter('payload');
    }
    const ttl = body.ttl === undefined ? undefined : Number(body.ttl);
    if (ttl !== undefined && (!Number.isInteger(ttl) || ttl < 0 || ttl > 10_000_000)) throw errors.invalidParameter('ttl');
    enqueueCommand(state, {
      uid: caller.account.uid, sender: callerDevice(state, caller)?.id ?? null, target, command,
      payload: payload as Record<string, unknown>, ...(ttl !== undefined ? { ttl } : {}),
    });
    return ok(state, {});
  }

  async function commands(req: ServerRequest) {
    const caller = authenticateDeviceCaller(state, req);
    const device = callerDevice(state, caller);
    const indexParam = req.url.searchParams.get('index');
    const limitParam = req.url.searchParams.get('limit');
    const index = indexParam === null || indexParam === '' ? 0 : Number(indexParam);
    const limit = limitParam === null || limitParam === '' ? 100 : Number(limitParam);
    if (!Number.isFinite(index)) throw errors.invalidParameter('index');
    if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw errors.invalidParameter('limit');
    return ok(state, device ? retrieveCommands(state, device.id, index, limit) : { index: 0, last: true, messages: [] });
  }

  /** Push fan-out: there is no push service here, so a valid request is accepted and dropped. */
  async function notify(req: ServerRequest) {
    authenticateDeviceCaller(state, req);
    const body = readJsonObject(req);
    const to = body.to;
    if (to !== 'all' && !(Array.isArray(to) && to.every((id) => isHex(id, 32)))) throw errors.invalidParameter('to');
    if (typeof body.payload !== 'object' || body.payload === null) throw errors.missingParameter('payload');
    return ok(state, {});
  }

  return [
    { method: 'POST', path: '/v1/account/device', handle: register },
    { method: 'POST', path: '/v1/account/devices/notify', handle: notify },
    { method: 'GET', path: '/v1/account/devices', handle: list },
    { method: 'POST', path: '/v1/account/device/destroy', handle: destroy },
    { method: 'POST', path: '/v1/account/devices/invoke_command', handle: invoke },
    { method: 'GET', path: '/v1/account/device/commands', handle: commands },
  ];
}
