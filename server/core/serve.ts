// node:http plumbing for the local stack: buffer the body (capped → 413), build a ServerRequest,
// run the dispatcher, write the ServerResponse (with fault-injection delays and dropped
// connections), and report to the access log hook.
import { createServer, type IncomingMessage, type Server, type ServerResponse as NodeResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Handler, ServerRequest, ServerResponse } from './http.ts';
import { json } from './http.ts';
import type { AccessLogHook } from './accessLog.ts';

export type Dispatch = (req: ServerRequest) => Promise<ServerResponse>;

/** Larger than syncstorage's max_request_bytes (2,625,536) so storage can apply its own limit. */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface ServeOptions {
  host: string;
  port: number;
  dispatch: Dispatch;
  maxBodyBytes?: number;
  log?: AccessLogHook;
}

export interface RunningHttpServer {
  server: Server;
  origin: string;
  close(): Promise<void>;
}

/** Tries each handler in order; the first non-null answer wins, otherwise a JSON 404. */
export function dispatchTo(handlers: readonly Handler[]): Dispatch {
  return async (req) => {
    for (const handler of handlers) {
      const res = await handler(req);
      if (res) return res;
    }
    return json(404, { code: 404, error: 'Not Found', message: `No route for ${req.method} ${req.url.pathname}` });
  };
}

function originFor(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > cap) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > cap) {
        over = true;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => (over ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function toBuffer(body: string | Buffer | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function writeResponse(nodeReq: IncomingMessage, nodeRes: NodeResponse, res: ServerResponse): Promise<number> {
  if (res.delayMs && res.delayMs > 0) await sleep(res.delayMs);
  const body = toBuffer(res.body);
  const headers: Record<string, string> = { ...(res.headers ?? {}) };
  headers['content-length'] = String(body.length);
  if (res.dropConnection) {
    if (res.partialBody === undefined) {
      nodeReq.socket.destroy();
      return 0;
    }
    const part = body.subarray(0, Math.max(0, Math.min(res.partialBody, body.length)));
    nodeRes.writeHead(res.status, headers);
    // flushHeaders + write, then kill the socket once the bytes are handed to the kernel.
    nodeRes.write(part, () => nodeReq.socket.destroy());
    return part.length;
  }
  nodeRes.writeHead(res.status, headers);
  nodeRes.end(body);
  return body.length;
}

export function serve(opts: ServeOptions): Promise<RunningHttpServer> {
  const cap = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const server = createServer((nodeReq, nodeRes) => {
    const started = Date.now();
    const rawTarget = nodeReq.url ?? '/';
    const address = server.address() as AddressInfo;
    const hostHeader = nodeReq.headers.host ?? `${opts.host}:${address.port}`;
    let url: URL;
    try {
      url = new URL(rawTarget, `http://${hostHeader}`);
    } catch {
      url = new URL('/', `http://${opts.host}:${address.port}`);
    }
    const finish = (status: number, requestBytes: number, responseBytes: number, dropped: boolean): void => {
      opts.log?.({
        time: new Date(started).toISOString(),
        method: nodeReq.method ?? 'GET',
        path: rawTarget,
        status,
        ms: Date.now() - started,
        requestBytes,
        responseBytes,
        ...(dropped ? { dropped } : {}),
      });
    };
    readBody(nodeReq, cap).then(
      async (body) => {
        const req: ServerRequest = { method: (nodeReq.method ?? 'GET').toUpperCase(), url, headers: nodeReq.headers, body, rawTarget };
        let res: ServerResponse;
        try {
          res = await opts.dispatch(req);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          res = json(500, { code: 500, error: 'Internal Server Error', message });
        }
        const sent = await writeResponse(nodeReq, nodeRes, res);
        finish(res.status, body.length, sent, res.dropConnection === true);
      },
      (err: unknown) => {
        const tooLarge = err instanceof BodyTooLarge;
        const status = tooLarge ? 413 : 400;
        const payload = JSON.stringify({ code: status, error: tooLarge ? 'Request Entity Too Large' : 'Bad Request' });
        nodeRes.writeHead(status, { 'content-type': 'application/json', connection: 'close', 'content-length': String(Buffer.byteLength(payload)) });
        nodeRes.end(payload);
        finish(status, 0, payload.length, false);
      },
    );
  });
  // Keep-alive sockets would hold close() open; the stack is local, so end them promptly.
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        origin: originFor(opts.host, port),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
