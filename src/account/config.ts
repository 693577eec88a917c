// Server discovery from the accounts server's `/.well-known/fxa-client-configuration`
// (protocol.md §0.1; gecko FxAccountsConfig.sys.mjs appends /v1, app-services token.rs
// fixup_server_url appends /1.0/sync/1.5).
import { t, type MessageKey } from '../i18n/i18n.ts';
import { AccountError } from './errors.ts';
import type { FetchLike } from './http.ts';
import { defaultFetch } from './http.ts';
import { requireSecureNamedUrl, requireSecureTypedUrl } from './secureUrl.ts';

export const DEFAULT_ACCOUNTS_SERVER = 'https://accounts.firefox.com';

export interface ServerConfig {
  /** Content server (web sign-in pages), no trailing slash, e.g. https://accounts.firefox.com. */
  accountsUrl: string;
  /** Auth server API including /v1, e.g. https://api.accounts.firefox.com/v1. */
  authUrl: string;
  /** OAuth server API including /v1, e.g. https://oauth.accounts.firefox.com/v1. */
  oauthUrl: string;
  /** Profile server API including /v1, e.g. https://profile.accounts.firefox.com/v1. */
  profileUrl: string;
  /** Full token server endpoint, e.g. https://token.services.mozilla.com/1.0/sync/1.5. */
  tokenServerUrl: string;
}

const TOKEN_SERVER_PATH = '/1.0/sync/1.5';

function stripSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Accepts "accounts.example.com" or a full URL; keeps any path; refuses non-http(s) schemes, and
 * plain http:// unless the server is on this computer.
 */
export function normalizeAccountsUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new AccountError('not-an-accounts-server', { serverMessage: `not a URL: ${input}` });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AccountError('not-an-accounts-server', { serverMessage: `unsupported scheme ${url.protocol}` });
  }
  requireSecureTypedUrl(url, 'Sync server');
  url.search = '';
  url.hash = '';
  return stripSlashes(url.toString());
}

/** The token server override for self-hosted storage: an http(s) URL, https:// unless on this computer. */
export function normalizeTokenServerUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new AccountError('not-an-accounts-server', { serverMessage: `token server is not a URL: ${input}` },
      t('errorTokenServerNotUrl'));
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AccountError('not-an-accounts-server', { serverMessage: `token server scheme ${url.protocol}` },
      t('errorTokenServerNotUrl'));
  }
  requireSecureTypedUrl(url, 'token server');
  return url.href.replace(/\/+$/, '');
}

function withV1(base: string): string {
  const b = stripSlashes(base);
  return b.endsWith('/v1') ? b : `${b}/v1`;
}

function withTokenServerPath(base: string): string {
  const b = stripSlashes(base);
  return b.endsWith(TOKEN_SERVER_PATH) ? b : b + TOKEN_SERVER_PATH;
}

/** What each base URL of the document is, in the person's words (and the key, for the operator). */
/** The discovery document's addresses, and the words naming each server. */
const DOCUMENT_URLS = {
  auth_server_base_url: 'serverLabelAuth',
  oauth_server_base_url: 'serverLabelOauth',
  profile_server_base_url: 'serverLabelProfile',
  sync_tokenserver_base_url: 'serverLabelToken',
} as const satisfies Record<string, MessageKey>;

function requireUrl(doc: Record<string, unknown>, key: keyof typeof DOCUMENT_URLS, source: string, accountsUrl: string): string {
  const value = doc[key];
  let url: URL | null = null;
  try {
    url = typeof value === 'string' && /^https?:\/\//i.test(value) ? new URL(value) : null;
  } catch {
    url = null;
  }
  if (typeof value !== 'string' || url === null) {
    throw new AccountError('not-an-accounts-server', { serverMessage: `${source} has no usable ${key}` });
  }
  requireSecureNamedUrl(url, accountsUrl, key, t(DOCUMENT_URLS[key]));
  return value;
}

/** Builds the config from an already-fetched configuration document. */
export function configFromDocument(accountsUrl: string, doc: unknown): ServerConfig {
  const source = `${accountsUrl}/.well-known/fxa-client-configuration`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AccountError('not-an-accounts-server', { serverMessage: `${source} is not a JSON object` });
  }
  const d = doc as Record<string, unknown>;
  const auth = requireUrl(d, 'auth_server_base_url', source, accountsUrl);
  const token = requireUrl(d, 'sync_tokenserver_base_url', source, accountsUrl);
  // Older self-hosted stacks serve OAuth from the auth server and may omit these two.
  const oauth = typeof d.oauth_server_base_url === 'string' ? requireUrl(d, 'oauth_server_base_url', source, accountsUrl) : auth;
  const profile = typeof d.profile_server_base_url === 'string' ? requireUrl(d, 'profile_server_base_url', source, accountsUrl) : auth;
  return {
    accountsUrl,
    authUrl: withV1(auth),
    oauthUrl: withV1(oauth),
    profileUrl: withV1(profile),
    tokenServerUrl: withTokenServerPath(token),
  };
}

/** Reads `/.well-known/fxa-client-configuration` of an accounts server (default Mozilla's). */
export async function discoverServer(
  accountsServerUrl: string = DEFAULT_ACCOUNTS_SERVER,
  opts: { fetch?: FetchLike } = {},
): Promise<ServerConfig> {
  const accountsUrl = normalizeAccountsUrl(accountsServerUrl);
  const url = `${accountsUrl}/.well-known/fxa-client-configuration`;
  const fetchImpl = opts.fetch ?? defaultFetch();
  let res: Response;
  try {
    res = await fetchImpl(url, { method: 'GET', headers: { accept: 'application/json' } });
  } catch (cause) {
    throw new AccountError('server-unreachable', { cause, serverMessage: `${url}: ${cause instanceof Error ? cause.message : String(cause)}` });
  }
  if (res.status >= 500) throw new AccountError('server-error', { status: res.status, serverMessage: url });
  if (!res.ok) throw new AccountError('not-an-accounts-server', { status: res.status, serverMessage: url });
  let doc: unknown;
  try {
    doc = JSON.parse(await res.text()) as unknown;
  } catch {
    throw new AccountError('not-an-accounts-server', { status: res.status, serverMessage: `${url} is not JSON` });
  }
  return configFromDocument(accountsUrl, doc);
}

/**
 * The origins sign-in and sync reach for this server: the accounts server (discovery), the auth,
 * OAuth and profile servers, the token server, and the storage node once the token server named it.
 * The options page asks for host access to any of these the manifest does not grant.
 */
export function serverOrigins(config: ServerConfig, storageEndpoint: string | null = null): string[] {
  const urls = [config.accountsUrl, config.authUrl, config.oauthUrl, config.profileUrl, config.tokenServerUrl];
  if (storageEndpoint) urls.push(storageEndpoint);
  const out: string[] = [];
  for (const u of urls) {
    try {
      const origin = new URL(u).origin;
      if (!out.includes(origin)) out.push(origin);
    } catch {
      // not a URL: nothing to ask access for
    }
  }
  return out;
}
