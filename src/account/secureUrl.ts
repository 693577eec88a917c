// Plain http:// only for a server on this computer (127.0.0.0/8, [::1], localhost); every other
// server is https:// (issue 9 #14). One rule for the addresses a person types, the ones an
// accounts server's discovery document names, and every account request at the moment it is sent,
// so a config stored before the rule existed is refused too. The token server client applies the
// same rule to the token server and the storage node (src/sync/tokenserver/client.ts).
// Browser-free and fetch-free: the options page checks typed addresses with it before asking for
// host permission.
import { isSecureOrLoopback } from '../sync/tokenserver/client.ts';
import { AccountError } from './errors.ts';

export { isLoopbackHost, isSecureOrLoopback } from '../sync/tokenserver/client.ts';

const ONLY_HERE = 'Plain http:// is only allowed for a server on this computer (localhost, 127.0.0.1 or [::1]).';

function refuse(url: URL, log: string, words: string): never {
  throw new AccountError('insecure-server', { serverMessage: `${log} ${url.origin} is plain http on another computer` }, words);
}

/** An address the person typed in Settings ("Sync server" or "token server"). */
export function requireSecureTypedUrl(url: URL, what: 'Sync server' | 'token server'): void {
  if (isSecureOrLoopback(url)) return;
  const https = new URL(url.href);
  https.protocol = 'https:';
  const suggestion = https.href.replace(/\/+$/, '');
  refuse(
    url,
    what,
    `The ${what} address ${url.origin} uses plain http://, which is not encrypted: your password, keys and data could be read or changed on the way. ` +
      `Use an address starting with https://, such as ${suggestion}. ${ONLY_HERE}`,
  );
}

/** An address an accounts server's discovery document names (`label`: which server, in words). */
export function requireSecureNamedUrl(url: URL, accountsUrl: string, label: string): void {
  if (isSecureOrLoopback(url)) return;
  refuse(
    url,
    label,
    `The accounts server ${accountsUrl} says its ${label} is at ${url.href.replace(/\/+$/, '')}, which uses plain http:// and is not encrypted, ` +
      `so Syncbridge will not use it. Ask the server’s operator to serve it over https://. ${ONLY_HERE}`,
  );
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
  refuse(
    url,
    'request to',
    `Syncbridge did not contact ${url.origin}: it uses plain http://, which is not encrypted. ` +
      `Sign out, then choose a Sync server whose address starts with https://. ${ONLY_HERE}`,
  );
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
