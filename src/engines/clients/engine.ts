// The clients engine: keeps our record on the server (so Firefox lists this browser as a device),
// carries out commands other devices left in it, and reports the account's other devices.
// Firefox always fetches the whole collection for this engine, and so do we: it is small.
import { bundleForCollection, decryptPayload, encryptPayload, type CollectionKeys } from '../../sync/crypto/records.ts';
import type { Logger } from '../../log/logger.ts';
import type { StorageClient } from '../../sync/storage/client.ts';
import type { Bso, ServerTimestamp } from '../../sync/storage/types.ts';
import {
  CLIENTS_TTL_SECONDS, CLIENT_RECORD_REFRESH_MS, buildOurRecord, ourRecordNeedsUpload, parseClientRecord,
  type ClientCommand, type ClientRecord, type OurClientInfo,
} from './record.ts';

export type ClientsStorage = Pick<StorageClient, 'getRecords' | 'putRecord'>;

/** What incoming commands do; the background implements these with the engines and the account. */
export interface ClientCommandHandlers {
  wipeEngine(engine: string): Promise<void>;
  resetEngine(engine: string): Promise<void>;
  resetAll(): Promise<void>;
  logout(): Promise<void>;
  displayURI(uri: string, fromClientId: string | null, title: string | null): Promise<void>;
}

export interface RemoteClient {
  id: string;
  name: string;
  type: string;
  os: string | null;
  fxaDeviceId: string | null;
  /** Server modified time of its record, seconds. */
  modified: number;
}

export interface ClientsSyncResult {
  others: RemoteClient[];
  /** Server time of our upload in this run, or null when our record was already current. */
  uploadedAt: ServerTimestamp | null;
  commandsRun: string[];
  skippedRecords: number;
}

export interface ClientsSyncInput {
  storage: ClientsStorage;
  keys: CollectionKeys;
  ours: OurClientInfo;
  /** info/collections' clients timestamp, or '0' when the collection does not exist yet. */
  collectionModified: ServerTimestamp;
  /** ms since epoch of our last upload, or null. */
  lastUploadAt: number | null;
  handlers: ClientCommandHandlers;
  log: Logger;
  now: () => number;
}

const COLLECTION = 'clients';

export async function syncClients(input: ClientsSyncInput): Promise<ClientsSyncResult> {
  const { storage, log } = input;
  const bundle = bundleForCollection(input.keys, COLLECTION);
  // Always the whole collection, as Firefox does; it is small. Pages are guarded against concurrent writes.
  const bsos: Bso[] = [];
  for await (const page of storage.getRecords(COLLECTION, { full: true, limit: 1000 })) {
    for (const item of page.items) if (typeof item !== 'string') bsos.push(item);
  }
  let skippedRecords = 0;
  let ourOnServer: ClientRecord | null = null;
  const others: RemoteClient[] = [];
  for (const bso of bsos) {
    let rec: ClientRecord | null = null;
    try {
      rec = parseClientRecord(await decryptPayload(bso.payload, bundle, bso.id));
    } catch (e) {
      log.warn('Skipped a clients record that could not be read', { id: bso.id, error: String(e) });
    }
    if (!rec) {
      skippedRecords++;
      continue;
    }
    if (rec.id === input.ours.id) {
      ourOnServer = rec;
      continue;
    }
    // An older install of this extension with our device id is us, not another device.
    if (input.ours.fxaDeviceId && rec.fxaDeviceId === input.ours.fxaDeviceId) continue;
    others.push({
      id: rec.id, name: rec.name, type: rec.type, os: typeof rec.os === 'string' ? rec.os : null,
      fxaDeviceId: typeof rec.fxaDeviceId === 'string' ? rec.fxaDeviceId : null, modified: Number(bso.modified),
    });
  }

  const { remaining, ran } = await runCommands(ourOnServer?.commands ?? [], input);
  const wanted = buildOurRecord(input.ours, ourOnServer, remaining);
  const stale = input.lastUploadAt === null || input.now() - input.lastUploadAt > CLIENT_RECORD_REFRESH_MS;
  let uploadedAt: ServerTimestamp | null = null;
  if (ourRecordNeedsUpload(ourOnServer, wanted) || stale) {
    const payload = await encryptPayload(wanted, bundle);
    uploadedAt = await storage.putRecord(COLLECTION, { id: wanted.id, payload, ttl: CLIENTS_TTL_SECONDS }, { ifUnmodifiedSince: input.collectionModified });
    log.info('Uploaded this browser’s client record', { name: wanted.name, commandsLeft: remaining.length });
  }
  others.sort((a, b) => a.name.localeCompare(b.name));
  return { others, uploadedAt, commandsRun: ran, skippedRecords };
}

async function runCommands(commands: ClientCommand[], input: ClientsSyncInput): Promise<{ remaining: ClientCommand[]; ran: string[] }> {
  const remaining: ClientCommand[] = [];
  const ran: string[] = [];
  const { handlers, log } = input;
  for (const c of commands) {
    const arg = (i: number): string | null => (typeof c.args[i] === 'string' ? (c.args[i] as string) : null);
    try {
      switch (c.command) {
        case 'wipeEngine':
          if (arg(0)) await handlers.wipeEngine(arg(0)!);
          break;
        case 'resetEngine':
          if (arg(0)) await handlers.resetEngine(arg(0)!);
          break;
        case 'resetAll':
          await handlers.resetAll();
          break;
        case 'logout':
          await handlers.logout();
          break;
        case 'displayURI':
          if (arg(0)) await handlers.displayURI(arg(0)!, arg(1), arg(2));
          break;
        default:
          // Firefox drops commands it does not know; so do we, after saying so.
          log.info('Ignored an unknown command from another device', { command: c.command });
          continue;
      }
      ran.push(c.command);
      log.info('Ran a command from another device', { command: c.command });
    } catch (e) {
      // Keep it in our record: it will be tried again next sync.
      remaining.push(c);
      log.warn('A command from another device failed; it will be retried', { command: c.command, error: String(e) });
    }
  }
  return { remaining, ran };
}
