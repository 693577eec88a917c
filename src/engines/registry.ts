// The one list of engines, in the order they sync (clients first, as Firefox). meta/global setup,
// the person's on/off switches, the wipeEngine/resetEngine commands and the status line all read it.
// Adding an engine: a folder under engines/ that exports its descriptor and a factory, and one line here.
import type { EngineDescriptor, SyncEngine } from '../sync/engine/contract.ts';
import type { EngineRuntime } from './runtime.ts';
import { CLIENTS_ENGINE, ClientsEngine, type ClientsStatePort } from './clients/engine.ts';
import { BOOKMARKS_ENGINE, BookmarksEngine, type BookmarksEngineDeps } from './bookmarks/engine.ts';
import { HISTORY_ENGINE, HistoryEngine, type HistoryEngineDeps } from './history/engine.ts';
import { TABS_ENGINE, TabsEngine, type TabsEngineDeps } from './tabs/engine.ts';

interface RegistryEntry<W> {
  descriptor: EngineDescriptor;
  /** Builds the engine for one run; null where this browser cannot run it. Absent: an account-level choice only, no engine here yet. */
  create?: (runtime: EngineRuntime, wiring: W) => SyncEngine | null;
}

/** What the background (or a test) gives each engine of this browser. */
export interface EngineWiring {
  clients: ClientsStatePort;
  /** Absent where bookmarks cannot sync. */
  bookmarks?: Omit<BookmarksEngineDeps, 'log' | 'now'>;
  /** Absent where history cannot sync. */
  history?: Omit<HistoryEngineDeps, 'log' | 'now'>;
  /** Absent where tabs cannot sync. */
  tabs?: Omit<TabsEngineDeps, 'log' | 'now' | 'ourClient'>;
}

const entry = <W>(e: RegistryEntry<W>): RegistryEntry<W> => e;

const REGISTRY: ReadonlyArray<RegistryEntry<EngineWiring>> = [
  entry({ descriptor: CLIENTS_ENGINE, create: (rt, w) => new ClientsEngine({ state: w.clients, describe: rt.describeClient, commands: rt.commands, log: rt.log, now: rt.now }) }),
  entry({ descriptor: BOOKMARKS_ENGINE, create: (rt, w) => (w.bookmarks ? new BookmarksEngine({ ...w.bookmarks, log: rt.log, now: rt.now }) : null) }),
  entry({ descriptor: HISTORY_ENGINE, create: (rt, w) => (w.history ? new HistoryEngine({ ...w.history, log: rt.log, now: rt.now }) : null) }),
  entry({
    descriptor: TABS_ENGINE,
    create: (rt, w) => (w.tabs ? new TabsEngine({
      ...w.tabs, log: rt.log, now: rt.now,
      // Our tabs record shares our clients record's id, or Firefox drops it.
      ourClient: async () => {
        const info = await rt.describeClient((await w.clients.loadClientsState()).clientId);
        return { id: info.id, name: info.name };
      },
    }) : null),
  }),
];

/** Every engine this client knows, in sync order. */
export const ENGINE_DESCRIPTORS: readonly EngineDescriptor[] = REGISTRY.map((e) => e.descriptor);

/** The engines a person can switch on and off, with their labels. */
export const SWITCHABLE_ENGINES: ReadonlyArray<{ name: string; label: string }> = ENGINE_DESCRIPTORS
  .filter((d): d is EngineDescriptor & { label: string } => d.label !== undefined)
  .map((d) => ({ name: d.name, label: d.label }));

/** What the account-level sync is handed: the engine list and a way to build this browser's engines for a run. */
export interface EngineSet {
  descriptors: readonly EngineDescriptor[];
  create(runtime: EngineRuntime): SyncEngine[];
}

export function engineSet(wiring: EngineWiring): EngineSet {
  return {
    descriptors: ENGINE_DESCRIPTORS,
    create: (runtime) => REGISTRY.flatMap((e) => {
      const engine = e.create?.(runtime, wiring);
      return engine ? [engine] : [];
    }),
  };
}
