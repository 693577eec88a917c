// Issue 9 #17: permissions. What the manifest asks for, what the code believes it was granted at
// install, and which hosts the options page asks for when a self-hosted server is chosen.
import { describe, expect, test } from 'vitest';
import manifest from '../../manifest.json' with { type: 'json' };
import { configFromDocument, serverOrigins } from '../account/config.ts';
import { DEFAULT_REDIRECT_URI } from '../account/oauthClient.ts';
import { accessPattern, grantedAtInstall, INSTALL_HOST_PERMISSIONS, originsToRequest, patternCovers } from './hostAccess.ts';

const MOZILLA_DOCUMENT = {
  auth_server_base_url: 'https://api.accounts.firefox.com',
  oauth_server_base_url: 'https://oauth.accounts.firefox.com',
  pairing_server_base_uri: 'wss://channelserver.services.mozilla.com',
  profile_server_base_url: 'https://profile.accounts.firefox.com',
  sync_tokenserver_base_url: 'https://token.services.mozilla.com',
};

describe('manifest permissions match what Syncbridge uses', () => {
  test('API permissions: only what the code calls (storage now holds the sign-in waiting for its code)', () => {
    // alarms: periodic sync, the sign-in expiry and the Send Tab poll; storage: storage.session;
    // bookmarks, history and tabs: their engines (tabs also opens and closes tabs other devices send);
    // notifications: "Tab received from …"; contextMenus: "Send to device" on pages and links.
    // The sign-in redirect is read through a host permission.
    expect([...manifest.permissions].sort()).toEqual(['alarms', 'bookmarks', 'contextMenus', 'history', 'notifications', 'storage', 'tabs']);
  });

  test('the code’s list of hosts granted at install is exactly manifest.json’s host_permissions', () => {
    expect(INSTALL_HOST_PERMISSIONS).toEqual(manifest.host_permissions);
  });

  test('every host Mozilla’s sign-in and sync reach is granted at install, with the sign-in redirect page', () => {
    const config = configFromDocument('https://accounts.firefox.com', MOZILLA_DOCUMENT);
    const reached = [
      ...serverOrigins(config, 'https://sync-1-us-west1-g.sync.services.mozilla.com/1.5/123456'),
      new URL(DEFAULT_REDIRECT_URI).origin,
    ];
    expect(reached).toContain('https://profile.accounts.firefox.com');
    for (const origin of reached) {
      expect({ origin, inManifest: manifest.host_permissions.some((p) => patternCovers(p, origin)) }).toEqual({ origin, inManifest: true });
      expect({ origin, granted: grantedAtInstall(origin) }).toEqual({ origin, granted: true });
    }
    expect(originsToRequest(reached)).toEqual([]);
  });

  test('a server on this computer needs no request at 127.0.0.1 or localhost, on any port', () => {
    expect(originsToRequest(['http://127.0.0.1:8400', 'http://localhost:9/token/1.0/sync/1.5', 'http://127.0.0.1:8400/storage/1.5/1'])).toEqual([]);
    expect(originsToRequest(['http://[::1]:8400'])).toEqual(['http://[::1]/*']);
  });

  test('install grants do not stretch to look-alike hosts', () => {
    for (const origin of ['https://evil-firefox.com', 'https://accounts.firefox.com.evil.example', 'http://accounts.firefox.com', 'https://sync.services.mozilla.com.evil.example', 'http://127.0.0.2']) {
      expect({ origin, granted: grantedAtInstall(origin) }).toEqual({ origin, granted: false });
    }
  });
});

describe('a self-hosted server: the optional request covers every host sign-in and sync reach', () => {
  test('accounts, auth, OAuth, profile and token hosts from discovery, and the storage node once learned', () => {
    const config = configFromDocument('https://fxa.example.org', {
      auth_server_base_url: 'https://api.fxa.example.org',
      oauth_server_base_url: 'https://oauth.fxa.example.org',
      profile_server_base_url: 'https://profile.fxa.example.org:8443',
      sync_tokenserver_base_url: 'https://token.fxa.example.org',
    });
    expect(serverOrigins(config, null)).toEqual([
      'https://fxa.example.org', 'https://api.fxa.example.org', 'https://oauth.fxa.example.org',
      'https://profile.fxa.example.org:8443', 'https://token.fxa.example.org',
    ]);
    const hosts = serverOrigins(config, 'https://storage.example.net/1.5/77');
    // Match patterns carry no port (Firefox refuses one); the host is what is granted.
    expect(originsToRequest(hosts)).toEqual([
      'https://fxa.example.org/*', 'https://api.fxa.example.org/*', 'https://oauth.fxa.example.org/*',
      'https://profile.fxa.example.org/*', 'https://token.fxa.example.org/*', 'https://storage.example.net/*',
    ]);
  });

  test('an address typed without a scheme is asked for as https://, and unusable ones are left to the background', () => {
    expect(originsToRequest(['sync.example.org/fxa', 'not a url at all', ''])).toEqual(['https://sync.example.org/*']);
    expect(accessPattern('https://a.example:444/x?y')).toBe('https://a.example/*');
  });

  test('every request stays within the manifest’s optional_host_permissions', () => {
    for (const pattern of originsToRequest(['https://fxa.example.org', 'http://[::1]:1', 'http://127.9.9.9:2'])) {
      const scheme = pattern.split('://')[0];
      expect(manifest.optional_host_permissions).toContain(`${scheme}://*/*`);
    }
  });
});
