// What a sync run does. Until an account is connected there is nothing to exchange with a server,
// so the run ends as "skipped" with advice; the account and engine steps plug in here.
import type { SyncbridgeDB } from '../db/schema.ts';
import type { SyncJob } from '../sync/scheduler.ts';

export function createSyncJob(db: SyncbridgeDB): SyncJob {
  return async ({ log }) => {
    const account = await db.get('account', 'account');
    if (!account) {
      log.info('Nothing to sync: not signed in');
      return { outcome: 'skipped', message: 'Not signed in. Open Settings to connect your Mozilla account.' };
    }
    return { outcome: 'skipped', message: 'Signed in, but no engine is enabled yet.' };
  };
}

export async function accountEmail(db: SyncbridgeDB): Promise<string | null> {
  const account = (await db.get('account', 'account')) as { email?: unknown } | undefined;
  return typeof account?.email === 'string' ? account.email : null;
}
