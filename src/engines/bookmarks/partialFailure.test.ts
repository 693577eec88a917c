// Seeded random rounds against the real local server (issue 9, Tests): a Chromium browser (the
// in-memory bookmarks API) edits its bookmarks, some with titles long enough that their records
// exceed the server's payload limit (4,000 bytes here), so uploads partly fail; another device
// edits the account now and then, and sometimes writes records this client cannot read (their
// HMAC is broken, as in engine.test.ts "issue 9.3"). After every sync:
// - every folder on the server lists only records that exist there (not tombstones), and each
//   record is listed at most once;
// - every record this client could not read is, byte for byte, as the other device left it.
// Then the limit is raised and one more sync runs: every item the browser holds is on the server
// exactly once, in the same folder and order, and every readable server item Chromium can show
// (bookmarks and folders) is in the browser.
//
// Every failure message holds the seed and what each round did. Default: 8 seeds of 6 rounds,
// about 7 s. The smallest cases of what these rounds found (and was fixed) are at the end.
//
// Reproduce one seed: SEEDS=7 npx vitest run src/engines/bookmarks/partialFailure.test.ts -t seeds
// (the edits repeat exactly; the clock does not, so a decision that hangs on equal times may not).
// More: SEEDS=$(seq -s, 1 100) ROUNDS=8 (about 75 s).
import { afterEach, describe, expect, test } from 'vitest';
import { startHarness, type Harness } from '../../test-support/syncHarness.ts';
import { DEMO_EMAIL, DEMO_PASSWORD } from '../../../server/identity/demo/fixtures.ts';
import { IdMapStore } from '../../db/idMapStore.ts';
import { IdbChangeStore } from '../../db/engineWorkStore.ts';
import { FakeBookmarksApi } from './local/fakeBookmarksApi.ts';
import type { BrowserBookmarkNode } from './local/api.ts';
import { guidToRecordId } from './record.ts';
import { SeededRandom as Rng } from '../../test-support/seededRandom.ts';

const LIMIT = 4000;
const ROUNDS = Number(process.env['ROUNDS'] ?? 6);
const SEEDS = (process.env['SEEDS'] ?? '1,2,3,4,5,6,7,8').split(',').map(Number);
const ROOT_IDS = new Set(['menu', 'toolbar', 'unfiled', 'mobile']);

type Cleartext = Record<string, unknown>;
const childrenOf = (r: Cleartext | undefined): string[] => (Array.isArray(r?.['children']) ? (r['children'] as string[]) : []);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

interface World {
  seed: number;
  rng: Rng;
  api: FakeBookmarksApi;
  idMap: IdMapStore;
  /** Records this client cannot read: id → payload as the other device left it. */
  tampered: Map<string, string>;
  counter: number;
  log: string[];
}

/** The server's bookmarks: readable records decrypted, the tampered ones by payload only. */
async function serverState(w: World): Promise<{ readable: Map<string, Cleartext>; payloads: Map<string, string> }> {
  const readable = new Map<string, Cleartext>();
  const payloads = new Map<string, string>();
  for (const r of await h.serverRecords('bookmarks')) {
    payloads.set(r.id, r.payload);
    if (!w.tampered.has(r.id)) readable.set(r.id, await h.decrypt('bookmarks', r.payload));
  }
  return { readable, payloads };
}

/** What is wrong with the server now. */
async function serverProblems(w: World): Promise<string[]> {
  const { readable, payloads } = await serverState(w);
  const problems: string[] = [];
  const report = (text: string): void => void problems.push(text);
  const live = (id: string): boolean => (w.tampered.has(id) ? payloads.has(id) : readable.has(id) && readable.get(id)?.['deleted'] !== true);
  const listedBy = new Map<string, string>();
  for (const [id, r] of readable) {
    if (r['deleted'] === true) continue;
    for (const child of childrenOf(r)) {
      if (!live(child)) {
        const tombstone = payloads.has(child);
        report(`${id} lists ${child}, which is ${tombstone ? 'a tombstone' : 'not on the server'}`);
      }
      const other = listedBy.get(child);
      if (other !== undefined) report(`${child} is listed by ${other} and by ${id}`);
      listedBy.set(child, id);
    }
  }
  for (const [id, payload] of w.tampered) {
    if (payloads.get(id) !== payload) problems.push(`unreadable ${id} was changed on the server`);
  }
  return problems;
}

