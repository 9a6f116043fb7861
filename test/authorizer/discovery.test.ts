// OIDC discovery for an issuer trusted without a JWKS URI: the openid-configuration is read once per cold
// start, must name exactly the configured issuer, and is size-capped and time-bounded; a seed that recorded the
// issuer's JWKS URI makes it unnecessary at cold start. The issuer is a real HTTPS server on 127.0.0.1.
import {
  JwksUnavailableError,
  createAuthorizer,
  parseConfig,
  type Authorizer,
  type ConfigFiles,
} from '../../lambda/authorizer';
import type { DiscoveryError } from '../../lambda/authorizer/discovery';
import { jwksUriFromConfiguration, openIdConfigurationUri } from '../../lambda/authorizer/discovery';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { toRouteRules } from '../../lambda/routes';
import { setLogSink } from '../../lambda/authorizer/log';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { lastDecision, tokenEvent } from './harness';

const keys = { rsa: createKey('RS256'), ec: createKey('ES256') };
let server: JwksServer;
const logs: string[] = [];
let restore: () => void;
const fetcher = new BoundedFetcher({ timeoutMs: 300, ca: tlsMaterial().cert });
const made: Authorizer[] = [];

beforeAll(async () => {
  server = await startJwksServer([keys.rsa.jwk, keys.ec.jwk]);
  restore = setLogSink((line) => logs.push(line));
});
afterAll(async () => {
  restore();
  await server.close();
});
beforeEach(() => {
  logs.length = 0;
  server.requests.length = 0;
  server.mode = 'ok';
  server.discoveryMode = 'ok';
  server.discovery = {};
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.jwksCache.stop()));
});

const DISCOVERY = '/.well-known/openid-configuration';
const JWKS = '/.well-known/jwks.json';

/**
 * Trusts the server's origin as the issuer, with no JWKS_URI: the authorizer must discover it. A failed
 * discovery is not retried for a minute (production: 1 s), so that a test sees exactly one attempt.
 */
function authorizer(
  env: Record<string, string> = {},
  files?: Record<string, string>,
  failureBackoffMs = 60_000,
): Authorizer {
  const config = parseConfig(
    { ISSUER: server.origin, AUDIENCE: 'https://api.test', ROUTES: JSON.stringify(toRouteRules()), ...env },
    files === undefined ? undefined : ({ read: (path) => files[path] as string } satisfies ConfigFiles),
  );
  const created = createAuthorizer(config, { fetcher, jwksFailureBackoffMs: failureBackoffMs });
  made.push(created);
  return created;
}

const bearer = (key: TestKey) =>
  tokenEvent(`Bearer ${signToken(key, claims({ iss: server.origin, aud: 'https://api.test' }))}`);

function lines(message: string): Array<Record<string, unknown>> {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === message);
}

test('a discovery that answers: its jwks_uri is fetched, once per cold start', async () => {
  const a = authorizer();
  const results = await Promise.all([1, 2, 3].map(() => a.authorize(bearer(keys.rsa))));
  expect(results.map((r) => r.principalId)).toEqual(['user-1', 'user-1', 'user-1']);
  expect((await a.authorize(bearer(keys.ec))).principalId).toBe('user-1');
  expect(server.requests).toEqual([DISCOVERY, JWKS]);
  expect(lines('oidc discovery')).toEqual([
    expect.objectContaining({ level: 'info', issuer: server.origin, jwksUri: server.url }),
  ]);
});

test('an ISSUERS entry without jwksUri is discovered the same way', async () => {
  const a = authorizer({
    ISSUER: '',
    AUDIENCE: '',
    ISSUERS: JSON.stringify([{ issuer: server.origin, audience: 'https://api.test' }]),
  });
  expect((await a.authorize(bearer(keys.rsa))).principalId).toBe('user-1');
  expect(server.requests).toEqual([DISCOVERY, JWKS]);
});

