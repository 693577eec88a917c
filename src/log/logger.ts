// The one logger. Modules get a named child (`logger.child('scheduler')`); every entry is redacted,
// printed to the console at or above the console level, and kept in IndexedDB for the options page.
// Writes are batched: a sync can log hundreds of lines and each IndexedDB transaction costs.
import { LOG_LEVELS, type LogEntry, type LogLevel } from '../shared/logEntry.ts';
import { redactString, redactValue } from './redact.ts';

export interface LogSink {
  append(entries: readonly LogEntry[]): Promise<void>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(source: string): Logger;
}

export interface LogHub {
  logger: Logger;
  /** Resolves when everything logged so far is in the sink. */
  flush(): Promise<void>;
  setSink(sink: LogSink | null): void;
}

const MAX_PENDING = 500;
const rank = (l: LogLevel): number => LOG_LEVELS.indexOf(l);

export function createLogHub(opts: {
  sink?: LogSink | null;
  storeLevel?: LogLevel;
  consoleLevel?: LogLevel;
  now?: () => number;
  console?: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> | null;
}): LogHub {
  let sink = opts.sink ?? null;
  const storeLevel = opts.storeLevel ?? 'info';
  const consoleLevel = opts.consoleLevel ?? 'info';
  const now = opts.now ?? Date.now;
  const out = opts.console === undefined ? console : opts.console;
  let pending: LogEntry[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let scheduled = false;

  const drain = (): Promise<void> => {
    scheduled = false;
    // Entries written before the sink exists (while the database opens) wait for it.
    if (!sink || pending.length === 0) return flushing;
    const batch = pending;
    pending = [];
    const target = sink;
    // Chain so batches land in order; a failing sink must not break logging.
    flushing = flushing.then(() => target.append(batch)).catch((e: unknown) => {
      out?.error('[syncbridge] could not store log entries', e);
    });
    return flushing;
  };

  const write = (level: LogLevel, source: string, message: string, fields?: Record<string, unknown>): void => {
    const entry: LogEntry = { time: now(), level, source, message: redactString(message) };
    if (fields && Object.keys(fields).length > 0) entry.fields = redactValue(fields) as Record<string, unknown>;
    if (out && rank(level) >= rank(consoleLevel)) {
      out[level](`[syncbridge:${source}] ${entry.message}`, entry.fields ?? '');
    }
    if (rank(level) >= rank(storeLevel)) {
      pending.push(entry);
      if (pending.length > MAX_PENDING) pending.splice(0, pending.length - MAX_PENDING);
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(() => void drain());
      }
    }
  };

  const make = (source: string): Logger => ({
    debug: (m, f) => write('debug', source, m, f),
    info: (m, f) => write('info', source, m, f),
    warn: (m, f) => write('warn', source, m, f),
    error: (m, f) => write('error', source, m, f),
    child: (s) => make(s),
  });

  return {
    logger: make('app'),
    flush: () => drain(),
    setSink(s) {
      sink = s;
      void drain();
    },
  };
}
