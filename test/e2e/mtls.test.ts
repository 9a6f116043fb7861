// Certificate-bound tokens (RFC 8705) end to end on 127.0.0.1: `MTLS=1 npm start` as a child process (the
// gateway as a custom domain with mutual TLS, its truststore a throwaway client CA), certificate-bound tokens
// from the REAL local issuer (oidc-provider, the certificate presented on the token request) through
// `npm run login -- --mtls`, and `npm run call -- --cert --key`. Nothing is mocked. The thumbprint oracle
// here hashes the DER it decodes from the PEM text itself (RFC 7468), independently of the issuer and the
// authorizer. The gateway that does not require a certificate (an API's execute-api endpoint) is the
// same local gateway in this process, running the same authorizer against the same issuer.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { request } from 'node:https';
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { createLogger, setLogSink } from 'bearer-gate/authorizer';
import { generate } from 'selfsigned';
import { createLocalAuthorizer } from '../../local/authorizer-wiring';
import { appGatewayResponses, toGatewayResponseSet } from '../../local/construct-contract';
import { createGateway, type Gateway } from '../../local/gateway';
import { runCall, runLogin, startStack, type LoginRun, type StackProcess } from './stack-process';
import { payloadOf } from '../support/keys';

jest.setTimeout(60_000);

interface BoundLogin {
  readonly run: LoginRun;
  readonly token: string;
  readonly certFile: string;
  readonly keyFile: string;
}

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

let stack: StackProcess;
let alice: BoundLogin;
let bob: BoundLogin;

