// First sync of 10,000 bookmarks in 500 folders into Chromium, through the real extension and the
// local stack, next to the time Chromium itself needs to create the same bookmarks through its
// API (the floor no sync can beat: folders, then every folder's children, each level's calls
// issued together with explicit indexes; and the same calls one after another); then a first sync
// cut off by a stopped service worker, an incremental sync of one change, and the extension
// process's peak memory over its idle level. Prints figures and the ratio to the parallel floor.
// Run with `npx tsx bench/bookmarks.bench.ts [FOLDERSxPER_FOLDER …]` (default 500x20; 2500x20 is 50,000).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { launchChromiumWithExtension, type ChromiumExtension } from '../e2e/support/chromium.ts';
import { startLocalStack, type LocalStack } from '../e2e/support/stack.ts';
import { DEMO_KB_HEX } from '../server/identity/demo/fixtures.ts';
import { hexToBytes } from '../src/sync/crypto/encoding.ts';
import { keyBundleFromKSync } from '../src/sync/crypto/keyBundle.ts';
import { bundleForCollection, decryptCryptoKeys, decryptPayload, encryptPayload } from '../src/sync/crypto/records.ts';
import { deriveSyncKey } from '../src/sync/crypto/syncKeys.ts';
import { chromiumCpuSeconds, cpuSpent, extensionProcessFootprintMiB, extensionProcessPeakMiB, extensionProcessRssMiB, extensionProcessRssParts, footprintPeakSampler, signIn } from './support.ts';

const SIZES = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['500x20']).map((a) => {
  const m = /^(\d+)x(\d+)$/.exec(a);
  if (!m) throw new Error(`size "${a}" is not FOLDERSxPER_FOLDER`);
  return { folders: Number(m[1]), perFolder: Number(m[2]) };
});
// BENCH_ONLY=first,incremental runs only those cases (while working on one; the figures need all).
const ONLY = process.env['BENCH_ONLY']?.split(',') ?? null;
const runs = (name: string): boolean => ONLY === null || ONLY.includes(name);
let FOLDERS = 0;
let PER_FOLDER = 0;
let TOTAL = 0;

const id = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12 - prefix.length, '0')}`;

/** Puts FOLDERS folders of PER_FOLDER bookmarks into the demo account's unfiled root, as Firefox would. */
async function seed(stack: LocalStack): Promise<void> {
  const uid = stack.uids().find((u) => stack.server.ctx.storage.getRecords(u, 'crypto').length > 0)!;
  const root = keyBundleFromKSync(deriveSyncKey(hexToBytes(DEMO_KB_HEX)).kSync);
  const keys = await decryptCryptoKeys(stack.server.ctx.storage.getRecords(uid, 'crypto')[0]!.payload, root);
  const bundle = bundleForCollection(keys, 'bookmarks');
  const unfiledBso = stack.server.ctx.storage.getRecords(uid, 'bookmarks').find((r) => r.id === 'unfiled')!;
  const unfiled = (await decryptPayload(unfiledBso.payload, bundle)) as { children: string[] };
  const records: Array<{ id: string; payload: string; sortindex: number }> = [];
  const folderIds: string[] = [];
  for (let f = 0; f < FOLDERS; f++) {
    const fid = id('bf', f);
    folderIds.push(fid);
    const children: string[] = [];
    for (let b = 0; b < PER_FOLDER; b++) {
      const bid = id('bb', f * PER_FOLDER + b);
      children.push(bid);
      records.push({ id: bid, sortindex: 100, payload: await encryptPayload({ id: bid, type: 'bookmark', parentid: fid, parentName: `Folder ${f}`, title: `Bookmark ${f}.${b}`, bmkUri: `https://bench.example/${f}/${b}`, dateAdded: 1_700_000_000_000 }, bundle) });
    }
    records.push({ id: fid, sortindex: 1_000_000, payload: await encryptPayload({ id: fid, type: 'folder', parentid: 'unfiled', parentName: '', title: `Folder ${f}`, children, dateAdded: 1_700_000_000_000 }, bundle) });
  }
  records.push({ id: 'unfiled', sortindex: 1_000_000, payload: await encryptPayload({ ...unfiled, children: [...unfiled.children, ...folderIds] }, bundle) });
  for (let i = 0; i < records.length; i += 1000) stack.server.ctx.storage.putRecords(uid, 'bookmarks', records.slice(i, i + 1000));
}

/**
 * Bookmarks in Chromium; how many repeat a URL of another (each seeded URL is unique); and how many
 * seeded folders are out of the account's order or hold their bookmarks out of order.
 */
