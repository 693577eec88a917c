// What the browser side needs of the id map (db/idMapStore.ts, collection 'bookmarks'). Chromium
// pairs every item; Firefox pairs only items we created, because `bookmarks.create` cannot choose
// the new item's GUID, and the GUID of a root or stand-in folder is paired with its browser id.
import type { IdMapStore } from '../../../db/idMapStore.ts';

export type BookmarkIdMap = Pick<IdMapStore, 'pair' | 'localIdFor' | 'syncIdFor' | 'forgetLocal' | 'all'>;
