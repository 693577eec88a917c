// What commands from other devices (left in our clients record) do in this browser.
// Engines' own wipe behaviour joins here as each engine lands; until then an engine command resets
// that engine's sync state, which is what Firefox does for engines it has no local data for.
import type { AccountController } from '../account/controller.ts';
import type { SyncStateStore } from '../db/syncStateStore.ts';
import type { ClientCommandHandlers } from '../engines/clients/engine.ts';
import type { Logger } from '../log/logger.ts';

export function createCommandHandlers(d: {
  syncState: SyncStateStore;
  accounts: AccountController;
  log: Logger;
  /** Opens a tab in the background (not focused): a tab another device sent here. */
  openTab: (url: string) => Promise<void>;
}): ClientCommandHandlers {
  return {
    wipeEngine: (engine) => d.syncState.resetEngine(engine),
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
