import { describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS, applySettingsPatch, type Settings } from './settings.ts';

describe('settings', () => {
  test('adding other devices’ pages to this browser’s history is off by default', () => {
    expect(DEFAULT_SETTINGS.addRemoteHistoryToBrowser).toBe(false);
  });

  test('a boolean is saved; the rest stays', () => {
    expect(applySettingsPatch(DEFAULT_SETTINGS, { addRemoteHistoryToBrowser: true })).toEqual({ ...DEFAULT_SETTINGS, addRemoteHistoryToBrowser: true });
    expect(applySettingsPatch({ ...DEFAULT_SETTINGS, addRemoteHistoryToBrowser: true }, { syncIntervalMinutes: 30 }))
      .toEqual({ ...DEFAULT_SETTINGS, syncIntervalMinutes: 30, addRemoteHistoryToBrowser: true });
  });

  test('anything else is refused with words for the person', () => {
    for (const v of ['true', 1, null, {}]) {
      const patch = { addRemoteHistoryToBrowser: v } as unknown as Partial<Settings>;
      expect(() => applySettingsPatch(DEFAULT_SETTINGS, patch), String(v)).toThrow(/switched on or off/);
    }
  });

  test('syncing automatically is on by default; only a boolean switches it', () => {
    expect(DEFAULT_SETTINGS.autoSync).toBe(true);
    expect(applySettingsPatch(DEFAULT_SETTINGS, { autoSync: false })).toEqual({ ...DEFAULT_SETTINGS, autoSync: false });
    for (const v of ['false', 0, null]) {
      const patch = { autoSync: v } as unknown as Partial<Settings>;
      expect(() => applySettingsPatch(DEFAULT_SETTINGS, patch), String(v)).toThrow(/switched on or off/);
    }
  });

  test('the sync interval is still checked', () => {
    expect(() => applySettingsPatch(DEFAULT_SETTINGS, { syncIntervalMinutes: 0 })).toThrow(/whole number of minutes from 1 to 1440/);
  });
});
