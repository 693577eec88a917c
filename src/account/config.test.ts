// Discovery against the real local stack, plus the document → config rules for Mozilla's layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/main.ts';
import { configFromDocument, DEFAULT_ACCOUNTS_SERVER, discoverServer, normalizeAccountsUrl } from './config.ts';
import { AccountError, isAccountError } from './errors.ts';
import { requestJson } from './http.ts';

let origin: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  origin = server.origin;
  close = server.close;
});

afterAll(async () => {
  await close();
});

async function kindOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AccountError);
  expect((err as AccountError).userMessage).not.toBe('');
  return (err as AccountError).kind;
}

describe('discoverServer', () => {
  it('reads the local stack and adds /v1 and the token server path', async () => {
    const config = await discoverServer(`${origin}/`);
    expect(config).toEqual({
      accountsUrl: origin,
      authUrl: `${origin}/v1`,
      oauthUrl: `${origin}/v1`,
      profileUrl: `${origin}/profile/v1`,
      tokenServerUrl: `${origin}/token/1.0/sync/1.5`,
    });
    // The endpoints it names are live.
    const status = await fetch(`${config.authUrl}/account/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x@example.org' }),
    });
    expect(await status.json()).toEqual({ exists: false });
  });

  it('says when the address is not an accounts server', async () => {
    expect(await kindOf(discoverServer(`${origin}/not-here`))).toBe('not-an-accounts-server');
    expect(await kindOf(discoverServer('ftp://example.org'))).toBe('not-an-accounts-server');
  });

  it('says when the server cannot be reached', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1' });
    const gone = server.origin;
    await server.close();
    expect(await kindOf(discoverServer(gone))).toBe('server-unreachable');
  });
});

describe('configFromDocument', () => {
  it('maps Mozilla production’s document (bases without /v1)', () => {
    const doc = {
      auth_server_base_url: 'https://api.accounts.firefox.com',
      oauth_server_base_url: 'https://oauth.accounts.firefox.com',
      pairing_server_base_uri: 'wss://channelserver.services.mozilla.com',
      profile_server_base_url: 'https://profile.accounts.firefox.com',
      sync_tokenserver_base_url: 'https://token.services.mozilla.com',
    };
    expect(configFromDocument(DEFAULT_ACCOUNTS_SERVER, doc)).toEqual({
      accountsUrl: 'https://accounts.firefox.com',
      authUrl: 'https://api.accounts.firefox.com/v1',
      oauthUrl: 'https://oauth.accounts.firefox.com/v1',
      profileUrl: 'https://profile.accounts.firefox.com/v1',
      tokenServerUrl: 'https://token.services.mozilla.com/1.0/sync/1.5',
    });
  });

  it('keeps /v1 and the token path when a self-hosted document already has them', () => {
    const config = configFromDocument('https://fxa.example', {
      auth_server_base_url: 'https://fxa.example/auth/v1/',
      sync_tokenserver_base_url: 'https://fxa.example/token/1.0/sync/1.5/',
    });
    expect(config.authUrl).toBe('https://fxa.example/auth/v1');
    expect(config.oauthUrl).toBe('https://fxa.example/auth/v1');
    expect(config.tokenServerUrl).toBe('https://fxa.example/token/1.0/sync/1.5');
  });

  it('refuses documents without the required bases', () => {
    expect(() => configFromDocument('https://x', { auth_server_base_url: 'https://x' })).toThrow(AccountError);
    expect(() => configFromDocument('https://x', [])).toThrow(AccountError);
  });

  it('normalizes what people type', () => {
    expect(normalizeAccountsUrl(' accounts.example.org/ ')).toBe('https://accounts.example.org');
    expect(normalizeAccountsUrl('http://127.0.0.1:8400//')).toBe('http://127.0.0.1:8400');
    expect(normalizeAccountsUrl('https://h.example/fxa/?x=1#y')).toBe('https://h.example/fxa');
  });
});

// Issue 9 #14: plain http:// was accepted for any host. It is allowed for this computer only.
describe('plain http:// is refused for servers that are not on this computer', () => {
  const insecure = (fn: () => unknown): AccountError => {
    let err: unknown = null;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AccountError);
    expect((err as AccountError).kind).toBe('insecure-server');
    return err as AccountError;
  };

  it('refuses an http:// accounts server on another computer, saying why and what to use instead', () => {
    const err = insecure(() => normalizeAccountsUrl('http://fxa.example.org/'));
    expect(err.userMessage).toMatch(/http:\/\/fxa\.example\.org/);
    expect(err.userMessage).toMatch(/not encrypted/);
    expect(err.userMessage).toMatch(/https:\/\/fxa\.example\.org/);
    expect(err.userMessage).toMatch(/this computer/);
  });

  it('allows http:// for loopback only: 127.0.0.0/8, [::1] and localhost', () => {
    expect(normalizeAccountsUrl('http://127.0.0.1:8400')).toBe('http://127.0.0.1:8400');
    expect(normalizeAccountsUrl('http://127.12.0.3:8400/')).toBe('http://127.12.0.3:8400');
    expect(normalizeAccountsUrl('http://[::1]:8400')).toBe('http://[::1]:8400');
    expect(normalizeAccountsUrl('http://LOCALHOST:8400')).toBe('http://localhost:8400');
    for (const url of ['http://128.0.0.1', 'http://127.0.0.1.example.org', 'http://localhost.example.org', 'http://[::2]', 'http://10.0.0.1', 'http://sync']) {
      insecure(() => normalizeAccountsUrl(url));
    }
  });

  it('refuses a discovery document that names an http:// endpoint on another computer, naming which one', () => {
    const good = {
      auth_server_base_url: 'https://api.fxa.example',
      oauth_server_base_url: 'https://oauth.fxa.example',
      profile_server_base_url: 'https://profile.fxa.example',
      sync_tokenserver_base_url: 'https://token.fxa.example',
    };
    expect(configFromDocument('https://fxa.example', good).authUrl).toBe('https://api.fxa.example/v1');
    const what: Record<string, RegExp> = {
      auth_server_base_url: /account server/,
      oauth_server_base_url: /OAuth server/,
      profile_server_base_url: /profile server/,
      sync_tokenserver_base_url: /token server/,
    };
    for (const key of Object.keys(good) as Array<keyof typeof good>) {
      const url = good[key].replace('https:', 'http:');
      const err = insecure(() => configFromDocument('https://fxa.example', { ...good, [key]: url }));
      expect(err.userMessage).toMatch(what[key]!);
      expect(err.userMessage).toContain(url);
      expect(err.userMessage).toMatch(/https:\/\//);
    }
    // The local stack names its own loopback address: still fine.
    expect(configFromDocument('http://127.0.0.1:9', { ...good, auth_server_base_url: 'http://127.0.0.1:9' }).authUrl).toBe('http://127.0.0.1:9/v1');
  });

  it('refuses to discover an http:// accounts server on another computer without sending anything', async () => {
    let sent = 0;
    const err = await discoverServer('http://fxa.example.org', { fetch: async () => (sent++, new Response('{}')) }).catch((e: unknown) => e);
    expect(isAccountError(err, 'insecure-server')).toBe(true);
    expect(sent).toBe(0);
  });

  it('refuses every account request to an http:// server on another computer (e.g. a config stored before this check)', async () => {
    let sent = 0;
    const err = await requestJson(
      { method: 'POST', url: 'http://api.fxa.example/v1/account/login', body: { email: 'a@example.org' } },
      { fetch: async () => (sent++, new Response('{}')), now: Date.now, authMode: 'bearer' },
    ).catch((e: unknown) => e);
    expect(isAccountError(err, 'insecure-server')).toBe(true);
    expect((err as AccountError).userMessage).toMatch(/http:\/\/api\.fxa\.example/);
    expect(sent).toBe(0);
  });
});
