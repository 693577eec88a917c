// Cleartext records of the demo account, shaped exactly as Firefox desktop uploads them
// (gecko-dev services/sync/modules/engines/{bookmarks,history,tabs,clients}.sys.mjs; protocol.md §5–§6).
// Tests and e2e checks import these to know what a client should see after syncing the demo account.

export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'syncbridge-demo';
/** Fixed so that the demo's kid/X-Client-State are reproducible across runs. */
export const DEMO_KB_HEX = '5ec0ffee5ec0ffee5ec0ffee5ec0ffee0123456789abcdef0123456789abcdef';

export const DEMO_OPEN_URI = 'https://identity.mozilla.com/cmd/open-uri';
export const DEMO_CLOSE_URI = 'https://identity.mozilla.com/cmd/close-uri/v1';

/**
 * The demo desktop's device command keys: a Web Push P-256 key pair (raw private scalar and
 * uncompressed public point) and auth secret per command, all b64url, as Firefox keeps its
 * sendTabKeys. Fixed so that tests can read what a client sends it; not secret (a demo only).
 */
export const DEMO_COMMAND_KEYS: Record<string, { privateKey: string; publicKey: string; authSecret: string }> = {
  [DEMO_OPEN_URI]: {
    privateKey: 'VkB0canGIDSM7n_yRcsZk5O2csMbKU7Vm58tcyycdEU',
    publicKey: 'BCJhSzCJt8JaVZaU_k5-OubpU5IoYRmDZ66aDHixKweFvtatfQItF2OUgmmkw8OWY19mga3aIfcZl-X2LLIH88E',
    authSecret: '_rYUg2hiF3akbgpPbIMikw',
  },
  [DEMO_CLOSE_URI]: {
    privateKey: 'Gn30M3c0rcpxqn0XG7ZA_VQGOwq-r1TFFWB_TH2MxSo',
    publicKey: 'BB_3o6vgOCzRFJBjsQqbUx1r-L7w1IVcPLww0L7Dc9SodNN23s5isD4fWLRyq8Ka8K-ZFNXyqE9CWhkjxxnsSkM',
    authSecret: '65F3DJ9TDn1MOx-pM2m0Pw',
  },
};

/** The Firefox desktop profile that "uploaded" the demo data. */
export const DEMO_CLIENT_ID = 'Xq3d9Zk2LmPw';
export const DEMO_CLIENT_NAME = 'Firefox on Demo Desktop';
export const DEMO_GLOBAL_SYNC_ID = 'W7e1fQ0sKd3L';

/** Engine versions Firefox desktop writes into meta/global (engines/*.sys.mjs `version`). */
export const DEMO_ENGINES: Record<string, { version: number; syncID: string }> = {
  addons: { version: 1, syncID: 'aD9dOnS0fM1x' },
  bookmarks: { version: 2, syncID: 'bK8mArKs2Qz7' },
  clients: { version: 1, syncID: 'cL1eNtS4aB9d' },
  forms: { version: 1, syncID: 'fO2rMs5Hx8Jk' },
  history: { version: 1, syncID: 'hI5tOrY7Uq3w' },
  passwords: { version: 1, syncID: 'pA6sSwDs1Rt0' },
  prefs: { version: 2, syncID: 'pR3eFs8Ne4Vb' },
  tabs: { version: 1, syncID: 'tA4bSs9Mn6Yc' },
};

export const DEMO_META_GLOBAL = {
  syncID: DEMO_GLOBAL_SYNC_ID,
  storageVersion: 5,
  engines: DEMO_ENGINES,
  declined: [] as string[],
};

/** Firefox desktop TTLs in seconds (HISTORY_TTL, CLIENTS_TTL, TABS_TTL). */
export const DEMO_TTL = { history: 5_184_000, clients: 15_552_000, tabs: 31_622_400 } as const;