// ---- the browser ----

interface Node { node: BrowserBookmarkNode; parent: BrowserBookmarkNode | null }

async function browserNodes(api: FakeBookmarksApi): Promise<Node[]> {
  const out: Node[] = [];
  const walk = (n: BrowserBookmarkNode, parent: BrowserBookmarkNode | null): void => {
    out.push({ node: n, parent });
    for (const c of n.children ?? []) walk(c, n);
  };
  walk((await api.getTree())[0]!, null);
  return out;
}

/** Nodes the person may edit: not the roots, not the stand-ins for the menu and mobile roots. */
async function editable(w: World): Promise<{ items: Node[]; folders: BrowserBookmarkNode[] }> {
  const all = await browserNodes(w.api);
  const protectedIds = new Set<string>();
  for (const { node, parent } of all) {
    const guid = await w.idMap.syncIdFor(node.id);
    if (parent === null || parent.id === w.api.rootId || (guid !== null && ROOT_IDS.has(guidToRecordId(guid)))) protectedIds.add(node.id);
  }
  return {
    items: all.filter((x) => !protectedIds.has(x.node.id)),
    folders: all.filter((x) => x.node.url === undefined && x.node.id !== w.api.rootId).map((x) => x.node),
  };
}

function title(w: World, round: number, what: string): string {
  const name = `${what} s${w.seed} r${round} #${w.counter++}`;
  // Long enough that the record (encrypted, base64) exceeds the limit.
  return w.rng.chance(0.3) ? `${name} ${'L'.repeat(3500)}` : name;
}

async function browserEdits(w: World, round: number): Promise<void> {
  for (let k = 1 + w.rng.int(4); k > 0; k--) {
    const { items, folders } = await editable(w);
    const what = w.rng.int(10);
    if (what < 3 || items.length === 0) {
      const parent = w.rng.pick(folders);
      const index = w.rng.int((parent.children?.length ?? 0) + 1);
      const folder = w.rng.chance(0.25);
      const t = title(w, round, folder ? 'Folder' : 'Bookmark');
      await w.api.create({ parentId: parent.id, index, title: t, ...(folder ? {} : { url: `https://s${w.seed}-${w.counter}.example/` }) });
      w.log.push(`r${round} browser: add ${folder ? 'folder' : 'bookmark'} ${t.slice(0, 24)}${t.length > 100 ? '…(long)' : ''} in ${parent.title.slice(0, 20)}`);
    } else if (what < 5) {
      const { node } = w.rng.pick(items);
      const t = title(w, round, 'Renamed');
      await w.api.update(node.id, { title: t });
      w.log.push(`r${round} browser: rename ${node.title.slice(0, 20)} to ${t.slice(0, 24)}${t.length > 100 ? '…(long)' : ''}`);
    } else if (what < 8) {
      const { node } = w.rng.pick(items);
      const inside = new Set<string>();
      const mark = (n: BrowserBookmarkNode): void => {
        inside.add(n.id);
        for (const c of n.children ?? []) mark(c);
      };
      mark(node);
      const targets = folders.filter((f) => !inside.has(f.id));
      if (targets.length === 0) continue;
      const target = w.rng.pick(targets);
      await w.api.move(node.id, { parentId: target.id, index: w.rng.int((target.children?.length ?? 0) + 1) });
      w.log.push(`r${round} browser: move ${node.title.slice(0, 20)} to ${target.title.slice(0, 20)}`);
    } else {
      const { node } = w.rng.pick(items);
      if (node.url === undefined) await w.api.removeTree(node.id);
      else await w.api.remove(node.id);
      w.log.push(`r${round} browser: delete ${node.title.slice(0, 20)}`);
    }
  }
}

// ---- another device ----

function newId(w: World): string {
  return `oth${String(w.seed).padStart(3, '0')}${String(w.counter++).padStart(6, '0')}`;
}

async function tamper(w: World, id: string): Promise<void> {
  const uid = await h.storageUid();
  const record = (await h.serverRecords('bookmarks')).find((r) => r.id === id)!;
  const p = JSON.parse(record.payload) as { hmac: string };
  p.hmac = p.hmac.replace(/^./, (c) => (c === '0' ? '1' : '0'));
  const payload = JSON.stringify(p);
  h.server.ctx.storage.putRecords(uid, 'bookmarks', [{ id, payload }]);
  w.tampered.set(id, payload);
}

