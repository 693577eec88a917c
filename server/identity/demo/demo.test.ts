// The demo account end to end: sign in like a client, get a token, fetch storage with Hawk, decrypt
// with the account's keys and compare with the fixtures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForCollection,
  decryptCryptoKeys,
  decryptPayload,
  deriveSyncKey,
  hawkHeader,
  keyBundleFromKSync,
  keyId,
  bytesToHex,
} from '../../../src/sync/crypto/index.ts';
import type { CollectionKeys } from '../../../src/sync/crypto/index.ts';
import type { Stack } from '../test-support/stack.ts';
import { call, fetchKB, loginV1, session, startStack } from '../test-support/stack.ts';
import type { DemoSeedResult } from './seed.ts';
import { CLOSE_TAB_COMMAND, SEND_TAB_COMMAND, seedDemoAccount } from './seed.ts';
import {
  DEMO_BOOKMARKS,
  DEMO_CLIENT_ID,
  DEMO_COMMAND_KEYS,
  DEMO_EMAIL,
  DEMO_KB_HEX,
  DEMO_META_GLOBAL,
  DEMO_PASSWORD,
  demoBookmarkTree,
  demoClientRecord,
  demoHistory,
  demoTabs,
} from './fixtures.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';

let stack: Stack;
let seed: DemoSeedResult;
let token: { id: string; key: string; api_endpoint: string };
let keys: CollectionKeys;

async function storageGet(path: string): Promise<{ status: number; body: unknown }> {
  const url = `${token.api_endpoint}${path}`;
  const res = await fetch(url, { headers: { authorization: hawkHeader({ method: 'GET', url, id: token.id, key: token.key }) } });
  return { status: res.status, body: await res.json() };
}

async function collection(name: string): Promise<Array<{ id: string; payload: string; sortindex?: number }>> {
  const reply = await storageGet(`/storage/${name}?full=1&sort=oldest`);
  expect(reply.status).toBe(200);
  return reply.body as Array<{ id: string; payload: string; sortindex?: number }>;
}

beforeAll(async () => {
  stack = await startStack();
  seed = await seedDemoAccount(stack.identity.state);
  const origin = stack.origin;
  // Sign in exactly as a Path A client would.
  const { reply, creds } = await loginV1(origin, DEMO_EMAIL, DEMO_PASSWORD);
  expect(reply.body.verified).toBe(true);
  const kB = await fetchKB(origin, reply.body.keyFetchToken!, creds);
  expect(bytesToHex(kB)).toBe(DEMO_KB_HEX);
  const grant = await call(origin, 'POST', '/v1/oauth/token', {
    headers: session(reply.body.sessionToken),
    json: { grant_type: 'fxa-credentials', client_id: '5882386c6d801776', scope: OLDSYNC },
  });
  const meta = await call<Record<string, { keyRotationTimestamp: number }>>(origin, 'POST', '/v1/account/scoped-key-data', {
    headers: session(reply.body.sessionToken),
    json: { client_id: '5882386c6d801776', scope: OLDSYNC },
  });
  const { kSync, kXCS } = deriveSyncKey(kB);
  const ts = await call<{ id: string; key: string; api_endpoint: string }>(origin, 'GET', '/token/1.0/sync/1.5', {
    headers: { authorization: `Bearer ${String(grant.body.access_token)}`, 'x-keyid': keyId(meta.body[OLDSYNC]!.keyRotationTimestamp, kXCS) },
  });
  expect(ts.status).toBe(200);
  token = ts.body;
  expect(token.api_endpoint.endsWith(`/${seed.storageUid}`)).toBe(true);
  const cryptoReply = await storageGet('/storage/crypto/keys');
  expect(cryptoReply.status, JSON.stringify(cryptoReply.body)).toBe(200);
  const cryptoKeys = cryptoReply.body as { payload: string };
  keys = await decryptCryptoKeys(cryptoKeys.payload, keyBundleFromKSync(kSync));
});

afterAll(async () => {
  await stack.close();
});

