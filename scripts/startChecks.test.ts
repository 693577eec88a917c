import { describe, expect, test } from 'vitest';
import { findChromium, hasDisplay, launchFailure, missingChromiumMessage, noDisplayMessage } from './startChecks.mjs';

const ORIGIN = 'http://127.0.0.1:8400';
const ROOT = '/home/me/syncbridge';

describe('npm start: what it says when it cannot show Chromium', () => {
  test('a display is DISPLAY or WAYLAND_DISPLAY on Linux; other systems always have one', () => {
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: '' }, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(hasDisplay({}, 'darwin')).toBe(true);
  });

  test('Chromium: CHROMIUM_PATH when set, else the first usual place that exists', () => {
    const only = (...files: string[]) => (f: string): boolean => files.includes(f);
    expect(findChromium({}, 'linux', only('/usr/bin/chromium-browser'))).toEqual({
      path: '/usr/bin/chromium-browser', found: true, fromEnv: false, tried: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/snap/bin/chromium'],
    });
    expect(findChromium({ CHROMIUM_PATH: '/opt/c/chrome' }, 'linux', only('/usr/bin/chromium'))).toMatchObject({ path: '/opt/c/chrome', found: false, fromEnv: true });
    expect(findChromium({}, 'linux', only())).toMatchObject({ path: '/usr/bin/chromium', found: false });
  });

  test('no display: says so, how to get a virtual one, and how to load dist/chromium in one’s own browser', () => {
    const text = noDisplayMessage(ROOT, ORIGIN);
    expect(text).toMatch(/^No display found \(neither DISPLAY nor WAYLAND_DISPLAY is set\)/);
    expect(text).toContain('xvfb-run');
    expect(text).toContain('chrome://extensions');
    expect(text).toContain('"Load unpacked" and pick /home/me/syncbridge/dist/chromium');
    expect(text).toContain(`set Sync server to ${ORIGIN}`);
    expect(text).toContain('ssh -L 8400:127.0.0.1:8400');
  });

  test('no Chromium: where it looked, how to install it, or CHROMIUM_PATH', () => {
    const missing = findChromium({}, 'linux', () => false);
    const text = missingChromiumMessage(missing, 'linux', ROOT, ORIGIN);
    expect(text).toMatch(/^Chromium is not installed \(looked in \/usr\/bin\/chromium, /);
    expect(text).toContain('sudo apt-get install chromium');
    expect(text).toContain('CHROMIUM_PATH=/path/to/chromium npm start');
    expect(text).toContain('Load unpacked');
    const configured = missingChromiumMessage(findChromium({ CHROMIUM_PATH: '/opt/nope' }, 'linux', () => false), 'linux', ROOT, ORIGIN);
    expect(configured).toMatch(/^CHROMIUM_PATH is \/opt\/nope, but there is no such file\./);
    expect(missingChromiumMessage(findChromium({}, 'darwin', () => false), 'darwin', ROOT, ORIGIN)).toContain('brew install --cask chromium');
  });

  test('a launch failure is one line, without Playwright’s call log', () => {
    const e = new Error('browserType.launchPersistentContext: Failed to launch the browser process!\n/usr/bin/chromium: error while loading shared libraries\nCall log:\n  - <launching>');
    expect(launchFailure(e)).toBe('Failed to launch the browser process!');
  });
});
