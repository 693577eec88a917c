// The one synchronizer: moves records between an engine (the local repository) and its server
// collection through the crypto middleware. Safe to cut at any point and repeat: the association
// (last-sync time) moves only after the engine finished, and only what the server accepted is
// reported to the engine as uploaded.
import { tCount } from '../../i18n/i18n.ts';
import { engineInSentence } from '../../i18n/engineNames.ts';
import { ConflictError } from '../errors.ts';
import { compareServerTs, type ServerTimestamp } from '../storage/types.ts';
import type { EngineAssociation, IncomingRecord, SyncEngine, SynchronizerEnv } from './contract.ts';
import type { EncryptedCollection } from './serverCollection.ts';

export interface SynchronizeInput<R> {
  engine: SyncEngine<R>;
  server: EncryptedCollection;
  /** The association, already checked against meta/global (see collectionState.ts). */
  association: EngineAssociation;
  saveAssociation(a: EngineAssociation): Promise<void>;
  /** info/collections' time for the collection; undefined when the server has no such collection. */
  infoModified: ServerTimestamp | undefined;
  env: SynchronizerEnv;
  pageSize?: number;
  /** How many times a 412 on upload refetches and re-merges within the run (default 2). */
  maxConflictRetries?: number;
}

export interface SynchronizeResult {
  /** False when info/collections showed nothing new and no request was made for the download. */
  fetched: boolean;
  downloaded: number;
  /** Records that failed HMAC, decryption or parsing: skipped and counted, never acted on. */
  skippedRecords: number;
  uploaded: number;
  /** Ids the server refused or did not acknowledge; the engine sends them again next sync. */
  failed: string[];
  /** 412s answered by refetching and re-merging. */
  conflicts: number;
  lastSync: ServerTimestamp;
  notes: string[];
  /** The engine's short fact for the status line, if it has one. */
  detail?: string;
}

const PAGE = 1000;

export async function synchronize<R>(input: SynchronizeInput<R>): Promise<SynchronizeResult> {
  const { engine, server, env } = input;
  const name = engine.collection;
  const progress = (step: Parameters<NonNullable<SynchronizerEnv['progress']>>[1], done: number, total: number): void =>
    env.progress?.(name, step, done, total);
  const pageSize = input.pageSize ?? PAGE;
  const maxRetries = input.maxConflictRetries ?? 2;
  const assoc = input.association;

  const result: SynchronizeResult = { fetched: false, downloaded: 0, skippedRecords: 0, uploaded: 0, failed: [], conflicts: 0, lastSync: assoc.lastSync, notes: [] };
  // Where a run's time goes, for the log a person can copy (and the benches): ms per phase.
  const ms = { begin: 0, download: 0, apply: 0, upload: 0, finish: 0 };
  const timed = async <T>(phase: keyof typeof ms, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      ms[phase] += Math.round(performance.now() - t0);
    }
  };
  await timed('begin', async () => engine.begin?.(assoc));

  // The collection's time as we know it: the guard for every write of this run.
  let collectionTs: ServerTimestamp = input.infoModified ?? '0';
  if (compareServerTs(assoc.lastSync, collectionTs) > 0) collectionTs = assoc.lastSync;
  const changedOnServer = input.infoModified !== undefined && compareServerTs(input.infoModified, assoc.lastSync) > 0;

  const download = async (newer: ServerTimestamp): Promise<void> => {
    result.fetched = true;
    for await (const page of server.fetchSince(newer, pageSize)) {
      if (page.lastModified && compareServerTs(page.lastModified, collectionTs) > 0) collectionTs = page.lastModified;
      const staged: IncomingRecord<R>[] = [];
      const unreadable: string[] = [];
      for (const f of page.failures) {
        unreadable.push(f.recordId);
        env.log.warn('Skipped a record that could not be read', { collection: name, id: f.recordId, reason: f.reason });
      }
      for (const r of page.records) {
        const record = engine.parse(r.cleartext);
        if (record === null) {
          unreadable.push(r.id);
          env.log.warn('Skipped a record that could not be read', { collection: name, id: r.id, reason: 'format' });
          continue;
        }
        staged.push({ id: r.id, modified: r.modified, record });
      }
      result.skippedRecords += unreadable.length;
      result.downloaded += staged.length;
      if (unreadable.length > 0) await engine.unreadable?.(unreadable);
      await engine.stage(staged);
      progress('download', result.downloaded, result.downloaded);
    }
  };

  if (changedOnServer) await timed('download', () => download(engine.fetchAll ? '0' : assoc.lastSync));

  let lastSync = collectionTs;
  for (let pass = 0; ; pass++) {
    const outgoing = await timed('apply', () => engine.apply({ collectionModified: collectionTs, firstPass: pass === 0, progress, fits: (c) => server.fits(c) }));
    if (outgoing.length === 0) break;
    progress('upload', 0, outgoing.length);
    try {
      let up = await timed('upload', () => server.store(outgoing, collectionTs));
      let failed = new Set(Object.keys(up.failed));
      let accepted = up.success.filter((id) => !failed.has(id));
      if (accepted.length > 0) await engine.uploaded(accepted, up.lastModified);
      result.uploaded += accepted.length;
      if (failed.size > 0) {
        env.log.warn('The server did not accept some records; they go again next sync', { collection: name, count: failed.size });
        // What was accepted may point at what was not (a folder listing a refused child): the
        // engine's corrections go up now, based on our own commit.
        const repairs = (await engine.refused?.([...failed])) ?? [];
        if (repairs.length > 0) {
          const refusedFirst = failed;
          up = await server.store(repairs, up.lastModified);
          failed = new Set([...refusedFirst, ...Object.keys(up.failed)]);
          accepted = up.success.filter((id) => !failed.has(id));
          if (accepted.length > 0) await engine.uploaded(accepted, up.lastModified);
        }
      }
      result.failed.push(...failed);
      lastSync = up.lastModified;
      progress('upload', outgoing.length, outgoing.length);
      break;
    } catch (e) {
      if (!(e instanceof ConflictError) || pass >= maxRetries) throw e;
      // Another device wrote while we merged: take its records in and merge again before writing.
      result.conflicts++;
      env.log.info('The collection changed on the server during the sync; merging again', { collection: name });
      const before = collectionTs;
      await timed('download', () => download(engine.fetchAll ? '0' : before));
      lastSync = collectionTs;
    }
  }

  const summary = await timed('finish', async () => engine.finish(lastSync));
  if (result.downloaded + result.uploaded + result.skippedRecords > 0) {
    env.log.info('Engine synced', { collection: name, downloaded: result.downloaded, uploaded: result.uploaded, ms });
  }
  await input.saveAssociation({ syncID: assoc.syncID, lastSync });
  result.lastSync = lastSync;
  if (summary?.notes) result.notes.push(...summary.notes);
  if (summary?.detail) result.detail = summary.detail;
  if (result.skippedRecords > 0) {
    result.notes.push(tCount('statusUnreadableSkipped', result.skippedRecords, engineInSentence(name)));
  }
  return result;
}
