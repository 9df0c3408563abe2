// The HTTP server of `ume-studio dashboard`: the dashboard page and its assets on 127.0.0.1 only,
// the run data as server-sent events (one `init`, then only what is new), and a step's completions,
// a generation log or molecule drawings on request (POST /api/request). Requests whose Host header is not this server's own address are
// refused (a web page elsewhere cannot reach it through DNS rebinding), every response carries a
// strict CSP, and only a fixed list of files can be fetched (no paths from the URL reach the disk).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { DashboardSource } from './source';
import type { DashboardBoot, DashboardStreamEvent, HostMessage } from '../protocol/dashboard';
import { answerDashboardRequest } from './answer';
import { dashboardCsp, dashboardHtml, newNonce } from './html';
import { WEBVIEW_FILES, type DashboardAssets } from './assets';
import { packInit } from './metrics-pack';

export interface DashboardServerOptions {
  source: DashboardSource;
  assets: DashboardAssets;
  /** 0: any free port. */
  port: number;
  title?: string;
  /** Send a comment this often so proxies and browsers keep the event stream open (ms). */
  heartbeatMs?: number;
}

export interface DashboardServer {
  url: string;
  port: number;
  /** Bytes of each `update` event sent to one client (the bench reads it). */
  updateBytes: number[];
  /** Open event streams. */
  clients(): number;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1 << 20;
/** How long an event stream's init waits to be fetched (ms). */
const INIT_TTL_MS = 60_000;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

export async function startDashboardServer(o: DashboardServerOptions): Promise<DashboardServer> {
  const updateBytes: number[] = [];
  const streams = new Set<ServerResponse>();
  /** Each event stream's init, until its page fetches it (once). */
  const inits = new Map<string, Extract<HostMessage, { type: 'init' }>>();
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const files: Record<string, { path: string; type: string } | undefined> = {
    [`/assets/${WEBVIEW_FILES.script}`]: { path: join(o.assets.webviewDir, WEBVIEW_FILES.script), type: 'text/javascript; charset=utf-8' },
    [`/assets/${WEBVIEW_FILES.style}`]: { path: join(o.assets.webviewDir, WEBVIEW_FILES.style), type: 'text/css; charset=utf-8' },
  };

  const send = (res: ServerResponse, status: number, type: string, body: string | Buffer): void => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const page = (res: ServerResponse): void => {
    const nonce = newNonce();
    const csp = dashboardCsp({ nonce, origin: "'self'" });
    const boot: DashboardBoot = { host: 'browser', molecules: true, title: o.title ?? 'UME Studio dashboard' };
    const html = dashboardHtml({ nonce, csp, boot, title: boot.title!, style: { href: `/assets/${WEBVIEW_FILES.style}` }, script: { src: `/assets/${WEBVIEW_FILES.script}` } });
    res.setHeader('content-security-policy', csp);
    send(res, 200, 'text/html; charset=utf-8', html);
  };

  const events = (req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    const write = (m: DashboardStreamEvent): number => {
      const text = `data: ${JSON.stringify(m)}\n\n`;
      res.write(text);
      return Buffer.byteLength(text);
    };
    const conn = o.source.connect('browser', (m) => {
      const n = write(m);
      if (m.type === 'update') updateBytes.push(n);
    });
    // The init carries the whole history: the page fetches it (DashboardStreamEvent), packed as typed columns (metrics-pack.ts).
    const token = newNonce();
    inits.set(token, packInit(conn.init));
    const expire = setTimeout(() => inits.delete(token), INIT_TTL_MS);
    expire.unref();
    write({ type: 'initAt', url: `/api/init/${token}` });
    streams.add(res);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), o.heartbeatMs ?? 15_000);
    beat.unref();
    req.on('close', () => {
      clearInterval(beat);
      clearTimeout(expire);
      inits.delete(token);
      conn.close();
      streams.delete(res);
    });
  };

  const api = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      void (async () => {
        let body: unknown;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return send(res, 400, 'application/json; charset=utf-8', JSON.stringify({ error: 'the request body is not JSON' }));
        }
        const a = await answerDashboardRequest(o.source, body);
        if ('result' in a) send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ result: a.result }));
        else send(res, a.bad ? 400 : 404, 'application/json; charset=utf-8', JSON.stringify({ error: a.error }));
      })();
    });
  };

  /** Requests for data must come from this page: a same-origin Origin (or none) and fetch metadata that agrees. */
  const sameOrigin = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedHosts().has(origin.replace(/^http:\/\//, '').toLowerCase())) return false;
    const site = req.headers['sec-fetch-site'];
    return site === undefined || site === 'same-origin' || site === 'none';
  };

  const server: Server = createServer((req, res) => {
    const host = req.headers.host ?? '';
    if (!allowedHosts().has(host.toLowerCase())) {
      return send(res, 421, 'text/plain; charset=utf-8', `This dashboard answers only at http://127.0.0.1:${port}/ (the request named host "${host.slice(0, 100)}").\n`);
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/') && !sameOrigin(req)) return send(res, 403, 'text/plain; charset=utf-8', 'The dashboard data is only for its own page.\n');
    if (url.pathname === '/api/request' && req.method === 'POST') return api(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'Only GET (and POST /api/request) are served here.\n');
    if (url.pathname === '/' || url.pathname === '/index.html') return page(res);
    if (url.pathname === '/api/events') return events(req, res);
    if (url.pathname.startsWith('/api/init/')) {
      const token = url.pathname.slice('/api/init/'.length);
      const init = inits.get(token);
      if (!init) return send(res, 404, 'text/plain; charset=utf-8', 'This init was fetched already, or its event stream closed; the page reconnects for a new one.\n');
      inits.delete(token);
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify(init));
    }
    if (url.pathname === '/favicon.ico') return send(res, 204, 'text/plain', '');
    const f = files[url.pathname];
    if (!f) return send(res, 404, 'text/plain; charset=utf-8', 'Not found.\n');
    let size: number;
    try {
      size = statSync(f.path).size;
    } catch {
      return send(res, 404, 'text/plain; charset=utf-8', `${url.pathname} is missing on the server; rebuild with npm run build.\n`);
    }
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': f.type, 'content-length': size, 'cache-control': 'max-age=3600' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(f.path).pipe(res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    updateBytes,
    clients: () => streams.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
