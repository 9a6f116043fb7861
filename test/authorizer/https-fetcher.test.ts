// BoundedFetcher, the authorizer's default way to GET a JWKS or a discovery document: https only, one deadline,
// a cap on the body, one retry when the connection fails before any response. Real servers on 127.0.0.1.
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';
import { createKey } from '../support/keys';

const key = createKey('ES256');
let server: JwksServer;
const fetcher = (options: { timeoutMs?: number; maxBytes?: number } = {}) =>
  new BoundedFetcher({ timeoutMs: 300, ca: tlsMaterial().cert, ...options });
const text = (body: ArrayBuffer): string => Buffer.from(body).toString('utf8');

beforeAll(async () => {
  server = await startJwksServer([key.jwk]);
});
afterAll(() => server.close());
beforeEach(() => {
  server.mode = 'ok';
  server.discoveryMode = 'ok';
});

test('a 200 answer is the body', async () => {
  expect(JSON.parse(text(await fetcher().fetch(server.url)))).toEqual({ keys: [key.jwk] });
});

test.each<[string, () => void, string, { maxBytes?: number }]>([
  ['an error status', () => (server.mode = 'down'), 'status 503, expected 200', {}],
  [
    'a declared length over the cap, refused before the body',
    () => (server.mode = 'huge'),
    `response of ${Buffer.byteLength(JSON.stringify({ keys: [key.jwk], padding: 'x'.repeat(200 * 1024) }))} bytes, over the 131072-byte limit`,
    {},
  ],
  [
    'a chunked body over the cap',
    () => (server.discoveryMode = 'huge'),
    'response over the 131072-byte limit',
    {},
  ],
  [
    'a lower cap, on a body without a declared length',
    () => undefined,
    'response over the 100-byte limit',
    { maxBytes: 100 },
  ],
  ['no answer within the deadline', () => (server.mode = 'hang'), 'no complete response within 300 ms', {}],
])('%s', async (_name, breakIt, message, options) => {
  breakIt();
  const url =
    server.discoveryMode === 'huge' ? `${server.origin}/.well-known/openid-configuration` : server.url;
  await expect(fetcher(options).fetch(url)).rejects.toThrow(new Error(message));
});

test('plain http is refused without a request', async () => {
  await expect(fetcher().fetch('http://127.0.0.1:1/jwks')).rejects.toThrow(
    new Error('refusing http://127.0.0.1:1/jwks: https only'),
  );
});

test('a certificate nobody vouched for is refused', async () => {
  await expect(new BoundedFetcher({ timeoutMs: 300 }).fetch(server.url)).rejects.toThrow(
    'self-signed certificate',
  );
});

test('a connection that fails before any answer is retried once, then the error stands', async () => {
  let connections = 0;
  const sockets = new Set<Socket>();
  const resetting: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.resetAndDestroy();
  });
  await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = resetting.address() as AddressInfo;
    await expect(fetcher().fetch(`https://127.0.0.1:${port}/jwks`)).rejects.toThrow(
      /ECONNRESET|socket hang up/,
    );
    expect(connections).toBe(2);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => resetting.close(resolve));
  }
});

test('suspended mid-request (a Lambda frozen between invocations), the deadline counts only time awake', async () => {
  // The issuer answers after 200 ms; the process is stopped as soon as its request arrives and resumed two
  // seconds later. Its 300 ms deadline is then long overdue, though the answer has been waiting all along.
  server.delayMs = 200;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'fixtures', 'suspended-fetch.ts')],
    {
      env: { PATH: process.env.PATH, URL: server.url, CA_FILE: process.env.TEST_TLS_CERT_FILE },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const before = server.requests.length;
    while (server.requests.length === before) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, 2000));
    child.kill('SIGCONT');
    await exited;
    expect(JSON.parse(stdout)).toEqual({ ok: true, bytes: JSON.stringify({ keys: [key.jwk] }).length });
  } finally {
    server.delayMs = 0;
    child.kill();
  }
}, 20_000);