export function demoClientRecord(fxaDeviceId: string): Record<string, unknown> {
  return {
    id: DEMO_CLIENT_ID,
    name: DEMO_CLIENT_NAME,
    type: 'desktop',
    commands: [],
    version: '153.0',
    protocols: ['1.5'],
    os: 'Linux',
    appPackage: '{ec8030f7-c20a-464f-9b0e-13a3a9e97384}',
    application: 'Firefox',
    fxaDeviceId,
  };
}

export interface DemoTab {
  title: string;
  urlHistory: string[];
  icon: string | null;
  lastUsed: number;
  inactive: boolean;
}

/** Open tabs of the demo desktop; lastUsed in seconds, newest first as Firefox sorts them. */
export function demoTabs(nowMs: number): { id: string; clientName: string; tabs: DemoTab[] } {
  const sec = Math.floor(nowMs / 1000);
  return {
    id: DEMO_CLIENT_ID,
    clientName: DEMO_CLIENT_NAME,
    tabs: [
      {
        title: 'Firefox Sync – Mozilla Support',
        urlHistory: ['https://support.mozilla.org/en-US/kb/sync', 'https://support.mozilla.org/en-US/'],
        icon: 'https://support.mozilla.org/static/sumo/img/favicon.ico',
        lastUsed: sec - 60,
        inactive: false,
      },
      {
        title: 'MDN Web Docs',
        urlHistory: ['https://developer.mozilla.org/en-US/', 'https://www.mozilla.org/en-US/'],
        icon: 'https://developer.mozilla.org/favicon.ico',
        lastUsed: sec - 15 * 60,
        inactive: false,
      },
      {
        title: 'Example Domain',
        urlHistory: ['https://example.com/'],
        icon: null,
        lastUsed: sec - 3 * 3600,
        inactive: false,
      },
      {
        title: 'Wikipedia, the free encyclopedia',
        urlHistory: ['https://en.wikipedia.org/wiki/Main_Page'],
        icon: 'https://en.wikipedia.org/static/favicon/wikipedia.ico',
        lastUsed: sec - 20 * 24 * 3600,
        inactive: true,
      },
    ],
  };
}

export interface DemoBookmark {
  /** Cleartext as uploaded. */
  record: Record<string, unknown>;
  sortindex: number;
}

const FOLDER_SORTINDEX = 1_000_000;
const D = (iso: string) => Date.parse(iso);

/**
 * Bookmarks across the four user roots: nested folders, separators, a place: query, tags and a
 * keyword. Parents list children in order; every record carries parentid/parentName/dateAdded (ms).
 * Sortindex as Firefox computes it: folders 1,000,000, others their frecency (+150 under toolbar).
 */
