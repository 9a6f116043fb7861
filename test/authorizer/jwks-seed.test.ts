// The JWKS seed (JWKS_SEED_FILE): the first request decided with no network I/O, the live set replacing the
// seed, the seed serving while the issuer is down or slow and only up to its max age, and a seed file that is
// malformed, too large or for keys no trusted issuer uses refusing the init. Real keys, real signed tokens,
// the JWKS over real HTTPS on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { Jwk } from 'aws-jwt-verify/jwk';
import { JwksNotAvailableInCacheError } from 'aws-jwt-verify/error';
import {
  ConfigError,
  JwksUnavailableError,
  createAuthorizer,
  filesBesideHandler,
  parseConfig,
  type Authorizer,
  type AuthorizerDeps,
  type ConfigFiles,
} from '../../lambda/authorizer';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { WarmJwksCache, type JwksSeedEvent } from '../../lambda/authorizer/jwks-cache';
import { JWKS_SEED_MAX_BYTES } from '../../lambda/authorizer/jwks-seed';
import { tlsMaterial } from '../support/jwks-server';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  h.server.mode = 'ok';
  h.server.requests.length = 0;
});

const UNAUTHORIZED = /^Unauthorized$/;
const DAY = 86_400;
/** The authorizer's default fetcher, trusting the test certificate. */
const fetcher = new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert });
/** A key the live JWKS no longer publishes (the issuer withdrew or rotated it out). */
const retired = createKey('RS256');

const iso = (secondsAgo: number): string => new Date(Date.now() - secondsAgo * 1000).toISOString();

/** Seed files by name, as the handler's directory would hold them. */
function filesWith(files: Record<string, string>): ConfigFiles {
  return {
    read(path) {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
      return text;
    },
  };
}

/** The contract: a plain object of JWKS URI to JWKS; fetchedAt is optional metadata. */
function seedOf(keys: TestKey[], fetchedAt?: string): string {
  return JSON.stringify({ [h.server.url]: { keys: keys.map((k) => k.jwk), fetchedAt } });
}

const made: Authorizer[] = [];
// No trailing fetch of one test may reach the server during the next.
afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.jwksCache.stop()));
});

function seeded(seed: string, env: Record<string, string> = {}, deps: AuthorizerDeps = {}): Authorizer {
  const config = parseConfig(
    h.env({ JWKS_SEED_FILE: 'jwks-seed.json', ...env }),
    filesWith({ 'jwks-seed.json': seed }),
  );
  const authorizer = createAuthorizer(config, { fetcher, jwksFailureBackoffMs: 0, ...deps });
  made.push(authorizer);
  return authorizer;
}

/** A fetcher that holds every fetch until released: the test decides when the live JWKS "arrives". */
function gated(): { fetcher: Fetcher; release: () => void; waiting: () => number } {
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let waiting = 0;
  return {
    fetcher: {
      fetch: async (uri) => {
        waiting++;
        await gate;
        return fetcher.fetch(uri);
      },
    },
    release: () => open(),
    waiting: () => waiting,
  };
}

function seedLines(): Array<Record<string, unknown>> {
  return h.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === 'jwks seed' || l.message === 'jwks fetch failed');
}

/** What JSON.parse says about this text, on this Node version. */
function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('valid JSON');
}

