import { describe, expect, test } from 'vitest';
import { IdMapStore } from '../../db/idMapStore.ts';
import { freshDatabase } from '../../test-support/db.ts';
import { BrowserBookmarks } from './local/browserBookmarks.ts';
import { FakeBookmarksApi } from './local/fakeBookmarksApi.ts';
import { MemoryProgressStore } from './local/progress.ts';
import { restoreSnapshot } from './restore.ts';

async function side(flavor: 'chromium' | 'firefox') {
  const api = new FakeBookmarksApi(flavor);
  const local = new BrowserBookmarks({ api, flavor, idMap: new IdMapStore(await freshDatabase(), 'bookmarks'), progress: new MemoryProgressStore() });
  return { api, local };
}

const titles = async (api: FakeBookmarksApi): Promise<string> => JSON.stringify((await api.getTree())[0], ['title', 'children', 'url']);

describe('restoring a saved copy', () => {
  test('brings back a deleted folder with its contents, in place; a second restore adds nothing', async () => {
    const { api, local } = await side('chromium');
    const folder = await api.create({ parentId: '1', title: 'Work' });
    await api.create({ parentId: folder.id, title: 'Docs', url: 'https://docs.example/' });
    await api.create({ parentId: folder.id, title: 'Mail', url: 'https://mail.example/' });
    await api.create({ parentId: '1', title: 'After', url: 'https://after.example/' });
    const saved = await local.snapshot();
    const before = await titles(api);

    await api.removeTree(folder.id);
    expect(await restoreSnapshot(local, saved)).toBe(3);
    expect(await titles(api)).toBe(before);
    expect(await restoreSnapshot(local, saved)).toBe(0);
    expect(await titles(api)).toBe(before);
  });

  test('in Firefox too', async () => {
    const { api, local } = await side('firefox');
    await api.create({ parentId: 'menu________', title: 'Kept', url: 'https://kept.example/' });
    const gone = await api.create({ parentId: 'menu________', title: 'Gone', url: 'https://gone.example/' });
    const saved = await local.snapshot();
    const before = await titles(api);
    await api.remove(gone.id);
    expect(await restoreSnapshot(local, saved)).toBe(1);
    expect(await titles(api)).toBe(before);
  });
});
