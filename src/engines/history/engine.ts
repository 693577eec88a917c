// The history engine: this browser's visits go up as Firefox history records; other devices'
// visits come down into Firefox's history (with their real times and types), or, on Chromium,
// whose API cannot add a past visit, into the synced pages store that "History from other
// devices" shows. The synced pages store (db/historyStore.ts) is the server's view of every page;
// a record we send starts from it, so what other devices wrote is kept.
//
// A run: incoming records are applied (tombstones remove the page), then the pages to send are
// worked out — on a first sync (or after a reset) the 5,000 most recently visited pages of the last
// 30 days, as Firefox desktop; otherwise the pages the change tracker noted plus a scan of what was
// visited since the last sync (events are missed while the worker sleeps) — and each is merged with
// its record: only a page that gained visits (or a better title) is sent. A page the person deleted
// here becomes a tombstone only if it was synced. Everything here is repeatable: a run cut anywhere
// does it again, and what the server accepted is recognised by comparison with the store.
import { t } from '../../i18n/i18n.ts';
import type { HistoryStore, SyncedPage } from '../../db/historyStore.ts';
import type { Logger } from '../../log/logger.ts';
import type { ApplyContext, EngineAssociation, EngineDescriptor, IncomingRecord, OutgoingRecord, SyncEngine } from '../../sync/engine/contract.ts';
import type { CleartextRecord } from '../../sync/records/bso.ts';
import type { ServerTimestamp } from '../../sync/storage/types.ts';
import type { ChangeStore } from '../kit/changeTracker.ts';
import { makeGuid } from '../kit/guid.ts';
import { pooled, type LocalHistory, type LocalVisit } from './local/browserHistory.ts';
import { ALL_HISTORY } from './local/changeTracker.ts';
import { transitionFor } from './transitions.ts';
import { lastForeignVisit, missingVisits, newestVisits, ownDatesIn, pageUpload } from './merge.ts';
import {
  FIRST_SYNC_MAX_PAGES, FIRST_SYNC_WINDOW_MS, HISTORY_TTL_SECONDS, applicableVisits, frecency, isSyncableUrl, isValidGuid,
  parseHistoryRecord, serializeHistoryRecord, type HistoryPageRecord, type HistoryRecord,
} from './record.ts';

export const HISTORY_ENGINE: EngineDescriptor = { name: 'history', version: 1, label: t('engineHistory') };

/** Where the last scan of this browser's history reached (db/engineWorkStore.ts). */
export interface ScanMarkPort {
  get(): Promise<number | null>;
  set(ms: number): Promise<void>;
  clear(): Promise<void>;
}

export interface HistoryEngineDeps {
  local: LocalHistory;
  pages: HistoryStore;
  /** Page URLs changed here since the last sync (the change tracker's set). */
  changes: ChangeStore;
  scanMark: ScanMarkPort;
  /** The person's choice (Chromium): also add other devices' pages to this browser's history, as visited now. */
  addToBrowserHistory: () => Promise<boolean>;
  log: Logger;
  now: () => number;
  makeGuid?: () => string;
}

/** The scan starts a little before the last run began, for visits recorded while it ran. */
const SCAN_OVERLAP_MS = 5 * 60 * 1000;

interface Pending {
  url: string;
  /** The page once the server holds it; null for a tombstone. */
  page: SyncedPage | null;
}

export class HistoryEngine implements SyncEngine<HistoryRecord> {
  readonly collection = HISTORY_ENGINE.name;
  readonly version = HISTORY_ENGINE.version;

  private firstSync = false;
  private runStart = 0;
  private staged = new Map<string, IncomingRecord<HistoryRecord>>();
  /** Staged records already applied in this run (id@modified): a re-apply after a 412 applies only the new ones. */
  private readonly applied = new Set<string>();
  private pending = new Map<string, Pending>();
  private changeTimes = new Map<string, number>();
  private readonly accepted = new Set<string>();
  /** URLs of pages this run's incoming records left unsynced (adopted visits carried into them). */
  private readonly carriedUrls = new Set<string>();
  private stats = { received: 0, removed: 0, written: 0, sent: 0 };

  constructor(private readonly d: HistoryEngineDeps) {}

  parse(cleartext: CleartextRecord): HistoryRecord | null {
    return parseHistoryRecord(cleartext);
  }

  async reset(): Promise<void> {
    // Everything held goes up again, other devices' pages included; nothing is forgotten.
    await this.d.pages.markAllUnsynced();
    await this.d.scanMark.clear();
  }

  async wipe(): Promise<void> {
    // The server's history replaces what was learned from it; the browser's own history is not
    // touched (a command from another device never deletes the person's local history).
    await this.d.pages.clear();
    await this.d.scanMark.clear();
  }

