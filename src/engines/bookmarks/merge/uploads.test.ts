// planUploads decides most items are as the server has them without building their record; that
// shortcut must agree with building the record and comparing it, field by field, in every case.
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../test-support/seededRandom.ts';
import { MENU_GUID, ROOT_GUID, TOOLBAR_GUID, UNFILED_GUID, MOBILE_GUID, guidToRecordId, parseBookmarkRecord } from '../record.ts';
import type { BookmarkItem, BookmarkKind } from '../record.ts';
import { buildTreeFromRecords } from '../tree.ts';
import { desiredRecord, planUploads } from './uploads.ts';
import type { MergedItem } from './uploads.ts';

/** The reference: the record the merge wants, compared on every field that counts for upload. */
function needsUploadByRecord(existing: BookmarkItem | undefined, diverged: boolean, wanted: BookmarkItem): boolean {
  if (!existing || diverged) return true;
  const ignored = new Set(['parentName', 'hasDupe', 'dateAdded', 'pos']);
  const fields = (r: Record<string, unknown>): string[] => Object.keys(r).filter((k) => !ignored.has(k) && r[k] !== undefined).sort();
  const a = existing as Record<string, unknown>;
  const b = wanted as Record<string, unknown>;
  const fa = fields(a);
  const fb = fields(b);
  return JSON.stringify(fa) !== JSON.stringify(fb) || fa.some((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

const KINDS: BookmarkKind[] = ['bookmark', 'query', 'folder', 'separator', 'livemark'];
const ROOTS = [MENU_GUID, TOOLBAR_GUID, UNFILED_GUID, MOBILE_GUID];

describe('planUploads', () => {
  it('uploads exactly what comparing the built record says, over random trees and server copies', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = new SeededRandom(seed);
      // A merged tree: the roots, folders under them, items under the folders.
      const items: MergedItem[] = [{ guid: ROOT_GUID, kind: 'folder', parentGuid: '', children: [...ROOTS], title: '', url: null, dateAdded: null, base: undefined }];
      const roots: MergedItem[] = ROOTS.map((guid) => ({ guid, kind: 'folder', parentGuid: ROOT_GUID, children: [], title: rnd.pick(['', 'Menu', guid.slice(0, 4)]), url: null, dateAdded: null, base: undefined }));
      items.push(...roots);
      const folders: MergedItem[] = [];
      for (let i = 0; i < 1 + rnd.int(4); i++) {
        const parent = rnd.pick(roots);
        const folder: MergedItem = { guid: rnd.guid('fold'), kind: rnd.chance(0.1) ? 'livemark' : 'folder', parentGuid: parent.guid, children: [], title: rnd.pick(['A', 'B', '']), url: null, dateAdded: rnd.chance(0.5) ? 1000 : null, base: undefined };
        parent.children.push(folder.guid);
        folders.push(folder);
        items.push(folder);
      }
      for (let i = 0; i < 3 + rnd.int(8); i++) {
        const parent = rnd.pick([...folders, ...roots]);
        const kind = rnd.pick(KINDS.filter((k) => k !== 'folder' && k !== 'livemark'));
        const item: MergedItem = {
          guid: rnd.guid('item'), kind, parentGuid: parent.guid, children: [], title: rnd.pick(['x', 'y', '']),
          url: kind === 'separator' ? null : rnd.pick(['https://a.example/', 'https://b.example/', 'place:sort=8']), dateAdded: 1000, base: undefined,
        };
        parent.children.push(item.guid);
        items.push(item);
      }
      // The server's copy of each: the record the merge would write, then (maybe) something off.
      const byGuid = new Map(items.map((i) => [i.guid, i]));
      const serverRecords: Record<string, unknown>[] = [];
      for (const item of items) {
        if (item.guid === ROOT_GUID || rnd.chance(0.1)) continue;
        const parent = byGuid.get(item.parentGuid);
        const r = desiredRecord(item, parent, parent ? parent.children.indexOf(item.guid) : 0) as Record<string, unknown>;
        if (rnd.chance(0.3)) r['tags'] = rnd.pick([['t'], [], ['t', 'u']]);
        if (rnd.chance(0.2)) r['unknownField'] = rnd.pick([1, { nested: true }, 'text']);
        switch (rnd.int(12)) {
          case 0: r['title'] = `${String(r['title'])}!`; break;
          case 1: r['bmkUri'] = 'https://other.example/'; break;
          case 2: r['type'] = rnd.pick(KINDS); break;
          case 3: r['parentid'] = rnd.pick(['menu', 'toolbar', 'unfiled']); break;
          case 4: if (Array.isArray(r['children'])) r['children'] = [...(r['children'] as string[])].reverse(); break;
          case 5: if (Array.isArray(r['children'])) r['children'] = [...(r['children'] as string[]), 'missing_____']; break;
          case 6: delete r['title']; break;
          case 7: r['parentName'] = 'elsewhere'; r['dateAdded'] = 5; r['pos'] = 9; break;
          default: break;
        }
        const parsed = parseBookmarkRecord(r);
        if (parsed && !('deleted' in parsed)) serverRecords.push(parsed);
        // The merge's base is the server's record (tags, unknown fields come from it).
        if (parsed && !('deleted' in parsed)) item.base = parsed as BookmarkItem;
      }
      const remote = buildTreeFromRecords(serverRecords.map((r) => ({ record: r as BookmarkItem, modifiedS: 1 })));
      const plan = planUploads(items, remote);

      const expected: string[] = [];
      for (const item of items) {
        if (item.guid === ROOT_GUID) continue;
        const parent = byGuid.get(item.parentGuid);
        const wanted = desiredRecord(item, parent, parent ? parent.children.indexOf(item.guid) : 0);
        const existing = remote.nodes.get(item.guid)?.record;
        if (needsUploadByRecord(existing, remote.diverged.has(item.guid), wanted)) expected.push(guidToRecordId(item.guid));
      }
      const uploaded = plan.uploads.filter((r) => !('deleted' in r && r.deleted)).map((r) => r.id);
      expect(uploaded, `seed ${seed}`).toEqual(expected);
      // What is not uploaded is the server's record as it is, untouched.
      for (const item of items) {
        const existing = remote.nodes.get(item.guid)?.record;
        if (item.guid !== ROOT_GUID && existing && !uploaded.includes(guidToRecordId(item.guid))) expect(plan.records.get(item.guid), `seed ${seed}`).toBe(existing);
      }
    }
  });
});
