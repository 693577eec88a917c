import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { json, startStorageOnly, TestClient } from './testClient.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('--data persistence', () => {
  it('writes one snapshot per user atomically and reloads it on start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbridge-storage-'));
    dirs.push(dir);
    const first = await startStorageOnly({ dataDir: dir });
    const c = new TestClient(first, '77');
    const put = await c.put('/storage/meta/global', { payload: 'mg', sortindex: 1 });
    await c.post('/storage/bookmarks', [{ id: 'b1', payload: 'x' }]);
    await c.delete('/storage/bookmarks');
    await first.close();
    expect(readdirSync(join(dir, 'storage'))).toEqual(['77.json']);

    const second = await startStorageOnly({ dataDir: dir });
    try {
      // Secrets persist too, so the old token still works after the restart.
      const again = new TestClient(second, '77');
      again.credentials = c.credentials;
      const got = await again.get('/storage/meta/global');
      expect(got.status).toBe(200);
      expect(got.text).toBe(`{"id":"global","modified":${put.text},"payload":"mg","sortindex":1}`);
      expect(Object.keys(json<Record<string, number>>(await again.get('/info/collections')))).toEqual(['meta']);
      // The tombstone from the collection delete survived: storage timestamp is past the PUT.
      expect(second.store.storageTs('77')).toBeGreaterThan(Number(put.text) * 1000);
    } finally {
      await second.close();
    }
  });

  it('node generations persist across restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'syncbridge-nodes-'));
    dirs.push(dir);
    const first = await startStorageOnly({ dataDir: dir });
    first.ctx.nodes.reassign('3');
    await first.close();
    const second = await startStorageOnly({ dataDir: dir });
    expect(second.ctx.nodes.currentGeneration('3')).toBe(1);
    await second.close();
  });
});