  async begin(association: EngineAssociation): Promise<void> {
    this.firstSync = association.lastSync === '0';
    this.runStart = this.d.now();
    this.staged = new Map();
    this.applied.clear();
    this.pending = new Map();
    this.accepted.clear();
    this.carriedUrls.clear();
    this.changeTimes = new Map();
    this.stats = { received: 0, removed: 0, written: 0, sent: 0 };
  }

  async stage(records: readonly IncomingRecord<HistoryRecord>[]): Promise<void> {
    for (const r of records) this.staged.set(r.id, r);
  }

  async apply(ctx: ApplyContext): Promise<OutgoingRecord[]> {
    await this.applyIncoming(ctx);
    return this.outgoing(ctx);
  }

  // ---- incoming ---------------------------------------------------------------------------

  private async applyIncoming(ctx: ApplyContext): Promise<void> {
    const now = this.d.now();
    const fresh = [...this.staged.values()].filter((r) => !this.applied.has(`${r.id}@${r.modified}`));
    if (fresh.length === 0) return;
    const pages = fresh.filter((r): r is IncomingRecord<HistoryPageRecord> & { record: HistoryPageRecord } => r.record.kind === 'page');
    const byId = await this.d.pages.getMany(fresh.map((r) => r.id));
    const byUrl = await this.d.pages.byUrls(pages.map((r) => r.record.histUri));
    const put: SyncedPage[] = [];
    const remove = new Set<string>();
    const removeLocally: string[] = [];
    const writes: Array<{ url: string; title: string | null; record: HistoryPageRecord }> = [];
    const imports: SyncedPage[] = [];
    const importWanted = this.d.local.flavor === 'chromium' && (await this.d.addToBrowserHistory());

    for (const { id, modified, record } of fresh) {
      const known = byId.get(id) ?? null;
      if (record.kind === 'tombstone') {
        if (known) {
          remove.add(id);
          const others = (byUrl.get(known.url) ?? []).filter((p) => p.id !== id);
          if (others.length === 0) removeLocally.push(known.url);
          this.stats.removed++;
        }
        continue;
      }
      // Firefox ignores these (invalid GUID, a URL Places will not store, file:); so do we. The
      // record stays on the server as it is.
      if (!isValidGuid(id) || !isSyncableUrl(record.histUri)) continue;
      // This browser's page for the URL under a GUID the server does not use (made here before the
      // page was seen on the server): adopt the server's GUID, one record per URL, as Firefox.
      const sameUrl = (byUrl.get(record.histUri) ?? []).filter((p) => p.id !== id);
      const adopted = sameUrl.filter((p) => p.modified === null && !put.some((q) => q.id === p.id));
      for (const p of adopted) remove.add(p.id);
      // What the adopted pages held that the record lacks is kept, and goes up with the record
      // (after a reset those pages are the only copy of it).
      const recordVisits = applicableVisits(record.visits, now);
      const carried = missingVisits(recordVisits, adopted.flatMap((p) => applicableVisits(p.visits, now).map((v) => ({ ...v, loose: false }))));
      const visits = carried.length === 0 ? record.visits : newestVisits([...record.visits, ...carried.map((v) => ({ date: v.date, type: v.type }))]);
      const own = ownDatesIn(visits, [...(known?.own ?? []), ...adopted.flatMap((p) => p.own)]);
      const page: SyncedPage = {
        id, url: record.histUri, title: record.title, visits, extra: record.extra, modified: carried.length === 0 ? modified : null,
        own, imported: [...(known?.imported ?? []), ...adopted.flatMap((p) => p.imported)], lastForeign: lastForeignVisit(visits, own, now),
      };
      put.push(page);
      if (page.modified === null) this.carriedUrls.add(page.url);
      byUrl.set(record.histUri, [...sameUrl.filter((p) => !remove.has(p.id)), page]);
      this.stats.received++;
      if (this.d.local.flavor === 'firefox') writes.push({ url: record.histUri, title: record.title, record });
      else if (importWanted && page.lastForeign > (known?.lastForeign ?? 0)) imports.push(page);
    }

    let done = 0;
    const total = writes.length + removeLocally.length + imports.length;
    const step = (): void => ctx.progress('apply', ++done, total);
    // Pages other devices deleted go from the browser before they go from the store: a worker
    // stopped in between finds the tombstone again and still knows which page it names.
    if (removeLocally.length > 0) {
      await this.d.local.holdDuring(async () => {
        const present = await this.d.local.visitsOf(removeLocally);
        for (const url of removeLocally) {
          if ((present.get(url) ?? []).length > 0) await this.d.local.removePage(url);
          step();
        }
      });
    }
    const putIds = new Set(put.map((p) => p.id));
    ctx.progress('apply', 0, fresh.length);
    await this.d.pages.update(put, [...remove].filter((id) => !putIds.has(id)));
    ctx.progress('apply', fresh.length, fresh.length);
    for (const r of fresh) this.applied.add(`${r.id}@${r.modified}`);

    await this.d.local.holdDuring(async () => {
      if (writes.length > 0) {
        const localVisits = await this.d.local.visitsOf(writes.map((w) => w.url));
        await pooled(writes, 8, async (w) => {
          this.stats.written += await this.writeToFirefox(w.url, w.record, localVisits.get(w.url) ?? [], now);
          step();
        });
      }
      const marked: SyncedPage[] = [];
      for (const page of imports) {
        const at = await this.d.local.markVisitedNow(page.url);
        if (at !== null) marked.push({ ...page, imported: [...page.imported, at] });
        step();
      }
      await this.d.pages.update(marked);
    });
  }

