// The Lambda entry point in fresh processes: configuration parsed once at init, one JWKS fetch per cold start,
// and an init that fails loudly, naming the variable, when configuration is bad.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { toRouteRules } from '../../lambda/routes';
import { claims, createKey, signToken } from '../support/keys';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { allMetrics, pointsOf } from '../support/emf';

const key = createKey('RS256');
let server: JwksServer;
beforeAll(async () => {
  server = await startJwksServer([key.jwk]);
});
afterAll(() => server.close());

// Asynchronous on purpose: the JWKS server runs in this process and must keep answering.
async function coldStart(env: Record<string, string>, tokens: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'cold-start.ts')], {
    env: {
      PATH: process.env.PATH,
      NODE_EXTRA_CA_CERTS: process.env.TEST_TLS_CERT_FILE,
      LOG_LEVEL: 'error',
      TOKENS: JSON.stringify(tokens),
      ...env,
    },
    timeout: 20_000,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const results = stderr
    .split('\n')
    .filter((l) => l.startsWith('RESULT '))
    .map((l) => JSON.parse(l.slice(7)) as Record<string, unknown>);
  const lines = stdout.split('\n').filter((l) => l !== '');
  return { status, stderr, results, lines };
}

const env = () => ({
  ISSUER: 'https://issuer.test',
  AUDIENCE: 'https://api.test',
  JWKS_URI: server.url,
  ROUTES: JSON.stringify(toRouteRules()),
});

test('a cold start fetches the JWKS exactly once, however many invocations follow', async () => {
  server.requests.length = 0;
  const tokens = Array.from({ length: 5 }, (_, i) => signToken(key, claims({ sub: `user-${i}` })));
  const { status, results } = await coldStart(env(), tokens);
  expect(status).toBe(0);
  expect(results).toEqual(tokens.map((_, i) => ({ ok: true, principalId: `user-${i}` })));
  expect(server.requests).toEqual(['/.well-known/jwks.json']);
});

test('each line says which invocation: request id, cold_start and trace id, and the first counts as ColdStart', async () => {
  const tokens = [signToken(key, claims({ sub: 'a' })), signToken(key, claims({ aud: 'other' }))];
  const { status, lines } = await coldStart({ ...env(), LOG_LEVEL: 'info' }, tokens);
  expect(status).toBe(0);
  const decisions = lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === 'authorization');
  expect(decisions.map((l) => [l.decision, l.function_request_id, l.cold_start, l.xray_trace_id])).toEqual([
    ['allow', 'request-0', true, '1-00000000-000000000000000000000000'],
    ['unauthorized', 'request-1', false, '1-00000000-000000000000000000000001'],
  ]);
  const metrics = allMetrics(lines);
  expect(
    pointsOf(metrics, 'ColdStart', { service: 'authorizer', function_name: 'bearer-gate-authorizer' }),
  ).toEqual([1]);
  expect(pointsOf(metrics, 'Allowed', { service: 'authorizer' })).toEqual([1]);
  expect(pointsOf(metrics, 'Unauthorized', { service: 'authorizer', reason: 'WRONG_AUDIENCE' })).toEqual([1]);
});

test('at LOG_LEVEL=silent no log line is written, and every decision still counts', async () => {
  const tokens = [signToken(key, claims()), signToken(key, claims({ aud: 'other' })), 'x.y.z'];
  const { status, lines } = await coldStart({ ...env(), LOG_LEVEL: 'silent' }, tokens);
  expect(status).toBe(0);
  expect(lines.filter((l) => 'message' in (JSON.parse(l) as object))).toEqual([]);
  const metrics = allMetrics(lines);
  expect(pointsOf(metrics, 'Allowed', { service: 'authorizer' })).toEqual([1]);
  expect(pointsOf(metrics, 'Unauthorized', { service: 'authorizer' })).toEqual([1, 1]);
  expect(pointsOf(metrics, 'JwksFetches', { service: 'authorizer' })).toEqual([1]);
});

test('USAGE_IDENTIFIER_CLAIM: the handler returns the claim as usageIdentifierKey, and none without it', async () => {
  const tokens = [
    signToken(key, claims({ sub: 'user-a', client_id: 'partner-1234567890abcdef' })),
    signToken(key, claims({ sub: 'user-b', client_id: undefined })),
  ];
  const { status, results } = await coldStart({ ...env(), USAGE_IDENTIFIER_CLAIM: 'client_id' }, tokens);
  expect(status).toBe(0);
  expect(results).toEqual([
    { ok: true, principalId: 'user-a', usageIdentifierKey: 'partner-1234567890abcdef' },
    { ok: true, principalId: 'user-b' },
  ]);
});

test('a bad token through the handler is exactly Error("Unauthorized")', async () => {
  const { results } = await coldStart(env(), [signToken(key, claims({ aud: 'other' }))]);
  expect(results).toEqual([{ ok: false, name: 'Error', message: 'Unauthorized' }]);
});

test.each([
  [{ AUDIENCE: '' }, 'AUDIENCE: is required with ISSUER'],
  [{ ROUTES: '{' }, 'ROUTES: must be valid JSON'],
  [{ JWKS_URI: 'http://127.0.0.1/jwks' }, 'JWKS_URI: must use https'],
  [
    { REVOCATION_TABLE: 'revocations' },
    'REVOCATION_TABLE: is set, but this bundle has no revocation check: deploy lambda/authorizer/revocable-handler.ts',
  ],
])('a bad configuration %p fails the init, naming the variable', async (overrides, message) => {
  const { status, stderr, results } = await coldStart({ ...env(), ...overrides }, [signToken(key, claims())]);
  expect(status).not.toBe(0);
  expect(stderr).toContain('ConfigError');
  expect(stderr).toContain(message);
  expect(results).toEqual([]);
});

describe('the revocable handler', () => {
  test('without REVOCATION_TABLE it authorizes exactly as the plain handler does', async () => {
    const token = signToken(key, claims({ sub: 'user-r' }));
    const { status, results } = await coldStart({ ...env(), HANDLER: 'revocable-handler' }, [token]);
    expect(status).toBe(0);
    expect(results).toEqual([{ ok: true, principalId: 'user-r' }]);
  });

  test('with REVOCATION_TABLE it checks the table: unreachable fails closed, not Unauthorized', async () => {
    // Port 1 on loopback: nothing listens. Dummy credentials: the SDK signs requests, no AWS account is used.
    const revocation = {
      HANDLER: 'revocable-handler',
      REVOCATION_TABLE: 'revocations',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:1',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    };
    const { status, results } = await coldStart({ ...env(), ...revocation }, [signToken(key, claims())]);
    expect(status).toBe(0);
    expect(results).toEqual([
      { ok: false, name: 'RevocationUnavailableError', message: expect.stringContaining('revocation') },
    ]);
  });
});
