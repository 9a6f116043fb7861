// The browser app's own origin: a node:http server on 127.0.0.1 that serves the page, the bundle and
// /app-config.json. It listens before the issuer and the gateway start, because both need its origin
// (the client's redirect URI, the API's CORS origin); it is told where they are once they run.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { AppConfig } from '../../web/src/app-config';
import { bundleApp, WEB_ROOT } from './bundle';

export interface AppServer {
  /** http://127.0.0.1:PORT — the SPA's origin. */
  readonly origin: string;
  /** Where the issuer and the API are; until this is called the page says it is not ready. */
  configure(config: AppConfig): void;
  close(): Promise<void>;
}

interface Asset {
  readonly type: string;
  readonly body: string;
}

/** The page's Content-Security-Policy: its own script only, and fetch() only to the issuer and the API. */
export function contentSecurityPolicy(config: AppConfig | undefined): string {
  const connect = config ? ` ${new URL(config.issuer).origin} ${new URL(config.api).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self'${connect}`,
    "img-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export async function startAppServer(port: number): Promise<AppServer> {
  const page = readFileSync(resolve(WEB_ROOT, 'index.html'), 'utf8');
  const assets: Record<string, Asset> = {
    '/app.js': { type: 'text/javascript; charset=utf-8', body: await bundleApp() },
    '/app.css': { type: 'text/css; charset=utf-8', body: readFileSync(resolve(WEB_ROOT, 'app.css'), 'utf8') },
  };
  let config: AppConfig | undefined;

  const send = (res: ServerResponse, status: number, type: string, body: string): void => {
    res.writeHead(status, {
      'Content-Type': type,
      'Cache-Control': 'no-store',
      'Content-Security-Policy': contentSecurityPolicy(config),
      'X-Content-Type-Options': 'nosniff',
      // The callback URL carries the authorization code: never send it on as a Referer.
      'Referrer-Policy': 'no-referrer',
    });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'text/plain', 'method not allowed\n');
    // The page itself, also at /callback where the provider sends the browser back with the code.
    if (path === '/' || path === '/callback') return send(res, 200, 'text/html; charset=utf-8', page);
    if (path === '/app-config.json') {
      return config
        ? send(res, 200, 'application/json', JSON.stringify(config))
        : send(res, 503, 'text/plain', 'the local stack is still starting\n');
    }
    // No icon: answer without a body rather than a 404 in the browser console.
    if (path === '/favicon.ico') return send(res, 204, 'text/plain', '');
    const asset = assets[path];
    if (asset) return send(res, 200, asset.type, asset.body);
    return send(res, 404, 'text/plain', 'not found\n');
  };

  const server = createServer(handle);
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolvePromise());
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    configure: (value) => {
      config = value;
    },
    close: () =>
      new Promise((resolvePromise, reject) => {
        server.close((error) => (error ? reject(error) : resolvePromise()));
        server.closeAllConnections();
      }),
  };
}