  /** Firefox: adds the record's visits it lacks, at their real times; the title when the record visited last. */
  private async writeToFirefox(url: string, record: HistoryPageRecord, local: readonly LocalVisit[], now: number): Promise<number> {
    const visits = applicableVisits(record.visits, now);
    const asLocal: LocalVisit[] = visits.map((v) => ({ ...v, loose: false }));
    // Visits Firefox already has (same ms and type; a `link` there may be a redirect or download here).
    const localAsRecord = local.map((v) => ({ date: v.date, type: v.type }));
    let missing = missingVisits(localAsRecord, asLocal).filter((v) => !local.some((l) => l.loose && Math.floor(l.date / 1000) === Math.floor(v.date / 1000)));
    // As Firefox: with 20 visits already, none older than the oldest of them is added.
    if (local.length >= 20) {
      const oldest = Math.min(...local.map((v) => v.date));
      missing = missing.filter((v) => v.date >= oldest);
    }
    if (missing.length === 0) return 0;
    const newestLocal = local.reduce((m, v) => Math.max(m, v.date), 0);
    const newestRecord = visits[0]?.date ?? 0;
    const title = record.title !== null && record.title !== '' && newestRecord >= newestLocal ? record.title : null;
    return this.d.local.addVisits(url, title, missing);
  }

  // ---- outgoing ---------------------------------------------------------------------------

  private async outgoing(ctx: ApplyContext): Promise<OutgoingRecord[]> {
    const now = this.d.now();
    this.pending = new Map();
    const times = (await this.d.changes.times?.()) ?? new Map((await this.d.changes.list()).map((k) => [k, now]));
    this.changeTimes = times;
    const removedHere = new Set<string>();
    /** Pages the person removed one by one (not by clearing everything). */
    const removedOne = new Set<string>();
    const candidates = new Map<string, string>(); // url → local title

    const since = this.firstSync ? now - FIRST_SYNC_WINDOW_MS : ((await this.d.scanMark.get()) ?? now - FIRST_SYNC_WINDOW_MS);
    for (const p of await this.d.local.recentPages(since, FIRST_SYNC_MAX_PAGES)) candidates.set(p.url, p.title);
    for (const key of times.keys()) {
      if (key === ALL_HISTORY) {
        // Cleared everything: each synced page this browser had is checked.
        for (const p of await this.d.pages.all()) if (p.own.length > 0) removedHere.add(p.url);
      } else {
        removedHere.add(key);
        removedOne.add(key);
      }
    }
    for (const url of removedHere) if (!candidates.has(url)) candidates.set(url, '');
    // Pages the server may lack exist only after a reset (then this is a first sync) or when an
    // adopted page carried visits into a record this run: reading the whole store for them on
    // every sync (a tab change asks for one every few seconds) would be wasted.
    const unsynced = this.firstSync ? (await this.d.pages.unsynced()).map((p) => p.url) : [...this.carriedUrls];
    for (const url of unsynced) if (!candidates.has(url)) candidates.set(url, '');

    const urls = [...candidates.keys()];
    // Reading the browser's visits is most of the local work of a first sync: it is the progress shown.
    ctx.progress('merge', 0, urls.length);
    const localVisits = await this.d.local.visitsOf(urls, (done) => ctx.progress('merge', done, urls.length));
    const stored = await this.d.pages.byUrls(urls);
    const out: OutgoingRecord[] = [];
    for (const url of urls) {
      const pages = stored.get(url) ?? [];
      const chosen = choosePage(pages);
      const imported = new Set(chosen?.imported ?? []);
      const visits = (localVisits.get(url) ?? []).filter((v) => !imported.has(v.date));
      if (visits.length === 0) {
        // Nothing of this page in this browser: deleted here, or never here (another device's page).
        for (const page of pages) {
          const deleted = removedHere.has(url) && this.deletedHere(page, removedOne.has(url), now);
          if (page.modified === null && !deleted) {
            // Carried over a reset: what we hold goes back to the server as it is.
            out.push(this.pageRecord(page, page.visits, page.title ?? '', now));
          } else if (deleted) {
            // Also after a reset: the person deleted it, so it must not come back from our copy.
            out.push({ cleartext: serializeHistoryRecord({ kind: 'tombstone', id: page.id, extra: {} }), ttl: HISTORY_TTL_SECONDS });
            this.pending.set(page.id, { url, page: null });
          }
        }
        continue;
      }
      const up = pageUpload(chosen, visits, candidates.get(url) ?? '', now);
      for (const page of pages) if (page !== chosen && page.modified === null) out.push(this.pageRecord(page, page.visits, page.title ?? '', now));
      if (!up.changed) continue;
      const base: SyncedPage = chosen ?? {
        id: this.newGuid(), url, title: null, visits: [], extra: {}, modified: null, own: [], imported: [], lastForeign: 0,
      };
      const record = this.pageRecord({ ...base, own: [...base.own, ...up.added.map((v) => v.date)] }, up.visits, up.title, now);
      out.push(record);
    }
    this.stats.sent = out.length;
    return out;
  }

