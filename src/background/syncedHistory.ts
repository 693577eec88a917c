// The `syncedHistory` dependency of the message handlers: the "History from other devices" view,
// built from the history store, the account and the engine switch. Browser-free, so it is tested in Node.
import type { SyncedPage } from '../db/schema.ts';
import { toPageViews, type SyncedHistoryView } from '../shared/history.ts';

/** Pages the page is sent at most: its search stays instant and the message small (the newest win). */
export const SYNCED_HISTORY_LIMIT = 5000;

export interface SyncedHistorySourceDeps {
  /** Pages with visits from other devices, newest first, at most `limit` (HistoryStore.recentForeign). */
  recentForeign: (limit: number) => Promise<SyncedPage[]>;
  signedIn: () => Promise<boolean>;
  /** The person's History switch (SyncStateStore.engineChoices). */
  engineEnabled: () => Promise<boolean>;
}

export function syncedHistorySource(d: SyncedHistorySourceDeps): () => Promise<SyncedHistoryView> {
  return async () => {
    const [signedIn, engineEnabled] = await Promise.all([d.signedIn(), d.engineEnabled()]);
    // Signed out, the store belongs to no account (sign-out clears it); never show a previous account's pages.
    if (!signedIn) return { pages: [], signedIn, engineEnabled };
    return { pages: toPageViews(await d.recentForeign(SYNCED_HISTORY_LIMIT)), signedIn, engineEnabled };
  };
}
