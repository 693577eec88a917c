// User-chosen settings. Owned by db/settingsStore.ts; everything else reads them through it.

export interface Settings {
  /** Minutes between periodic syncs. */
  syncIntervalMinutes: number;
}

export const DEFAULT_SETTINGS: Settings = {
  syncIntervalMinutes: 10,
};

export const SYNC_INTERVAL_LIMITS = { min: 1, max: 24 * 60 } as const;

/** Validates a patch from a page; throws with a message fit to show the person. */
export function applySettingsPatch(current: Settings, patch: Partial<Settings>): Settings {
  const next: Settings = { ...current };
  if (patch.syncIntervalMinutes !== undefined) {
    const v = patch.syncIntervalMinutes;
    if (!Number.isInteger(v) || v < SYNC_INTERVAL_LIMITS.min || v > SYNC_INTERVAL_LIMITS.max) {
      throw new Error(
        `Sync interval must be a whole number of minutes from ${SYNC_INTERVAL_LIMITS.min} to ${SYNC_INTERVAL_LIMITS.max}.`,
      );
    }
    next.syncIntervalMinutes = v;
  }
  return next;
}
