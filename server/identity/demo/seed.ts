// Seeds the demo account with data encrypted exactly as a Firefox desktop profile uploads it.
// Encryption deliberately goes through the client crypto (src/sync/crypto): the demo is what a
// Firefox would have written, not something the server invents.
import {
  bytesToHex,
  deriveSyncKey,
  encryptCryptoKeys,
  encryptPayload,
  keyBundleFromKSync,
  randomKeyBundle,
} from '../../../src/sync/crypto/index.ts';
import { demoAvailableCommands } from './commands.ts';
import { createAccountFromPassword } from '../accounts/store.ts';
import { issueSessionToken } from '../accounts/tokens.ts';
import { upsertDevice } from '../devices/routes.ts';
import type { IdentityState } from '../state.ts';
import { findAccountByEmail } from '../state.ts';
import { allocateUser } from '../tokenserver/users.ts';
import {
  DEMO_BOOKMARKS,
  DEMO_CLIENT_NAME,
  DEMO_EMAIL,
  DEMO_KB_HEX,
  DEMO_META_GLOBAL,
  DEMO_PASSWORD,
  DEMO_TTL,
  demoClientRecord,
  demoHistory,
  demoTabs,
} from './fixtures.ts';

export const SEND_TAB_COMMAND = 'https://identity.mozilla.com/cmd/open-uri';
export const CLOSE_TAB_COMMAND = 'https://identity.mozilla.com/cmd/close-uri/v1';

export interface DemoSeedResult {
  email: string;
  password: string;
  uid: string;
  storageUid: string;
  fxaDeviceId: string;
  seededAt: number;
}

export async function seedDemoAccount(state: IdentityState): Promise<DemoSeedResult> {
  const { ctx } = state;
  const kB = Buffer.from(DEMO_KB_HEX, 'hex');
  const existing = findAccountByEmail(state, DEMO_EMAIL);
  const account = existing ?? (await createAccountFromPassword(state, { email: DEMO_EMAIL, password: DEMO_PASSWORD, verified: true, kB }));
  const { kSync, kXCS } = deriveSyncKey(kB);
  const root = keyBundleFromKSync(kSync);
  const user = allocateUser(state, account.uid, bytesToHex(kXCS), account.keysChangedAt);
  const storageUid = user.storageUid;
  const now = ctx.now();

  // A persisted stack (--data) keeps what clients synced into the demo account across restarts.
  const demoDevice = [...state.devices.values()].find((d) => d.uid === account.uid && d.name === DEMO_CLIENT_NAME);
  if (existing && demoDevice && ctx.storage.getRecords(storageUid, 'crypto').length > 0) {
    // Older stacks published other keys (or open-uri only): the demo's fixed keys are what tests read.
    demoDevice.availableCommands = await demoAvailableCommands();
    return { email: DEMO_EMAIL, password: DEMO_PASSWORD, uid: account.uid, storageUid, fxaDeviceId: demoDevice.id, seededAt: now };
  }

  // The desktop's FxA device (its own session), advertising send-tab and close-tab like Firefox
  // does (bundles of the fixed keys in fixtures.ts, made with the demo kB: demo/commands.ts).
  // Re-seeding replaces the previous demo device rather than adding another.
  for (const [id, d] of state.devices) {
    if (d.uid === account.uid && d.name === DEMO_CLIENT_NAME) {
      state.devices.delete(id);
      if (d.sessionTokenId) state.sessions.delete(d.sessionTokenId);
    }
  }
  const { session } = issueSessionToken(state, account, { verified: true, mustVerify: false });
  const device = upsertDevice(
    state,
    { kind: 'session', session, account },
    { name: DEMO_CLIENT_NAME, type: 'desktop', availableCommands: await demoAvailableCommands() },
  );

  ctx.storage.deleteAll(storageUid);
  ctx.storage.putRecords(storageUid, 'meta', [{ id: 'global', payload: JSON.stringify(DEMO_META_GLOBAL) }]);
  const bulk = randomKeyBundle();
  ctx.storage.putRecords(storageUid, 'crypto', [{ id: 'keys', payload: await encryptCryptoKeys(bulk, {}, root) }]);
  ctx.storage.putRecords(storageUid, 'clients', [
    { id: demoClientRecord(device.id).id as string, payload: await encryptPayload(demoClientRecord(device.id), bulk), ttl: DEMO_TTL.clients },
  ]);
  const tabs = demoTabs(now);
  ctx.storage.putRecords(storageUid, 'tabs', [{ id: tabs.id, payload: await encryptPayload(tabs, bulk), ttl: DEMO_TTL.tabs }]);
  ctx.storage.putRecords(
    storageUid,
    'bookmarks',
    await Promise.all(
      DEMO_BOOKMARKS.map(async (b) => ({ id: String(b.record.id), payload: await encryptPayload(b.record, bulk), sortindex: b.sortindex })),
    ),
  );
  ctx.storage.putRecords(
    storageUid,
    'history',
    await Promise.all(
      demoHistory(now).map(async (h) => ({ id: h.record.id, payload: await encryptPayload(h.record, bulk), sortindex: h.sortindex, ttl: DEMO_TTL.history })),
    ),
  );
  return { email: DEMO_EMAIL, password: DEMO_PASSWORD, uid: account.uid, storageUid, fxaDeviceId: device.id, seededAt: now };
}