export const DEMO_BOOKMARKS: DemoBookmark[] = [
  folder('menu', 'places', '', 'menu', D('2025-01-05T10:00:00Z'), ['bmMozOrg0001', 'fdReading001', 'sepMenu00001', 'bmFirefoxHel']),
  bookmark('bmMozOrg0001', 'menu', 'menu', 'Mozilla', 'https://www.mozilla.org/en-US/', D('2025-01-05T10:01:00Z'), 1200),
  folder('fdReading001', 'menu', 'menu', 'Reading', D('2025-02-10T08:30:00Z'), ['bmMdnDocs001', 'sepReading01', 'fdRecipes001']),
  bookmark('bmMdnDocs001', 'fdReading001', 'Reading', 'MDN Web Docs', 'https://developer.mozilla.org/en-US/', D('2025-02-10T08:31:00Z'), 2400, {
    tags: ['docs', 'web'],
    keyword: 'mdn',
  }),
  separator('sepReading01', 'fdReading001', 'Reading', 1, D('2025-02-10T08:32:00Z')),
  folder('fdRecipes001', 'fdReading001', 'Reading', 'Recipes', D('2025-03-01T18:00:00Z'), ['bmSourdough1', 'bmPancakes01']),
  bookmark('bmSourdough1', 'fdRecipes001', 'Recipes', 'Sourdough basics', 'https://bread.example.org/sourdough', D('2025-03-01T18:01:00Z'), 140, {
    tags: ['baking'],
  }),
  bookmark('bmPancakes01', 'fdRecipes001', 'Recipes', 'Fluffy pancakes', 'https://food.example.net/pancakes', D('2025-03-02T09:15:00Z'), 95),
  separator('sepMenu00001', 'menu', 'menu', 2, D('2025-01-05T10:02:00Z')),
  bookmark('bmFirefoxHel', 'menu', 'menu', 'Get Help', 'https://support.mozilla.org/en-US/products/firefox', D('2025-01-05T10:03:00Z'), 600),

  folder('toolbar', 'places', '', 'toolbar', D('2025-01-05T10:00:00Z'), ['bmGetStart01', 'qyMostVisit1', 'fdNews000001']),
  bookmark('bmGetStart01', 'toolbar', 'toolbar', 'Getting Started', 'https://www.mozilla.org/en-US/firefox/central/', D('2025-01-05T10:04:00Z'), 300 + 150),
  query('qyMostVisit1', 'toolbar', 'toolbar', 'Most Visited', 'place:sort=8&maxResults=10', D('2025-01-05T10:05:00Z'), 150),
  folder('fdNews000001', 'toolbar', 'toolbar', 'News', D('2025-04-12T07:45:00Z'), ['bmHackerNews', 'bmLwnNet0001']),
  bookmark('bmHackerNews', 'fdNews000001', 'News', 'Hacker News', 'https://news.ycombinator.com/', D('2025-04-12T07:46:00Z'), 3100),
  bookmark('bmLwnNet0001', 'fdNews000001', 'News', 'LWN.net', 'https://lwn.net/', D('2025-04-12T07:47:00Z'), 880),

  folder('unfiled', 'places', '', 'unfiled', D('2025-01-05T10:00:00Z'), ['bmExample001', 'bmWikipedia1']),
  bookmark('bmExample001', 'unfiled', 'unfiled', 'Example Domain', 'https://example.com/', D('2025-05-20T12:00:00Z'), 410, { tags: ['example'] }),
  bookmark('bmWikipedia1', 'unfiled', 'unfiled', 'Wikipedia', 'https://en.wikipedia.org/wiki/Main_Page', D('2025-05-21T12:00:00Z'), 1750, {
    keyword: 'wiki',
  }),

  folder('mobile', 'places', '', 'mobile', D('2025-01-05T10:00:00Z'), ['bmWeather001']),
  bookmark('bmWeather001', 'mobile', 'mobile', 'Weather forecast', 'https://weather.example.org/', D('2025-06-30T06:30:00Z'), 220),
];

function folder(id: string, parentid: string, parentName: string, title: string, dateAdded: number, children: string[]): DemoBookmark {
  return { record: { id, type: 'folder', parentid, parentName, dateAdded, title, children, hasDupe: true }, sortindex: FOLDER_SORTINDEX };
}

function bookmark(
  id: string,
  parentid: string,
  parentName: string,
  title: string,
  bmkUri: string,
  dateAdded: number,
  sortindex: number,
  extra: { tags?: string[]; keyword?: string } = {},
): DemoBookmark {
  const record: Record<string, unknown> = { id, type: 'bookmark', parentid, parentName, dateAdded, title, bmkUri, tags: extra.tags ?? [], hasDupe: true };
  if (extra.keyword) record.keyword = extra.keyword;
  return { record, sortindex };
}

function query(id: string, parentid: string, parentName: string, title: string, bmkUri: string, dateAdded: number, sortindex: number): DemoBookmark {
  return { record: { id, type: 'query', parentid, parentName, dateAdded, title, bmkUri, tags: [], hasDupe: true }, sortindex };
}

function separator(id: string, parentid: string, parentName: string, pos: number, dateAdded: number): DemoBookmark {
  return { record: { id, type: 'separator', parentid, parentName, dateAdded, pos, hasDupe: true }, sortindex: parentid === 'toolbar' ? 150 : 0 };
}

