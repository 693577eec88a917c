// What a sync run does in the browser: nothing without an account; otherwise one runSync with the
// background's persistence, this browser's device details and the handlers for incoming commands.
import type { AccountController } from '../account/controller.ts';
import type { AccountStore } from '../db/accountStore.ts';
import type { SyncStateStore } from '../db/syncStateStore.ts';
import type { ClientCommandHandlers } from '../engines/clients/engine.ts';
import type { BackoffSignal } from '../sync/http/backoff.ts';
import type { SyncJob } from '../sync/scheduler.ts';
import { runSync, type SyncRunInput } from '../sync/syncRun.ts';

export interface SyncJobDeps {
  accounts: AccountStore;
  controller: AccountController;
  syncState: SyncStateStore;
  commands: ClientCommandHandlers;
  bookmarks?: SyncRunInput['bookmarks'];
  /** Browser, OS and version for our clients record. */
  platform(): Promise<{ os: string; application: string; version: string }>;
}

export function createSyncJob(d: SyncJobDeps): SyncJob {
  return async ({ log, reportProgress }) => {
    const account = await d.accounts.account();
    if (!account) {
      log.info('Nothing to sync: not signed in');
      return { outcome: 'skipped', message: 'Not signed in. Open Settings to connect your Mozilla account.' };
    }
    let backoffUntil: number | null = null;
    const onBackoff = (s: BackoffSignal): void => {
      backoffUntil = Math.max(backoffUntil ?? 0, s.until);
      log.info('The server asked Syncbridge to slow down', { source: s.source, seconds: Math.round(s.delayMs / 1000) });
    };
    const platform = await d.platform();
    const result = await runSync({
      account,
      accessTokens: d.controller.accessTokens(account),
      saveAccount: (a) => d.accounts.saveAccount(a),
      persistence: d.syncState,
      ourClient: async (clientId, fxaDeviceId) => ({
        id: clientId, name: await d.controller.deviceName(), fxaDeviceId, ...platform,
      }),
      commands: d.commands,
      log,
      onBackoff,
      reportProgress,
      ...(d.bookmarks ? { bookmarks: d.bookmarks } : {}),
    });
    return backoffUntil === null ? result : { ...result, backoffUntil };
  };
}
