// Minimal request/response model shared by every service of the local Sync stack.
// Requests are buffered whole: the stack serves tests and a demo, and buffering keeps
// body hashing (Hawk) and fault injection simple and exact.
import type { IncomingHttpHeaders } from 'node:http';

export interface ServerRequest {
  method: string;
  /** Full URL as the client addressed it (origin + path + query). */
  url: URL;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Request-target exactly as received on the wire (path + query), when the transport knows it. */
  rawTarget?: string;
}

export interface ServerResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Fault injection: write `partialBody` bytes (if any) then destroy the socket. */
  dropConnection?: boolean;
  /** With dropConnection: send the head and this many body bytes first; omitted = send nothing. */
  partialBody?: number;
  /** Fault injection: wait this long before writing the response. */
  delayMs?: number;
}

/** A service answers requests under its prefix, or returns null when the path is not its own. */
export type Handler = (req: ServerRequest) => Promise<ServerResponse | null>;

export function json(status: number, value: unknown, headers: Record<string, string> = {}): ServerResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(value),
  };
}
