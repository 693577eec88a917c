// First history sync in Chromium, through the real extension and the local stack: a profile with
// PAGES local pages visited in the last 30 days (real past visit times, written into the profile's
// History database between launches) meets an account holding PAGES other-device pages of VISITS
// visits each. Measured next to a floor (what Chromium's history API, IndexedDB and the record
// crypto and transfer cost at least), then an incremental sync after one new visit, and the first
// sync as a person sees it (sign-in with every engine on). Prints figures; never passes or fails.
// Run: npx tsx bench/history.bench.ts [pages] [visitsPerPage]   (defaults 5000 20)
// Without python3's sqlite3 (or with HISTORY_BENCH_ADDURL=1) the local visits are made with
// chrome.history.addUrl instead, which records each of them as "now".
import { spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { extensionProcessPeakMiB, signIn } from './support.ts';
import os from 'node:os';
import path from 'node:path';
import { launchChromiumWithExtension, type ChromiumExtension } from '../e2e/support/chromium.ts';
import { startLocalStack, type LocalStack } from '../e2e/support/stack.ts';
import { DEMO_KB_HEX } from '../server/identity/demo/fixtures.ts';
import { hexToBytes } from '../src/sync/crypto/encoding.ts';
import { keyBundleFromKSync } from '../src/sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, encryptPayload } from '../src/sync/crypto/records.ts';
import { deriveSyncKey } from '../src/sync/crypto/syncKeys.ts';
import { StorageClient } from '../src/sync/storage/client.ts';
import { FIRST_SYNC_MAX_PAGES, HISTORY_TTL_SECONDS, applicableVisits, frecency } from '../src/engines/history/record.ts';

const PAGES = Number(process.argv[2] ?? 5000);
const VISITS = Number(process.argv[3] ?? 20);
const DAY_MS = 24 * 3600 * 1000;
const LOCAL_PREFIX = 'https://local.bench.example/page/';
const REMOTE_PREFIX = 'https://remote.bench.example/page/';
/** µs between 1601-01-01 and 1970-01-01: Chromium's history times. */
const WINDOWS_EPOCH_MS = 11_644_473_600_000;


// ---- the local profile ----------------------------------------------------------------------

interface LocalSeedPage { url: string; title: string; visits: Array<{ ms: number; transition: number }> }

// Chromium's core transitions (ui/base/page_transition_types.h), with CHAIN_START | CHAIN_END.
const CHAIN = 0x30000000;
const T = { link: 0, typed: 1, bookmark: 2, reload: 8 } as const;

/**
 * PAGES pages visited in the last 30 days (the newest a few minutes ago, the oldest about 28½ days ago),
 * 1–5 visits each (15,000 for 5,000 pages), mostly links, some typed, from a bookmark, or reloads.
 */
function localPages(now: number): LocalSeedPage[] {
  const pages: LocalSeedPage[] = [];
  for (let i = 0; i < PAGES; i++) {
    const newest = now - 5 * 60_000 - Math.floor((i / PAGES) * 28 * DAY_MS);
    const visits = [];
    for (let v = 0; v < 1 + (i % 5); v++) {
      const kind = (i + v) % 10 === 0 ? T.typed : (i + v) % 17 === 0 ? T.bookmark : v > 0 && (i + v) % 7 === 0 ? T.reload : T.link;
      visits.push({ ms: newest - v * 3 * 3600_000 - (i % 13) * 60_000, transition: kind | CHAIN });
    }
    pages.push({ url: `${LOCAL_PREFIX}${i}?q=${(i * 7919) % 10007}`, title: `Local page ${i} — a page this browser visited`, visits });
  }
  return pages;
}

/** Writes the pages into the profile's Default/History (Chromium closed), as docs/browser-platform.md describes. */
function seedHistoryDb(profileDir: string, pages: LocalSeedPage[]): void {
  const script = `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cur = db.cursor()
for p in json.load(sys.stdin):
    times = [v[0] for v in p['v']]
    typed = sum(1 for v in p['v'] if (v[1] & 0xff) == 1)
    cur.execute('INSERT INTO urls(url,title,visit_count,typed_count,last_visit_time,hidden) VALUES (?,?,?,?,?,0)', (p['u'], p['t'], len(times), typed, max(times)))
    uid = cur.lastrowid
    for at, tr in p['v']:
        cur.execute('INSERT INTO visits(url,visit_time,from_visit,transition,segment_id,visit_duration) VALUES (?,?,0,?,0,0)', (uid, at, tr))
db.commit()
db.close()
`;
  // µs since 1601, with a µs fraction as Chromium records.
  const rows = pages.map((p, i) => ({ u: p.url, t: p.title, v: p.visits.map((v, j) => [(v.ms + WINDOWS_EPOCH_MS) * 1000 + ((i * 31 + j * 7) % 1000), v.transition]) }));
  const r = spawnSync('python3', ['-c', script, path.join(profileDir, 'Default', 'History')], { input: JSON.stringify(rows), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`seeding History failed: ${r.stderr}`);
}

function hasPythonSqlite(): boolean {
  return spawnSync('python3', ['-c', 'import sqlite3'], { encoding: 'utf8' }).status === 0;
}

// ---- the account ----------------------------------------------------------------------------

async function historyBundle(stack: LocalStack) {
  const root = keyBundleFromKSync(deriveSyncKey(hexToBytes(DEMO_KB_HEX)).kSync);
  const keys = await decryptCryptoKeys(stack.rawRecords('crypto')[0]!.payload, root);
  return bundleForCollection(keys, 'history');
}

/** PAGES other-device pages with VISITS visits each over the last 30 days, encrypted as Firefox uploads them. */
async function seedAccount(stack: LocalStack, now: number): Promise<void> {
  const bundle = await historyBundle(stack);
  const uid = stack.demoUid();
  let batch: Array<{ id: string; payload: string; sortindex: number; ttl: number }> = [];
  for (let i = 0; i < PAGES; i++) {
    const newest = now - 10 * 60_000 - Math.floor((i / PAGES) * 20 * DAY_MS);
    const visits = Array.from({ length: VISITS }, (_, v) => ({
      date: (newest - v * Math.floor((9 * DAY_MS) / VISITS)) * 1000 + ((i * 13 + v) % 1000),
      type: v % 6 === 0 ? 2 : v % 11 === 0 ? 3 : 1,
    }));
    const record = { id: `hr${String(i).padStart(10, '0')}`, histUri: `${REMOTE_PREFIX}${i}`, title: `Remote page ${i} from another device`, visits };
    batch.push({ id: record.id, payload: await encryptPayload(record, bundle), sortindex: frecency(applicableVisits(visits, now), now), ttl: HISTORY_TTL_SECONDS });
    if (batch.length === 1000) {
      stack.server.ctx.storage.putRecords(uid, 'history', batch);
      batch = [];
    }
  }
  if (batch.length > 0) stack.server.ctx.storage.putRecords(uid, 'history', batch);
}

// ---- the extension --------------------------------------------------------------------------

interface Progress { engine: string; step: string; done: number; total: number }
interface Status { syncing: boolean; lastRun: { startedAt: number; finishedAt: number; outcome: string; message: string } | null; progress: Progress | null }

async function send<T>(ext: ChromiumExtension, message: unknown): Promise<T> {
  const page = ext.context.pages().find((p) => p.url().includes('popup.html')) ?? (await ext.openPage('src/popup/popup.html'));
  const reply = (await page.evaluate((m) => chrome.runtime.sendMessage(m), message)) as { ok: boolean; value: T; error?: string };
  if (!reply.ok) throw new Error(`${JSON.stringify(message)} → ${reply.error}`);
  return reply.value;
}


interface Sample { t: number; progress: Progress | null }

/** Polls getStatus every 100 ms until a run that finished after `since` is reported; keeps each progress report seen. */
async function waitForRun(ext: ChromiumExtension, since: number, samples: Sample[], limitMs = 600_000): Promise<Status> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const s = await send<Status>(ext, { type: 'getStatus' });
    samples.push({ t: Date.now(), progress: s.progress });
    if (!s.syncing && (s.lastRun?.finishedAt ?? 0) > since) return s;
    if (Date.now() > deadline) throw new Error('sync did not finish in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until no run has been going for `quietMs` (a sync may ask for another one as it ends). */
async function settle(ext: ChromiumExtension, quietMs = 1500): Promise<void> {
  let idleSince = Date.now();
  for (;;) {
    if ((await send<Status>(ext, { type: 'getStatus' })).syncing) idleSince = Date.now();
    else if (Date.now() - idleSince >= quietMs) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Run { trigger: string; started: number; finished: number; outcome: string; history: Record<string, unknown> | null }

/** The runs that started at or after `since`, from the extension's log (getLogs). */
async function runsSince(ext: ChromiumExtension, since: number): Promise<Run[]> {
  const logs = await send<Array<{ time: number; message: string; fields?: Record<string, unknown> }>>(ext, { type: 'getLogs', limit: 500 });
  const runs: Run[] = [];
  let current: Run | null = null;
  for (const l of logs) {
    if (l.time < since) continue;
    if (l.message === 'Sync started') current = { trigger: String(l.fields?.['trigger']), started: l.time, finished: 0, outcome: '', history: null };
    else if (current && l.message === 'History synced') current.history = l.fields ?? {};
    else if (current && l.message === 'Sync finished') {
      runs.push({ ...current, finished: l.time, outcome: String(l.fields?.['outcome']) });
      current = null;
    }
  }
  return runs;
}

function describeRuns(runs: Run[], t0: number): string {
  return runs.map((r) => `${r.trigger} ${((r.started - t0) / 1000).toFixed(2)}–${((r.finished - t0) / 1000).toFixed(2)} s${r.history ? ' (history)' : ''}`).join(', ');
}

/** A page that records every statusChanged broadcast's progress, with its time. */
async function listenToBroadcasts(ext: ChromiumExtension): Promise<() => Promise<Sample[]>> {
  const page = await ext.openPage('src/popup/popup.html');
  await page.evaluate(() => {
    const seen: Array<{ t: number; progress: unknown }> = [];
    (globalThis as unknown as { __seen: unknown }).__seen = seen;
    chrome.runtime.onMessage.addListener((m: { type?: string; event?: string; status?: { progress: unknown } }) => {
      if (m?.type === 'event' && m.event === 'statusChanged') seen.push({ t: Date.now(), progress: m.status?.progress ?? null });
    });
  });
  return async () => {
    const out = (await page.evaluate(() => (globalThis as unknown as { __seen: unknown }).__seen)) as Sample[];
    await page.close();
    return out;
  };
}

/** Progress steps seen, in order, each with when it was first and last seen (s after t0) and its furthest count. */
function describeSteps(samples: Sample[], t0: number): string[] {
  const steps = new Map<string, { first: number; last: number; done: number; total: number; n: number }>();
  for (const s of [...samples].sort((a, b) => a.t - b.t)) {
    if (!s.progress) continue;
    const key = `${s.progress.engine}/${s.progress.step}`;
    const e = steps.get(key) ?? { first: s.t, last: s.t, done: 0, total: 0, n: 0 };
    e.last = s.t;
    e.done = Math.max(e.done, s.progress.done);
    e.total = Math.max(e.total, s.progress.total);
    e.n++;
    steps.set(key, e);
  }
  return [...steps].map(([k, e]) => `${k} ${e.done}/${e.total} (${e.n} reports, ${((e.first - t0) / 1000).toFixed(1)}–${((e.last - t0) / 1000).toFixed(1)} s)`);
}

/** The run's storage requests, grouped: method + path, how many, first and last (s after `from`), server ms and KiB in total. */
function requestSummary(stack: LocalStack, from: number, to: number): string[] {
  const groups = new Map<string, { n: number; first: number; last: number; ms: number; kib: number }>();
  for (const r of stack.requests) {
    const t = Date.parse(r.time);
    if (t < from || t > to + 50) continue;
    const key = `${r.method} ${r.path.replace(/^\/storage\/1\.5\/\d+/, '').replace(/\?.*/, '')}`;
    const g = groups.get(key) ?? { n: 0, first: t, last: t, ms: 0, kib: 0 };
    g.n++;
    g.last = t;
    g.ms += r.ms;
    g.kib += (r.requestBytes + r.responseBytes) / 1024;
    groups.set(key, g);
  }
  return [...groups].map(([k, g]) => `${k} ×${g.n} at ${((g.first - from) / 1000).toFixed(2)}–${((g.last - from) / 1000).toFixed(2)} s (server ${g.ms} ms, ${Math.round(g.kib)} KiB)`);
}

interface StoreCounts { total: number; foreign: number; remoteUrls: number; localUrls: number; syncedView: number }

async function storeCounts(ext: ChromiumExtension): Promise<StoreCounts> {
  const page = await ext.openPage('src/popup/popup.html');
  try {
    const counts = await page.evaluate(([remote, local]) => new Promise<Omit<StoreCounts, 'syncedView'>>((resolve, reject) => {
      const open = indexedDB.open('syncbridge');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const req = open.result.transaction('history').objectStore('history').getAll();
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result as Array<{ url: string; lastForeign: number }>;
          open.result.close();
          resolve({
            total: all.length,
            foreign: all.filter((p) => p.lastForeign > 0).length,
            remoteUrls: all.filter((p) => p.url.startsWith(remote)).length,
            localUrls: all.filter((p) => p.url.startsWith(local)).length,
          });
        };
      };
    }), [REMOTE_PREFIX, LOCAL_PREFIX] as const);
    const view = await send<{ pages: unknown[] }>(ext, { type: 'getSyncedHistory' });
    return { ...counts, syncedView: view.pages.length };
  } finally {
    await page.close();
  }
}

/**
 * Entries among the FIRST_SYNC_MAX_PAGES most recent of the last 30 days that no sync sends (the bench's own
 * chrome-extension:// pages, which Chromium records in history): they take places in the first
 * sync's 5,000.
 */
async function unsyncableRecent(ext: ChromiumExtension): Promise<string[]> {
  return ext.worker.evaluate(async ([max, windowMs]) => {
    const items = await chrome.history.search({ text: '', startTime: Date.now() - windowMs, maxResults: max });
    return items.map((i) => i.url ?? '').filter((u) => !u.startsWith('http'));
  }, [FIRST_SYNC_MAX_PAGES, 30 * DAY_MS] as const);
}

interface ServerCounts {
  total: number;
  local: number;
  remote: number;
  /** Visits in the records of this browser's pages, and how many the browser has for those pages. */
  localVisits: number;
  localVisitsSeeded: number;
  missingLocal: string[];
}

async function serverCounts(stack: LocalStack, seeded: LocalSeedPage[]): Promise<ServerCounts> {
  const records = await stack.demoRecords('history');
  const local = new Map(records.filter((r) => String(r['histUri']).startsWith(LOCAL_PREFIX)).map((r) => [String(r['histUri']), r]));
  return {
    total: records.length,
    local: local.size,
    remote: records.filter((r) => String(r['histUri']).startsWith(REMOTE_PREFIX)).length,
    localVisits: [...local.values()].reduce((n, r) => n + (r['visits'] as unknown[]).length, 0),
    localVisitsSeeded: seeded.filter((p) => local.has(p.url)).reduce((n, p) => n + p.visits.length, 0),
    missingLocal: seeded.filter((p) => !local.has(p.url)).map((p) => p.url),
  };
}

// ---- scenarios ------------------------------------------------------------------------------

interface Setup { stack: LocalStack; profileDir: string; local: LocalSeedPage[]; seededVisits: number; seedMethod: string }

/** A fresh stack with the seeded account, and a profile whose History holds the local pages. */
async function setup(): Promise<Setup> {
  const now = Date.now();
  const stack = await startLocalStack();
  await seedAccount(stack, now);
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'sb-hbench-'));
  const local = localPages(now);
  const first = await launchChromiumWithExtension({ profileDir });
  let seedMethod: string;
  if (hasPythonSqlite() && !process.env['HISTORY_BENCH_ADDURL']) {
    await first.close();
    seedHistoryDb(profileDir, local);
    seedMethod = 'History sqlite between launches (real past visit times)';
  } else {
    // Fallback: addUrl records each visit "now", so every visit has the current time.
    await first.worker.evaluate(async (urls) => {
      for (const url of urls) await chrome.history.addUrl({ url });
    }, local.flatMap((p) => p.visits.map(() => p.url)));
    await first.close();
    seedMethod = 'chrome.history.addUrl (every visit recorded as now)';
  }
  return { stack, profileDir, local, seededVisits: local.reduce((n, p) => n + p.visits.length, 0), seedMethod };
}

async function close(s: Setup, ext?: ChromiumExtension): Promise<void> {
  await ext?.close();
  await s.stack.close();
  rmSync(s.profileDir, { recursive: true, force: true });
}

interface Floor { search: number; getVisitsPooled: number; getVisitsSequential: number; visitsRead: number; idb: number; download: number; downloaded: number; upload: number }

/**
 * What any client needs at least: Chromium's history.search over 30 days and getVisits for each
 * page (32 at a time, as the engine reads; and one after another), on a copy of the profile;
 * IndexedDB keeping both sets of pages (PAGES of VISITS visits, PAGES of 1–5 visits, shaped as the
 * synced store's entries, one transaction each) in an extension page of that browser; in
 * Node, the extension's own storage client and crypto downloading + decrypting the account's
 * history, and encrypting + uploading PAGES records of the local pages (to a scratch account).
 */
async function floor(s: Setup): Promise<Floor> {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'sb-hbench-floor-'));
  cpSync(s.profileDir, copy, { recursive: true });
  const ext = await launchChromiumWithExtension({ profileDir: copy });
  let chromium: { search: number; pooled: number; sequential: number; visits: number };
  let idb: number;
  try {
    chromium = await ext.worker.evaluate(async ([max, windowMs]) => {
      const t0 = performance.now();
      const items = await chrome.history.search({ text: '', startTime: Date.now() - windowMs, maxResults: max });
      const t1 = performance.now();
      const urls = items.map((i) => i.url!);
      let next = 0;
      let visits = 0;
      await Promise.all(Array.from({ length: 32 }, async () => {
        while (next < urls.length) {
          const got = await chrome.history.getVisits({ url: urls[next++]! });
          visits += got.length;
        }
      }));
      const t2 = performance.now();
      for (const url of urls) await chrome.history.getVisits({ url });
      const t3 = performance.now();
      return { search: (t1 - t0) / 1000, pooled: (t2 - t1) / 1000, sequential: (t3 - t2) / 1000, visits };
    }, [PAGES, 30 * DAY_MS] as const);
    const page = await ext.openPage('src/popup/popup.html');
    idb = await page.evaluate(async ([pages, visits]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open('bench-floor', 1);
        open.onupgradeneeded = () => {
          const store = open.result.createObjectStore('history', { keyPath: 'id' });
          store.createIndex('byUrl', 'url');
          store.createIndex('byLastForeign', 'lastForeign');
        };
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const now = Date.now();
      const sets = [
        Array.from({ length: pages }, (_, i) => ({ id: `hr${String(i).padStart(10, '0')}`, url: `https://remote.bench.example/page/${i}`, title: `Remote page ${i} from another device`, visits: Array.from({ length: visits }, (_, v) => ({ date: (now - v * 3_600_000 - i) * 1000, type: 1 })), extra: {}, modified: '1796180000.12', own: [], imported: [], lastForeign: now - i })),
        Array.from({ length: pages }, (_, i) => ({ id: `hl${String(i).padStart(10, '0')}`, url: `https://local.bench.example/page/${i}`, title: `Local page ${i} — a page this browser visited`, visits: Array.from({ length: 1 + (i % 5) }, (_, v) => ({ date: (now - v * 3_600_000 - i) * 1000, type: 1 })), extra: {}, modified: '1796180000.12', own: [now * 1000 - i], imported: [], lastForeign: 0 })),
      ];
      const t0 = performance.now();
      for (const set of sets) {
        await new Promise<void>((resolve, reject) => {
          const tx = db.transaction('history', 'readwrite');
          for (const p of set) tx.objectStore('history').put(p);
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      const seconds = (performance.now() - t0) / 1000;
      db.close();
      return seconds;
    }, [PAGES, VISITS] as const);
  } finally {
    await ext.close();
    rmSync(copy, { recursive: true, force: true });
  }

  // Node's own (native, synchronous) AES and HMAC: the cheapest the record crypto can be.
  const bundle = await historyBundle(s.stack);
  const encKey = Buffer.from(bundle.encKey);
  const hmacKey = Buffer.from(bundle.hmacKey);
  const client = (uid: string): StorageClient => {
    const ctx = s.stack.server.ctx;
    const creds = ctx.hawkTokens.issue({ uid, generation: ctx.nodes.currentGeneration(uid), ttlSeconds: 3600 });
    const token = { id: creds.id, key: creds.key, uid, apiEndpoint: `${s.stack.origin}/storage/1.5/${uid}`, duration: 3600, hashedFxaUid: 'bench', nodeType: 'bench', expiresAt: Date.now() + 3_000_000, serverClockOffsetMs: 0 };
    return new StorageClient({ tokens: { getToken: async () => token, invalidate: () => undefined } });
  };
  const t0 = performance.now();
  let downloaded = 0;
  for await (const page of client(s.stack.demoUid()).getRecords('history', { full: true, newer: '0', sort: 'oldest', limit: 1000 })) {
    for (const bso of page.items) {
      if (typeof bso === 'string') continue;
      const p = JSON.parse(bso.payload) as { ciphertext: string; IV: string; hmac: string };
      if (createHmac('sha256', hmacKey).update(p.ciphertext).digest('hex') !== p.hmac) throw new Error('floor: HMAC mismatch');
      const d = createDecipheriv('aes-256-cbc', encKey, Buffer.from(p.IV, 'base64'));
      JSON.parse(Buffer.concat([d.update(Buffer.from(p.ciphertext, 'base64')), d.final()]).toString('utf8'));
      downloaded++;
    }
  }
  const t1 = performance.now();
  const now = Date.now();
  const outgoing = s.local.map((p, i) => {
    const visits = p.visits.map((v) => ({ date: v.ms * 1000, type: (v.transition & 0xff) === T.typed ? 2 : 1 }));
    return { cleartext: { id: `hl${String(i).padStart(10, '0')}`, histUri: p.url, title: p.title, visits }, sortindex: frecency(applicableVisits(visits, now), now), ttl: HISTORY_TTL_SECONDS };
  });
  const bsos = outgoing.map((r) => {
    const iv = randomBytes(16);
    const c = createCipheriv('aes-256-cbc', encKey, iv);
    const ciphertext = Buffer.concat([c.update(JSON.stringify(r.cleartext), 'utf8'), c.final()]).toString('base64');
    const payload = JSON.stringify({ ciphertext, IV: iv.toString('base64'), hmac: createHmac('sha256', hmacKey).update(ciphertext).digest('hex') });
    return { id: r.cleartext.id, payload, sortindex: r.sortindex, ttl: r.ttl };
  });
  const result = await client('987654321').uploadRecords('history', bsos, { ifUnmodifiedSince: '0' });
  const t2 = performance.now();
  if (result.success.length !== outgoing.length) throw new Error(`floor upload: ${result.success.length} of ${outgoing.length} accepted`);
  return { search: chromium.search, getVisitsPooled: chromium.pooled, getVisitsSequential: chromium.sequential, visitsRead: chromium.visits, idb, download: (t1 - t0) / 1000, downloaded, upload: (t2 - t1) / 1000 };
}

interface Isolated {
  otherEngines: number;
  history: number;
  historyRun: number;
  runs: string;
  steps: string[];
  requests: string[];
  server: ServerCounts;
  store: StoreCounts;
  unsyncable: string[];
  incremental: number;
  incrementalOnServer: boolean;
  peakMiB: number | null;
  logLine: string;
}

/** The run that synced the seeded history (the log's 'History synced' with pages received). */
function historyRunOf(runs: Run[]): Run {
  const run = runs.find((r) => r.history !== null && Number(r.history['received'] ?? 0) > 0);
  if (!run) throw new Error(`no run synced the history: ${JSON.stringify(runs)}`);
  if (run.outcome !== 'success') throw new Error(`the history sync ended with ${run.outcome}`);
  return run;
}

/**
 * Sign-in with History switched off (clients and bookmarks sync; timed separately), then History
 * switched on: from the switch to the end of the run that synced history is the history engine's
 * first sync, with the account setup around it (info/collections, meta/global with history back in
 * it) and the other engines' no-change checks.
 */
async function isolatedFirstSync(s: Setup): Promise<Isolated> {
  const ext = await launchChromiumWithExtension({ profileDir: s.profileDir });
  try {
    await send(ext, { type: 'setEngine', engine: 'history', enabled: false });
    // The switch asks for a sync, which ends at once (not signed in): let it end first.
    await settle(ext, 500);
    const t0 = Date.now();
    await signIn(ext, s.stack.origin);
    const firstRun = await waitForRun(ext, t0, []);
    if (firstRun.lastRun?.outcome !== 'success') throw new Error(`first sync failed: ${firstRun.lastRun?.message}`);
    const otherEngines = (firstRun.lastRun.finishedAt - t0) / 1000;
    await settle(ext);

    const broadcasts = await listenToBroadcasts(ext);
    const polled: Sample[] = [];
    const t1 = Date.now();
    await send(ext, { type: 'setEngine', engine: 'history', enabled: true });
    await waitForRun(ext, t1, polled);
    await settle(ext);
    const runs = await runsSince(ext, t1);
    const run = historyRunOf(runs);
    const peakMiB = extensionProcessPeakMiB(s.profileDir);
    const samples = [...polled, ...(await broadcasts())].filter((x) => x.t <= run.finished + 200);
    const server = await serverCounts(s.stack, s.local);
    const store = await storeCounts(ext);
    const unsyncable = await unsyncableRecent(ext);

    // One new visit, then Sync now.
    await ext.worker.evaluate(() => chrome.history.addUrl({ url: 'https://one-new-visit.bench.example/' }));
    const t2 = Date.now();
    await send(ext, { type: 'syncNow' });
    await waitForRun(ext, t2, []);
    const inc = (await runsSince(ext, t2)).find((r) => r.trigger === 'manual');
    if (!inc || inc.outcome !== 'success') throw new Error(`incremental sync failed: ${JSON.stringify(inc)}`);
    const incrementalOnServer = (await s.stack.demoRecords('history')).some((r) => r['histUri'] === 'https://one-new-visit.bench.example/');
    return {
      otherEngines, history: (run.finished - t1) / 1000, historyRun: (run.finished - run.started) / 1000, runs: describeRuns(runs, t1),
      steps: describeSteps(samples, t1), requests: requestSummary(s.stack, t1, run.finished), server, store, unsyncable,
      incremental: (inc.finished - t2) / 1000, incrementalOnServer, peakMiB, logLine: JSON.stringify(run.history),
    };
  } finally {
    await close(s, ext);
  }
}

/** The first sync as a person sees it: sign-in with every engine on, to the end of the run that synced history. */
async function allEnginesFirstSync(s: Setup): Promise<{ seconds: number; runs: string; steps: string[]; server: ServerCounts; unsyncable: string[]; peakMiB: number | null }> {
  const ext = await launchChromiumWithExtension({ profileDir: s.profileDir });
  try {
    const broadcasts = await listenToBroadcasts(ext);
    const polled: Sample[] = [];
    const t0 = Date.now();
    await signIn(ext, s.stack.origin);
    await waitForRun(ext, t0, polled);
    await settle(ext);
    const runs = await runsSince(ext, t0);
    const run = historyRunOf(runs);
    const peakMiB = extensionProcessPeakMiB(s.profileDir);
    const samples = [...polled, ...(await broadcasts())].filter((x) => x.t <= run.finished + 200);
    return {
      seconds: (run.finished - t0) / 1000, runs: describeRuns(runs, t0), steps: describeSteps(samples, t0),
      server: await serverCounts(s.stack, s.local), unsyncable: await unsyncableRecent(ext), peakMiB,
    };
  } finally {
    await close(s, ext);
  }
}

// ---- the run --------------------------------------------------------------------------------

const f = (n: number, digits = 2): string => n.toFixed(digits);
/** One figure: its label padded to one column, then the value and any note. */
const line = (label: string, value: string, note = ''): void => console.log(`${label.padEnd(58)} ${value}${note ? `  (${note})` : ''}`);
console.log(`history bench: ${PAGES} local pages, ${PAGES} other-device pages × ${VISITS} visits; Chromium ${process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'}`);

const a = await setup();
console.log(`local history seeded by ${a.seedMethod}: ${a.local.length} pages, ${a.seededVisits} visits`);
const fl = await floor(a);
const floorTotal = fl.search + fl.getVisitsPooled + fl.idb + fl.download + fl.upload;
line('floor: history.search (30 days)', `${f(fl.search)} s`);
line(`floor: history.getVisits × ${PAGES}, 32 at a time`, `${f(fl.getVisitsPooled)} s`, `${fl.visitsRead} visits; one after another: ${f(fl.getVisitsSequential)} s`);
line(`floor: IndexedDB: store ${2 * PAGES} pages, 2 transactions`, `${f(fl.idb)} s`);
line(`floor: download + decrypt ${fl.downloaded} records (Node)`, `${f(fl.download)} s`);
line(`floor: encrypt + upload ${PAGES} records (Node)`, `${f(fl.upload)} s`);
line('floor total', `${f(floorTotal)} s`);

const iso = await isolatedFirstSync(a);
line('sign-in to done with History off (clients, bookmarks)', `${f(iso.otherEngines)} s`);
line('first history sync: History switched on to done', `${f(iso.history)} s`, `${f(iso.history / floorTotal, 1)}× floor`);
console.log(`  runs after the switch: ${iso.runs}`);
console.log(`  progress reported: ${iso.steps.join('; ') || 'none'}`);
console.log(`  engine: ${iso.logLine}`);
if (iso.unsyncable.length > 0) console.log(`  not syncable among the ${FIRST_SYNC_MAX_PAGES} most recent pages: ${iso.unsyncable.length} (${[...new Set(iso.unsyncable.map((u) => u.replace(/^chrome-extension:\/\/[a-p]+/, 'chrome-extension://…')))].join(', ')})`);
console.log(`  server: ${iso.server.total} history records (${iso.server.local} uploaded from here, holding ${iso.server.localVisits} of those pages' ${iso.server.localVisitsSeeded} visits; ${iso.server.remote} other-device; ${iso.server.total - iso.server.local - iso.server.remote} demo)`);
console.log(`  synced store: ${iso.store.total} pages, ${iso.store.foreign} with other devices' visits (${iso.store.remoteUrls} seeded other-device pages); getSyncedHistory lists ${iso.store.syncedView}`);
console.log('  requests:');
for (const r of iso.requests) console.log(`    ${r}`);
line('  peak resident memory of the extension process', `${iso.peakMiB ?? 'n/a'} MiB`);
line('incremental sync after one new visit (Sync now to done)', `${f(iso.incremental)} s`, iso.incrementalOnServer ? 'on the server' : 'NOT on the server');

const b = await setup();
const all = await allEnginesFirstSync(b);
line('first sync, sign-in to done, every engine on', `${f(all.seconds)} s`, `server: ${all.server.total} history records, ${all.server.local} from here, ${all.server.remote} other-device`);
console.log(`  runs after sign-in: ${all.runs}`);
console.log(`  progress reported: ${all.steps.join('; ') || 'none'}`);
line('  peak resident memory of the extension process', `${all.peakMiB ?? 'n/a'} MiB`);

for (const [name, c, unsyncable] of [['isolated', iso.server, iso.unsyncable], ['every engine', all.server, all.unsyncable]] as const) {
  // The first sync sends the FIRST_SYNC_MAX_PAGES most recent pages; entries it cannot send take places among them.
  const expectedLocal = Math.min(PAGES, FIRST_SYNC_MAX_PAGES - unsyncable.length);
  if (c.local !== expectedLocal || c.remote !== PAGES) {
    console.log(`WARNING: ${name}: server holds ${c.local} local and ${c.remote} other-device pages, expected ${expectedLocal} and ${PAGES}; missing: ${c.missingLocal.slice(0, 10).join(' ')}`);
  }
}
if (iso.store.remoteUrls !== PAGES) console.log(`WARNING: the synced store holds ${iso.store.remoteUrls} of the ${PAGES} other-device pages`);
