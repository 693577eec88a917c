// "Tabs from other devices": the tabs engine's copy of other devices' records, shown only for the
// devices Firefox would show — a `clients` record exists for it, carries an `fxaDeviceId`, and that
// device is in the account's device list — and not when the device's tabs are stale. Browser-free.
import type { RemoteClient } from '../engines/clients/engine.ts';
import type { RemoteTabsClient } from '../engines/tabs/engine.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';

/** Tabs records older than this are a device no longer used (application-services' 3 weeks). */
export const STALE_TABS_MS = 21 * 24 * 3600 * 1000;

export interface RemoteTabsDeps {
  tabs: () => Promise<RemoteTabsClient[]>;
  clients: () => Promise<RemoteClient[]>;
  /**
   * Ids of the account's devices (`fresh`: asked of the server now, not from its cache); null when
   * the list cannot be had now (offline): not filtered by it then.
   */
  accountDeviceIds: (fresh: boolean) => Promise<ReadonlySet<string> | null>;
  now: () => number;
}

export function remoteTabsSource(d: RemoteTabsDeps): () => Promise<RemoteTabsView> {
  return async () => {
    const [tabs, clients] = await Promise.all([d.tabs(), d.clients()]);
    const byId = new Map(clients.map((c) => [c.id, c]));
    let deviceIds = await d.accountDeviceIds(false);
    // A device that joined since the list was cached: ask again rather than hide it for a minute.
    const wanted = tabs.map((t) => byId.get(t.clientId)?.fxaDeviceId).filter((id): id is string => typeof id === 'string');
    if (deviceIds !== null && wanted.some((id) => !deviceIds!.has(id))) deviceIds = await d.accountDeviceIds(true);
    const now = d.now();
    const devices = tabs.flatMap((t) => {
      const client = byId.get(t.clientId);
      if (!client?.fxaDeviceId) return [];
      if (deviceIds !== null && !deviceIds.has(client.fxaDeviceId)) return [];
      if (now - t.modified * 1000 > STALE_TABS_MS) return [];
      const shown = t.tabs
        .filter((tab) => tab.urlHistory[0] !== undefined)
        .map((tab) => ({ title: tab.title, url: tab.urlHistory[0]!, icon: tab.icon && /^https?:\/\//.test(tab.icon) ? tab.icon : null, lastUsed: tab.lastUsed * 1000 }))
        .sort((a, b) => b.lastUsed - a.lastUsed);
      return shown.length > 0 ? [{ clientId: t.clientId, name: client.name || t.clientName, type: client.type, tabs: shown }] : [];
    });
    devices.sort((a, b) => (b.tabs[0]?.lastUsed ?? 0) - (a.tabs[0]?.lastUsed ?? 0));
    return { devices };
  };
}
