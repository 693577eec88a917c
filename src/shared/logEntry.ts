export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export interface LogEntry {
  /** ms since epoch */
  time: number;
  level: LogLevel;
  /** Module that wrote it, e.g. "scheduler". */
  source: string;
  message: string;
  /** Already redacted structured details. */
  fields?: Record<string, unknown>;
}

/** One line of plain text per entry: what the options page shows and what "Copy log" copies. */
export function formatLogEntry(e: LogEntry): string {
  const fields = e.fields && Object.keys(e.fields).length > 0 ? ' ' + JSON.stringify(e.fields) : '';
  return `${new Date(e.time).toISOString()} ${e.level.toUpperCase().padEnd(5)} [${e.source}] ${e.message}${fields}`;
}
