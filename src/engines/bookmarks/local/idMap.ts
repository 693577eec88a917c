// What the browser side needs of the id map (db/idMapStore.ts, collection 'bookmarks'). Chromium
// pairs every item; Firefox pairs only items we created, because `bookmarks.create` cannot choose
// the new item's GUID, and the GUID of a root or stand-in folder is paired with its browser id.
import type { IdMapStore } from '../../../db/idMapStore.ts';

export type BookmarkIdMap = Pick<IdMapStore, 'pair' | 'compact' | 'localIdFor' | 'mappingFor' | 'syncIdFor' | 'forgetLocal' | 'forgetSync' | 'all'>;

/** The live item is still the one that was paired: an unknown date on either side is given the benefit. */
export function samePairedItem(mapping: { dateAdded?: number | undefined }, node: { dateAdded?: number | undefined }): boolean {
  return mapping.dateAdded === undefined || node.dateAdded === undefined || mapping.dateAdded === node.dateAdded;
}