async function countBookmarks(ext: ChromiumExtension): Promise<{ count: number; duplicates: number; misordered: number }> {
  // No named inner functions: tsx would wrap them in a helper the browser does not have.
  return ext.worker.evaluate(async () => {
    const urls = new Set<string>();
    let count = 0;
    let misordered = 0;
    const stack: chrome.bookmarks.BookmarkTreeNode[] = [...(await chrome.bookmarks.getTree())];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.url) {
        count++;
        urls.add(node.url);
      }
      const kids = node.children ?? [];
      const folders = kids.map((k) => /^Folder (\d+)$/.exec(k.title)).filter((m) => m !== null).map((m) => Number(m[1]));
      if (folders.some((f, i) => i > 0 && f < (folders[i - 1] as number))) misordered++;
      const own = /^Folder (\d+)$/.exec(node.title);
      if (own && kids.some((k, i) => k.title !== `Bookmark ${own[1]}.${i}`)) misordered++;
      stack.push(...kids);
    }
    return { count, duplicates: count - urls.size, misordered };
  });
}

interface Status { syncing: boolean; lastRun: { finishedAt: number; outcome: string; message: string } | null; progress: { done: number; total: number; step: string } | null }

async function status(ext: ChromiumExtension): Promise<Status> {
  const page = ext.context.pages().find((p) => p.url().includes('popup.html')) ?? (await ext.openPage('src/popup/popup.html'));
  return ((await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getStatus' }))) as { value: Status }).value;
}


/** Polls until a run that finished after `since` is reported; records the progress bar's states. */
/** CPU seconds per kind of process during each step of the sync (sampled by the polls). */
const cpuByStep = new Map<string, Record<string, number>>();
let lastCpu: Record<string, number> | null = null;
/** Highest resident memory (MiB) of the extension process seen during each step of the sync. */
const rssByStep = new Map<string, number>();
const footprintByStep = new Map<string, number>();
/** With BENCH_HEAP=1: the highest JavaScript heap (MiB, in use / reserved) of the service worker, and reserved by the extension's pages, during each step. */
const heapByStep = new Map<string, { used: number; total: number; pages: number }>();

/** The service worker seen through the DevTools protocol: its heap, its allocations, its CPU. */
interface WorkerDevtools {
  /** The JavaScript heap in use and reserved (MiB). */
  usage(): Promise<{ used: number; total: number }>;
  /** Writes a heap snapshot (DevTools' .heapsnapshot format) of the worker to `file`. */
  snapshot(file: string): Promise<void>;
  /** Starts V8's sampling heap profiler, counting what the collector has freed too. */
  startSampling(): Promise<void>;
  /** Stops it: the bytes allocated per function (self), largest first. */
  stopSampling(): Promise<Array<{ where: string; mib: number }>>;
  /** Starts V8's CPU profiler in the worker. */
  startProfile(): Promise<void>;
  /** Stops it: milliseconds of CPU per function (self), largest first. */
  stopProfile(): Promise<Array<{ where: string; ms: number }>>;
}
/** With BENCH_HEAP=1, the first sync's worker (never one that is stopped: a debugger keeps it alive). */
let devtoolsOfRun: WorkerDevtools | null = null;
/** BENCH_SNAPSHOT=apply: a heap snapshot of the worker the first time the sync is seen in that step. */
let snapshotTaken = false;

/**
 * Attaches to the service worker. Its JavaScript heap is the part of the process's memory that is
 * the extension's own data, not Chromium's.
 */
async function workerDevtools(ext: ChromiumExtension): Promise<WorkerDevtools> {
  const page = ext.context.pages()[0] ?? (await ext.context.newPage());
  const cdp = await ext.context.newCDPSession(page);
  const { targetInfos } = await cdp.send('Target.getTargets');
  const sw = targetInfos.find((t) => t.type === 'service_worker' && t.url.includes(ext.extensionId));
  if (!sw) throw new Error('no service worker target');
  const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: sw.targetId, flatten: false });
  let next = 0;
  const waiting = new Map<number, (result: unknown) => void>();
  let chunks: string[] = [];
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    if (e.sessionId !== sessionId) return;
    const m = JSON.parse(e.message) as { id?: number; method?: string; params?: { chunk?: string }; result?: unknown };
    if (m.method === 'HeapProfiler.addHeapSnapshotChunk') chunks.push(m.params?.chunk ?? '');
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
  });
  const send = (method: string, params: object = {}): Promise<unknown> => new Promise((resolve) => {
    const id = ++next;
    waiting.set(id, resolve);
    void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
  });
  return {
    async usage() {
      const r = (await send('Runtime.getHeapUsage')) as { usedSize?: number; totalSize?: number } | undefined;
      return { used: Math.round((r?.usedSize ?? 0) / 1048576), total: Math.round((r?.totalSize ?? 0) / 1048576) };
    },
    async snapshot(file) {
      chunks = [];
      await send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      await writeFile(file, chunks.join(''));
    },
    async startSampling() {
      await send('HeapProfiler.startSampling', { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    },
    async stopSampling() {
      interface Node { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: Node[] }
      const r = (await send('HeapProfiler.stopSampling')) as { profile: { head: Node } };
      const bytes = new Map<string, number>();
      const walk = (n: Node): void => {
        const f = n.callFrame;
        const where = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
        bytes.set(where, (bytes.get(where) ?? 0) + n.selfSize);
        n.children.forEach(walk);
      };
      walk(r.profile.head);
      return [...bytes].map(([where, b]) => ({ where, mib: Math.round(b / 104857.6) / 10 })).sort((a, b) => b.mib - a.mib);
    },
    async startProfile() {
      await send('Profiler.enable');
      await send('Profiler.setSamplingInterval', { interval: 200 });
      await send('Profiler.start');
    },
    async stopProfile() {
      interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
      const r = (await send('Profiler.stop')) as { profile: { nodes: Node[]; samples: number[]; timeDeltas: number[] } };
      // BENCH_PROFILE_OUT=<file>.cpuprofile: the whole profile, for DevTools' Performance panel.
      if (process.env['BENCH_PROFILE_OUT']) await writeFile(process.env['BENCH_PROFILE_OUT'], JSON.stringify(r.profile));
      const byId = new Map(r.profile.nodes.map((n) => [n.id, n]));
      const parent = new Map<number, number>();
      for (const n of r.profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
      const name = (n: Node): string => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop() ?? ''}:${n.callFrame.lineNumber + 1}`;
      const us = new Map<string, number>();
      const stacks = new Map<string, number>();
      r.profile.samples.forEach((id, i) => {
        const leaf = byId.get(id);
        // A built-in (URL, IndexedDB's put) is named with the function of ours that called it.
        let where = leaf ? name(leaf) : '?';
        if (leaf && leaf.callFrame.url === '' && !where.startsWith('(')) {
          let up = parent.get(leaf.id);
          while (up !== undefined && byId.get(up)!.callFrame.url === '') up = parent.get(up);
          if (up !== undefined) where = `${where} in ${name(byId.get(up)!)}`;
        }
        us.set(where, (us.get(where) ?? 0) + (r.profile.timeDeltas[i + 1] ?? 0));
        if (process.env['BENCH_STACKS'] && leaf && new RegExp(process.env['BENCH_STACKS']).test(where)) {
          const chain: string[] = [];
          for (let up: number | undefined = leaf.id; up !== undefined && chain.length < 14; up = parent.get(up)) chain.push(name(byId.get(up)!));
          const key = chain.join(' < ');
          stacks.set(key, (stacks.get(key) ?? 0) + (r.profile.timeDeltas[i + 1] ?? 0));
        }
      });
      for (const [k, t] of [...stacks].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${(t / 1000).toFixed(1)} ms  ${k}`);
      return [...us].map(([where, t]) => ({ where, ms: Math.round(t / 100) / 10 })).sort((a, b) => b.ms - a.ms);
    },
  };
}

