// One handler per request type. The mapped type makes a missing or mistyped handler a compile error.
import type { LogStore } from '../log/logStore.ts';
import type { SettingsStore } from '../db/settingsStore.ts';
import type { Scheduler } from '../sync/scheduler.ts';
import type { Request, RequestType, ResponseMap } from '../shared/messages.ts';

export type Handlers = {
  [K in RequestType]: (req: Extract<Request, { type: K }>) => Promise<ResponseMap[K]>;
};

export interface HandlerDeps {
  scheduler: Scheduler;
  settings: SettingsStore;
  logs: LogStore;
  /** Flushes pending log lines so getLogs sees everything logged so far. */
  flushLogs: () => Promise<void>;
}

export function createHandlers(d: HandlerDeps): Handlers {
  return {
    getStatus: () => d.scheduler.statusView(),
    syncNow: () => d.scheduler.requestSync('manual'),
    getSettings: () => d.settings.get(),
    updateSettings: async (req) => {
      const next = await d.settings.update(req.patch);
      await d.scheduler.ensurePeriodicAlarm();
      return next;
    },
    getLogs: async (req) => {
      await d.flushLogs();
      return d.logs.recent(Math.min(Math.max(req.limit ?? 500, 1), 2000));
    },
    clearLogs: async () => {
      await d.flushLogs();
      return { cleared: await d.logs.clear() };
    },
  };
}

/** Runs the handler for a request; failures become `{ ok: false }` with a message for the page. */
export async function dispatch(handlers: Handlers, req: Request): Promise<import('../shared/messages.ts').Reply<unknown>> {
  try {
    // The union is narrowed per key by the Handlers type; TypeScript cannot correlate it here.
    const handler = handlers[req.type] as (r: Request) => Promise<unknown>;
    return { ok: true, value: await handler(req) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