async function otherDevice(w: World, round: number): Promise<void> {
  const { readable } = await serverState(w);
  const live = [...readable.values()].filter((r) => r['deleted'] !== true);
  const folders = live.filter((r) => r['type'] === 'folder' && r['id'] !== 'places');
  const bookmarks = live.filter((r) => r['type'] === 'bookmark' && typeof r['parentid'] === 'string' && readable.has(r['parentid'] as string));
  const what = w.rng.int(7);
  if (what === 6) {
    // A new folder of a few bookmarks, some of which we will not be able to read (as in issue 9.3).
    const parent = w.rng.pick(folders);
    const folderId = newId(w);
    const kids = Array.from({ length: 1 + w.rng.int(3) }, () => newId(w));
    const title = `Other folder s${w.seed} r${round}`;
    await h.putAsOtherDevice('bookmarks', { id: folderId, type: 'folder', parentid: parent['id'], parentName: parent['title'], title, children: kids });
    for (const id of kids) await h.putAsOtherDevice('bookmarks', { id, type: 'bookmark', parentid: folderId, parentName: title, title: `Other s${w.seed} r${round} ${id}`, bmkUri: `https://${id}.example/` });
    const siblings = childrenOf(parent);
    const at = w.rng.int(siblings.length + 1);
    await h.putAsOtherDevice('bookmarks', { ...parent, children: [...siblings.slice(0, at), folderId, ...siblings.slice(at)] });
    const unreadable = kids.filter(() => w.rng.chance(0.5));
    for (const id of unreadable) await tamper(w, id);
    w.log.push(`r${round} other: add folder ${folderId} in ${String(parent['id'])} with ${kids.join(' ')}${unreadable.length > 0 ? ` (unreadable: ${unreadable.join(' ')})` : ''}`);
  } else if (what <= 1 || bookmarks.length === 0) {
    // A new bookmark; half the time one we will not be able to read.
    const folder = w.rng.pick(folders);
    const id = newId(w);
    const unreadable = what === 1 || w.rng.chance(0.3);
    await h.putAsOtherDevice('bookmarks', { id, type: 'bookmark', parentid: folder['id'], parentName: folder['title'], title: `Other s${w.seed} r${round} ${id}`, bmkUri: `https://${id}.example/` });
    const kids = childrenOf(folder);
    const at = w.rng.int(kids.length + 1);
    await h.putAsOtherDevice('bookmarks', { ...folder, children: [...kids.slice(0, at), id, ...kids.slice(at)] });
    if (unreadable) await tamper(w, id);
    w.log.push(`r${round} other: add ${id}${unreadable ? ' (unreadable)' : ''} in ${String(folder['id'])}`);
  } else if (what === 2) {
    const b = w.rng.pick(bookmarks);
    await h.putAsOtherDevice('bookmarks', { ...b, title: `${String(b['title']).slice(0, 40)} (other r${round})` });
    w.log.push(`r${round} other: rename ${String(b['id'])}`);
  } else if (what === 3) {
    const b = w.rng.pick(bookmarks);
    const from = readable.get(b['parentid'] as string)!;
    const to = w.rng.pick(folders.filter((f) => f['id'] !== from['id']));
    if (!to) return;
    await h.putAsOtherDevice('bookmarks', { ...from, children: childrenOf(from).filter((c) => c !== b['id']) });
    await h.putAsOtherDevice('bookmarks', { ...to, children: [...childrenOf(to), b['id']] });
    await h.putAsOtherDevice('bookmarks', { ...b, parentid: to['id'], parentName: to['title'] });
    w.log.push(`r${round} other: move ${String(b['id'])} to ${String(to['id'])}`);
  } else if (what === 4) {
    const b = w.rng.pick(bookmarks);
    const from = readable.get(b['parentid'] as string)!;
    await h.putAsOtherDevice('bookmarks', { id: b['id'], deleted: true });
    await h.putAsOtherDevice('bookmarks', { ...from, children: childrenOf(from).filter((c) => c !== b['id']) });
    w.log.push(`r${round} other: delete ${String(b['id'])}`);
  } else {
    // A record another device wrote long ago becomes unreadable (this browser holds it).
    const b = w.rng.pick(bookmarks);
    await tamper(w, b['id'] as string);
    w.log.push(`r${round} other: ${String(b['id'])} becomes unreadable`);
  }
}