/** The ConfigError parseConfig throws for this environment and these files. */
function initError(env: Record<string, string>, files: Record<string, string>): ConfigError {
  try {
    parseConfig(h.env(env), filesWith(files));
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the configuration');
}

const allow = (key: TestKey) => tokenEvent(`Bearer ${signToken(key, claims())}`);

describe('a seeded authorizer', () => {
  test('seed only: no network I/O at init, and the first request is decided before any fetch starts', async () => {
    const gate = gated();
    const authorizer = seeded(seedOf([h.keys.rsa], iso(3600)), {}, { fetcher: gate.fetcher });
    try {
      await authorizer.ready;
      expect(gate.waiting()).toBe(0);
      const result = await authorizer.authorize(allow(h.keys.rsa));
      expect(result.principalId).toBe('user-1');
      // The refresh that request started waits until it has been answered.
      expect(gate.waiting()).toBe(0);
      expect(h.server.requests).toEqual([]);
    } finally {
      gate.release();
    }
    await authorizer.settled();
    expect(gate.waiting()).toBe(1);
    expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
    expect(seedLines()).toEqual([
      expect.objectContaining({
        level: 'info',
        code: 'JWKS_SEED_LOADED',
        jwksUri: h.server.url,
        keys: 1,
        seedAgeSeconds: 3600,
        trustedForSeconds: 7 * DAY - 3600,
      }),
      expect.objectContaining({ code: 'JWKS_SEED_REPLACED', added: 1, removed: 0 }),
    ]);
  });

  test('live only: without a seed the first request waits for the cold-start fetch', async () => {
    const authorizer = createAuthorizer(parseConfig(h.env()), { fetcher });
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
    expect(h.server.requests).toEqual(['/.well-known/jwks.json']);
    expect(h.logs.some((l) => l.includes('"message":"jwks seed"'))).toBe(false);
  });

  test('seed and live disagree: a key rotated in verifies, a key removed upstream stops verifying', async () => {
    const gate = gated();
    // The seed has the retired key and not the EC key; the live JWKS (rsa, ec) has it the other way round.
    const authorizer = seeded(seedOf([h.keys.rsa, retired]), {}, { fetcher: gate.fetcher });
    expect((await authorizer.authorize(allow(retired))).principalId).toBe('user-1');
    // A kid the seed does not know joins the running refresh instead of failing...
    const rotatedIn = authorizer.authorize(allow(h.keys.ec));
    gate.release();
    expect((await rotatedIn).principalId).toBe('user-1');
    await authorizer.settled();
    expect(gate.waiting()).toBe(1);
    expect(seedLines()).toContainEqual(
      expect.objectContaining({ code: 'JWKS_SEED_REPLACED', added: 1, removed: 1, seedAgeSeconds: null }),
    );
    // ...and once the live set has replaced the seed, the retired key is refused.
    await expect(authorizer.authorize(allow(retired))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('UNKNOWN_KID');
  });

  test('live JWKS down: the seed keeps serving, and every failed refresh is logged as degraded', async () => {
    h.server.mode = 'down';
    const authorizer = seeded(seedOf([h.keys.rsa], iso(3600)));
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
    await authorizer.settled();
    // The next request retries in the background (backoff 0 here; 1 s by default) and is still served.
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
    await authorizer.settled();
    const serving = seedLines().filter((l) => l.code === 'JWKS_SEED_SERVING');
    expect(serving).toEqual([
      expect.objectContaining({
        level: 'warn',
        jwksUri: h.server.url,
        fetchReason: 'refresh',
        error: 'status 503, expected 200',
        seedAgeSeconds: 3600,
      }),
      expect.objectContaining({ level: 'warn', fetchReason: 'refresh', error: 'status 503, expected 200' }),
    ]);
    // Degraded is not down: no failed-fetch error line while the seed decides.
    expect(seedLines().filter((l) => l.message === 'jwks fetch failed')).toEqual([]);
  });

  test('live JWKS slow: the refresh is cut off by its deadline while the seed keeps serving', async () => {
    h.server.mode = 'hang';
    const authorizer = seeded(
      seedOf([h.keys.rsa]),
      {},
      { fetcher: new BoundedFetcher({ timeoutMs: 150, ca: tlsMaterial().cert }) },
    );
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
    await authorizer.settled();
    expect(seedLines()).toContainEqual(
      expect.objectContaining({ code: 'JWKS_SEED_SERVING', error: 'no complete response within 150 ms' }),
    );
  });

  test('a seed older than its max age is not trusted: logged at init, and with the issuer down, 503', async () => {
    h.server.mode = 'down';
    const authorizer = seeded(seedOf([h.keys.rsa], iso(2 * DAY)), { JWKS_SEED_MAX_AGE_SECONDS: String(DAY) });
    const attempt = authorizer.authorize(allow(h.keys.rsa));
    await expect(attempt).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
    expect(seedLines()[0]).toEqual(
      expect.objectContaining({
        level: 'error',
        code: 'JWKS_SEED_EXPIRED',
        jwksUri: h.server.url,
        seedAgeSeconds: 2 * DAY,
        trustedForSeconds: 0,
      }),
    );
  });

  test('an expired seed with the issuer up: the first request waits for the fetch, as without a seed', async () => {
    const authorizer = seeded(seedOf([retired], iso(8 * DAY)));
    await expect(authorizer.authorize(allow(retired))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('UNKNOWN_KID');
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
  });

  test('the seed file is read relative to the handler directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bearer-gate-seed-'));
    try {
      writeFileSync(join(dir, 'jwks-seed.json'), seedOf([h.keys.rsa]));
      const config = parseConfig(h.env({ JWKS_SEED_FILE: 'jwks-seed.json' }), filesBesideHandler(dir));
      expect(config.jwksSeed).toEqual({
        file: 'jwks-seed.json',
        maxAgeSeconds: 7 * DAY,
        entries: [{ jwksUri: h.server.url, jwks: { keys: [h.keys.rsa.jwk] }, fetchedAt: null, issuer: null }],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the seed in the key cache, on a clock the test moves', () => {
  test('a seed serving through an outage expires at its max age; from then on the request fails (503)', async () => {
    let now = 1_000_000;
    const events: JwksSeedEvent[] = [];
    const down: Fetcher = { fetch: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const cache = new WarmJwksCache({
      fetcher: down,
      refetchWindowMs: 0,
      failureBackoffMs: 0,
      // The seed (10 s old) is stale at once: every request tries a refresh.
      maxAgeMs: 5_000,
      onSeed: (e) => events.push(e),
      now: () => now,
    });
    const uri = 'https://id.example.com/jwks';
    const jwt = { header: { alg: 'RS256', kid: h.keys.rsa.kid } };
    expect(cache.seed(uri, { keys: [h.keys.rsa.jwk as unknown as Jwk] }, now - 10_000, 60_000)).toBe(true);
    expect(cache.getCachedJwk(uri, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    now += 49_999;
    expect(cache.getCachedJwk(uri, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    now += 1;
    expect(() => cache.getCachedJwk(uri, jwt)).toThrow(JwksNotAvailableInCacheError);
    await expect(cache.getJwk(uri, jwt)).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(events.map((e) => [e.code, e.seedAgeSeconds, e.trustedForSeconds])).toEqual([
      ['JWKS_SEED_LOADED', 10, 50],
      ['JWKS_SEED_SERVING', 10, 50],
      ['JWKS_SEED_SERVING', 60, 0],
      ['JWKS_SEED_EXPIRED', 60, 0],
    ]);
  });

  test('a fetchedAt in the future cannot stretch the trust beyond the max age from now', () => {
    const now = 5_000_000;
    const events: JwksSeedEvent[] = [];
    const cache = new WarmJwksCache({
      fetcher,
      refetchWindowMs: 0,
      failureBackoffMs: 0,
      maxAgeMs: 60_000,
      onSeed: (e) => events.push(e),
      now: () => now,
    });
    cache.seed(
      'https://id.example.com/jwks',
      { keys: [h.keys.rsa.jwk as unknown as Jwk] },
      now + 365 * DAY * 1000,
      60_000,
    );
    expect(events).toEqual([
      expect.objectContaining({ code: 'JWKS_SEED_LOADED', seedAgeSeconds: 0, trustedForSeconds: 60 }),
    ]);
  });
});

describe('a JWKS_SEED_FILE that cannot be trusted fails the init, naming the file and what is wrong', () => {
  const url = (): string => h.server.url;
  const jwk = (): Record<string, string> => h.keys.rsa.jwk;
  const padding = 'x'.repeat(JWKS_SEED_MAX_BYTES);
  const cases: Array<[string, () => string, (() => string) | string]> = [
    ['not JSON', () => '{"https://a', () => `is not valid JSON (${jsonError('{"https://a')})`],
    [
      'an array',
      () => JSON.stringify([{ keys: [] }]),
      'must be a JSON object mapping each JWKS URI to its JWKS, like {"https://id.example.com/jwks": {"keys": [...]}}',
    ],
    [
      'an empty object',
      () => '{}',
      'must be a JSON object mapping each JWKS URI to its JWKS, like {"https://id.example.com/jwks": {"keys": [...]}}',
    ],
    [
      'an http URI',
      () => JSON.stringify({ 'http://127.0.0.1/jwks': { keys: [jwk()] } }),
      'has a key "http://127.0.0.1/jwks" that is not an absolute https JWKS URI',
    ],
    [
      'a value that is not a JWKS',
      () => JSON.stringify({ [url()]: [jwk()] }),
      () => `maps "${url()}" to something that is not a JWKS ({"keys": [...]})`,
    ],
    [
      'a key that is not an object',
      () => JSON.stringify({ [url()]: { keys: ['abc'] } }),
      () => `maps "${url()}" to something that is not a JWKS ({"keys": [...]})`,
    ],
    [
      'no usable signing key',
      () =>
        JSON.stringify({
          [url()]: {
            keys: [
              { ...jwk(), use: 'enc' },
              { ...jwk(), kid: undefined },
            ],
          },
        }),
      () => `maps "${url()}" to a JWKS without a usable signing key (RSA, EC or OKP, with a kid)`,
    ],
    [
      'a fetchedAt that is not ISO 8601',
      () => JSON.stringify({ [url()]: { keys: [jwk()], fetchedAt: 'yesterday' } }),
      () => `has a fetchedAt for "${url()}" that is not an ISO 8601 time like "2026-01-31T12:00:00Z"`,
    ],
    [
      'a fetchedAt that is no real time',
      () => JSON.stringify({ [url()]: { keys: [jwk()], fetchedAt: '2026-13-45T99:00:00Z' } }),
      () => `has a fetchedAt for "${url()}" that is not a real time: "2026-13-45T99:00:00Z"`,
    ],
    [
      'an issuer that is not a string',
      () => JSON.stringify({ [url()]: { keys: [jwk()], issuer: 7 } }),
      () => `has an issuer for "${url()}" that is not a non-empty string`,
    ],
    [
      'the same URI twice (once spelled in capitals)',
      () =>
        JSON.stringify({
          [url()]: { keys: [jwk()] },
          [url().replace('https://', 'HTTPS://')]: { keys: [jwk()] },
        }),
      () => `names the JWKS URI "${url()}" twice`,
    ],
    [
      'a file over the size cap',
      () => JSON.stringify({ [url()]: { keys: [jwk()], padding } }),
      () =>
        `is ${Buffer.byteLength(JSON.stringify({ [url()]: { keys: [jwk()], padding } }))} bytes, over the ` +
        '262144-byte limit; seed only the issuers this API trusts',
    ],
    [
      'keys for a URI no trusted issuer uses',
      () =>
        JSON.stringify({ [url()]: { keys: [jwk()] }, 'https://attacker.example/jwks': { keys: [jwk()] } }),
      'has keys for "https://attacker.example/jwks", which no trusted issuer uses as its JWKS URI. Remove that ' +
        'entry, or for an issuer found by discovery record it with `npx bearer-gate-jwks-seed --issuer <issuer>`',
    ],
    [
      'keys recorded for an issuer that is not trusted',
      () =>
        JSON.stringify({ 'https://other.example/jwks': { keys: [jwk()], issuer: 'https://other.example' } }),
      'has keys for "https://other.example/jwks" from issuer "https://other.example", which is not trusted',
    ],
    [
      'keys recorded for a trusted issuer at another URI than its configured one',
      () => JSON.stringify({ 'https://issuer.test/jwks': { keys: [jwk()], issuer: 'https://issuer.test' } }),
      () =>
        `has keys for "https://issuer.test/jwks" from issuer "https://issuer.test", whose configured JWKS URI is "${url()}"`,
    ],
  ];

  test.each(cases)('%s', (_name, seed, expected) => {
    const detail = typeof expected === 'string' ? expected : expected();
    const error = initError({ JWKS_SEED_FILE: 'seeds/jwks.json' }, { 'seeds/jwks.json': seed() });
    expect(error.variable).toBe('JWKS_SEED_FILE');
    expect(error.message).toBe(
      `JWKS_SEED_FILE: "seeds/jwks.json" ${detail} (regenerate it with npx bearer-gate-jwks-seed)`,
    );
  });

  test('a discovered issuer may be recorded once, with the URI its discovery named', () => {
    const env = { ISSUERS: JSON.stringify([{ issuer: 'https://d.example', audience: 'x' }]) };
    const seed = (uris: string[]) =>
      JSON.stringify(
        Object.fromEntries(uris.map((u) => [u, { keys: [jwk()], issuer: 'https://d.example' }])),
      );
    const config = parseConfig(
      h.env({ ...env, JWKS_SEED_FILE: 's.json' }),
      filesWith({ 's.json': seed(['https://keys.d.example/jwks']) }),
    );
    expect(config.jwksSeed?.entries.map((e) => [e.jwksUri, e.issuer])).toEqual([
      ['https://keys.d.example/jwks', 'https://d.example'],
    ]);
    expect(
      initError(
        { ...env, JWKS_SEED_FILE: 's.json' },
        { 's.json': seed(['https://keys.d.example/a', 'https://keys.d.example/b']) },
      ).message,
    ).toBe(
      'JWKS_SEED_FILE: "s.json" names issuer "https://d.example" for two JWKS URIs (regenerate it with npx bearer-gate-jwks-seed)',
    );
  });

  test.each<[string, Record<string, string>, string]>([
    [
      'a seed file that cannot be read',
      { JWKS_SEED_FILE: 'missing.json' },
      `JWKS_SEED_FILE: names "missing.json", which cannot be read: ENOENT: no such file, open 'missing.json'`,
    ],
    [
      'JWKS_SEED_MAX_AGE_SECONDS without a seed',
      { JWKS_SEED_MAX_AGE_SECONDS: '3600' },
      'JWKS_SEED_MAX_AGE_SECONDS: is set without JWKS_SEED_FILE, so it would do nothing',
    ],
    [
      'JWKS_SEED_MAX_AGE_SECONDS out of range',
      { JWKS_SEED_FILE: 'jwks-seed.json', JWKS_SEED_MAX_AGE_SECONDS: '10' },
      'JWKS_SEED_MAX_AGE_SECONDS: must be a whole number from 60 to 7776000; got "10"',
    ],
  ])('%s', (_name, env, message) => {
    const error = initError(env, { 'jwks-seed.json': seedOf([h.keys.rsa]) });
    expect([error.variable, error.message]).toEqual([message.split(':')[0], message]);
  });
});
