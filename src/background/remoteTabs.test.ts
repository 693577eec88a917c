import { describe, expect, test } from 'vitest';
import { remoteTabsSource, STALE_TABS_MS } from './remoteTabs.ts';
import type { RemoteClient } from '../engines/clients/engine.ts';
import type { RemoteTabsClient } from '../engines/tabs/engine.ts';

const NOW = Date.UTC(2026, 11, 2);
const client = (id: string, fxaDeviceId: string | null, name = id): RemoteClient => ({ id, name, type: 'desktop', os: null, fxaDeviceId, modified: NOW / 1000 });
const tabsOf = (clientId: string, modifiedMs = NOW, lastUsed = [NOW - 1000, NOW - 5000]): RemoteTabsClient => ({
  clientId, clientName: `${clientId} (from tabs)`, modified: modifiedMs / 1000,
  tabs: lastUsed.map((t, i) => ({ title: `${clientId} tab ${i}`, urlHistory: [`https://${clientId}.example/${i}`], icon: i === 0 ? 'https://x/f.ico' : 'data:x', lastUsed: Math.floor(t / 1000) })),
});

describe('Tabs from other devices', () => {
  test('a device missing from the cached device list is looked up again before it is hidden', async () => {
    const asked: boolean[] = [];
    const view = await remoteTabsSource({
      tabs: async () => [tabsOf('joined')],
      clients: async () => [client('joined', 'd7')],
      accountDeviceIds: async (fresh) => {
        asked.push(fresh);
        return new Set(fresh ? ['d1', 'd7'] : ['d1']);
      },
      now: () => NOW,
    })();
    expect(view.devices.map((d) => d.clientId)).toEqual(['joined']);
    expect(asked).toEqual([false, true]);
  });

  test('only devices Firefox would show: a clients record with an fxaDeviceId that the account lists, not stale', async () => {
    const view = await remoteTabsSource({
      tabs: async () => [tabsOf('shown'), tabsOf('noclient'), tabsOf('nofxa'), tabsOf('unlisted'), tabsOf('stale', NOW - STALE_TABS_MS - 1000), tabsOf('older', NOW, [NOW - 60_000])],
      clients: async () => [client('shown', 'd1', 'Firefox on Mac'), client('nofxa', null), client('unlisted', 'd9'), client('stale', 'd2'), client('older', 'd3')],
      accountDeviceIds: async () => new Set(['d1', 'd2', 'd3']),
      now: () => NOW,
    })();
    expect(view.devices.map((d) => d.clientId)).toEqual(['shown', 'older']);
    expect(view.devices[0]).toEqual({
      clientId: 'shown', name: 'Firefox on Mac', type: 'desktop',
      tabs: [
        { title: 'shown tab 0', url: 'https://shown.example/0', icon: 'https://x/f.ico', lastUsed: Math.floor((NOW - 1000) / 1000) * 1000 },
        { title: 'shown tab 1', url: 'https://shown.example/1', icon: null, lastUsed: Math.floor((NOW - 5000) / 1000) * 1000 },
      ],
    });
  });

  test('offline (no device list): devices with an fxaDeviceId are shown', async () => {
    const view = await remoteTabsSource({
      tabs: async () => [tabsOf('a'), tabsOf('b')],
      clients: async () => [client('a', 'd1'), client('b', null)],
      accountDeviceIds: async () => null,
      now: () => NOW,
    })();
    expect(view.devices.map((d) => d.clientId)).toEqual(['a']);
  });
});
