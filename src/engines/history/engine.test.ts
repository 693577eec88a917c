// The history engine against the real local stack (the demo account holds Firefox's history),
// with fake browser histories behaving as Chromium 156 and Firefox ESR 153 do.
import { afterEach, describe, expect, test } from 'vitest';
import { startDemoHarness, type Harness } from '../../test-support/syncHarness.ts';
import { FakeHistoryApi } from './local/fakeHistoryApi.ts';
import { HISTORY_TTL_SECONDS } from './record.ts';

const DAY = 24 * 3600 * 1000;
let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function demo(): Promise<Harness> {
  h = await startDemoHarness();
  demoPages = [...(await h.decryptedRecords('history')).values()].map((r) => ({ record: r as DemoPage['record'] }));
  expect(demoPages.length).toBeGreaterThan(5);
  return h;
}

/** The server's history records for a URL (decrypted), whatever their ids. */
async function recordsFor(hh: Harness, url: string): Promise<Array<Record<string, unknown>>> {
  return [...(await hh.decryptedRecords('history')).values()].filter((r) => r.histUri === url);
}

interface DemoPage { record: { id: string; histUri: string; title: string; visits: Array<{ date: number; type: number }> } }
let demoPages: DemoPage[] = [];
/** The demo account's history records as Firefox wrote them, read before any history sync. */
function demoHistory(): DemoPage[] {
  return demoPages;
}

describe('history: records as Firefox writes them', () => {
  test('a Chromium visit goes up as {id, histUri, title, visits} with integer µs dates, newest first, at most 20, TTL 60 days', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const now = Date.now();
    // 25 visits with µs fractions, as Chromium reports them.
    for (let i = 0; i < 25; i++) api.visit('https://local.example/page', { title: 'Local page', at: now - i * 3600_000 - 0.123, transition: i % 2 ? 'link' : 'typed' });
    await hh.sync({ history: api });

    const [rec] = await recordsFor(hh, 'https://local.example/page');
    expect(rec).toBeDefined();
    expect(Object.keys(rec!).sort()).toEqual(['histUri', 'id', 'title', 'visits']);
    expect(rec!.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(rec!.title).toBe('Local page');
    const visits = rec!.visits as Array<{ date: number; type: number }>;
    expect(visits).toHaveLength(20);
    for (const v of visits) {
      expect(Object.keys(v).sort()).toEqual(['date', 'type']);
      expect(Number.isInteger(v.date)).toBe(true);
    }
    expect(visits.map((v) => v.date)).toEqual([...visits.map((v) => v.date)].sort((a, b) => b - a));
    // The real time, to the microsecond Chromium gives.
    expect(visits[0]).toEqual({ date: Math.round((now - 0.123) * 1000), type: 2 });
    expect(visits[1]).toEqual({ date: Math.round((now - 3600_000 - 0.123) * 1000), type: 1 });

    const bso = (await hh.serverRecords('history')).find((b) => b.id === rec!.id) as { modified: number; expiresAt?: number; sortindex?: number };
    expect(Math.round((bso.expiresAt! - bso.modified * 1000) / 1000)).toBe(HISTORY_TTL_SECONDS);
    expect(bso.sortindex).toBeGreaterThan(0);
  });

  test("Chromium's transitions become Firefox's visit types", async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const t0 = Date.now() - 60_000;
    const table: Array<[string, number]> = [
      ['link', 1], ['typed', 2], ['auto_bookmark', 3], ['auto_subframe', 4], ['manual_subframe', 8], ['generated', 1],
      ['auto_toplevel', 1], ['form_submit', 1], ['reload', 9], ['keyword', 2], ['keyword_generated', 1],
    ];
    table.forEach(([transition], i) => api.visit(`https://t.example/${transition}`, { at: t0 + i, transition }));
    await hh.sync({ history: api });
    for (const [transition, type] of table) {
      const [rec] = await recordsFor(hh, `https://t.example/${transition}`);
      expect((rec!.visits as Array<{ type: number }>)[0]!.type, transition).toBe(type);
    }
  });

  test('pages Firefox does not sync are neither uploaded nor applied; their records stay on the server as they are', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('firefox');
    const excluded = ['file:///home/me/notes.txt', 'chrome://settings/', 'about:config', 'data:text/plain,hi', 'javascript:void(0)', 'view-source:https://a.example/', 'chrome-extension://abc/page.html', 'moz-extension://abc/page.html'];
    for (const url of excluded) api.visit(url, { title: 'x' });
    api.visit(`https://long.example/${'a'.repeat(70_000)}`);
    const fileRecord = { id: 'fileRecord01', histUri: 'file:///etc/hosts', title: 'hosts', visits: [{ date: (Date.now() - DAY) * 1000, type: 1 }] };
    await hh.putAsOtherDevice('history', fileRecord);
    const before = (await hh.serverRecords('history')).find((r) => r.id === 'fileRecord01');

    await hh.sync({ history: api });

    const urls = [...(await hh.decryptedRecords('history')).values()].map((r) => r.histUri);
    for (const url of excluded) expect(urls).not.toContain(url);
    expect(urls.some((u) => String(u).startsWith('https://long.example/'))).toBe(false);
    expect(api.visitsOf('file:///etc/hosts')).toEqual([]);
    expect(await hh.historyPages.get('fileRecord01')).toBeNull();
    expect((await hh.serverRecords('history')).find((r) => r.id === 'fileRecord01')).toEqual(before);
  });
});