// ---- the final comparison ----

/** Differences between the browser and the server once everything went up (empty when none). */
async function differences(w: World): Promise<string[]> {
  const { readable } = await serverState(w);
  const out: string[] = [];
  const nodes = await browserNodes(w.api);
  const guidOf = new Map<string, string>();
  for (const { node } of nodes) {
    const guid = await w.idMap.syncIdFor(node.id);
    if (guid !== null) guidOf.set(node.id, guid);
  }
  const bar = nodes.find((x) => x.node.folderType === 'bookmarks-bar')!.node;
  const other = nodes.find((x) => x.node.folderType === 'other')!.node;
  guidOf.set(bar.id, 'toolbar_____');
  guidOf.set(other.id, 'unfiled_____');
  const idOf = guidToRecordId;
  const inBrowser = new Set<string>();
  for (const { node, parent } of nodes) {
    if (parent === null || parent.id === w.api.rootId) continue;
    const guid = guidOf.get(node.id);
    if (guid === undefined) {
      out.push(`browser item "${node.title.slice(0, 30)}" has no sync id`);
      continue;
    }
    const id = idOf(guid);
    inBrowser.add(id);
    if (ROOT_IDS.has(id) || w.tampered.has(id)) continue;
    const r = readable.get(id);
    if (!r || r['deleted'] === true) {
      out.push(`browser item ${id} "${node.title.slice(0, 30)}" is not on the server`);
      continue;
    }
    const parentId = idOf(guidOf.get(parent.id) ?? '?');
    if (r['parentid'] !== parentId) out.push(`${id}: parentid ${String(r['parentid'])} on the server, in ${parentId} in the browser`);
    if (r['title'] !== node.title) out.push(`${id}: title differs`);
    if (node.url !== undefined && r['bmkUri'] !== node.url) out.push(`${id}: url differs`);
  }
  // Folder by folder, what Chromium can show, in order.
  for (const { node } of nodes) {
    if (node.url !== undefined || node.id === w.api.rootId) continue;
    const guid = guidOf.get(node.id);
    if (guid === undefined) continue;
    const r = readable.get(idOf(guid));
    if (!r) continue;
    const shown = childrenOf(r).filter((c) => {
      const x = readable.get(c);
      return x !== undefined && (x['type'] === 'bookmark' || x['type'] === 'folder') && x['deleted'] !== true && !(ROOT_IDS.has(c));
    });
    const held = (node.children ?? []).map((c) => idOf(guidOf.get(c.id) ?? '?')).filter((c) => !ROOT_IDS.has(c) && !w.tampered.has(c));
    if (shown.join(' ') !== held.join(' ')) out.push(`${idOf(guid)}: the server lists ${JSON.stringify(shown)}, the browser holds ${JSON.stringify(held)}`);
  }
  // Every readable bookmark or folder on the server is in the browser.
  for (const [id, r] of readable) {
    if (r['deleted'] === true || ROOT_IDS.has(id) || id === 'places') continue;
    if ((r['type'] === 'bookmark' || r['type'] === 'folder') && !inBrowser.has(id)) out.push(`server ${String(r['type'])} ${id} "${String(r['title']).slice(0, 30)}" is not in the browser`);
  }
  return out;
}

interface SeedOutcome { refusedSyncs: number; tampered: number }