/** RFC 8705 §3.1 from the PEM text: base64url(SHA-256(DER)). */
function x5tOf(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '';
  return createHash('sha256')
    .update(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
    .digest('base64url');
}

async function login(user: string): Promise<BoundLogin> {
  const run = await runLogin(stack, ['--user', user, '--headless', '--mtls']);
  if (run.code !== 0) throw new Error(`login --mtls as ${user} failed (${run.code}): ${run.stderr}`);
  const certFile = /^ {2}client certificate: (\S+)$/m.exec(run.stderr)?.[1];
  const keyFile = /^ {2}private key: +(\S+) \(mode 0600\)$/m.exec(run.stderr)?.[1];
  if (certFile === undefined || keyFile === undefined) throw new Error(`no files named in: ${run.stderr}`);
  return { run, token: run.stdout.trim(), certFile, keyFile };
}

const certificateOf = (who: BoundLogin) => ({
  cert: readFileSync(who.certFile, 'utf8'),
  key: readFileSync(who.keyFile, 'utf8'),
});

/** One request on a fresh TLS connection (no pooling: each case presents its own certificate or none). */
function call(
  path: string,
  token: string | null,
  client: { cert: string; key: string } | null,
): Promise<Answer | { error: string | undefined }> {
  return new Promise((resolve) => {
    const req = request(
      `${stack.info.api}${path}`,
      {
        headers: token === null ? {} : { Authorization: `Bearer ${token}` },
        ca: stack.info.apiCertificate ?? undefined,
        agent: false,
        ...(client ?? {}),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    req.end();
  });
}

/** The stack's 401: the app's gateway response, with the metadata URL (which holds the gateway's port). */
function unauthorized(api: string) {
  return gatewayResponse(
    'UNAUTHORIZED',
    appGatewayResponses('*', { resourceMetadataUrl: protectedResourceMetadataUrl(api) }),
  );
}

function expectUnauthorized(answer: Answer | { error: string | undefined }, api: string): void {
  const expected = unauthorized(api);
  expect(answer).toMatchObject({ status: 401, body: gatewayResponseBody(expected) });
  expect((answer as Answer).headers['www-authenticate']).toBe(expected.headers['WWW-Authenticate']);
}

/** The reason codes of the authorizer's refusals in the stack's output, in order. */
function refusalReasons(): string[] {
  return stack
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"message":"authorization"'))
    .map((line) => JSON.parse(line) as { reason?: string })
    .flatMap((line) => (line.reason === undefined ? [] : [line.reason]));
}

async function stats(): Promise<{ authorizerInvocations: number; integrationInvocations: number }> {
  const answer = await call('/__local/stats', null, certificateOf(alice));
  if (!('status' in answer)) throw new Error(`stats failed: ${answer.error}`);
  return JSON.parse(answer.body) as never;
}

beforeAll(async () => {
  stack = await startStack({ MTLS: '1', GATEWAY_STATS: '1', ITEMS_TABLE: 'items-e2e-mtls' });
  alice = await login('alice');
  bob = await login('bob');
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
  // The logins' temporary directories: the certificates and keys they wrote.
  for (const who of [alice, bob]) if (who) rmSync(dirname(who.certFile), { recursive: true, force: true });
});

test('npm start with MTLS=1 serves the API over https and names the issuer client and the truststore CA', () => {
  expect(stack.info.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  expect(stack.output()).toContain(
    'authorizer: REQUEST, not cached (MTLS=1: a cached policy would answer another proof or certificate)',
  );
  expect(stack.info.mtls).toMatchObject({ clientId: 'local-cli-mtls' });
  expect(stack.info.apiCertificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
});

test('login --mtls: a token bound to the certificate it wrote (cnf x5t#S256), its key file mode 0600', () => {
  for (const who of [alice, bob]) {
    expect(statSync(who.keyFile).mode & 0o777).toBe(0o600);
    expect(payloadOf(who.token)).toMatchObject({
      client_id: 'local-cli-mtls',
      cnf: { 'x5t#S256': x5tOf(readFileSync(who.certFile, 'utf8')) },
    });
    expect(Object.keys(payloadOf(who.token).cnf as object)).toEqual(['x5t#S256']);
    expect(who.run.stdout).toBe(`${who.token}\n`);
    expect(who.run.stderr).toContain(
      `TOKEN=<the token> npm run call -- --cert ${who.certFile} --key ${who.keyFile} GET /items`,
    );
  }
  expect(payloadOf(alice.token)).toMatchObject({ sub: 'alice' });
  expect(x5tOf(readFileSync(alice.certFile, 'utf8'))).not.toBe(x5tOf(readFileSync(bob.certFile, 'utf8')));
});

test('npm run call -- --cert --key: the token with its certificate → 200', async () => {
  const run = await runCall(stack, alice.token, [
    '--cert',
    alice.certFile,
    '--key',
    alice.keyFile,
    'GET',
    '/items',
  ]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: 'HTTP 200\n' });
  expect(JSON.parse(run.stdout)).toEqual({ items: expect.any(Array) });
});

test('the token with the right certificate → 200; with another valid one → 401 (MTLS_CERTIFICATE_MISMATCH)', async () => {
  expect(await call('/items', alice.token, certificateOf(alice))).toMatchObject({ status: 200 });
  // bob's certificate comes from the same CA: the gateway accepts the connection, the authorizer refuses.
  expectUnauthorized(await call('/items', alice.token, certificateOf(bob)), stack.info.api);
  expect(refusalReasons().at(-1)).toBe('MTLS_CERTIFICATE_MISMATCH');
  expectUnauthorized(await call('/items', bob.token, certificateOf(alice)), stack.info.api);
  expect(refusalReasons().at(-1)).toBe('MTLS_CERTIFICATE_MISMATCH');
  expect(await call('/items', bob.token, certificateOf(bob))).toMatchObject({ status: 200 });
});

test('the protected-resource metadata says certificate-bound tokens are supported (RFC 9728 §2)', async () => {
  const answer = await call('/.well-known/oauth-protected-resource', null, certificateOf(alice));
  expect(answer).toMatchObject({ status: 200 });
  const document = JSON.parse((answer as Answer).body) as Record<string, unknown>;
  expect(document.tls_client_certificate_bound_access_tokens).toBe(true);
  expect(document.resource).toBe(stack.info.api);
});

test('npm run call reports the refusal: exit 22, HTTP 401 and the challenge on stderr', async () => {
  const run = await runCall(stack, alice.token, [
    '--cert',
    bob.certFile,
    '--key',
    bob.keyFile,
    'GET',
    '/items',
  ]);
  const expected = unauthorized(stack.info.api);
  expect({ code: run.code, stderr: run.stderr, stdout: run.stdout }).toEqual({
    code: 22,
    stderr: `HTTP 401\nWWW-Authenticate: ${expected.headers['WWW-Authenticate']}\n`,
    stdout: gatewayResponseBody(expected) + '\n',
  });
  expect(refusalReasons().at(-1)).toBe('MTLS_CERTIFICATE_MISMATCH');
});

test.each<[string, () => Promise<{ cert: string; key: string } | null>, Answer['status'] | 'ECONNRESET']>([
  ['without a client certificate the connection is closed', async () => null, 'ECONNRESET'],
  [
    'a certificate from a CA outside the truststore is answered 403',
    async () => {
      const strangerCa = await generate([{ name: 'commonName', value: 'mtls e2e stranger CA' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        extensions: [{ name: 'basicConstraints', cA: true, critical: true }],
      });
      const stranger = await generate([{ name: 'commonName', value: 'stranger' }], {
        keyType: 'ec',
        algorithm: 'sha256',
        ca: { key: strangerCa.private, cert: strangerCa.cert },
        extensions: [{ name: 'extKeyUsage', clientAuth: true }],
      });
      return { cert: stranger.cert, key: stranger.private };
    },
    403,
  ],
])('%s, before the authorizer', async (_name, client, outcome) => {
  const before = await stats();
  const answer = await call('/items', alice.token, await client());
  if (outcome === 'ECONNRESET') expect(answer).toEqual({ error: 'ECONNRESET' });
  else expect(answer).toMatchObject({ status: outcome, body: '{"message":"Forbidden"}' });
  expect(await stats()).toMatchObject({
    authorizerInvocations: before.authorizerInvocations,
    integrationInvocations: before.integrationInvocations,
  });
});

describe('a gateway that does not require a certificate (like an execute-api endpoint left on)', () => {
  let plain: Gateway;
  let plainUrl: string;
  const lines: Record<string, unknown>[] = [];
  let restoreSink: () => void;

  beforeAll(async () => {
    restoreSink = setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const { issuer, audience, issuerCertificate } = stack.info;
    plain = createGateway({
      routes: [
        {
          id: 'Items',
          method: 'GET',
          path: '/items',
          handler: (async () => ({ statusCode: 200, body: '{}' })) as never,
        },
      ],
      authorizerType: 'REQUEST',
      authorizer: createLocalAuthorizer(
        { LOG_LEVEL: 'info' },
        {
          issuer,
          audience,
          jwksUri: `${issuer}/.well-known/jwks.json`,
          certificate: issuerCertificate ?? '',
        },
      ),
      cacheTtlSeconds: 0,
      logger: createLogger('local-gateway', 'silent'),
    });
    plainUrl = await plain.listen(0);
    plain.useResponses(
      toGatewayResponseSet(
        appGatewayResponses('*', { resourceMetadataUrl: protectedResourceMetadataUrl(plainUrl) }),
      ),
    );
  });
  afterAll(async () => {
    await plain.close();
    restoreSink();
  });

  test('the same certificate-bound token over plain http → 401 (MTLS_MISSING_CERTIFICATE)', async () => {
    const res = await fetch(`${plainUrl}/items`, { headers: { Authorization: `Bearer ${alice.token}` } });
    const expected = unauthorized(plainUrl);
    expect({ status: res.status, body: await res.text() }).toEqual({
      status: 401,
      body: gatewayResponseBody(expected),
    });
    expect(res.headers.get('www-authenticate')).toBe(expected.headers['WWW-Authenticate']);
    expect(lines.filter((line) => line.message === 'authorization').map((line) => line.reason)).toEqual([
      'MTLS_MISSING_CERTIFICATE',
    ]);
  });
});