test('a discovery that names another issuer is refused (503, logged); no JWKS is fetched', async () => {
  server.discovery = { issuer: 'https://attacker.example' };
  const attempt = authorizer().authorize(bearer(keys.rsa));
  await expect(attempt).rejects.toBeInstanceOf(JwksUnavailableError);
  await expect(attempt).rejects.not.toThrow('Unauthorized');
  expect(server.requests).toEqual([DISCOVERY]);
  expect(lastDecision(logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
  expect(lines('oidc discovery failed')).toEqual([
    expect.objectContaining({
      level: 'error',
      code: 'DISCOVERY_ISSUER_MISMATCH',
      issuer: server.origin,
      error: `openid-configuration names issuer "https://attacker.example", not "${server.origin}"`,
    }),
  ]);
});

describe('a discovery that is down or broken is JWKS_UNAVAILABLE (503), bounded in size and time', () => {
  test.each<[string, () => void, string, string]>([
    ['down (503)', () => (server.discoveryMode = 'down'), 'DISCOVERY_FAILED', 'status 503, expected 200'],
    [
      'hanging',
      () => (server.discoveryMode = 'hang'),
      'DISCOVERY_FAILED',
      'no complete response within 300 ms',
    ],
    [
      'over the size cap',
      () => (server.discoveryMode = 'huge'),
      'DISCOVERY_FAILED',
      'response over the 131072-byte limit',
    ],
    ['HTML', () => (server.discoveryMode = 'html'), 'DISCOVERY_FAILED', 'openid-configuration is not JSON'],
    [
      'naming an http jwks_uri',
      () => (server.discovery = { jwks_uri: 'http://127.0.0.1/jwks' }),
      'DISCOVERY_FAILED',
      'openid-configuration has no https jwks_uri (got "http://127.0.0.1/jwks")',
    ],
    [
      'naming no issuer',
      () => (server.discoveryMode = 'empty'),
      'DISCOVERY_ISSUER_MISMATCH',
      'openid-configuration names issuer null, not "ORIGIN"',
    ],
  ])('%s', async (_name, breakIt, code, error) => {
    breakIt();
    await expect(authorizer().authorize(bearer(keys.rsa))).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(lastDecision(logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
    expect(lines('oidc discovery failed')).toEqual([
      expect.objectContaining({ code, error: error.replace('ORIGIN', server.origin) }),
    ]);
    expect(server.requests.filter((r) => r === JWKS)).toEqual([]);
  });
});

test('down at cold start, then back: the next request discovers and is decided', async () => {
  server.discoveryMode = 'down';
  const a = authorizer({}, undefined, 0);
  await a.ready;
  expect(server.requests).toEqual([DISCOVERY]);
  server.discoveryMode = 'ok';
  expect((await a.authorize(bearer(keys.rsa))).principalId).toBe('user-1');
  expect(server.requests).toEqual([DISCOVERY, DISCOVERY, JWKS]);
});

describe('with a seed that recorded the issuer', () => {
  const seedFor = (jwksUri: string, key: TestKey) =>
    JSON.stringify({ [jwksUri]: { keys: [key.jwk], issuer: server.origin } });

  test('discovery down: the seed decides, and the JWKS at the URI it recorded is refreshed', async () => {
    server.discoveryMode = 'down';
    const a = authorizer({ JWKS_SEED_FILE: 'seed.json' }, { 'seed.json': seedFor(server.url, keys.rsa) });
    expect((await a.authorize(bearer(keys.rsa))).principalId).toBe('user-1');
    await a.settled();
    // Both at once, in the background: their order is the network's.
    expect([...server.requests].sort()).toEqual([JWKS, DISCOVERY]);
    expect(lines('oidc discovery failed')).toEqual([
      expect.objectContaining({ code: 'DISCOVERY_FAILED', error: 'status 503, expected 200' }),
    ]);
    expect(lines('jwks seed').map((l) => l.code)).toEqual(['JWKS_SEED_LOADED', 'JWKS_SEED_REPLACED']);
    // The live set is in: the key the seed lacked verifies with no further request.
    expect((await a.authorize(bearer(keys.ec))).principalId).toBe('user-1');
    expect(server.requests).toHaveLength(2);
  });

  test('a seed younger than the refresh age: neither discovery nor the JWKS is asked for its keys', async () => {
    const fresh = JSON.stringify({
      [server.url]: { keys: [keys.rsa.jwk], issuer: server.origin, fetchedAt: new Date().toISOString() },
    });
    const a = authorizer({ JWKS_SEED_FILE: 'seed.json' }, { 'seed.json': fresh });
    for (let i = 0; i < 3; i++) expect((await a.authorize(bearer(keys.rsa))).principalId).toBe('user-1');
    await a.settled();
    expect(server.requests).toEqual([]);
    // A kid it does not know: the JWKS at the recorded URI at once, and discovery beside it.
    expect((await a.authorize(bearer(keys.ec))).principalId).toBe('user-1');
    await a.settled();
    expect([...server.requests].sort()).toEqual([JWKS, DISCOVERY]);
  });

  test('a JWKS that moved: the seed serves until the keys at the newly discovered URI are in', async () => {
    const moved = `${server.origin}/old/jwks.json`;
    const a = authorizer({ JWKS_SEED_FILE: 'seed.json' }, { 'seed.json': seedFor(moved, keys.rsa) });
    expect((await a.authorize(bearer(keys.rsa))).principalId).toBe('user-1');
    await a.settled();
    expect([...server.requests].sort()).toEqual([JWKS, DISCOVERY, '/old/jwks.json']);
    // The old URI answers 404: logged as the seed serving, until discovery's URI took over.
    expect(lines('jwks seed')).toContainEqual(
      expect.objectContaining({
        code: 'JWKS_SEED_SERVING',
        jwksUri: moved,
        error: 'status 404, expected 200',
      }),
    );
    expect((await a.authorize(bearer(keys.ec))).principalId).toBe('user-1');
    expect(server.requests).toHaveLength(3);
  });
});

describe('the openid-configuration document', () => {
  test.each([
    ['https://id.example.com', 'https://id.example.com/.well-known/openid-configuration'],
    ['https://id.example.com/tenant/', 'https://id.example.com/tenant/.well-known/openid-configuration'],
  ])('of %s is at %s', (issuer, uri) => {
    expect(openIdConfigurationUri(issuer)).toBe(uri);
  });

  test('names the JWKS URI, normalized', () => {
    const body = JSON.stringify({
      issuer: 'https://id.example.com/',
      jwks_uri: 'https://KEYS.example.com/k',
    });
    expect(jwksUriFromConfiguration(body, 'https://id.example.com/')).toBe('https://keys.example.com/k');
  });

  test.each<[string, string, string]>([
    [
      'an issuer differing by a trailing slash',
      '{"issuer":"https://id.example.com/","jwks_uri":"https://k"}',
      'DISCOVERY_ISSUER_MISMATCH',
    ],
    ['not an object', '[1]', 'DISCOVERY_ISSUER_MISMATCH'],
    ['no jwks_uri', '{"issuer":"https://id.example.com"}', 'DISCOVERY_FAILED'],
    [
      'a jwks_uri that is no URL',
      '{"issuer":"https://id.example.com","jwks_uri":"https://"}',
      'DISCOVERY_FAILED',
    ],
  ])('refuses %s (%s)', (_name, body, code) => {
    expect(() => jwksUriFromConfiguration(body, 'https://id.example.com')).toThrow(
      expect.objectContaining({ name: 'DiscoveryError', code }) as DiscoveryError,
    );
  });
});
