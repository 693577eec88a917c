// This browser as a device of the account: registered once (so Firefox lists it and can send it
// commands), renamed when the person changes the name, and publishing the keys other devices
// encrypt send-tab and close-tab commands with (protocol.md §8.1–§8.2). Above the engines: the
// clients engine only reads the device id from the account.
import type { StoredAccount } from '../account/credentials.ts';
import { availableCommandsFor, commandKid, newCommandKeys, type CommandKeyStore, type StoredCommandKeys } from '../account/commandKeys.ts';
import { registerDevice, updateDevice } from '../account/devices.ts';
import type { FetchLike } from '../sync/http/request.ts';
import type { Logger } from '../log/logger.ts';

export interface EnsureDeviceInput {
  account: StoredAccount;
  /** The name the person wants (or the default "<Browser> on <OS>"). */
  name: string;
  saveAccount(account: StoredAccount): Promise<void>;
  /**
   * This device's command keys. Given: the device record carries the open-uri and close-uri/v1
   * bundles (made on first use, re-published whenever the kid or the device changes). Absent: the
   * device registers with no commands.
   */
  commandKeys?: CommandKeyStore;
  log: Logger;
  fetch?: FetchLike;
}

/** Our keys for this account, made (and saved, before anything is published) when there are none. */
async function keysFor(store: CommandKeyStore, account: StoredAccount): Promise<StoredCommandKeys> {
  const stored = await store.commandKeys();
  if (stored && stored.uid === account.uid) return stored;
  const fresh = await newCommandKeys(account.uid);
  await store.saveCommandKeys(fresh);
  return fresh;
}

/**
 * Registers the device when not yet done, or renames it, or (re-)publishes its command keys;
 * returns the account as saved. Failures are logged, not thrown: sync works without it, and the
 * next sync tries again.
 */
export async function ensureDevice(input: EnsureDeviceInput): Promise<StoredAccount> {
  const { account, name, log } = input;
  const keys = input.commandKeys ? await keysFor(input.commandKeys, account) : null;
  const kid = keys ? commandKid(account) : null;
  const commandsCurrent = keys === null || (keys.published !== null && keys.published.deviceId === account.deviceId && keys.published.kid === kid);
  if (account.deviceId && account.registeredDeviceName === name && commandsCurrent) return account;
  const common = { config: account.server, auth: { refreshToken: account.refreshToken }, ...(input.fetch ? { fetch: input.fetch } : {}) };
  try {
    const availableCommands = keys ? await availableCommandsFor(keys, account) : {};
    let next: StoredAccount;
    if (account.deviceId) {
      // A rename alone leaves the published bundles as they are (a new IV would make them differ from our record of them).
      await updateDevice({ ...common, id: account.deviceId, changes: keys && !commandsCurrent ? { name, availableCommands } : { name } });
      next = { ...account, registeredDeviceName: name };
    } else {
      const record = await registerDevice({ ...common, device: { name, type: 'desktop', availableCommands } });
      next = { ...account, deviceId: record.id, registeredDeviceName: name };
      log.info('Registered this browser as a device of the account');
    }
    await input.saveAccount(next);
    if (keys && input.commandKeys && !commandsCurrent) {
      await input.commandKeys.saveCommandKeys({ ...keys, published: { deviceId: next.deviceId!, kid: kid!, availableCommands } });
      log.info('This browser now accepts tabs sent from other devices');
    }
    return next;
  } catch (e) {
    // Firefox may hide us from its device list (or its Send Tab menu) until this succeeds.
    log.warn(account.deviceId ? 'Could not update this device on the account' : 'Could not register this browser as a device; will retry next sync', { error: String(e) });
    return account;
  }
}
