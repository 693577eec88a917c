// --data persistence: accounts, refresh tokens, devices and token-server uids survive a restart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../start.ts';
import { call, loginV1, session } from './test-support/stack.ts';

const OLDSYNC = 'https://identity.mozilla.com/apps/oldsync';
const dir = mkdtempSync(join(tmpdir(), 'identity-persist-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('identity persistence', () => {
  it('keeps accounts, refresh tokens and devices across a restart', async () => {
    const first = await startServer({ port: 0, dataDir: dir });
    let refreshToken: string;
    let deviceId: string;
    try {
      await call(first.origin, 'POST', '/__test__/accounts', { json: { email: 'keep@example.org', password: 'pw' } });
      const { reply } = await loginV1(first.origin, 'keep@example.org', 'pw');
      const grant = await call(first.origin, 'POST', '/v1/oauth/token', {
        headers: session(reply.body.sessionToken),
        json: { client_id: 'e7ce535d93522896', scope: OLDSYNC, access_type: 'offline' },
      });
      refreshToken = String(grant.body.refresh_token);
      const device = await call(first.origin, 'POST', '/v1/account/device', {
        headers: { authorization: `Bearer ${refreshToken}` },
        json: { name: 'Persistent', type: 'desktop' },
      });
      deviceId = String(device.body.id);
    } finally {
      await first.close();
    }

    const second = await startServer({ port: 0, dataDir: dir });
    try {
      expect((await loginV1(second.origin, 'keep@example.org', 'pw')).reply.status).toBe(200);
      const refreshed = await call(second.origin, 'POST', '/v1/oauth/token', {
        json: { client_id: 'e7ce535d93522896', grant_type: 'refresh_token', refresh_token: refreshToken },
      });
      expect(refreshed.status).toBe(200);
      const devices = await call<Array<{ id: string; isCurrentDevice: boolean }>>(second.origin, 'GET', '/v1/account/devices', {
        headers: { authorization: `Bearer ${refreshToken}` },
      });
      expect(devices.body).toEqual([expect.objectContaining({ id: deviceId, isCurrentDevice: true })]);
    } finally {
      await second.close();
    }
  });
});

describe('demo account with --data', () => {
  it('is seeded once: a restart keeps what clients synced into it and its keys', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'identity-demo-'));
    try {
      const first = await startServer({ port: 0, dataDir: demoDir, demo: true });
      let uid: string;
      let keys: string;
      try {
        uid = first.store.knownUids().find((u) => first.ctx.storage.getRecords(u, 'crypto').length > 0)!;
        keys = first.ctx.storage.getRecords(uid, 'crypto')[0]!.payload;
        first.ctx.storage.putRecords(uid, 'clients', [{ id: 'syncedClient', payload: 'from a client' }]);
      } finally {
        await first.close();
      }
      const second = await startServer({ port: 0, dataDir: demoDir, demo: true });
      try {
        expect(second.ctx.storage.getRecords(uid, 'crypto')[0]!.payload).toBe(keys);
        expect(second.ctx.storage.getRecords(uid, 'clients').map((r) => r.id)).toContain('syncedClient');
      } finally {
        await second.close();
      }
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  });
});
