// What commands from other devices (left in our clients record) do in this browser.
// wipeEngine: Firefox deletes its local data for the engine and downloads the server's again. For
// bookmarks we reach the same end more gently: the engine starts over and replaces this browser's
// bookmarks with the account's (items with the same content are kept, and a copy is saved first).
// Other engines have no local data here yet, so resetting their sync state is the whole wipe.
import type { AccountController } from '../account/controller.ts';
import type { SyncStateStore } from '../db/syncStateStore.ts';
import type { ClientCommandHandlers } from '../engines/clients/engine.ts';
import type { Logger } from '../log/logger.ts';

export function createCommandHandlers(d: {
  syncState: SyncStateStore;
  accounts: AccountController;
  /** Bookmarks: replace local with the account's at the next sync. */
  takeRemoteBookmarks?: () => Promise<void>;
  log: Logger;
  /** Opens a tab in the background (not focused): a tab another device sent here. */
  openTab: (url: string) => Promise<void>;
}): ClientCommandHandlers {
  return {
    wipeEngine: async (engine) => {
      await d.syncState.resetEngine(engine);
      if (engine === 'bookmarks') await d.takeRemoteBookmarks?.();
    },
    resetEngine: (engine) => d.syncState.resetEngine(engine),
    resetAll: () => d.syncState.resetAll(),
    logout: async () => {
      await d.accounts.signOut();
    },
    displayURI: async (uri) => {
      // Only web pages: another device must not be able to open extension or file URLs here.
      if (!/^https?:\/\//i.test(uri)) {
        d.log.warn('Ignored a tab sent from another device with an unsupported address');
        return;
      }
      await d.openTab(uri);
    },
  };
}
