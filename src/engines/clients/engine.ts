// The clients engine: keeps our record on the server (so Firefox lists this browser as a device),
// carries out commands other devices left in it, and reports the account's other devices.
// Whenever the collection changed we read all of it, as Firefox does (it is small); when it did not
// change, our cached view of it answers and nothing is fetched.
import { tCount } from '../../i18n/i18n.ts';
import type { Logger } from '../../log/logger.ts';
import type { EngineDescriptor, EngineRunSummary, IncomingRecord, OutgoingRecord, SyncEngine } from '../../sync/engine/contract.ts';
import type { CleartextRecord } from '../../sync/records/bso.ts';
import type { ServerTimestamp } from '../../sync/storage/types.ts';
import {
  CLIENTS_TTL_SECONDS, CLIENT_RECORD_REFRESH_MS, buildOurRecord, ourRecordNeedsUpload, parseClientRecord,
  type ClientCommand, type ClientRecord, type OurClientInfo,
} from './record.ts';

export const CLIENTS_ENGINE: EngineDescriptor = { name: 'clients', version: 1 };

/** What incoming commands do. wipeEngine/resetEngine/resetAll are the same for every engine (the account-level sync builds them). */
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

export interface ClientsLocalState {
  /** Our record id in the clients collection (stable for this install). */
  clientId: string;
  /** ms since epoch of our last upload of it. */
  lastUploadAt: number | null;
  /** Our record as the server last accepted it: without a download, it says whether ours is current. */
  uploaded?: ClientRecord | null;
  others: RemoteClient[];
  /**
   * Commands carried out whose removal from our record the server has not accepted yet: a run cut
   * before that (a 503, a closed browser) must not carry them out again.
   */
  executed?: string[];
}

/** Persistence of the engine's state (db/syncStateStore.ts in the background). */
export interface ClientsStatePort {
  loadClientsState(): Promise<ClientsLocalState>;
  saveClientsState(state: ClientsLocalState): Promise<void>;
}

export interface ClientsEngineDeps {
  state: ClientsStatePort;
  /** This browser's details for our record, given our record id. */
  describe(clientId: string): Promise<OurClientInfo>;
  commands: ClientCommandHandlers;
  log: Logger;
  now: () => number;
}

export class ClientsEngine implements SyncEngine<ClientRecord> {
  readonly collection = CLIENTS_ENGINE.name;
  readonly version = CLIENTS_ENGINE.version;
  readonly fetchAll = true;

  private state: ClientsLocalState | null = null;
  /** The collection as downloaded in this run (null: not downloaded; the cached view stands). */
  private staged: Map<string, IncomingRecord<ClientRecord>> | null = null;
  private wanted: ClientRecord | null = null;
  /** Commands carried out in this run: a re-merge after a 412 must not run them twice. */
  private readonly ran = new Set<string>();
  commandsRun: string[] = [];

  constructor(private readonly d: ClientsEngineDeps) {}

  parse(cleartext: CleartextRecord): ClientRecord | null {
    return parseClientRecord(cleartext);
  }

  async reset(): Promise<void> {
    const s = await this.d.state.loadClientsState();
    await this.d.state.saveClientsState({ ...s, lastUploadAt: null, uploaded: null, others: [] });
  }

  /** Nothing local to replace: the clients collection is rebuilt from the server every time it changes. */
  wipe(): Promise<void> {
    return this.reset();
  }

  async begin(): Promise<void> {
    this.state = await this.d.state.loadClientsState();
    this.staged = null;
    this.wanted = null;
    this.ran.clear();
    this.commandsRun = [];
  }

  async stage(records: readonly IncomingRecord<ClientRecord>[]): Promise<void> {
    this.staged ??= new Map();
    for (const r of records) this.staged.set(r.id, r);
  }

  async apply(): Promise<OutgoingRecord[]> {
    const state = this.state as ClientsLocalState;
    const ours = await this.d.describe(state.clientId);
    let onServer: ClientRecord | null = state.uploaded ?? null;
    if (this.staged) {
      onServer = this.staged.get(ours.id)?.record ?? null;
      const others: RemoteClient[] = [];
      for (const { record: rec, modified } of this.staged.values()) {
        if (rec.id === ours.id) continue;
        // An older install of this extension with our device id is us, not another device.
        if (ours.fxaDeviceId && rec.fxaDeviceId === ours.fxaDeviceId) continue;
        others.push({
          id: rec.id, name: rec.name, type: rec.type, os: typeof rec.os === 'string' ? rec.os : null,
          fxaDeviceId: typeof rec.fxaDeviceId === 'string' ? rec.fxaDeviceId : null, modified: Number(modified),
        });
      }
      others.sort((a, b) => a.name.localeCompare(b.name));
      state.others = others;
    }
    const remaining = await this.runCommands(onServer?.commands ?? []);
    const wanted = buildOurRecord(ours, onServer, remaining);
    const stale = state.lastUploadAt === null || this.d.now() - state.lastUploadAt > CLIENT_RECORD_REFRESH_MS;
    if (!ourRecordNeedsUpload(onServer, wanted) && !stale) return [];
    this.wanted = wanted;
    return [{ cleartext: wanted, ttl: CLIENTS_TTL_SECONDS }];
  }

  async uploaded(ids: readonly string[], _modified: ServerTimestamp): Promise<void> {
    const state = this.state as ClientsLocalState;
    if (!this.wanted || !ids.includes(this.wanted.id)) return;
    state.lastUploadAt = this.d.now();
    state.uploaded = this.wanted;
    // Those no longer in our record are gone from the server: nothing left to guard against.
    const still = new Set(this.wanted.commands.map(commandKey));
    state.executed = (state.executed ?? []).filter((k) => still.has(k));
    this.d.log.info('Uploaded this browser’s client record', { name: this.wanted.name, commandsLeft: this.wanted.commands.length });
  }

  async finish(): Promise<EngineRunSummary> {
    const state = this.state as ClientsLocalState;
    await this.d.state.saveClientsState(state);
    const n = state.others.length;
    return { detail: tCount('statusOtherDevices', n) };
  }

  /** The account's other devices as last seen. */
  others(): RemoteClient[] {
    return this.state?.others ?? [];
  }

  private async runCommands(commands: ClientCommand[]): Promise<ClientCommand[]> {
    const remaining: ClientCommand[] = [];
    const { commands: handlers, log } = this.d;
    const state = this.state as ClientsLocalState;
    for (const c of commands) {
      const key = commandKey(c);
      if (this.ran.has(key) || state.executed?.includes(key)) continue;
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
            this.ran.add(key);
            continue;
        }
        this.ran.add(key);
        this.commandsRun.push(c.command);
        // Remembered at once: the run may not live to upload our record without it.
        state.executed = [...(state.executed ?? []), key];
        await this.d.state.saveClientsState(state);
        log.info('Ran a command from another device', { command: c.command });
      } catch (e) {
        // Keep it in our record: it will be tried again next sync.
        remaining.push(c);
        log.warn('A command from another device failed; it will be retried', { command: c.command, error: String(e) });
      }
    }
    return remaining;
  }
}

/** A command's identity: its flowID when the sender gave one, else its whole content. */
function commandKey(c: ClientCommand): string {
  return typeof c.flowID === 'string' && c.flowID !== '' ? `flow:${c.flowID}` : JSON.stringify({ command: c.command, args: c.args });
}
