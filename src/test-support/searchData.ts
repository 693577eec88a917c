// A synced profile of a heavy user for the search index's tests and bench: bookmarks, other
// devices' history pages and tabs with titles drawn from a fixed vocabulary (deterministic, so a
// test can count which entries hold a word without asking the index).
import type { SyncedPage } from '../db/schema.ts';
import type { IndexedBookmark } from '../search/indexer.ts';
import type { RemoteTabsView } from '../shared/tabs.ts';

const VOCABULARY = [
  'recipe', 'bread', 'sourdough', 'pancakes', 'news', 'weather', 'rust', 'python', 'guide', 'review', 'travel', 'berlin',
  'paris', 'music', 'jazz', 'garden', 'tomato', 'bicycle', 'repair', 'kernel', 'linux', 'firefox', 'privacy', 'camera',
  'lens', 'mountain', 'hiking', 'coffee', 'espresso', 'tea', 'history', 'museum', 'chess', 'opening', 'piano', 'lesson',
  'budget', 'tax', 'school', 'physics', 'quantum', 'poetry', 'novel', 'library', 'football', 'tennis', 'yoga', 'crème',
  'brûlée', 'café', 'straße', 'Ärger', 'weekly', 'daily', 'notes', 'docs', 'manual', 'forum', 'video', 'podcast',
];
const HOSTS = ['example.com', 'news.example.org', 'docs.example.net', 'blog.example.io', 'shop.example.de', 'wiki.example.fr'];

/** A small linear congruential generator: the same profile every run. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function title(rand: () => number, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < 3 + Math.floor(rand() * 4); i++) parts.push(VOCABULARY[Math.floor(rand() * VOCABULARY.length)]!);
  return `${parts.join(' ')} ${n}`;
}

export interface SearchProfile {
  bookmarks: IndexedBookmark[];
  pages: SyncedPage[];
  tabs: RemoteTabsView;
}

export function searchProfile(o: { bookmarks: number; pages: number; tabsPerDevice: number; now: number }): SearchProfile {
  const rand = generator(42);
  const bookmarks = Array.from({ length: o.bookmarks }, (_, i): IndexedBookmark => ({
    id: String(100 + i), title: title(rand, i), url: `https://${HOSTS[i % HOSTS.length]}/bookmark/${i}`, dateAdded: o.now - i * 3_600_000,
  }));
  const pages = Array.from({ length: o.pages }, (_, i): SyncedPage => ({
    id: `page${String(i).padStart(8, '0')}`, url: `https://${HOSTS[(i + 3) % HOSTS.length]}/page/${i}`, title: title(rand, i),
    visits: [{ date: (o.now - i * 600_000) * 1000, type: 1 }], extra: {}, modified: '1700000000.00', own: [], imported: [],
    lastForeign: o.now - i * 600_000,
  }));
  const device = (clientId: string, name: string) => ({
    clientId, name, type: 'desktop',
    tabs: Array.from({ length: o.tabsPerDevice }, (_, i) => ({ title: title(rand, i), url: `https://${HOSTS[i % HOSTS.length]}/tab/${clientId}/${i}`, icon: null, lastUsed: o.now - i * 60_000 })),
  });
  return { bookmarks, pages, tabs: { devices: [device('laptop000001', 'Firefox on Laptop'), device('phone0000001', 'Firefox on Phone')] } };
}