describe('history: merging with what other devices wrote', () => {
  test('a URL already on the server keeps its GUID: the local visits join that record, no second record is made', async () => {
    const hh = await demo();
    const page = demoHistory().find((p) => p.record.histUri === 'https://example.com/')!;
    const api = new FakeHistoryApi('chromium');
    const at = Date.now() - 1000;
    api.visit('https://example.com/', { title: 'Example Domain', at, transition: 'link' });
    await hh.sync({ history: api });

    const records = await recordsFor(hh, 'https://example.com/');
    expect(records).toHaveLength(1);
    expect(records[0]!.id).toBe(page.record.id);
    const visits = records[0]!.visits as Array<{ date: number; type: number }>;
    expect(visits[0]).toEqual({ date: at * 1000, type: 1 });
    // Every visit Firefox wrote is still there.
    for (const v of page.record.visits) expect(visits).toContainEqual(v);
  });

  test('unknown fields of a page and of its visits are kept when we add visits; the µs dates are kept exactly', async () => {
    const hh = await demo();
    const rec = {
      id: 'unknownFld01', histUri: 'https://future.example/', title: 'Future', futurePageField: { keep: [1, 2] },
      visits: [{ date: 1_700_000_000_123_457, type: 1, futureVisitField: 'v' }, { date: 1_690_000_000_000_001, type: 2 }],
    };
    await hh.putAsOtherDevice('history', rec);
    const api = new FakeHistoryApi('chromium');
    const at = Date.now() - 5000.25;
    api.visit('https://future.example/', { title: 'Future', at });
    await hh.sync({ history: api });

    const [got] = await recordsFor(hh, 'https://future.example/');
    expect(got).toEqual({ ...rec, visits: [{ date: Math.round(at * 1000), type: 1 }, ...rec.visits] });
  });

  test('a µs round trip through Firefox loses nothing and writes nothing back', async () => {
    const hh = await demo();
    const rec = { id: 'microsecs001', histUri: 'https://us.example/', title: 'µs', visits: [{ date: 1_700_000_000_123_457, type: 1 }, { date: 1_700_000_100_999_999, type: 9 }] };
    await hh.putAsOtherDevice('history', rec);
    const before = (await hh.serverRecords('history')).find((r) => r.id === rec.id);
    const api = new FakeHistoryApi('firefox');
    await hh.sync({ history: api });
    // Firefox keeps whole milliseconds.
    expect(api.visitsOf('https://us.example/').map((v) => [v.visitTime, v.transition])).toEqual([[1_700_000_100_999, 'reload'], [1_700_000_000_123, 'link']]);
    await hh.sync({ history: api });
    expect((await hh.serverRecords('history')).find((r) => r.id === rec.id)).toEqual(before);
  });
});