async function waitForRun(ext: ChromiumExtension, since: number, progressSeen: Set<string>, limitMs = 600_000): Promise<Status> {
  const deadline = Date.now() + limitMs;
  const popup = await ext.openPage('src/popup/popup.html');
  for (;;) {
    const s = await status(ext);
    const rss = extensionProcessRssMiB(ext.profileDir);
    const step = s.syncing ? `${s.progress?.step ?? 'sync'}` : 'idle';
    // CPU since the last poll, put down to the step seen now (the polls are 200 ms apart).
    const cpuNow = chromiumCpuSeconds(ext.profileDir);
    if (lastCpu) {
      const spent = cpuByStep.get(step) ?? {};
      for (const [k, v] of Object.entries(cpuNow)) spent[k] = (spent[k] ?? 0) + v - (lastCpu[k] ?? 0);
      cpuByStep.set(step, spent);
    }
    lastCpu = cpuNow;
    if (rss !== null) rssByStep.set(step, Math.max(rssByStep.get(step) ?? 0, rss));
    const footprintNow = extensionProcessFootprintMiB(ext.profileDir);
    if (footprintNow !== null) footprintByStep.set(step, Math.max(footprintByStep.get(step) ?? 0, footprintNow));
    if (devtoolsOfRun) {
      const heap = await devtoolsOfRun.usage();
      if (!snapshotTaken && process.env['BENCH_SNAPSHOT'] === step) {
        snapshotTaken = true;
        const file = path.join(os.tmpdir(), `syncbridge-worker-${step}.heapsnapshot`);
        await devtoolsOfRun.snapshot(file);
        console.log(`  heap snapshot of the worker in the ${step} step: ${file}`);
      }
      let pages = 0;
      for (const pg of ext.context.pages()) {
        const c = await ext.context.newCDPSession(pg);
        pages += Math.round(((await c.send('Runtime.getHeapUsage')) as { totalSize: number }).totalSize / 1048576);
        await c.detach();
      }
      const seen = heapByStep.get(step) ?? { used: 0, total: 0, pages: 0 };
      heapByStep.set(step, { used: Math.max(seen.used, heap.used), total: Math.max(seen.total, heap.total), pages: Math.max(seen.pages, pages) });
    }
    const bar = await popup.evaluate(() => {
      const p = document.getElementById('progress') as HTMLProgressElement | null;
      return p && !p.hidden ? `${p.value}/${p.max}` : null;
    }).catch(() => null);
    if (bar) progressSeen.add(bar);
    if (!s.syncing && (s.lastRun?.finishedAt ?? 0) > since) {
      await popup.close();
      return s;
    }
    if (Date.now() > deadline) throw new Error('sync did not finish in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * A bare extension that may create bookmarks, for the floors of Chromium alone: without any
 * bookmark listener, or with one that does nothing (then Chromium sends every create's event over).
 */
async function bareExtension(listening: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sb-bare-extension-'));
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify({ manifest_version: 3, name: 'bench floor', version: '1', permissions: ['bookmarks'], background: { service_worker: 'sw.js' } }));
  await writeFile(path.join(dir, 'sw.js'), listening ? 'chrome.bookmarks.onCreated.addListener(() => {});\n' : '\n');
  return dir;
}

type FloorWhere = 'ours' | 'bare' | 'listening';

/**
 * Chromium's own time for the tree: `parallel` issues each level's creates together (explicit
 * indexes). 'ours' runs in Syncbridge's worker (signed out: its change tracker sees every create),
 * 'bare' in an extension with no bookmark listener, 'listening' in one with a listener that does nothing.
 */
async function floor(parallel: boolean, where: FloorWhere = 'ours'): Promise<{ seconds: number; growthMiB: number | null; footprintGrowthMiB: number | null; cpu: string }> {
  const extensionDir = where === 'ours' ? undefined : await bareExtension(where === 'listening');
  const ext = await launchChromiumWithExtension(extensionDir ? { extensionDir } : {});
  let footprint: ReturnType<typeof footprintPeakSampler> | null = null;
  try {
    await new Promise((r) => setTimeout(r, 1500));
    const idle = extensionProcessRssMiB(ext.profileDir);
    const idleFootprint = extensionProcessFootprintMiB(ext.profileDir);
    footprint = footprintPeakSampler(ext.profileDir);
    const cpuBefore = chromiumCpuSeconds(ext.profileDir);
    const seconds = await ext.worker.evaluate(async ([folders, per, together]) => {
      const t0 = performance.now();
      if (together) {
        const made = await Promise.all(Array.from({ length: folders }, (_, f) => chrome.bookmarks.create({ parentId: '2', index: f, title: `Folder ${f}` })));
        await Promise.all(made.flatMap((folder, f) => Array.from({ length: per }, (_, b) =>
          chrome.bookmarks.create({ parentId: folder.id, index: b, title: `Bookmark ${f}.${b}`, url: `https://bench.example/${f}/${b}` }))));
      } else {
        for (let f = 0; f < folders; f++) {
          const folder = await chrome.bookmarks.create({ parentId: '2', title: `Folder ${f}` });
          for (let b = 0; b < per; b++) await chrome.bookmarks.create({ parentId: folder.id, title: `Bookmark ${f}.${b}`, url: `https://bench.example/${f}/${b}` });
        }
      }
      return (performance.now() - t0) / 1000;
    }, [FOLDERS, PER_FOLDER, parallel] as const);
    const cpu = cpuSpent(cpuBefore, chromiumCpuSeconds(ext.profileDir));
    const peak = extensionProcessPeakMiB(ext.profileDir);
    const peakFootprint = footprint.stop();
    return { seconds, growthMiB: idle !== null && peak !== null ? peak - idle : null, footprintGrowthMiB: idleFootprint !== null && peakFootprint !== null ? peakFootprint - idleFootprint : null, cpu };
  } finally {
    footprint?.stop();
    await ext.close();
    if (extensionDir) await rm(extensionDir, { recursive: true, force: true });
  }
}

/**
 * What storing the pairings costs in this browser, alone: TOTAL + FOLDERS records shaped as the id
 * map's (compound key, unique index on the browser id), one transaction per 200, one after another.
 */
async function idMapFloor(per = 200): Promise<number> {
  const ext = await launchChromiumWithExtension();
  try {
    return await ext.worker.evaluate(async ([n, per]) => {
      const open = indexedDB.open(`bench-floor-${Date.now()}`, 1);
      open.onupgradeneeded = () => {
        const store = open.result.createObjectStore('idMap', { keyPath: ['collection', 'syncId'] });
        store.createIndex('byLocalId', ['collection', 'localId'], { unique: true });
      };
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      const t0 = performance.now();
      for (let i = 0; i < n; i += per) {
        const tx = db.transaction('idMap', 'readwrite');
        for (let k = i; k < Math.min(n, i + per); k++) tx.objectStore('idMap').put({ collection: 'bookmarks', syncId: `guid${String(k).padStart(8, '0')}`, localId: String(k + 100), dateAdded: 1_700_000_000_000 + k });
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
      }
      return (performance.now() - t0) / 1000;
    }, [TOTAL + FOLDERS, per] as const);
  } finally {
    await ext.close();
  }
}

/**
 * The extension's own account of the run (its log): when it started, each engine's phases, the merge
 * and the apply. Lines from `since` up to `until` (when the bench saw the run end; later syncs are not its).
 */
async function runPhases(ext: ChromiumExtension, since: number, until = Infinity): Promise<{ text: string; finishedS: number | null }> {
  const page = await ext.openPage('src/popup/popup.html');
  try {
    const answer = (await page.evaluate(() => chrome.runtime.sendMessage({ type: 'getLogs', limit: 500 }))) as { value: Array<{ time: number; message: string; fields?: Record<string, unknown> }> };
    const wanted = new Set(['Sync started', 'Engine synced', 'Bookmarks merged', 'Bookmarks applied to this browser', 'Sync finished']);
    // BENCH_LOG=1: the whole log of the run, to see what a phase holds.
    if (process.env['BENCH_LOG']) for (const e of answer.value.filter((x) => x.time >= since)) console.log(`    +${((e.time - since) / 1000).toFixed(3)} s ${e.message} ${JSON.stringify(e.fields ?? {})}`);
    const ofRun = answer.value.filter((e) => e.time >= since && e.time <= until);
    const finished = ofRun.filter((e) => e.message === 'Sync finished').at(-1);
    const text = ofRun.filter((e) => wanted.has(e.message)).map((e) => {
      const f = e.fields ?? {};
      const detail = e.message === 'Engine synced' ? `${String(f['collection'])} ${JSON.stringify(f['ms'])}`
        : e.message === 'Bookmarks merged' ? `merge ${String(f['ms'])} ms` : e.message === 'Bookmarks applied to this browser' ? `apply ${String(f['operations'])} operations ${String(f['ms'])} ms`
          : e.message === 'Sync finished' ? `finished ${String(f['ms'])} ms` : 'started';
      return `+${((e.time - since) / 1000).toFixed(2)} s ${detail}`;
    }).join('; ');
    return { text, finishedS: finished ? (finished.time - since) / 1000 : null };
  } finally {
    await page.close();
  }
}

interface FirstSyncFigures { cpu: string; phases: string; loggedS: number | null; seconds: number; progress: number; count: number; duplicates: number; misordered: number; stops: number; idleMiB: number | null; peakMiB: number | null; idleFootprintMiB: number | null; peakFootprintMiB: number | null }

async function firstSync(opts: { stopWorkerAtHalf: boolean }): Promise<FirstSyncFigures> {
  rssByStep.clear();
  footprintByStep.clear();
  cpuByStep.clear();
  lastCpu = null;
  heapByStep.clear();
  devtoolsOfRun = null;
  snapshotTaken = false;
  const stack = await startLocalStack();
  await seed(stack);
  const ext = await launchChromiumWithExtension();
  let footprint: ReturnType<typeof footprintPeakSampler> | null = null;
  try {
    const progressSeen = new Set<string>();
    // The idle level: the extension with the pages the run will have open (settings, popup), settled.
    const idlePopup = await ext.openPage('src/popup/popup.html');
    await ext.openPage('src/options/options.html');
    await new Promise((r) => setTimeout(r, 1500));
    const idleMiB = extensionProcessRssMiB(ext.profileDir);
    const idleFootprintMiB = extensionProcessFootprintMiB(ext.profileDir);
    if (process.env['BENCH_HEAP']) console.log(`  idle: ${extensionProcessRssParts(ext.profileDir)}`);
    await idlePopup.close();
    footprint = footprintPeakSampler(ext.profileDir);
    // The heap is watched only where the worker is never stopped (a debugger would keep it alive).
    if (!opts.stopWorkerAtHalf && process.env['BENCH_HEAP']) devtoolsOfRun = await workerDevtools(ext);
    const cpuBefore = chromiumCpuSeconds(ext.profileDir);
    // BENCH_ALLOC=1: what the worker's JavaScript allocated during the sync, garbage included, by function.
    if (devtoolsOfRun && process.env['BENCH_ALLOC']) await devtoolsOfRun.startSampling();
    const t0 = await signIn(ext, stack.origin);
    // BENCH_SERIES=1 (with BENCH_HEAP): the footprint and the worker's heap every 250 ms, to see when each grows.
    const series: string[] = [];
    let seriesOn = devtoolsOfRun !== null && process.env['BENCH_SERIES'] !== undefined;
    const seriesDone = (async () => {
      while (seriesOn && devtoolsOfRun) {
        const h = await devtoolsOfRun.usage();
        series.push(`${((Date.now() - t0) / 1000).toFixed(2)}s ${extensionProcessFootprintMiB(ext.profileDir)} ${h.used}/${h.total}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    // To line the run up with a profiler's samples (perf record -k CLOCK_MONOTONIC).
    if (process.env['BENCH_LOG']) console.log(`  sign-in click at CLOCK_MONOTONIC ${(Number(process.hrtime.bigint()) / 1e9 - (Date.now() - t0) / 1000).toFixed(3)} s`);
    let stops = 0;
    if (opts.stopWorkerAtHalf) {
      // Stop the worker once the engine is halfway through applying, then let the person press Sync now.
      for (;;) {
        const s = await status(ext);
        if (s.progress?.step === 'apply' && s.progress.done >= s.progress.total / 2) break;
        if (s.progress?.step === 'upload') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await ext.stopServiceWorker();
      stops++;
      const popup = await ext.openPage('src/popup/popup.html');
      await popup.getByRole('button', { name: 'Sync now' }).click();
    }
    let s = await waitForRun(ext, t0, progressSeen);
    // A run that started before the stop may have been reported as interrupted; finish with one more.
    if (s.lastRun?.outcome !== 'success') {
      const popup = await ext.openPage('src/popup/popup.html');
      const t1 = Date.now();
      await popup.getByRole('button', { name: 'Sync now' }).click();
      s = await waitForRun(ext, t1, progressSeen);
    }
    const seconds = (Date.now() - t0) / 1000;
    const runSeen = Date.now();
    const cpu = cpuSpent(cpuBefore, chromiumCpuSeconds(ext.profileDir));
    if (s.lastRun?.outcome !== 'success') throw new Error(`first sync failed: ${s.lastRun?.message}`);
    if (devtoolsOfRun && process.env['BENCH_ALLOC']) {
      const top = await devtoolsOfRun.stopSampling();
      const total = top.reduce((sum, t) => sum + t.mib, 0);
      console.log(`  the worker's JavaScript allocated ${total.toFixed(0)} MiB during the sync; most by: ${top.slice(0, 25).map((t) => `${t.where} ${t.mib}`).join('; ')}`);
    }
    if (process.env['BENCH_HEAP']) console.log(`  after the sync: ${extensionProcessRssParts(ext.profileDir)}`);
    // The sync's cost includes the search index it has built afterwards; the bench's own reads of
    // the tree and the log below run in the same process and are not the sync's (VmHWM, which
    // cannot be stopped, counts them too).
    const indexS = await searchIndexReady(ext, TOTAL);
    const peakFootprintMiB = footprint.stop();
    seriesOn = false;
    await seriesDone;
    if (series.length > 0) console.log(`  footprint and worker heap used/reserved (MiB): ${series.join(', ')}`);
    const peakAt = footprint.peakAt();
    if (peakAt !== null) console.log(`  the footprint's peak came ${((peakAt - t0) / 1000).toFixed(2)} s after the sign-in click (the search index was ready ${indexS.toFixed(1)} s after the sync)`);
    const { count, duplicates, misordered } = await countBookmarks(ext);
    const { text: phases, finishedS: loggedS } = await runPhases(ext, t0, runSeen);
    return { cpu, phases, loggedS, seconds, progress: progressSeen.size, count, duplicates, misordered, stops, idleMiB, peakMiB: extensionProcessPeakMiB(ext.profileDir), idleFootprintMiB, peakFootprintMiB };
  } finally {
    footprint?.stop();
    await ext.close();
    await stack.close();
  }
}

/**
 * Waits until the search index holds at least `n` bookmarks with nothing pending (it is rebuilt
 * after a sync that wrote many, outside the sync), read from the extension's IndexedDB; seconds.
 */
async function searchIndexReady(ext: ChromiumExtension, n: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const ready = await ext.worker.evaluate(async (want) => {
      const open = indexedDB.open('syncbridge');
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      try {
        // No named inner functions: tsx would wrap them in a helper the browser does not have.
        const tx = db.transaction(['search', 'searchMeta'], 'readonly');
        const stateRequest = tx.objectStore('searchMeta').get('state');
        const countRequest = tx.objectStore('search').index('byKind').count('bookmark');
        await new Promise<void>((resolve, reject) => {
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        });
        const state = stateRequest.result as { bookmarksPending?: boolean } | undefined;
        return state?.bookmarksPending === false && countRequest.result >= want;
      } finally {
        db.close();
      }
    }, n);
    if (ready) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > 300_000) throw new Error('the search index was not built');
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Rows in the id map and its journal (the journal should be folded away soon after a sync). */
async function idMapRows(ext: ChromiumExtension): Promise<string> {
  const counts = await ext.worker.evaluate(async () => {
    const open = indexedDB.open('syncbridge');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    try {
      const tx = db.transaction(['idMap', 'idMapJournal'], 'readonly');
      const map = tx.objectStore('idMap').count();
      const journal = tx.objectStore('idMapJournal').count();
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
      return [map.result, journal.result];
    } finally {
      db.close();
    }
  });
  return `id map ${counts[0]} pairings, journal ${counts[1]} rows`;
}

async function incremental(): Promise<{ rightAfter: number; indexS: number; settled: number; phasesAfter: string; phases: string; unchanged: { seconds: number; growthMiB: number | null; phases: string } }> {
  const stack = await startLocalStack();
  await seed(stack);
  const ext = await launchChromiumWithExtension();
  try {
    const t0 = await signIn(ext, stack.origin);
    await waitForRun(ext, t0, new Set());
    if (process.env['BENCH_LOG']) console.log(`  after the first sync: ${await idMapRows(ext)}`);
    let phases = '';
    const change = async (title: string): Promise<number> => {
      // The popup is ready before the change: the click comes well within the change's own 5 s
      // debounce, so the run measured is the click's and carries the change (opening the popup
      // after the change let the debounced run start first, and the click waited for it to end).
      const popup = await ext.openPage('src/popup/popup.html');
      const button = popup.getByRole('button', { name: 'Sync now' });
      await button.waitFor();
      await ext.worker.evaluate((t) => chrome.bookmarks.create({ parentId: '1', title: t, url: `https://one-change.example/${encodeURIComponent(t)}` }), title);
      const t1 = Date.now();
      await button.click();
      await waitForRun(ext, t1, new Set());
      await popup.close();
      // From the click to the run's "Sync finished" in the extension's log (no polling in the figure).
      const logged = await runPhases(ext, t1);
      if (process.env['BENCH_LOG']) console.log(`  after "${title}": ${await idMapRows(ext)}`);
      phases = logged.text;
      return logged.finishedS ?? (Date.now() - t1) / 1000;
    };
    // Right after the first sync, while the search index of its bookmarks is still being built…
    const rightAfter = await change('One change');
    const phasesAfter = phases;
    const indexS = await searchIndexReady(ext, TOTAL);
    // …and once the extension is idle again: the cost of the change alone. BENCH_PROFILE=1: where
    // the worker's CPU goes in that sync (the debugger attached keeps the worker alive).
    const devtools = process.env['BENCH_PROFILE'] ? await workerDevtools(ext) : null;
    await devtools?.startProfile();
    const settled = await change('Another change');
    if (devtools) {
      const top = await devtools.stopProfile();
      const busy = top.filter((t) => !/^\((idle|program|garbage collector)\)/.test(t.where)).reduce((n, t) => n + t.ms, 0);
      console.log(`  the worker's CPU in that sync: ${busy.toFixed(0)} ms in JavaScript; most in: ${top.slice(0, 30).map((t) => `${t.where} ${t.ms}`).join('; ')}`);
    }
    // Then a sync with nothing changed on either side (what a tab closed or the alarm asks for):
    // the bookmarks need neither the tree nor a merge. Its time, and the footprint it added.
    const popup = await ext.openPage('src/popup/popup.html');
    const button = popup.getByRole('button', { name: 'Sync now' });
    await button.waitFor();
    await new Promise((r) => setTimeout(r, 1000));
    const before = extensionProcessFootprintMiB(ext.profileDir);
    const sampler = footprintPeakSampler(ext.profileDir);
    const t2 = Date.now();
    await button.click();
    await waitForRun(ext, t2, new Set());
    const peak = sampler.stop();
    const logged = await runPhases(ext, t2);
    const unchanged = { seconds: logged.finishedS ?? (Date.now() - t2) / 1000, growthMiB: before !== null && peak !== null ? peak - before : null, phases: logged.text };
    return { rightAfter, indexS, settled, phasesAfter, phases, unchanged };
  } finally {
    await ext.close();
    await stack.close();
  }
}

const demoBookmarks = 13; // the demo account's own bookmarks Chromium shows (besides the seeded ones)
for (const size of SIZES) {
  FOLDERS = size.folders;
  PER_FOLDER = size.perFolder;
  TOTAL = FOLDERS * PER_FOLDER;
  console.log(`bookmarks bench: ${TOTAL} bookmarks in ${FOLDERS} folders, Chromium ${process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'}`);
  const none = { seconds: NaN, growthMiB: null, footprintGrowthMiB: null, cpu: 'n/a' };
  const parallel = runs('floor') ? await floor(true) : none;
  const parallelS = parallel.seconds;
  console.log(`Chromium API floor, each level's creates issued together  ${parallelS.toFixed(1)} s  (extension process memory growth ${parallel.growthMiB ?? 'n/a'} MiB, footprint ${parallel.footprintGrowthMiB ?? 'n/a'} MiB)`);
  if (runs('floor')) console.log(`  CPU time: ${parallel.cpu}`);
  const bare = runs('floor') ? await floor(true, 'bare') : none;
  if (runs('floor')) {
    console.log(`  the same in an extension with no bookmark listener        ${bare.seconds.toFixed(1)} s  (growth ${bare.growthMiB ?? 'n/a'} MiB, footprint ${bare.footprintGrowthMiB ?? 'n/a'} MiB): Chromium alone`);
    console.log(`  CPU time: ${bare.cpu}`);
    const listening = await floor(true, 'listening');
    console.log(`  the same in an extension with a listener that does nothing ${listening.seconds.toFixed(1)} s  (growth ${listening.growthMiB ?? 'n/a'} MiB, footprint ${listening.footprintGrowthMiB ?? 'n/a'} MiB): Chromium sends each create's event`);
    const sequential = await floor(false);
    console.log(`Chromium API floor, one create after another             ${sequential.seconds.toFixed(1)} s  (extension process memory growth ${sequential.growthMiB ?? 'n/a'} MiB, footprint ${sequential.footprintGrowthMiB ?? 'n/a'} MiB)`);
  }
  if (runs('floor')) console.log(`IndexedDB floor: store ${TOTAL + FOLDERS} id-map pairings, 200 per transaction  ${(await idMapFloor()).toFixed(2)} s`);
  const first = await firstSync({ stopWorkerAtHalf: false });
  console.log(`first sync (sign-in to done)                              ${first.seconds.toFixed(1)} s  = ${(first.seconds / parallelS).toFixed(2)}× the parallel floor (${first.count} bookmarks in Chromium, ${first.duplicates} duplicates, ${first.misordered} folders out of order, ${first.progress} progress-bar states seen)`);
  console.log(`  extension process memory: idle ${first.idleMiB ?? 'n/a'} MiB, peak ${first.peakMiB ?? 'n/a'} MiB, growth ${first.idleMiB !== null && first.peakMiB !== null ? first.peakMiB - first.idleMiB : 'n/a'} MiB (resident, VmRSS: Chromium's code pages included)`);
  console.log(`  private memory footprint (RssAnon + VmSwap, as Chromium's task manager): idle ${first.idleFootprintMiB ?? 'n/a'} MiB, peak ${first.peakFootprintMiB ?? 'n/a'} MiB, growth ${first.idleFootprintMiB !== null && first.peakFootprintMiB !== null ? first.peakFootprintMiB - first.idleFootprintMiB : 'n/a'} MiB`);
  if (first.loggedS !== null) console.log(`first sync, sign-in click to the log's "Sync finished"   ${first.loggedS.toFixed(1)} s  = ${(first.loggedS / parallelS).toFixed(2)}× the parallel floor, ${(first.loggedS / bare.seconds).toFixed(2)}× Chromium alone (the line above adds the popup's polling)`);
  console.log(`  the extension's log, from the sign-in click: ${first.phases}`);
  console.log(`  CPU time, sign-in to done (the popup's polling included): ${first.cpu}`);
  console.log(`  CPU time per step (sampled): ${[...cpuByStep].map(([k, v]) => `${k}: ${cpuSpent({}, v)}`).join('; ')}`);
  console.log(`  highest resident memory seen per step (MiB, sampled): ${[...rssByStep].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  highest footprint seen per step (MiB, sampled): ${[...footprintByStep].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (heapByStep.size > 0) console.log(`  highest JS heap per step (MiB, sampled; worker in use/reserved, pages reserved): ${[...heapByStep].map(([k, v]) => `${k} ${v.used}/${v.total} + ${v.pages}`).join(', ')}`);
  const cut = runs('cut') ? await firstSync({ stopWorkerAtHalf: true }) : null;
  if (cut) console.log(`first sync, worker stopped halfway, then Sync now         ${cut.seconds.toFixed(1)} s  (${cut.count} bookmarks in Chromium, ${cut.duplicates} duplicates, ${cut.misordered} folders out of order)`);
  if (runs('incremental')) {
    const inc = await incremental();
    console.log(`incremental sync of one local change, right after         ${inc.rightAfter.toFixed(2)} s  (while the search index is built; it was ready ${inc.indexS.toFixed(1)} s later)`);
    console.log(`  the extension's log, from the click: ${inc.phasesAfter}`);
    console.log(`incremental sync of one local change, extension idle      ${inc.settled.toFixed(2)} s`);
    console.log(`  the extension's log, from the click: ${inc.phases}`);
    console.log(`sync with nothing changed on either side                 ${inc.unchanged.seconds.toFixed(2)} s  (footprint +${inc.unchanged.growthMiB ?? 'n/a'} MiB over the moment before)`);
    console.log(`  the extension's log, from the click: ${inc.unchanged.phases}`);
  }
  const expected = TOTAL + demoBookmarks;
  for (const [name, r] of [['first', first], ['cut', cut]] as const) {
    if (r === null) continue;
    if (r.count < TOTAL || r.count > expected || r.duplicates > 0 || r.misordered > 0) console.log(`WARNING: ${name} sync left ${r.count} bookmarks (${r.duplicates} duplicates, ${r.misordered} folders out of order), expected ${TOTAL} seeded (+ up to ${demoBookmarks} demo) in the account's order`);
  }
}