async function runSeed(seed: number): Promise<SeedOutcome> {
  h = await startHarness({ demo: true, limits: { max_record_payload_bytes: LIMIT } });
  await h.signIn(DEMO_EMAIL, DEMO_PASSWORD);
  await h.sync();
  const w: World = { seed, rng: new Rng(seed), api: new FakeBookmarksApi('chromium'), idMap: new IdMapStore(h.db, 'bookmarks'), tampered: new Map(), counter: 0, log: [] };
  const context = (): string => `seed ${seed} (SEEDS=${seed} to repeat)\n${w.log.join('\n')}`;
  expect((await h.sync({ bookmarks: w.api })).outcome, context()).toBe('success');
  const outcome: SeedOutcome = { refusedSyncs: 0, tampered: 0 };
  for (let round = 1; round <= ROUNDS; round++) {
    await browserEdits(w, round);
    if (w.rng.chance(0.6)) await otherDevice(w, round);
    if (w.rng.chance(0.3)) await otherDevice(w, round);
    const result = await h.sync({ bookmarks: w.api });
    w.log.push(`r${round} sync: ${result.outcome}${result.message ? ` (${result.message})` : ''}`);
    expect(result.outcome, context()).toBe('success');
    if (/not accepted/.test(result.message ?? '')) outcome.refusedSyncs++;
    expect(await serverProblems(w), `after round ${round}, ${context()}`).toEqual([]);
  }
  // The server takes everything now: one more sync puts it all in its place.
  h.server.limits.max_record_payload_bytes = 2_621_440;
  const last = await h.sync({ bookmarks: w.api });
  w.log.push(`final sync: ${last.outcome}${last.message ? ` (${last.message})` : ''}`);
  expect(last.outcome, context()).toBe('success');
  expect(last.message ?? '', context()).not.toMatch(/not accepted/);
  expect(await serverProblems(w), `after the limit was raised, ${context()}`).toEqual([]);
  expect(await differences(w), `after the limit was raised, ${context()}`).toEqual([]);
  outcome.tampered = w.tampered.size;
  await h.close();
  return outcome;
}

describe('bookmarks: partial upload failures and unreadable records, seeded rounds', () => {
  test(`seeds ${SEEDS.join(', ')}: no folder lists a missing record, unreadable records stay as they are, and everything arrives once the server takes it`, async () => {
    let refused = 0;
    let tampered = 0;
    for (const seed of SEEDS) {
      const r = await runSeed(seed);
      refused += r.refusedSyncs;
      tampered += r.tampered;
    }
    // The rounds did exercise what they are for.
    expect(refused).toBeGreaterThan(SEEDS.length);
    expect(tampered).toBeGreaterThan(0);
  }, 600_000);
});

// ---- the smallest cases of what the rounds above found (each failed before its fix) ----

