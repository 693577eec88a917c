import { describe, expect, test } from 'vitest';
import type { StatusView } from '../shared/status.ts';
import { deviceTypeLabel, lastUsedText, relativeTime, statusLine } from './format.ts';

const base: StatusView = {
  signedIn: true, accountEmail: 'a@b.c', syncing: false, lastRun: null, lastSuccessAt: null,
  backoffUntil: null, nextSyncAt: null, extensionVersion: '1', progress: null, failures: null, runningSince: null, autoSync: true,
};
const NOW = 10_000_000;

describe('status wording', () => {
  test('relative times', () => {
    expect(relativeTime(NOW - 5_000, NOW)).toBe('a few seconds ago');
    expect(relativeTime(NOW - 10 * 60_000, NOW)).toBe('10 minutes ago');
    expect(relativeTime(NOW + 17 * 60_000, NOW)).toBe('in 17 minutes');
    expect(relativeTime(NOW - 3 * 86_400_000, NOW)).toBe('3 days ago');
  });

  test('a failed run says what went wrong and when it last worked', () => {
    const s: StatusView = {
      ...base,
      lastSuccessAt: NOW - 2 * 3600_000,
      lastRun: { startedAt: NOW - 60_000, finishedAt: NOW - 60_000, outcome: 'error', message: 'Could not reach the Sync server.', trigger: 'alarm' },
    };
    expect(statusLine(s, NOW)).toBe('Could not reach the Sync server. (1 minute ago) Last successful sync 2 hours ago.');
  });

  test('syncing and backoff take precedence', () => {
    expect(statusLine({ ...base, syncing: true }, NOW)).toBe('Syncing…');
    expect(statusLine({ ...base, backoffUntil: NOW + 120_000 }, NOW)).toBe('The server asked Syncbridge to wait; next try in 2 minutes.');
    expect(statusLine(base, NOW)).toBe('Not synced yet.');
  });
});

describe('devices', () => {
  test('last use in words, with Intl.RelativeTimeFormat', () => {
    expect(lastUsedText(NOW - 10_000, NOW, 'en')).toBe('last used just now');
    expect(lastUsedText(NOW + 60_000, NOW, 'en')).toBe('last used just now');
    expect(lastUsedText(NOW - 50_000, NOW, 'en')).toBe('last used 1 minute ago');
    expect(lastUsedText(NOW - 25 * 60_000, NOW, 'en')).toBe('last used 25 minutes ago');
    expect(lastUsedText(NOW - 3 * 3600_000 - 10 * 60_000, NOW, 'en')).toBe('last used 3 hours ago');
    expect(lastUsedText(NOW - 26 * 3600_000, NOW, 'en')).toBe('last used 1 day ago');
    expect(lastUsedText(NOW - 3 * 86_400_000, NOW, 'en')).toBe('last used 3 days ago');
    expect(lastUsedText(NOW - 15 * 86_400_000, NOW, 'en')).toBe('last used 2 weeks ago');
    expect(lastUsedText(NOW - 70 * 86_400_000, NOW, 'en')).toBe('last used 2 months ago');
    expect(lastUsedText(NOW - 800 * 86_400_000, NOW, 'en')).toBe('last used 2 years ago');
  });

  test('device types in words', () => {
    expect(deviceTypeLabel('desktop')).toBe('Desktop');
    expect(deviceTypeLabel('mobile')).toBe('Mobile');
    expect(deviceTypeLabel('tablet')).toBe('Tablet');
    expect(deviceTypeLabel('tv')).toBe('TV');
    expect(deviceTypeLabel('vr')).toBe('VR headset');
    expect(deviceTypeLabel('')).toBe('Device');
  });
});
