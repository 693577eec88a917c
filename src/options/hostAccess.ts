// Host access (issue 9 #17): the hosts manifest.json grants at install, and the match patterns the
// options page asks for when a self-hosted server is chosen. Pure (no browser API), so Node tests
// compare it with manifest.json and check what a request covers.
//
// A self-hosted server can spread sign-in and sync over several hosts: the accounts server, the
// auth, OAuth and profile servers its discovery document names, the token server, and the storage
// node the token server assigns. Firefox lets `permissions.request` run only while the browser is
// handling a click (not after an await), so the page asks in steps, each on a click:
//  1. Sign in: the accounts server and the token server typed in (plus every host already learned);
//  2. once discovery has named other hosts, an "Allow access" button for those, before signing in;
//  3. the storage node is named by the token server only after sign-in (it depends on the account),
//     so it is asked for, with the same button, when it is learned: the background reports it in
//     the account view's `hosts`.
// Asking for a broad origin up front (e.g. every https:// site) would also work in both browsers,
// but it grants far more than Syncbridge needs, so it is not done.

import { formatList } from '../i18n/i18n.ts';

/** manifest.json's host_permissions, exactly (hostAccess.test.ts compares them). */
export const INSTALL_HOST_PERMISSIONS: readonly string[] = [
  'https://accounts.firefox.com/*',
  'https://api.accounts.firefox.com/*',
  'https://oauth.accounts.firefox.com/*',
  'https://profile.accounts.firefox.com/*',
  'https://token.services.mozilla.com/*',
  'https://*.sync.services.mozilla.com/*',
  'https://lockbox.firefox.com/*',
  'http://127.0.0.1/*',
  'http://localhost/*',
];

/**
 * Whether a host-permission match pattern ("https://*.example.org/*") covers `url`. Host
 * permissions ignore the path, and a pattern without a port covers every port (both browsers).
 */
export function patternCovers(pattern: string, url: string): boolean {
  const m = /^(\*|https?):\/\/(\*|(?:\*\.)?[^/*:[\]]+|\[[0-9a-f:.]+\])\//i.exec(pattern);
  if (!m) return false;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!.toLowerCase();
  if (scheme === '*' ? u.protocol !== 'https:' && u.protocol !== 'http:' : u.protocol !== `${scheme}:`) return false;
  if (host === '*') return true;
  if (host.startsWith('*.')) {
    const base = host.slice(2);
    return u.hostname === base || u.hostname.endsWith(`.${base}`);
  }
  return u.hostname === host;
}

/** True when the manifest grants `url`'s host at install. */
export function grantedAtInstall(url: string): boolean {
  return INSTALL_HOST_PERMISSIONS.some((p) => patternCovers(p, url));
}

/** "https://sync.example.org:8443/x" → "https://sync.example.org/*" (Firefox refuses a port in a pattern). */
export function accessPattern(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}/*`;
}

/** An address as typed or as the background reports it; "sync.example.org" means https://. */
function parseAddress(input: string): URL | null {
  const trimmed = input.trim();
  if (trimmed === '') return null;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null; // the background explains an unusable address in words
  }
}

/** The match patterns to request so every one of `urls` can be reached; [] when the install grants cover them. */
export function originsToRequest(urls: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of urls) {
    const url = parseAddress(raw);
    if (!url || grantedAtInstall(url.href)) continue;
    const pattern = accessPattern(url.href);
    if (!out.includes(pattern)) out.push(pattern);
  }
  return out;
}

/** "a.example", "a.example and b.example", "a.example, b.example and c.example" (in the browser's language). */
export function hostList(patterns: readonly string[]): string {
  return formatList(patterns.map((p) => p.replace(/^[a-z]+:\/\//, '').replace(/\/\*$/, '')));
}
