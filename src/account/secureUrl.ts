// Plain http:// only for a server on this computer (127.0.0.0/8, [::1], localhost); every other
// server is https:// (issue 9 #14). One rule for the addresses a person types, the ones an
// accounts server's discovery document names, and every account request at the moment it is sent,
// so a config stored before the rule existed is refused too. The token server client applies the
// same rule to the token server and the storage node (src/sync/tokenserver/client.ts).
// Browser-free and fetch-free: the options page checks typed addresses with it before asking for
// host permission.
import { isSecureOrLoopback } from '../sync/tokenserver/client.ts';
import { t } from '../i18n/i18n.ts';
import { AccountError } from './errors.ts';

export { isLoopbackHost, isSecureOrLoopback } from '../sync/tokenserver/client.ts';

function refuse(url: URL, log: string, words: string): never {
  throw new AccountError('insecure-server', { serverMessage: `${log} ${url.origin} is plain http on another computer` }, words);
}

/** An address the person typed in Settings ("Sync server" or "token server"). */
export function requireSecureTypedUrl(url: URL, what: 'Sync server' | 'token server'): void {
  if (isSecureOrLoopback(url)) return;
  const https = new URL(url.href);
  https.protocol = 'https:';
  const suggestion = https.href.replace(/\/+$/, '');
  refuse(url, what, t(what === 'Sync server' ? 'errorInsecureTypedSyncServer' : 'errorInsecureTypedTokenServer', url.origin, suggestion, t('errorHttpOnlyHere')));
}

/** An address an accounts server's discovery document names (`field`: its name there, for the log; `label`: which server, in words). */
export function requireSecureNamedUrl(url: URL, accountsUrl: string, field: string, label: string): void {
  if (isSecureOrLoopback(url)) return;
  refuse(url, field, t('errorInsecureNamedUrl', accountsUrl, label, url.href.replace(/\/+$/, ''), t('errorHttpOnlyHere')));
}

/** Every account request, just before it is sent. */
export function requireSecureRequestUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return; // fetch reports an unusable URL itself
  }
  if (isSecureOrLoopback(url)) return;
  refuse(url, 'request to', t('errorInsecureRequest', url.origin, t('errorHttpOnlyHere')));
}

/**
 * Checks an address typed in Settings before anything is asked or sent ("accounts.example.org"
 * means https://). Unparseable input is left to the background, which explains it.
 */
export function checkTypedAddress(input: string, what: 'Sync server' | 'token server'): void {
  const trimmed = input.trim();
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`);
  } catch {
    return;
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') requireSecureTypedUrl(url, what);
}
