// Sign-out: each store's owner forgets its part of the account (sync state and token, the decrypted
// mirror, the synced history pages, the search index, the id maps, recorded changes and decisions). Browser data (bookmarks, history, tabs) and
// the saved local copies stay; so does this install's client id.
import { IdbChangeStore } from './engineWorkStore.ts';
import { HistoryStore } from './historyStore.ts';
import { IdMapStore } from './idMapStore.ts';
import { MirrorStore } from './mirrorStore.ts';
import { SearchStore } from './searchStore.ts';
import type { SafetyStore } from './safetyStore.ts';
import type { SyncbridgeDB } from './schema.ts';
import type { SyncStateStore } from './syncStateStore.ts';

export async function forgetAccountData(db: SyncbridgeDB, owners: { syncState: SyncStateStore; safety: SafetyStore }): Promise<void> {
  await owners.syncState.forgetAccount();
  await MirrorStore.clearAll(db);
  await IdMapStore.clearAll(db);
  await HistoryStore.clearAll(db);
  await SearchStore.clearAll(db);
  await IdbChangeStore.forgetAll(db);
  await owners.safety.forgetAccount();
}
