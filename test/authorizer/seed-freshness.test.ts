// When seeded keys are refreshed: a seed counts as a fetch made at its fetchedAt, so one younger than the key
// cache's refresh age (15 minutes) is not refreshed before it is that old (or that long before its max age ends),
// an undated or older one after the first request; a kid the seed does not know is fetched at once; and a key the
// issuer removed stops verifying within that age of the seed's fetchedAt. Real keys, real signed tokens, the JWKS over real HTTPS on 127.0.0.1.
import type { Jwk } from 'aws-jwt-verify/jwk';
import { createAuthorizer, parseConfig, type Authorizer, type AuthorizerDeps } from '../../lambda/authorizer';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { WarmJwksCache } from '../../lambda/authorizer/jwks-cache';
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
  h.server.requests.length = 0;
});

const JWKS = '/.well-known/jwks.json';
const MINUTE = 60_000;
const fetcher = new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert });
/** A key the issuer no longer publishes: the live JWKS holds the harness's RSA and EC keys only. */
const removed = createKey('RS256');

const made: Authorizer[] = [];
afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.jwksCache.stop()));
});

/** A seed of these keys; fetchedAt `msAgo` before now (null: a seed that does not say). */
function seedOf(keys: TestKey[], msAgo: number | null): string {
  const fetchedAt = msAgo === null ? undefined : new Date(Date.now() - msAgo).toISOString();
  return JSON.stringify({ [h.server.url]: { keys: keys.map((k) => k.jwk), fetchedAt } });
}

function seeded(seed: string, deps: AuthorizerDeps = {}): Authorizer {
  const config = parseConfig(h.env({ JWKS_SEED_FILE: 'jwks-seed.json' }), { read: () => seed });
  const authorizer = createAuthorizer(config, { fetcher, ...deps });
  made.push(authorizer);
  return authorizer;
}

const allow = (key: TestKey) => tokenEvent(`Bearer ${signToken(key, claims())}`);

function seedLines(): Array<Record<string, unknown>> {
  return h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'jwks seed');
}

test.each<[string, number | null, string[], number]>([
  ['a minute old: not refreshed (fresh for 14 more minutes)', 1 * MINUTE, [], 14 * 60],
  ['16 minutes old: refreshed after the first request', 16 * MINUTE, [JWKS], 0],
  ['undated (its age unknown): refreshed after the first request', null, [JWKS], 0],
])('a seed %s', async (_name, msAgo, fetched, refreshInSeconds) => {
  const authorizer = seeded(seedOf([h.keys.rsa], msAgo));
  for (let i = 0; i < 3; i++) {
    expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
  }
  await authorizer.settled();
  expect(h.server.requests).toEqual(fetched);
  expect(seedLines()[0]).toEqual(
    expect.objectContaining({ code: 'JWKS_SEED_LOADED', keys: 1, refreshInSeconds }),
  );
  expect(seedLines().map((l) => l.code)).toEqual(
    fetched.length === 0 ? ['JWKS_SEED_LOADED'] : ['JWKS_SEED_LOADED', 'JWKS_SEED_REPLACED'],
  );
});

