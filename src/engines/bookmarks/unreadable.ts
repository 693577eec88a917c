// Server records this client cannot read (bad HMAC, undecryptable, not a bookmark record) stay on
// the server exactly as they are, in their place in their folder. The engine remembers their ids
// across syncs and shows the merge a placeholder where a folder lists one: a bookmark this browser
// is told it cannot show (like an item it refused), so the merge keeps it where it is and the
// folder, when it goes up, still lists it. Placeholders are never uploaded nor kept in the mirror.
// A record that was readable before (the mirror has it) keeps its last readable version instead
// of a placeholder, so the browser keeps its copy; it is frozen: never uploaded while unreadable.
import { isRootGuid, isTombstone, recordIdToGuid, type BookmarkRecord, type FolderRecord } from './record.ts';
import type { RecordEntry } from './tree.ts';

/**
 * Placeholder records for the unreadable ids some folder among `entries` lists, parented where the
 * first listing folder says. `skip`: ids that are not placeholders (they arrived readable in this
 * download, or the mirror has their last readable version).
 */
export function placeholdersFor(unreadable: ReadonlySet<string>, entries: readonly RecordEntry[], skip: ReadonlySet<string>): RecordEntry[] {
  if (unreadable.size === 0) return [];
  const listedBy = new Map<string, string>();
  for (const { record } of entries) {
    if (isTombstone(record) || record.type !== 'folder') continue;
    for (const child of (record as FolderRecord).children) if (unreadable.has(child) && !listedBy.has(child)) listedBy.set(child, record.id);
  }
  return [...listedBy].filter(([id]) => !isRootGuid(recordIdToGuid(id)) && !skip.has(id)).map(([id, parentid]) => ({
    record: { id, type: 'bookmark', parentid, title: '', bmkUri: '' } as BookmarkRecord,
  }));
}
