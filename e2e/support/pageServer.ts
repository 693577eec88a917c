// A tiny web site on 127.0.0.1 for history and tabs tests: each path is a page with its own <title> and,
// optionally, links to other paths. Every request is recorded, so a test can tell which pages a
// browser really loaded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SitePage {
  title: string;
  /** Paths this page links to; each link's id is "to-" + the path without its slash. */
  links?: string[];
  /** The page names `/icon.png` (a 16×16 PNG the server always serves) as its favicon. */
  icon?: boolean;
}

/** The favicon pages with `icon: true` name. */
export const ICON_PATH = '/icon.png';
const ICON_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGNQSDhAEmIY1TCqYfhqAAB/t0AQz57WYAAAAABJRU5ErkJggg==', 'base64');

export interface PageServer {
  origin: string;
  url(path: string): string;
  /** Paths requested so far, in order. */
  requested: string[];
  close(): Promise<void>;
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export async function startPageServer(pages: Record<string, SitePage>): Promise<PageServer> {
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requested.push(path);
    if (path === ICON_PATH) {
      res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(ICON_PNG);
      return;
    }
    const page = pages[path];
    if (!page) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const links = (page.links ?? []).map((to) => `<a id="to-${escape(to.slice(1))}" href="${escape(to)}">${escape(pages[to]?.title ?? to)}</a>`).join('\n');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escape(page.title)}</title>${page.icon ? `<link rel="icon" type="image/png" href="${ICON_PATH}">` : ''}</head><body><h1>${escape(page.title)}</h1>${links}</body></html>`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (path) => origin + path,
    requested,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
