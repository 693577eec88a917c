import { describe, expect, test } from 'vitest';
import { CANNOT_SEND_PAGE, CANNOT_SEND_PRIVATE, sendableTab } from './sendableTab.ts';

describe('the tab “Send this tab to…” sends', () => {
  test('a web page of a normal window, with its title', () => {
    expect(sendableTab({ url: 'https://example.com/a', title: 'A', incognito: false })).toEqual({ ok: true, url: 'https://example.com/a', title: 'A' });
    expect(sendableTab({ url: 'http://127.0.0.1:8000/' })).toEqual({ ok: true, url: 'http://127.0.0.1:8000/', title: '' });
  });

  // The popup of an incognito window (the extension allowed there) offered to send its tab: it
  // reached the other device, although nothing of a private window is ever sent.
  test('never a tab of a private window, whatever its address', () => {
    expect(sendableTab({ url: 'https://example.com/secret', title: 'Secret', incognito: true })).toEqual({ ok: false, reason: CANNOT_SEND_PRIVATE });
    expect(sendableTab({ url: 'chrome://newtab/', incognito: true })).toEqual({ ok: false, reason: CANNOT_SEND_PRIVATE });
  });

  test('not a browser page, an extension page, a tab without an address, or no tab', () => {
    for (const url of ['chrome://version/', 'about:blank', 'chrome-extension://abc/popup.html', 'javascript:alert(1)', '', 'not a url']) {
      expect(sendableTab({ url, incognito: false }), url).toEqual({ ok: false, reason: CANNOT_SEND_PAGE });
    }
    expect(sendableTab({ incognito: false })).toEqual({ ok: false, reason: CANNOT_SEND_PAGE });
    expect(sendableTab(undefined)).toEqual({ ok: false, reason: CANNOT_SEND_PAGE });
  });
});
