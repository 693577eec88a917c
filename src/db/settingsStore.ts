import { DEFAULT_SETTINGS, applySettingsPatch, type Settings } from '../shared/settings.ts';
import type { SyncbridgeDB } from './schema.ts';

const KEY = 'settings';

/** Sole owner of the `settings` store. */
export class SettingsStore {
  constructor(private readonly db: SyncbridgeDB) {}

  async get(): Promise<Settings> {
    const stored = (await this.db.get('settings', KEY)) as Partial<Settings> | undefined;
    // Merge over defaults so settings added by a newer version get their default value.
    return { ...DEFAULT_SETTINGS, ...stored };
  }

  /** Validates and saves in one transaction so two pages saving at once cannot interleave. */
  async update(patch: Partial<Settings>): Promise<Settings> {
    const tx = this.db.transaction('settings', 'readwrite');
    const current = { ...DEFAULT_SETTINGS, ...((await tx.store.get(KEY)) as Partial<Settings> | undefined) };
    const next = applySettingsPatch(current, patch);
    await tx.store.put(next, KEY);
    await tx.done;
    return next;
  }
}