  /**
   * Whether a synced page gone from this browser was deleted by the person here (a tombstone for
   * every device). A page this browser visited, yes. Another device's page: on Firefox, where it is
   * part of the browser's history, when the person deleted that page (as Firefox itself does);
   * never when all history was cleared (Firefox does not pass that on either), and never on
   * Chromium, where it was only the "visited now" copy Syncbridge added.
   */
  private deletedHere(page: SyncedPage, removedByItself: boolean, now: number): boolean {
    if (expired(page, now)) return false;
    if (page.own.length > 0) return true;
    return removedByItself && this.d.local.flavor === 'firefox' && applicableVisits(page.visits, now).some((v) => transitionFor(v.type) !== null);
  }

  /** A page's record to send, remembered as pending until the server accepts it. */
  private pageRecord(page: SyncedPage, visits: SyncedPage['visits'], title: string, now: number): OutgoingRecord {
    const own = ownDatesIn(visits, page.own);
    const next: SyncedPage = { ...page, title, visits, own, lastForeign: lastForeignVisit(visits, own, now) };
    this.pending.set(page.id, { url: page.url, page: next });
    const cleartext = serializeHistoryRecord({ kind: 'page', id: page.id, histUri: page.url, title, visits, extra: page.extra });
    return { cleartext, sortindex: frecency(applicableVisits(visits, now), now), ttl: HISTORY_TTL_SECONDS };
  }

  private newGuid(): string {
    return (this.d.makeGuid ?? makeGuid)();
  }

  async uploaded(ids: readonly string[], modified: ServerTimestamp): Promise<void> {
    const put: SyncedPage[] = [];
    const remove: string[] = [];
    for (const id of ids) {
      const p = this.pending.get(id);
      if (!p) continue;
      this.accepted.add(id);
      if (p.page) put.push({ ...p.page, modified });
      else remove.push(id);
    }
    await this.d.pages.update(put, remove);
  }

  async finish(): Promise<void> {
    // Changes taken care of are forgotten (unless changed again meanwhile); a page the server did
    // not accept is remembered, so the next sync sends it again even though it is not first.
    const notAccepted = new Set([...this.pending].filter(([id]) => !this.accepted.has(id)).map(([, p]) => p.url));
    const done = [...this.changeTimes.keys()].filter((k) => !notAccepted.has(k));
    await this.d.changes.remove(done, this.changeTimes);
    if (notAccepted.size > 0) await this.d.changes.add([...notAccepted]);
    await this.d.scanMark.set(this.runStart - SCAN_OVERLAP_MS);
    const { received, removed, written, sent } = this.stats;
    if (received + removed + sent > 0) this.d.log.info('History synced', { received, removed, writtenToBrowser: written, sent });
  }
}

/** Of the records the server holds for one URL, the one this browser adds its visits to. */
function choosePage(pages: readonly SyncedPage[]): SyncedPage | null {
  if (pages.length === 0) return null;
  // A record the server holds wins over one not yet sent; then the most recently written.
  return [...pages].sort((a, b) => Number(b.modified !== null) - Number(a.modified !== null) || Number(b.modified ?? 0) - Number(a.modified ?? 0))[0]!;
}

/**
 * A page whose newest visit is older than a history record lives (60 days): gone by the browser's
 * expiry of old history (Chromium keeps 90 days; Firefox expires by its own rules), not by the
 * person, and no reason to delete it on other devices. The events do not say which it was.
 */
function expired(page: SyncedPage, now: number): boolean {
  const newest = Math.max(0, ...page.own.map((d) => d / 1000), ...applicableVisits(page.visits, now).slice(0, 1).map((v) => v.date / 1000));
  return newest > 0 && newest < now - HISTORY_TTL_SECONDS * 1000;
}
