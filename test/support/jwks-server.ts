// A JWKS endpoint over real HTTPS on 127.0.0.1 that a test can break on demand and whose requests it can count.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export type JwksMode = 'ok' | 'down' | 'html' | 'invalid-json' | 'empty' | 'hang';

export interface JwksServer {
  readonly url: string;
  /** Base URL, e.g. https://127.0.0.1:PORT (an issuer whose default JWKS URI is this server's). */
  readonly origin: string;
  keys: Array<Record<string, string>>;
  mode: JwksMode;
  /** Artificial delay before answering, in ms. */
  delayMs: number;
  readonly requests: string[];
  close(): Promise<void>;
}

export function tlsMaterial(): { key: string; cert: string } {
  const certFile = process.env.TEST_TLS_CERT_FILE;
  const keyFile = process.env.TEST_TLS_KEY_FILE;
  if (!certFile || !keyFile)
    throw new Error('TEST_TLS_CERT_FILE/TEST_TLS_KEY_FILE unset: is jest globalSetup running?');
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

export async function startJwksServer(keys: Array<Record<string, string>> = []): Promise<JwksServer> {
  let server: Server | undefined;
  const state = {
    keys,
    mode: 'ok' as JwksMode,
    delayMs: 0,
    requests: [] as string[],
  };
  server = createServer(tlsMaterial(), (req, res) => {
    state.requests.push(req.url ?? '');
    const answer = (): void => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      switch (state.mode) {
        case 'down':
          res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
          return;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in</body></html>');
          return;
        case 'invalid-json':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [');
          return;
        case 'empty':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": []}');
          return;
        case 'hang':
          return; // never answers; the client's timeout must fire
        default:
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ keys: state.keys }));
      }
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `https://127.0.0.1:${port}`;
  return Object.assign(state, {
    url: `${origin}/.well-known/jwks.json`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server?.closeAllConnections();
        server?.close(() => resolve());
        server = undefined;
      }),
  });
}