test('on a clock the test moves: no fetch until the seed is the refresh age old, then one', async () => {
  let now = 10_000_000;
  const cache = new WarmJwksCache({
    fetcher,
    refetchWindowMs: 2000,
    failureBackoffMs: 1000,
    maxAgeMs: 15 * MINUTE,
    now: () => now,
  });
  try {
    const jwt = { header: { alg: 'RS256', kid: h.keys.rsa.kid } };
    expect(
      cache.seed(
        h.server.url,
        { keys: [h.keys.rsa.jwk as unknown as Jwk] },
        now - 5 * MINUTE,
        7 * 1440 * MINUTE,
      ),
    ).toBe(true);
    expect(cache.isFresh(h.server.url)).toBe(true);
    now += 10 * MINUTE - 1;
    expect(cache.getCachedJwk(h.server.url, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    expect(h.server.requests).toEqual([]);
    now += 1;
    expect(cache.isFresh(h.server.url)).toBe(false);
    expect(cache.getCachedJwk(h.server.url, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    expect(h.server.requests).toEqual([JWKS]);
    // The fetched set is fresh for the refresh age from its own fetch.
    expect(cache.isFresh(h.server.url)).toBe(true);
  } finally {
    await cache.stop();
  }
});

test('on a clock: a seed whose max age ends within two refresh ages is refreshed one refresh age before it ends', async () => {
  let now = 20_000_000;
  const cache = new WarmJwksCache({
    fetcher,
    refetchWindowMs: 2000,
    failureBackoffMs: 1000,
    maxAgeMs: 15 * MINUTE,
    now: () => now,
  });
  try {
    const jwt = { header: { alg: 'RS256', kid: h.keys.rsa.kid } };
    // Trusted for 20 minutes from its fetchedAt: refreshed at 5, with 15 left to get the live keys in.
    expect(cache.seed(h.server.url, { keys: [h.keys.rsa.jwk as unknown as Jwk] }, now, 20 * MINUTE)).toBe(
      true,
    );
    now += 5 * MINUTE - 1;
    expect(cache.getCachedJwk(h.server.url, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    expect(h.server.requests).toEqual([]);
    now += 1;
    expect(cache.getCachedJwk(h.server.url, jwt).kid).toBe(h.keys.rsa.kid);
    await cache.settled();
    expect(h.server.requests).toEqual([JWKS]);
  } finally {
    await cache.stop();
  }
});

test('a seed a minute old with a 10-minute max age is refreshed after the first request', async () => {
  const config = parseConfig(h.env({ JWKS_SEED_FILE: 'jwks-seed.json', JWKS_SEED_MAX_AGE_SECONDS: '600' }), {
    read: () => seedOf([h.keys.rsa], MINUTE),
  });
  const authorizer = createAuthorizer(config, { fetcher });
  made.push(authorizer);
  expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
  await authorizer.settled();
  expect(h.server.requests).toEqual([JWKS]);
  expect(seedLines()[0]).toEqual(expect.objectContaining({ code: 'JWKS_SEED_LOADED', refreshInSeconds: 0 }));
});

test('a kid a fresh seed does not know is fetched at once, and the request waits for it', async () => {
  const authorizer = seeded(seedOf([h.keys.rsa], MINUTE));
  expect((await authorizer.authorize(allow(h.keys.ec))).principalId).toBe('user-1');
  expect(h.server.requests).toEqual([JWKS]);
  const fetches = h.logs
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === 'jwks fetched');
  expect(fetches).toEqual([expect.objectContaining({ reason: 'unknown-kid', ok: true, keys: 2 })]);
  expect(seedLines().map((l) => l.code)).toEqual(['JWKS_SEED_LOADED', 'JWKS_SEED_REPLACED']);
});

test('a key removed at the issuer verifies until the seed is the refresh age old, and not after its refresh', async () => {
  const maxAgeMs = 600;
  const seededAt = Date.now();
  const authorizer = seeded(seedOf([h.keys.rsa, removed], 0), { jwksMaxAgeMs: maxAgeMs });
  // Within the bound: the seed's keys, as an instance that fetched them itself would serve them.
  expect((await authorizer.authorize(allow(removed))).principalId).toBe('user-1');
  await authorizer.settled();
  expect(h.server.requests).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, seededAt + maxAgeMs + 50 - Date.now())));
  // The first request past it is still decided with the seed, and starts the refresh...
  expect((await authorizer.authorize(allow(removed))).principalId).toBe('user-1');
  await authorizer.settled();
  expect(h.server.requests).toEqual([JWKS]);
  // ...after which the removed key is refused (its kid is asked for once more, and is not there).
  await expect(authorizer.authorize(allow(removed))).rejects.toThrow(/^Unauthorized$/);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
  expect(h.server.requests).toEqual([JWKS, JWKS]);
  expect((await authorizer.authorize(allow(h.keys.rsa))).principalId).toBe('user-1');
});
