// What account-level commands from other devices (left in our clients record) do in this browser.
// Engine commands (wipeEngine, resetEngine, resetAll) reach the engines through the account-level
// sync, the same way for every engine (accountSync/syncAccount.ts).
import type { AccountController } from '../account/controller.ts';
import type { AccountCommands } from '../accountSync/syncAccount.ts';
import type { Logger } from '../log/logger.ts';

export function createAccountCommands(d: {
  accounts: AccountController;
  log: Logger;
  /** Opens a tab in the background (not focused): a tab another device sent here. */
  openTab: (url: string) => Promise<void>;
}): AccountCommands {
  return {
    logout: async () => {
      // Runs inside the sync that read the command; sign-out stops that sync and waits for it to
      // end, so it must not be awaited here.
      void d.accounts.signOut().catch((e: unknown) => d.log.warn('Sign-out asked by another device failed', { error: String(e) }));
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