describe('history: applying other devices’ history', () => {
  test('Firefox: every demo visit is written with its real time, type and title, once', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('firefox');
    await hh.sync({ history: api });
    const names: Record<number, string> = { 1: 'link', 2: 'typed', 3: 'auto_bookmark' };
    for (const p of demoHistory()) {
      const got = api.visitsOf(p.record.histUri);
      const writable = p.record.visits.filter((v) => names[v.type] !== undefined);
      expect(got.map((v) => [v.visitTime * 1000, v.transition]).sort()).toEqual(writable.map((v) => [v.date, names[v.type]]).sort());
      // A page whose only visits are redirects (which Firefox's addUrl cannot name) stays out.
      expect(api.pageTitle(p.record.histUri)).toBe(writable.length > 0 ? p.record.title : null);
    }
    const calls = api.calls.addUrl;
    await hh.sync({ history: api });
    expect(api.calls.addUrl).toBe(calls);
    // Nothing changed on the server: no visit came back as ours.
    for (const p of demoHistory()) expect((await recordsFor(hh, p.record.histUri))[0]).toEqual(p.record);
  });

  test('Chromium: other devices’ history is kept for "History from other devices", not written into the browser', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    await hh.sync({ history: api });
    expect(api.calls.addUrl).toBe(0);
    const shown = await hh.historyPages.recentForeign(100);
    const demoPages = demoHistory();
    expect(shown.map((p) => p.url).sort()).toEqual(demoPages.map((p) => p.record.histUri).sort());
    const newest = new Map(demoPages.map((p) => [p.record.histUri, Math.max(...p.record.visits.map((v) => v.date))]));
    const times = shown.map((p) => p.lastForeign);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    for (const p of shown) expect(p.lastForeign).toBe(Math.floor(newest.get(p.url)! / 1000));
    // Nothing went up: Chromium had no history.
    for (const p of demoPages) expect((await recordsFor(hh, p.record.histUri))[0]).toEqual(p.record);
  });

  test('Chromium with "also add to this browser’s history": each page once, as visited now, and that visit never goes up', async () => {
    const hh = await demo();
    hh.setAddToBrowserHistory(true);
    const api = new FakeHistoryApi('chromium');
    await hh.sync({ history: api });
    const demoPages = demoHistory();
    expect(api.calls.addUrl).toBe(demoPages.length);
    for (const p of demoPages) expect(api.visitsOf(p.record.histUri)).toHaveLength(1);
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });
    expect(api.calls.addUrl).toBe(demoPages.length);
    for (const p of demoPages) expect((await recordsFor(hh, p.record.histUri))[0]).toEqual(p.record);
    // Clearing that copy here does not delete the page on the device that visited it.
    api.remove(null);
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });
    for (const p of demoPages) expect((await recordsFor(hh, p.record.histUri))[0]).toEqual(p.record);
  });
});

describe('history: deletions', () => {
  test('a synced page deleted here goes up as a tombstone; a page never synced leaves no trace', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://synced.example/', { title: 'Synced' });
    await hh.sync({ history: api });
    const [synced] = await recordsFor(hh, 'https://synced.example/');
    api.visit('https://never.example/', { title: 'Never synced' });
    api.remove('https://never.example/');
    api.remove('https://synced.example/');
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });

    const all = await hh.decryptedRecords('history');
    expect(all.get(String(synced!.id))).toEqual({ id: synced!.id, deleted: true });
    expect([...all.values()].some((r) => r.histUri === 'https://never.example/')).toBe(false);
    expect(await hh.historyPages.get(String(synced!.id))).toBeNull();
  });

  test('"clear all history" sends tombstones for the synced pages this browser had, not for other devices’ pages', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://mine-a.example/');
    api.visit('https://mine-b.example/');
    api.visit('https://example.com/'); // also a demo page: this browser joined its record
    await hh.sync({ history: api });
    const ids = new Map([...(await hh.decryptedRecords('history')).values()].map((r) => [String(r.histUri), String(r.id)]));
    api.remove(null);
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });

    const all = await hh.decryptedRecords('history');
    for (const url of ['https://mine-a.example/', 'https://mine-b.example/', 'https://example.com/']) expect(all.get(ids.get(url)!)).toEqual({ id: ids.get(url), deleted: true });
    const untouched = demoHistory().filter((p) => p.record.histUri !== 'https://example.com/');
    for (const p of untouched) expect(all.get(p.record.id)).toEqual(p.record);
  });

  test('Firefox: deleting another device’s page from Firefox’s history deletes it everywhere; clearing all history does not', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('firefox');
    await hh.sync({ history: api });
    await api.deleteUrl({ url: 'https://www.mozilla.org/en-US/' });
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });
    let all = await hh.decryptedRecords('history');
    expect(all.get('hsMozilla001')).toEqual({ id: 'hsMozilla001', deleted: true });

    api.remove(null);
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });
    all = await hh.decryptedRecords('history');
    for (const p of demoHistory().filter((d) => d.record.id !== 'hsMozilla001')) expect(all.get(p.record.id)).toEqual(p.record);
  });

  test('clearing a time range sends tombstones for the synced pages left without visits', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const now = Date.now();
    api.visit('https://recent.example/', { at: now - 10 * 60_000 });
    api.visit('https://older.example/', { at: now - 3 * DAY });
    await hh.sync({ history: api });
    api.removeRange(now - 3600_000, now);
    await hh.historyChangesRecorded(api);
    await hh.sync({ history: api });
    const recs = [...(await hh.decryptedRecords('history')).values()];
    expect(recs.some((r) => r.histUri === 'https://recent.example/')).toBe(false);
    expect(recs.filter((r) => r.deleted === true)).toHaveLength(1);
    expect(recs.some((r) => r.histUri === 'https://older.example/')).toBe(true);
  });

  test('a tombstone from another device removes the page here (Firefox history, and Chromium’s synced pages and own history)', async () => {
    for (const flavor of ['firefox', 'chromium'] as const) {
      const hh = await demo();
      const api = new FakeHistoryApi(flavor);
      if (flavor === 'chromium') api.visit('https://www.mozilla.org/en-US/');
      await hh.sync({ history: api });
      await hh.putAsOtherDevice('history', { id: 'hsMozilla001', deleted: true });
      await hh.sync({ history: api });
      expect(api.visitsOf('https://www.mozilla.org/en-US/')).toEqual([]);
      expect(await hh.historyPages.get('hsMozilla001')).toBeNull();
      // Our own removal is not taken for the person's: nothing goes up about it.
      await hh.historyChangesRecorded(api);
      const before = await hh.serverRecords('history');
      await hh.sync({ history: api });
      expect(await hh.serverRecords('history')).toEqual(before);
      await hh.close();
      h = null;
    }
  });
});

