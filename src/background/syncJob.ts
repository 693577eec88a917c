// What a sync run does in the browser: nothing without an account; otherwise one runSync with the
// background's persistence, this browser's engines and device details, and the account commands.
import type { AccountController } from '../account/controller.ts';
import type { AccountStore } from '../db/accountStore.ts';
import type { SyncStateStore } from '../db/syncStateStore.ts';
import type { EngineSet } from '../engines/registry.ts';
import type { BackoffSignal } from '../sync/http/backoff.ts';
import type { SyncJob } from '../accountSync/scheduler.ts';
import { runSync, type AccountCommands, type SyncRunInput } from '../accountSync/syncAccount.ts';
import { t } from '../i18n/i18n.ts';

export interface SyncJobDeps {
  accounts: AccountStore;
  controller: AccountController;
  syncState: SyncStateStore;
  commands: AccountCommands;
  engines: EngineSet;
  /** Browser, OS and version for our clients record. */
  platform(): Promise<{ os: string; application: string; version: string }>;
  /** This device's command keys, published with its registration (send tab). */
  commandKeys?: SyncRunInput['commandKeys'];
  /** After each successful run (send tab: poll the commands sent to this device). */
  afterSync?: SyncRunInput['afterSync'];
}

export function createSyncJob(d: SyncJobDeps): SyncJob {
  return async ({ log, reportProgress, reportBackoff, signal }) => {
    const account = await d.accounts.account();
    if (!account) {
      log.info('Nothing to sync: not signed in');
      return { outcome: 'skipped', message: t('statusNotSignedIn') };
    }
    const onBackoff = (s: BackoffSignal): void => {
      reportBackoff(s.until);
      log.info('The server asked Syncbridge to slow down', { source: s.source, seconds: Math.round(s.delayMs / 1000) });
    };
    const platform = await d.platform();
    return runSync({
      account,
      accessTokens: d.controller.accessTokens(account),
      saveAccount: (a) => d.accounts.saveAccount(a),
      persistence: d.syncState,
      deviceName: () => d.controller.deviceName(),
      ourClient: async (clientId, fxaDeviceId) => ({
        id: clientId, name: await d.controller.deviceName(), fxaDeviceId, ...platform,
      }),
      commands: d.commands,
      ...(d.commandKeys ? { commandKeys: d.commandKeys } : {}),
      ...(d.afterSync ? { afterSync: d.afterSync } : {}),
      engines: d.engines,
      log,
      onBackoff,
      reportProgress,
      signal,
    });
  };
}
