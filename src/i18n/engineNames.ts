// What each engine syncs, as a word inside a sentence ("Synced bookmarks, history…", "Downloading
// bookmarks: 5 of 100"); the switches' own labels are the engines' descriptors (engines/registry.ts).
import { t } from './i18n.ts';

/** A collection's name in the browser's language; a collection this version does not know keeps its own name. */
export function engineInSentence(collection: string): string {
  switch (collection) {
    case 'bookmarks': return t('engineBookmarksInSentence');
    case 'history': return t('engineHistoryInSentence');
    case 'tabs': return t('engineTabsInSentence');
    case 'clients': return t('engineClientsInSentence');
    default: return collection;
  }
}