describe('history: what goes up when', () => {
  test('the first sync sends at most the 5,000 most recently visited pages of the last 30 days', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const now = Date.now();
    for (let i = 0; i < 5100; i++) api.visit(`https://many.example/${i}`, { at: now - 60_000 - i * 1000 });
    api.visit('https://old.example/', { at: now - 31 * DAY });
    // Visited most recently, never synced, and not taking the places of pages that are.
    for (let i = 0; i < 50; i++) api.visit(`chrome-extension://syncbridge/page${i}.html`, { at: now - i });
    await hh.sync({ history: api });
    const urls = new Set([...(await hh.decryptedRecords('history')).values()].map((r) => String(r.histUri)));
    const sent = [...urls].filter((u) => u.startsWith('https://many.example/'));
    expect(sent).toHaveLength(5000);
    expect(urls.has('https://many.example/4999')).toBe(true);
    expect(urls.has('https://many.example/5000')).toBe(false);
    expect(urls.has('https://old.example/')).toBe(false);
  }, 60_000);

  test('afterwards only what changed goes up, including visits made while the extension was not watching', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://a.example/');
    await hh.sync({ history: api });
    const first = await hh.serverRecords('history');
    // Seen by the change tracker:
    api.visit('https://b.example/', { title: 'B' });
    await hh.historyChangesRecorded(api);
    // Not seen (the worker was asleep): a visit only the scan can find.
    api.visit('https://c.example/', { title: 'C', silent: true });
    await hh.sync({ history: api });
    const after = await hh.serverRecords('history');
    const changed = after.filter((r) => !first.some((f) => f.id === r.id && f.modified === r.modified));
    const urls = await Promise.all(changed.map(async (r) => (await hh.decrypt('history', r.payload)).histUri));
    expect(urls.sort()).toEqual(['https://b.example/', 'https://c.example/']);
  });

  test('a run cut during its upload leaves nothing half-done; the next one sends each page exactly once', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const now = Date.now();
    for (let i = 0; i < 300; i++) api.visit(`https://cut.example/${i}`, { at: now - 60_000 - i });
    await hh.control('/__test__/faults', { kind: 'drop', when: 'before', skip: 1, count: 1, match: { method: 'POST', pathRegex: '/storage/history$', query: 'batch=' } });
    await expect(hh.sync({ history: api })).rejects.toMatchObject({ kind: 'network' });
    await hh.sync({ history: api });
    const cut = [...(await hh.decryptedRecords('history')).values()].filter((r) => String(r.histUri).startsWith('https://cut.example/'));
    expect(cut).toHaveLength(300);
    expect(new Set(cut.map((r) => r.histUri)).size).toBe(300);
  });
});

