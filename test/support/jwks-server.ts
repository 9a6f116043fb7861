// A JWKS endpoint over real HTTPS on 127.0.0.1 that a test can break on demand and whose requests it can count,
// with an OIDC discovery document (/.well-known/openid-configuration) that names it.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

export type JwksMode = 'ok' | 'down' | 'html' | 'invalid-json' | 'empty' | 'hang' | 'huge';

export interface DiscoveryDocument {
  /** @default the server's origin, so that an issuer equal to `origin` discovers this server */
  issuer?: string;
  /** @default the server's JWKS `url` */
  jwks_uri?: string;
}

export interface JwksServer {
  readonly url: string;
  /** Base URL, e.g. https://127.0.0.1:PORT (an issuer whose default JWKS URI is this server's). */
  readonly origin: string;
  keys: Array<Record<string, string>>;
  /** When set, the JWKS answers 200 with exactly this text instead of `{"keys": keys}` (mode 'ok' only). */
  jwksBody: string | undefined;
  mode: JwksMode;
  /** Artificial delay before answering, in ms. */
  delayMs: number;
  /** How /.well-known/openid-configuration answers, and what it says when it answers. */
  discoveryMode: JwksMode;
  discovery: DiscoveryDocument;
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

/** `tls`: the server's key and certificate; by default the one jest's workers trust (NODE_EXTRA_CA_CERTS). */
export async function startJwksServer(
  keys: Array<Record<string, string>> = [],
  tls: { key: string; cert: string } = tlsMaterial(),
): Promise<JwksServer> {
  let server: Server | undefined;
  let origin = '';
  const state = {
    keys,
    jwksBody: undefined as string | undefined,
    mode: 'ok' as JwksMode,
    delayMs: 0,
    requests: [] as string[],
    discoveryMode: 'ok' as JwksMode,
    discovery: {} as DiscoveryDocument,
  };
  server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    state.requests.push(req.url ?? '');
    const answer = (): void => {
      const discovery = req.url === '/.well-known/openid-configuration';
      if (req.url !== '/.well-known/jwks.json' && !discovery) {
        res.writeHead(404).end();
        return;
      }
      switch (discovery ? state.discoveryMode : state.mode) {
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
        case 'huge': {
          // Valid JSON of 200 KB. The JWKS declares its length (refused before the body is read); discovery
          // streams it chunked, so that only a cap on what arrives can stop it.
          const body = JSON.stringify({ keys: state.keys, padding: 'x'.repeat(200 * 1024) });
          res.writeHead(200, {
            'content-type': 'application/json',
            ...(discovery ? {} : { 'content-length': Buffer.byteLength(body) }),
          });
          res.end(body);
          return;
        }
        default:
          if (!discovery && state.jwksBody !== undefined) {
            res.writeHead(200, { 'content-type': 'application/json' }).end(state.jwksBody);
            return;
          }
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(
              JSON.stringify(
                discovery
                  ? { issuer: origin, jwks_uri: `${origin}/.well-known/jwks.json`, ...state.discovery }
                  : { keys: state.keys },
              ),
            );
      }
    };
    if (state.delayMs > 0) setTimeout(answer, state.delayMs);
    else answer();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `https://127.0.0.1:${port}`;
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