describe('bookmarks: partial failures and unreadable records, smallest cases', () => {
  async function setUp(limits?: { max_record_payload_bytes: number }): Promise<FakeBookmarksApi> {
    h = await startHarness({ demo: true, ...(limits ? { limits } : {}) });
    await h.signIn(DEMO_EMAIL, DEMO_PASSWORD);
    await h.sync();
    const api = new FakeBookmarksApi('chromium');
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    return api;
  }
  async function byTitle(api: FakeBookmarksApi, t: string): Promise<BrowserBookmarkNode> {
    return (await browserNodes(api)).find((x) => x.node.title === t)!.node;
  }
  async function server(): Promise<Map<string, Cleartext>> {
    const out = new Map<string, Cleartext>();
    for (const r of await h.serverRecords('bookmarks')) out.set(r.id, await h.decrypt('bookmarks', r.payload));
    return out;
  }

  // The server refuses the folder's own record (its title, 3,500 characters, makes it too big) and
  // accepts the child's tombstone: the server keeps the folder's old record, which lists the
  // tombstone. engine.refused() only corrects folders that list records missing from the server.
  test('a folder renamed too long here, and a child deleted: the server\'s folder lists the tombstone', async () => {
    const api = await setUp({ max_record_payload_bytes: LIMIT });
    await api.update((await byTitle(api, 'Recipes')).id, { title: 'R'.repeat(3500) });
    await api.remove((await byTitle(api, 'Fluffy pancakes')).id);
    expect((await h.sync({ bookmarks: api })).message).toMatch(/not accepted/);
    const s = await server();
    expect(s.get('bmPancakes01')).toEqual({ id: 'bmPancakes01', deleted: true });
    // Today: ['bmSourdough1', 'bmPancakes01'].
    expect(s.get('fdRecipes001')!['children']).toEqual(['bmSourdough1']);
  });

  test('a folder renamed too long here, and a child moved out: two folders on the server list the child', async () => {
    const api = await setUp({ max_record_payload_bytes: LIMIT });
    await api.update((await byTitle(api, 'News')).id, { title: 'N'.repeat(3500) });
    const bar = (await browserNodes(api)).find((x) => x.node.folderType === 'bookmarks-bar')!.node;
    await api.move((await byTitle(api, 'Hacker News')).id, { parentId: bar.id, index: 0 });
    await h.sync({ bookmarks: api });
    const s = await server();
    expect((s.get('toolbar')!['children'] as string[])[0]).toBe('bmHackerNews');
    // Today: ['bmHackerNews', 'bmLwnNet0001'].
    expect(s.get('fdNews000001')!['children']).toEqual(['bmLwnNet0001']);
  });

  // A bookmark edited here and deleted by another device is revived; the server refuses its record
  // and accepts its folder. engine.refused() counts the tombstone as "on the server" (run.remoteEntries
  // holds it), so the folder is not corrected; and finish() keeps the old mirror entry of a record
  // the server did not accept, so the next sync believes it is there and lists it again.
  test('a bookmark revived here whose record the server refuses: its folder lists the tombstone, this sync and the next', async () => {
    const api = await setUp({ max_record_payload_bytes: LIMIT });
    const wiki = await byTitle(api, 'Wikipedia');
    await api.update(wiki.id, { title: 'W'.repeat(3500) });
    const unfiled = (await server()).get('unfiled')!;
    await h.putAsOtherDevice('bookmarks', { id: 'bmWikipedia1', deleted: true });
    await h.putAsOtherDevice('bookmarks', { ...unfiled, children: childrenOf(unfiled).filter((c) => c !== 'bmWikipedia1') });
    // The edit here is the newer one (as the change tracker would date it a minute later).
    await new IdbChangeStore(h.db, 'bookmarks', () => Date.now() + 60_000).add([wiki.id]);
    const notListed = async (): Promise<void> => {
      const s = await server();
      expect(s.get('bmWikipedia1')).toEqual({ id: 'bmWikipedia1', deleted: true });
      expect(s.get('unfiled')!['children']).not.toContain('bmWikipedia1');
    };
    expect((await h.sync({ bookmarks: api })).message).toMatch(/not accepted/);
    await notListed(); // today: unfiled lists it
    expect((await h.sync({ bookmarks: api })).message).toMatch(/not accepted/);
    await notListed(); // with refused() fixed alone, it is listed again here
  });

  // Where an item the browser cannot hold lives is decided like any move conflict, by which side
  // changed its folder last (walk.ts resolveStructure). A placeholder for an unreadable record
  // listed only by a folder new in this download has no folder in the mirror tree, so it is put
  // in unfiled there; a change here in unfiled ("Other bookmarks"), newer than the other device's
  // write, then keeps it in unfiled: the other device's folder goes up without it and unfiled
  // lists it, while its record still names the other device's folder.
  test('an unreadable record in a new folder from another device stays there when "Other bookmarks" changed here since', async () => {
    const api = await setUp();
    const kids = ['kid000000001', 'kid000000002'];
    const toolbar = (await server()).get('toolbar')!;
    await h.putAsOtherDevice('bookmarks', { id: 'fdTwoKids001', type: 'folder', parentid: 'toolbar', parentName: 'toolbar', title: 'Two', children: kids });
    for (const [i, id] of kids.entries()) await h.putAsOtherDevice('bookmarks', { id, type: 'bookmark', parentid: 'fdTwoKids001', parentName: 'Two', title: `Kid ${i + 1}`, bmkUri: `https://kid${i + 1}.example/` });
    await h.putAsOtherDevice('bookmarks', { ...toolbar, children: [...childrenOf(toolbar), 'fdTwoKids001'] });
    const w = { tampered: new Map<string, string>() } as World;
    await tamper(w, 'kid000000002');
    const other = (await browserNodes(api)).find((x) => x.node.folderType === 'other')!.node;
    const added = await api.create({ parentId: other.id, title: 'Added', url: 'https://added.example/' });
    await new IdbChangeStore(h.db, 'bookmarks', () => Date.now() + 60_000).add([added.id, other.id]);
    expect((await h.sync({ bookmarks: api })).outcome).toBe('success');
    const s = new Map<string, Cleartext>();
    for (const r of await h.serverRecords('bookmarks')) if (!w.tampered.has(r.id)) s.set(r.id, await h.decrypt('bookmarks', r.payload));
    // Today: ['kid000000001'], and unfiled lists kid000000002.
    expect(s.get('fdTwoKids001')!['children']).toEqual(kids);
    expect(s.get('unfiled')!['children']).not.toContain('kid000000002');
  });
});