export interface DemoHistoryPage {
  record: { id: string; histUri: string; title: string; visits: Array<{ date: number; type: number }> };
  sortindex: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * History over the last four weeks; visit dates in microseconds, newest first (as Firefox sends
 * them), transition types 1 link, 2 typed, 3 bookmark, 5/6 redirects. Visits are given as
 * [days ago, extra hours ago, type] relative to the seeding time.
 */
export function demoHistory(nowMs: number): DemoHistoryPage[] {
  const at = (daysAgo: number, hoursAgo: number) => (nowMs - daysAgo * DAY_MS - hoursAgo * 3600 * 1000) * 1000;
  const page = (id: string, histUri: string, title: string, sortindex: number, visits: Array<[number, number, number]>): DemoHistoryPage => ({
    record: { id, histUri, title, visits: visits.map(([days, hours, type]) => ({ date: at(days, hours), type })) },
    sortindex,
  });
  return [
    page('hsMozilla001', 'https://www.mozilla.org/en-US/', 'Internet for people, not profit — Mozilla', 1200, [[1, 9, 2], [6, 14, 1], [13, 10, 2]]),
    page('hsMdnDocs001', 'https://developer.mozilla.org/en-US/', 'MDN Web Docs', 2400, [[0, 8, 3], [2, 16, 1], [9, 11, 1], [20, 15, 3]]),
    page('hsSumoSync01', 'https://support.mozilla.org/en-US/kb/sync', 'Firefox Sync | Mozilla Support', 900, [[0, 10, 1], [3, 19, 1]]),
    page('hsExample001', 'https://example.com/', 'Example Domain', 410, [[0, 7, 2], [27, 12, 2]]),
    page('hsWikiMain01', 'https://en.wikipedia.org/wiki/Main_Page', 'Wikipedia, the free encyclopedia', 1750, [[4, 21, 2], [11, 20, 1], [18, 22, 1], [25, 9, 1]]),
    page('hsHackerNew1', 'https://news.ycombinator.com/', 'Hacker News', 3100, [[0, 7, 3], [1, 7, 3], [2, 7, 3], [5, 8, 3], [8, 7, 3]]),
    page('hsHttpRedir1', 'http://example.org/', 'Example Domain', 60, [[7, 13, 5]]),
    page('hsSourdough1', 'https://bread.example.org/sourdough', 'Sourdough basics', 140, [[15, 17, 1], [22, 18, 6]]),
  ];
}

export type DemoTreeNode =
  | { id: string; type: 'folder'; title: string; children: DemoTreeNode[] }
  | { id: string; type: 'bookmark' | 'query'; title: string; url: string; tags: string[]; keyword?: string }
  | { id: string; type: 'separator' };

/**
 * The demo bookmarks as a nested tree per root, in children order — what a browser should show
 * after syncing the demo account (handy for e2e checks).
 */
export function demoBookmarkTree(): Record<'menu' | 'toolbar' | 'unfiled' | 'mobile', DemoTreeNode[]> {
  const byId = new Map(DEMO_BOOKMARKS.map((b) => [String(b.record.id), b.record]));
  const node = (id: string): DemoTreeNode => {
    const r = byId.get(id);
    if (!r) throw new Error(`demo bookmark ${id} missing`);
    if (r.type === 'folder') return { id, type: 'folder', title: String(r.title), children: (r.children as string[]).map(node) };
    if (r.type === 'separator') return { id, type: 'separator' };
    const leaf: DemoTreeNode = { id, type: r.type as 'bookmark' | 'query', title: String(r.title), url: String(r.bmkUri), tags: r.tags as string[] };
    if (typeof r.keyword === 'string') leaf.keyword = r.keyword;
    return leaf;
  };
  const children = (root: string) => (byId.get(root)?.children as string[]).map(node);
  return { menu: children('menu'), toolbar: children('toolbar'), unfiled: children('unfiled'), mobile: children('mobile') };
}
