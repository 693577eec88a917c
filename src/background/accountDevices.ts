// The account's device list (FxA GET /account/devices), asked at most once a minute: the popup's
// "Tabs from other devices" filters by it, as Firefox does. A failure (offline) keeps the last list.
import type { StoredAccount } from '../account/credentials.ts';
import { listDevices, type RemoteDevice } from '../account/devices.ts';
import type { FetchLike } from '../sync/http/request.ts';

export class AccountDevices {
  private cached: { uid: string; at: number; devices: RemoteDevice[] } | null = null;
  private readonly listeners: Array<(devices: RemoteDevice[]) => void> = [];

  constructor(private readonly o: { account: () => Promise<StoredAccount | null>; now?: () => number; maxAgeMs?: number; fetch?: FetchLike }) {}

  /** The devices, or null when signed out or never fetched and unreachable now. */
  async list(): Promise<RemoteDevice[] | null> {
    const account = await this.o.account();
    if (!account) return null;
    const now = (this.o.now ?? Date.now)();
    const fresh = this.cached && this.cached.uid === account.uid && now - this.cached.at < (this.o.maxAgeMs ?? 60_000);
    if (fresh) return this.cached!.devices;
    try {
      const devices = await listDevices({ config: account.server, auth: { refreshToken: account.refreshToken }, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) });
      const before = this.cached?.uid === account.uid ? this.cached.devices : null;
      this.cached = { uid: account.uid, at: now, devices };
      if (before === null || JSON.stringify(before) !== JSON.stringify(devices)) for (const l of this.listeners) l(devices);
      return devices;
    } catch {
      return this.cached?.uid === account.uid ? this.cached.devices : null;
    }
  }

  /** Called with the list whenever a fetch finds it different from the last one (Send Tab's menu). */
  subscribe(listener: (devices: RemoteDevice[]) => void): void {
    this.listeners.push(listener);
  }

  /** A device was added, renamed or sent to: the next read asks the server. */
  invalidate(): void {
    this.cached = null;
  }
}