describe('demo seed', () => {
  it('has meta/global as Firefox writes it, unencrypted', async () => {
    const global = (await storageGet('/storage/meta/global')).body as { payload: string };
    expect(JSON.parse(global.payload)).toEqual(DEMO_META_GLOBAL);
    expect(DEMO_META_GLOBAL.engines).toMatchObject({ clients: { version: 1 }, bookmarks: { version: 2 }, history: { version: 1 }, tabs: { version: 1 } });
    const info = (await storageGet('/info/collections')).body as Record<string, number>;
    expect(Object.keys(info).sort()).toEqual(['bookmarks', 'clients', 'crypto', 'history', 'meta', 'tabs']);
  });

  it('has a default bulk key and no per-collection keys', () => {
    expect(keys.default.encKey).toHaveLength(32);
    expect(keys.collections).toEqual({});
  });

  it('has the desktop client record, registered as an FxA device with send-tab and close-tab', async () => {
    const [record] = await collection('clients');
    const clear = await decryptPayload(record!.payload, bundleForCollection(keys, 'clients'), DEMO_CLIENT_ID);
    expect(clear).toEqual(demoClientRecord(seed.fxaDeviceId));
    const device = stack.identity.state.devices.get(seed.fxaDeviceId)!;
    expect(device).toMatchObject({ name: 'Firefox on Demo Desktop', type: 'desktop' });
    expect(Object.keys(device.availableCommands).sort()).toEqual([SEND_TAB_COMMAND, CLOSE_TAB_COMMAND].sort());
    const { kSync, kXCS } = deriveSyncKey(Buffer.from(DEMO_KB_HEX, 'hex'));
    for (const command of [SEND_TAB_COMMAND, CLOSE_TAB_COMMAND]) {
      const bundle = JSON.parse(device.availableCommands[command]!) as Record<string, string>;
      expect(Object.keys(bundle)).toEqual(['kid', 'IV', 'hmac', 'ciphertext']);
      expect(bundle.kid).toBe(bytesToHex(kXCS));
      // The cleartext is the fixed public key and auth secret, with no id (as Firefox's CryptoWrapper writes it).
      const opened = await decryptPayload(JSON.stringify({ ciphertext: bundle.ciphertext, IV: bundle.IV, hmac: bundle.hmac }), keyBundleFromKSync(kSync));
      expect(opened).toEqual({ publicKey: DEMO_COMMAND_KEYS[command]!.publicKey, authSecret: DEMO_COMMAND_KEYS[command]!.authSecret });
    }
  });

  it('has the desktop tabs record', async () => {
    const [record] = await collection('tabs');
    expect(record!.id).toBe(DEMO_CLIENT_ID);
    expect(await decryptPayload(record!.payload, bundleForCollection(keys, 'tabs'), DEMO_CLIENT_ID)).toEqual(demoTabs(seed.seededAt));
  });

  it('has the bookmark tree with Firefox sortindexes', async () => {
    const records = await collection('bookmarks');
    const byId = new Map(records.map((r) => [r.id, r]));
    expect(byId.size).toBe(DEMO_BOOKMARKS.length);
    for (const expected of DEMO_BOOKMARKS) {
      const id = String(expected.record.id);
      const got = byId.get(id)!;
      expect(got.sortindex ?? 0).toBe(expected.sortindex);
      expect(await decryptPayload(got.payload, bundleForCollection(keys, 'bookmarks'), id)).toEqual(expected.record);
    }
    const tree = demoBookmarkTree();
    expect(tree.menu.map((n) => n.type)).toEqual(['bookmark', 'folder', 'separator', 'bookmark']);
    expect(tree.toolbar.find((n) => n.type === 'query')).toMatchObject({ url: 'place:sort=8&maxResults=10' });
    // Structure is consistent: every child lists its parent, every parent lists its children in order.
    const clear = new Map(DEMO_BOOKMARKS.map((b) => [String(b.record.id), b.record]));
    for (const record of clear.values()) {
      if (record.parentid === 'places') continue;
      const parent = clear.get(String(record.parentid))!;
      expect(parent.children as string[]).toContain(record.id);
      expect(record.parentName).toBe(parent.title);
    }
  });

  it('has history with microsecond visits across several weeks', async () => {
    const records = await collection('history');
    const expected = demoHistory(seed.seededAt);
    expect(records).toHaveLength(expected.length);
    for (const page of expected) {
      const got = records.find((r) => r.id === page.record.id)!;
      expect(got.sortindex).toBe(page.sortindex);
      expect(await decryptPayload(got.payload, bundleForCollection(keys, 'history'), page.record.id)).toEqual(page.record);
    }
    const dates = expected.flatMap((p) => p.record.visits.map((v) => v.date));
    expect(Math.max(...dates) - Math.min(...dates)).toBeGreaterThan(21 * 24 * 3600 * 1e6);
    expect(Math.max(...dates)).toBeLessThanOrEqual(seed.seededAt * 1000);
  });

  it('is what seedDemo() reports and can be seeded again', async () => {
    expect(await stack.identity.seedDemo()).toEqual({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
    const demoDevices = [...stack.identity.state.devices.values()].filter((d) => d.name === 'Firefox on Demo Desktop');
    expect(demoDevices).toHaveLength(1);
  });
});
