// Structured access log. Quiet unless a hook is given (main.ts passes a console printer with
// --verbose); tests can pass a collector to assert on traffic.
export interface AccessLogEntry {
  time: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  requestBytes: number;
  responseBytes: number;
  /** Set when a fault dropped the connection. */
  dropped?: boolean;
}

export type AccessLogHook = (entry: AccessLogEntry) => void;

export function consoleAccessLog(entry: AccessLogEntry): void {
  const drop = entry.dropped ? ' (dropped)' : '';
  process.stdout.write(`${entry.time} ${entry.method} ${entry.path} ${entry.status} ${entry.ms}ms${drop}\n`);
}