describe('history: after a reset', () => {
  test('a node reassignment: the new node gets back every page held here, other devices’ pages included, unchanged', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://mine.example/', { title: 'Mine' });
    await hh.sync({ history: api });
    const before = await hh.decryptedRecords('history');
    await hh.control('/__test__/faults/reassign', { uid: await hh.storageUid() });
    expect((await hh.sync({ history: api })).outcome).toBe('success');
    const after = await hh.decryptedRecords('history');
    expect(new Map([...after].map(([id, r]) => [id, r]))).toEqual(before);
    // Back on the server: the next sync sends nothing.
    hh.requests.length = 0;
    await hh.sync({ history: api });
    expect(hh.requests.filter((r) => /^POST .*\/storage\/history/.test(r))).toEqual([]);
  });

  test('another device’s page this browser adopted keeps its visits when a record for its URL arrives under a new GUID', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    await hh.sync({ history: api });
    // Another device wiped and re-uploaded the collection with its own GUID for example.com.
    await hh.control('/__test__/faults/reassign', { uid: await hh.storageUid() });
    const page = demoHistory().find((p) => p.record.histUri === 'https://example.com/')!;
    await hh.sync({ history: api });
    const newer = { id: 'newGuidExmpl', histUri: page.record.histUri, title: page.record.title, visits: [{ date: (Date.now() - 1000) * 1000, type: 1 }] };
    // The carried record went up with the reset; a second device now writes the same URL under another GUID.
    await hh.putAsOtherDevice('history', newer);
    await hh.sync({ history: api });
    const records = await recordsFor(hh, page.record.histUri);
    // The page is not lost: whichever record the server holds for the URL, every visit is in one of them.
    const visits = records.flatMap((r) => r.visits as Array<{ date: number; type: number }>);
    for (const v of [...page.record.visits, ...newer.visits]) expect(visits).toContainEqual(v);
  });
});

describe('history: the person’s switch and what never leaves', () => {
  test('History switched off: declined in meta/global, nothing read or sent; switched on: a first sync', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://while-off.example/', { title: 'Off' });
    await hh.syncState.chooseEngine('history', false);
    await hh.sync({ history: api });
    const meta = JSON.parse((await hh.serverRecords('meta'))[0]!.payload) as { declined: string[] };
    expect(meta.declined).toContain('history');
    expect(api.calls.search + api.calls.getVisits).toBe(0);
    expect(await recordsFor(hh, 'https://while-off.example/')).toEqual([]);

    await hh.syncState.chooseEngine('history', true);
    await hh.sync({ history: api });
    expect(await recordsFor(hh, 'https://while-off.example/')).toHaveLength(1);
    expect(await hh.historyPages.count()).toBe(demoHistory().length + 1);
  });

  test('visits Chrome Sync brought from the person’s other Chrome devices are not sent as this browser’s', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://chrome-sync.example/', { title: 'From another Chrome', isLocal: false });
    api.visit('https://both.example/', { at: Date.now() - 5000, isLocal: false });
    api.visit('https://both.example/', { at: Date.now() - 1000 });
    await hh.sync({ history: api });
    expect(await recordsFor(hh, 'https://chrome-sync.example/')).toEqual([]);
    const [both] = await recordsFor(hh, 'https://both.example/');
    expect(both!.visits).toHaveLength(1);
  });
});

describe('history: found in review', () => {
  test('a page deleted here just before a reset goes up as a tombstone, not back from our copy', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    api.visit('https://secret.example/', { title: 'Secret' });
    await hh.sync({ history: api });
    const [rec] = await recordsFor(hh, 'https://secret.example/');
    api.remove('https://secret.example/');
    await hh.historyChangesRecorded(api);
    await hh.control('/__test__/faults/reassign', { uid: await hh.storageUid() });
    expect((await hh.sync({ history: api })).outcome).toBe('success');
    const all = await hh.decryptedRecords('history');
    expect(all.get(String(rec!.id))).toEqual({ id: rec!.id, deleted: true });
    expect([...all.values()].some((r) => r.histUri === 'https://secret.example/')).toBe(false);
  });

  test('a page with more than 20 visits here is not sent again for visits too old to be in its record', async () => {
    const hh = await demo();
    const api = new FakeHistoryApi('chromium');
    const now = Date.now();
    for (let i = 0; i < 30; i++) api.visit('https://busy.example/', { at: now - 60_000 - i * 60_000 });
    await hh.sync({ history: api });
    hh.requests.length = 0;
    await hh.sync({ history: api });
    expect(hh.requests.filter((r) => /^POST .*\/storage\/history/.test(r))).toEqual([]);
  });

  test('"visited now" copies are never sent, however many were added', async () => {
    const hh = await demo();
    hh.setAddToBrowserHistory(true);
    const api = new FakeHistoryApi('chromium');
    for (let round = 0; round < 7; round++) {
      await hh.putAsOtherDevice('history', { id: 'importedPg01', histUri: 'https://imported.example/', title: 'I', visits: Array.from({ length: round + 1 }, (_, i) => ({ date: (Date.now() - 3600_000 - i * 1000) * 1000, type: 1 })) });
      await hh.sync({ history: api });
      await hh.historyChangesRecorded(api);
    }
    expect(api.visitsOf('https://imported.example/')).toHaveLength(7);
    await hh.sync({ history: api });
    const [rec] = await recordsFor(hh, 'https://imported.example/');
    expect(rec!.visits).toHaveLength(7);
  });
});
