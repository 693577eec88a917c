// User-chosen settings. Owned by db/settingsStore.ts; everything else reads them through it.
import { t } from '../i18n/i18n.ts';

export interface Settings {
  /** Minutes between periodic syncs. */
  syncIntervalMinutes: number;
  /**
   * Chromium only: also add other devices' pages to this browser's history, for address-bar
   * suggestions. Chromium can only record them as visited now; their real visit times stay on the
   * "History from other devices" page. Firefox gets the real visits in its own history either way.
   */
  addRemoteHistoryToBrowser: boolean;
  /**
   * Sync on its own (at sign-in and browser start, after a rename or local edits, on the periodic
   * alarm). Off: only Sync now syncs, for metered connections and for test harnesses that must
   * control every sync. Checking for tabs sent from other devices goes on either way.
   */
  autoSync: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  syncIntervalMinutes: 10,
  addRemoteHistoryToBrowser: false,
  autoSync: true,
};

export const SYNC_INTERVAL_LIMITS = { min: 1, max: 24 * 60 } as const;

/** Validates a patch from a page; throws with a message fit to show the person. */
export function applySettingsPatch(current: Settings, patch: Partial<Settings>): Settings {
  const next: Settings = { ...current };
  if (patch.syncIntervalMinutes !== undefined) {
    const v = patch.syncIntervalMinutes;
    if (!Number.isInteger(v) || v < SYNC_INTERVAL_LIMITS.min || v > SYNC_INTERVAL_LIMITS.max) {
      throw new Error(t('errorSyncInterval', SYNC_INTERVAL_LIMITS.min, SYNC_INTERVAL_LIMITS.max));
    }
    next.syncIntervalMinutes = v;
  }
  if (patch.addRemoteHistoryToBrowser !== undefined) {
    // Pages send what they like over the message channel; the type says boolean, the value may not be.
    const v: unknown = patch.addRemoteHistoryToBrowser;
    if (typeof v !== 'boolean') {
      throw new Error(t('errorAddRemoteHistoryValue'));
    }
    next.addRemoteHistoryToBrowser = v;
  }
  if (patch.autoSync !== undefined) {
    const v: unknown = patch.autoSync;
    if (typeof v !== 'boolean') throw new Error('Syncing automatically must be switched on or off (true or false).');
    next.autoSync = v;
  }
  return next;
}
