// WarmJwksCache against a real HTTPS JWKS endpoint: warm hits, bounded refetches, rotation under a flood,
// removed keys, broken contents and fail-fast backoff.
import { JwksUnavailableError } from '../../lambda/authorizer';
import { WarmJwksCache } from '../../lambda/authorizer/jwks-cache';
import { KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import { createKey } from '../support/keys';
import { startJwksServer, type JwksServer } from '../support/jwks-server';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { tlsMaterial } from '../support/jwks-server';

const key = createKey('RS256', 'k1');
let server: JwksServer;
const fetcher = new BoundedFetcher({ timeoutMs: 300, trustedCertificates: [tlsMaterial().cert] });
const jwt = (kid: string) => ({ header: { alg: 'RS256', kid } });

const made: WarmJwksCache[] = [];
function cache(options: Partial<ConstructorParameters<typeof WarmJwksCache>[0]> = {}) {
  const c = new WarmJwksCache({
    fetcher,
    refetchWindowMs: 200,
    failureBackoffMs: 0,
    maxAgeMs: 60_000,
    ...options,
  });
  made.push(c);
  return c;
}

/** Polls until the condition holds (bounded): background fetches finish when the machine lets them. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 10_000; waited += 10)
    await new Promise((r) => setTimeout(r, 10));
}

beforeAll(async () => {
  server = await startJwksServer([key.jwk]);
});
afterAll(() => server.close());
// No trailing fetch of one test may reach the server during the next.
afterEach(async () => {
  await Promise.all(made.splice(0).map((c) => c.stop()));
});
beforeEach(() => {
  server.keys = [key.jwk];
  server.mode = 'ok';
  server.delayMs = 0;
  server.requests.length = 0;
});

test('a known kid is served from the cache after one fetch', async () => {
  const c = cache();
  await c.getJwks(server.url);
  for (let i = 0; i < 5; i++) expect((await c.getJwk(server.url, jwt('k1'))).kid).toBe('k1');
  expect(c.getCachedJwk(server.url, jwt('k1')).kid).toBe('k1');
  expect(server.requests).toHaveLength(1);
});

test('a flood of unknown kids inside the window is refused at once; one trailing fetch finds a key rotated in meanwhile', async () => {
  const c = cache({ refetchWindowMs: 300 });
  await c.getJwks(server.url);
  // The first bogus kid refetches at once and misses, which opens the window.
  await expect(c.getJwk(server.url, jwt('bogus-0'))).rejects.toThrow('kid not found');
  expect(server.requests).toHaveLength(2);
  // Inside the window: a flood, and one real rotation.
  const rotated = createKey('ES256', 'k2');
  server.keys = [key.jwk, rotated.jwk];
  const flood = Array.from({ length: 50 }, (_, i) => c.getJwk(server.url, jwt(`bogus-${i + 1}`)));
  const real = c.getJwk(server.url, jwt('k2'));
  const results = await Promise.allSettled([...flood, real]);
  // All 51 were refused as unknown kids without waiting for a fetch: the server has still seen two requests.
  expect(results.map((r) => r.status === 'rejected' && r.reason instanceof KidNotFoundInJwksError)).toEqual(
    Array.from({ length: 51 }, () => true),
  );
  expect(server.requests).toHaveLength(2);
  // One trailing fetch at the end of the window, for all of them...
  await until(() => server.requests.length >= 3);
  await c.stop();
  // ...after which the rotated key is served from the cache, and nothing more was fetched.
  expect(c.getCachedJwk(server.url, jwt('k2')).kid).toBe('k2');
  expect((await c.getJwk(server.url, jwt('k2'))).kid).toBe('k2');
  expect(server.requests).toHaveLength(3);
});

test('a sustained flood costs the issuer one fetch per window, never one per token', async () => {
  let unknownKidFetches = 0;
  const c = cache({
    refetchWindowMs: 100,
    onFetch: (e) => e.reason === 'unknown-kid' && unknownKidFetches++,
  });
  await c.getJwks(server.url);
  const started = Date.now();
  let refused = 0;
  // About five windows of bogus kids, a few every millisecond.
  while (Date.now() - started < 500) {
    const burst = await Promise.allSettled(
      Array.from({ length: 5 }, () => c.getJwk(server.url, jwt(`bogus-${Math.random()}`))),
    );
    refused += burst.filter((r) => r.status === 'rejected').length;
    await new Promise((r) => setTimeout(r, 1));
  }
  const elapsed = Date.now() - started;
  await c.stop();
  expect(refused).toBeGreaterThan(20);
  // The cold fetch, the one that opened the first window, then one per window (one more for timer jitter).
  expect(server.requests.length).toBeLessThanOrEqual(3 + Math.ceil(elapsed / 100));
  // The window keeps rolling: beyond the first unknown-kid fetch, trailing ones really happened.
  expect(unknownKidFetches).toBeGreaterThanOrEqual(2);
});

test('while the issuer is down, unknown kids inside the window are refused at once, not each sent to it', async () => {
  const events: string[] = [];
  const c = cache({ refetchWindowMs: 200, onFetch: (e) => events.push(`${e.reason}:${e.ok}`) });
  await c.getJwks(server.url);
  server.mode = 'down';
  // The first unknown kid asks the issuer, which fails: the authorizer cannot decide (503).
  await expect(c.getJwk(server.url, jwt('bogus-0'))).rejects.toBeInstanceOf(JwksUnavailableError);
  // Inside the window the rest are refused at once as unknown kids; the issuer is not asked again...
  const rest = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) => c.getJwk(server.url, jwt(`b-${i}`))),
  );
  expect(rest.every((r) => r.status === 'rejected' && r.reason instanceof KidNotFoundInJwksError)).toBe(true);
  expect(server.requests).toHaveLength(2);
  // ...until one trailing fetch at the end of the window, which fails too and is reported.
  await until(() => events.length >= 3);
  expect(events).toEqual(['cold:true', 'unknown-kid:false', 'unknown-kid:false']);
  // The known key kept serving throughout.
  expect(c.getCachedJwk(server.url, jwt('k1')).kid).toBe('k1');
});

test('a kid shared by keys of two types (RFC 7517 §4.5): each token gets the key that fits its alg', async () => {
  const rsaKey = createKey('RS256', 'shared');
  const ecKey = createKey('ES256', 'shared');
  const { alg: _rsaAlg, ...rsaJwk } = rsaKey.jwk;
  const { alg: _ecAlg, ...ecJwk } = ecKey.jwk;
  server.keys = [rsaJwk, ecJwk];
  const c = cache();
  await c.getJwks(server.url);
  const rs = { header: { alg: 'RS256', kid: 'shared' } };
  const es = { header: { alg: 'ES256', kid: 'shared' } };
  expect([c.getCachedJwk(server.url, rs).kty, c.getCachedJwk(server.url, es).kty]).toEqual(['RSA', 'EC']);
  expect([(await c.getJwk(server.url, rs)).kty, (await c.getJwk(server.url, es)).kty]).toEqual(['RSA', 'EC']);
});

test('a removed key is refused once the key set has been refreshed', async () => {
  let refreshed: () => void = () => undefined;
  const refresh = new Promise<void>((resolve) => (refreshed = resolve));
  const c = cache({ maxAgeMs: 0, onFetch: (e) => e.reason === 'refresh' && refreshed() });
  await c.getJwks(server.url);
  server.keys = [createKey('RS256', 'k3').jwk];
  // The stale set still serves, and triggers a background refresh...
  expect(c.getCachedJwk(server.url, jwt('k1')).kid).toBe('k1');
  await refresh;
  // ...after which the removed key is gone.
  expect(() => c.getCachedJwk(server.url, jwt('k1'))).toThrow('kid not found');
  await expect(c.getJwk(server.url, jwt('k1'))).rejects.toThrow('kid not found');
});

test.each([['html'], ['invalid-json'], ['empty'], ['down']] as const)(
  'broken contents (%s) are a JwksUnavailableError, and the last good key set keeps serving',
  async (mode) => {
    const c = cache();
    await c.getJwks(server.url);
    server.mode = mode;
    await expect(c.getJwks(server.url)).rejects.toBeInstanceOf(JwksUnavailableError);
    expect((await c.getJwk(server.url, jwt('k1'))).kid).toBe('k1');
  },
);

test('a slow JWKS is cut off by the timeout, not waited on', async () => {
  server.mode = 'hang';
  const c = cache();
  await expect(c.getJwk(server.url, jwt('k1'))).rejects.toThrow(
    /unavailable: no complete response within 300 ms$/,
  );
});

test('after a failure, requests fail fast for the backoff instead of refetching', async () => {
  server.mode = 'down';
  const events: string[] = [];
  const c = cache({ failureBackoffMs: 60_000, onFetch: (e) => events.push(`${e.reason}:${e.ok}`) });
  await expect(c.getJwk(server.url, jwt('k1'))).rejects.toBeInstanceOf(JwksUnavailableError);
  const calls = server.requests.length;
  await expect(c.getJwk(server.url, jwt('k1'))).rejects.toBeInstanceOf(JwksUnavailableError);
  expect(server.requests.length).toBe(calls);
  expect(events).toEqual(['cold:false']);
});
