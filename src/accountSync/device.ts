// This browser as a device of the account: registered once (so Firefox lists it and can send it
// commands), renamed when the person changes the name. Above the engines: the clients engine only
// reads the device id from the account.
import type { StoredAccount } from '../account/credentials.ts';
import { registerDevice, updateDevice } from '../account/devices.ts';
import type { FetchLike } from '../sync/http/request.ts';
import type { Logger } from '../log/logger.ts';

export interface EnsureDeviceInput {
  account: StoredAccount;
  /** The name the person wants (or the default "<Browser> on <OS>"). */
  name: string;
  saveAccount(account: StoredAccount): Promise<void>;
  log: Logger;
  fetch?: FetchLike;
}

/**
 * Registers the device when not yet done, or renames it; returns the account as saved. Failures
 * are logged, not thrown: sync works without it, and the next sync tries again.
 */
export async function ensureDevice(input: EnsureDeviceInput): Promise<StoredAccount> {
  const { account, name, log } = input;
  if (account.deviceId && account.registeredDeviceName === name) return account;
  const common = { config: account.server, auth: { refreshToken: account.refreshToken }, ...(input.fetch ? { fetch: input.fetch } : {}) };
  try {
    let next: StoredAccount;
    if (account.deviceId) {
      await updateDevice({ ...common, id: account.deviceId, changes: { name } });
      next = { ...account, registeredDeviceName: name };
    } else {
      const record = await registerDevice({ ...common, device: { name, type: 'desktop', availableCommands: {} } });
      next = { ...account, deviceId: record.id, registeredDeviceName: name };
      log.info('Registered this browser as a device of the account');
    }
    await input.saveAccount(next);
    return next;
  } catch (e) {
    // Firefox may hide us from its device list until this succeeds.
    log.warn(account.deviceId ? 'Could not update the device name on the account' : 'Could not register this browser as a device; will retry next sync', { error: String(e) });
    return account;
  }
}
