// Discovery against the real local stack, plus the document → config rules for Mozilla's layout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../server/main.ts';
import { configFromDocument, DEFAULT_ACCOUNTS_SERVER, discoverServer, normalizeAccountsUrl } from './config.ts';
import { AccountError } from './errors.ts';

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
