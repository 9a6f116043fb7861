// The native app's side of an RFC 8252 loopback redirect: an HTTP listener on 127.0.0.1 (a free port) that
// receives exactly one authorization response at /callback.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LocalStackError } from '../errors';

export interface LoopbackListener {
  /** http://127.0.0.1:PORT/callback */
  readonly redirectUri: string;
  /** Resolves with the full callback URL (code, state, iss or error). */
  waitForCallback(timeoutMs: number): Promise<URL>;
  close(): Promise<void>;
}

const DONE_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Signed in</title>' +
  '<p>The login finished. You can close this window and return to the terminal.</p></html>';

export async function startLoopbackListener(): Promise<LoopbackListener> {
  let deliver: (url: URL) => void = () => undefined;
  const received = new Promise<URL>((resolve) => {
    deliver = resolve;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(DONE_PAGE);
    deliver(new URL(`${redirectUri}${url.search}`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  return {
    redirectUri,
    waitForCallback: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new LocalStackError('LOGIN_FAILED', `no authorization response within ${timeoutMs / 1000} s`),
            ),
          timeoutMs,
        );
      });
      return Promise.race([received, timeout]).finally(() => clearTimeout(timer));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
