// Seeds never widen trust (issue #20, findings 3 and 4): a seed's recorded issuer can only confirm the
// configuration (a configured JWKS URI is never replaced by discovery; a URI's keys serve only the issuers
// configured with it), and no seed, nor a fetched JWKS, lends a key with private or secret material. Real keys,
// real signed tokens, the JWKS and the issuers' discovery over real HTTPS on 127.0.0.1.
import fc from 'fast-check';
import {
  ConfigError,
  createAuthorizer,
  parseConfig,
  type Authorizer,
  type AuthorizerConfig,
} from '../../lambda/authorizer';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { WarmJwksCache, type JwksKeyRefusedEvent } from '../../lambda/authorizer/jwks-cache';
import { JwksSeedError, parseJwksSeed } from '../../lambda/authorizer/jwks-seed';
import { setLogSink } from '../../lambda/authorizer/log';
import { toRouteRules } from '../../lambda/routes';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { lastDecision, tokenEvent } from './harness';

const AUDIENCE = 'https://api.test';
const ROUTES = JSON.stringify(toRouteRules());
const DISCOVERY = '/.well-known/openid-configuration';
const JWKS = '/.well-known/jwks.json';
const UNAUTHORIZED = /^Unauthorized$/;
const fetcher = new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert });

/** The JWKS an issuer configuration pins (JWKS_URI), and its key. */
const pinnedKey = createKey('RS256');
/** The key at the JWKS another issuer's discovery names. */
const discoveredKey = createKey('RS256');
let pinned: JwksServer;
/** An issuer (its origin) whose discovery names its own JWKS, holding `discoveredKey`. */
let issuer: JwksServer;
const logs: string[] = [];
let restore: () => void;
const made: Authorizer[] = [];

beforeAll(async () => {
  pinned = await startJwksServer([pinnedKey.jwk]);
  issuer = await startJwksServer([discoveredKey.jwk]);
  restore = setLogSink((line) => logs.push(line));
});
afterAll(async () => {
  restore();
  await Promise.all([pinned.close(), issuer.close()]);
});
beforeEach(() => {
  logs.length = 0;
  for (const server of [pinned, issuer]) {
    server.requests.length = 0;
    server.mode = 'ok';
    server.discoveryMode = 'ok';
  }
  pinned.keys = [pinnedKey.jwk];
  issuer.keys = [discoveredKey.jwk];
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.jwksCache.stop()));
});

function config(env: Record<string, string>, seed?: string): AuthorizerConfig {
  return parseConfig(
    { ROUTES, ...env, ...(seed === undefined ? {} : { JWKS_SEED_FILE: 'seed.json' }) },
    seed === undefined ? undefined : { read: () => seed },
  );
}

function authorizer(from: AuthorizerConfig): Authorizer {
  const created = createAuthorizer(from, { fetcher, jwksFailureBackoffMs: 0 });
  made.push(created);
  return created;
}

/** The ConfigError parseConfig throws for this environment and seed. */
function initError(env: Record<string, string>, seed: string): ConfigError {
  try {
    config(env, seed);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parseConfig accepted the seed');
}

const bearer = (key: TestKey, iss: string) =>
  tokenEvent(`Bearer ${signToken(key, claims({ iss, aud: AUDIENCE }))}`);

function lines(message: string): Array<Record<string, unknown>> {
  return logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === message);
}

/** The private half of a test key as a JWK, with the public key's kid, alg and use. */
function privateJwk(key: TestKey): Record<string, string> {
  return { ...(key.privateKey.export({ format: 'jwk' }) as Record<string, string>), ...key.jwk };
}

/** Every value of a secret member in these JWKs: none may appear in an error or a log line. */
function secretValues(...jwks: Array<Record<string, unknown>>): string[] {
  return jwks.flatMap((jwk) =>
    ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'].flatMap((m) => (typeof jwk[m] === 'string' ? [jwk[m]] : [])),
  );
}

describe('a configured JWKS URI is never replaced by discovery', () => {
  test('a seed recording the pinned issuer: no discovery, the discovered key refused, the pinned key accepted', async () => {
    // The issuer's discovery names its own JWKS (discoveredKey); the configuration pins another (pinnedKey).
    const seed = JSON.stringify({ [pinned.url]: { keys: [pinnedKey.jwk], issuer: issuer.origin } });
    const a = authorizer(config({ ISSUER: issuer.origin, AUDIENCE, JWKS_URI: pinned.url }, seed));
    expect((await a.authorize(bearer(pinnedKey, issuer.origin))).principalId).toBe('user-1');
    await a.settled();
    await expect(a.authorize(bearer(discoveredKey, issuer.origin))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
    await a.settled();
    expect((await a.authorize(bearer(pinnedKey, issuer.origin))).principalId).toBe('user-1');
    await a.settled();
    // The seed's refresh and the unknown kid's refetch went to the pinned JWKS; the issuer was never asked.
    expect(issuer.requests).toEqual([]);
    expect(pinned.requests).toEqual([JWKS, JWKS]);
    expect(lines('oidc discovery')).toEqual([]);
  });

  test('the same seed in a configuration that discovers the issuer: the seed stands in for discovery, as before', async () => {
    const seed = JSON.stringify({ [issuer.url]: { keys: [discoveredKey.jwk], issuer: issuer.origin } });
    const a = authorizer(config({ ISSUER: issuer.origin, AUDIENCE }, seed));
    await a.ready;
    expect(issuer.requests).toEqual([]);
    expect((await a.authorize(bearer(discoveredKey, issuer.origin))).principalId).toBe('user-1');
    await a.settled();
    expect([...issuer.requests].sort()).toEqual([JWKS, DISCOVERY]);
  });
});

describe("an entry's keys serve only the issuers the configuration gives its URI", () => {
  const A = 'https://a.test';
  /** A pinned to `pinned`, the issuer server's origin (B) trusted by discovery. */
  const issuers = () =>
    JSON.stringify([
      { issuer: A, audience: AUDIENCE, jwksUri: pinned.url },
      { issuer: issuer.origin, audience: AUDIENCE },
    ]);
  const bAtA = () => JSON.stringify({ [pinned.url]: { keys: [pinnedKey.jwk], issuer: issuer.origin } });

  test("issuer B recorded at A's URI is refused at init, naming the entry, the issuers and the fix", () => {
    const error = initError({ ISSUERS: issuers() }, bAtA());
    expect([error.variable, error.message]).toEqual([
      'JWKS_SEED_FILE',
      `JWKS_SEED_FILE: "seed.json" records issuer "${issuer.origin}" for "${pinned.url}", the configured JWKS ` +
        `URI of "${A}": its keys serve only the issuers configured with it. Remove "issuer" from that entry, or ` +
        `configure "${issuer.origin}" with that JWKS URI (regenerate it with npx bearer-gate-jwks-seed)`,
    ]);
  });

  test('a URI two issuers are configured with names both', () => {
    const env = {
      ISSUERS: JSON.stringify([
        { issuer: A, audience: AUDIENCE, jwksUri: pinned.url },
        { issuer: 'https://c.test', audience: AUDIENCE, jwksUri: pinned.url },
        { issuer: issuer.origin, audience: AUDIENCE },
      ]),
    };
    expect(initError(env, bAtA()).message).toContain(
      `the configured JWKS URI of "${A}", "https://c.test": its keys serve only the issuers configured with it.`,
    );
  });

  test("built past parseConfig, the verifier still lends B none of A's keys: A's key refused, B's own accepted", async () => {
    const checked = config({ ISSUERS: issuers() });
    const [entry] = parseJwksSeed(bAtA());
    const a = authorizer({
      ...checked,
      jwksSeed: { file: 'seed.json', maxAgeSeconds: 86400, entries: [entry!] },
    });
    await expect(a.authorize(bearer(pinnedKey, issuer.origin))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
    expect((await a.authorize(bearer(discoveredKey, issuer.origin))).principalId).toBe('user-1');
    expect((await a.authorize(bearer(pinnedKey, A))).principalId).toBe('user-1');
  });

  test('an entry confirming a pinned issuer at its own URI is accepted, its issuer kept', () => {
    const seed = JSON.stringify({ [pinned.url]: { keys: [pinnedKey.jwk], issuer: A } });
    expect(config({ ISSUERS: issuers() }, seed).jwksSeed?.entries).toEqual([
      { jwksUri: pinned.url, jwks: { keys: [pinnedKey.jwk] }, fetchedAt: null, issuer: A },
    ]);
  });
});

describe('a seed holds public keys only: private members and symmetric keys fail the init, naming the kid', () => {
  const rsa = createKey('RS256', 'rsa-1');
  const ec = createKey('ES256', 'ec-1');
  const okp = createKey('EdDSA', 'okp-1');
  const PUBLIC_ONLY =
    ': a seed holds public keys only. Remove that key, and have it replaced at the issuer: its secret is exposed';
  const cases: Array<[string, Array<Record<string, string>>, string]> = [
    ['an RSA private key', [privateJwk(rsa)], 'kid "rsa-1" has private key members (d, p, q, dp, dq, qi)'],
    [
      'an RSA public key with only d',
      [{ ...rsa.jwk, d: privateJwk(rsa).d! }],
      'kid "rsa-1" has private key members (d)',
    ],
    ['an EC private key', [privateJwk(ec)], 'kid "ec-1" has private key members (d)'],
    ['an OKP private key', [privateJwk(okp)], 'kid "okp-1" has private key members (d)'],
    [
      'an oct key with k',
      [rsa.jwk, { kty: 'oct', kid: 'hmac-1', k: 'c2hhcmVkLXNlY3JldC12YWx1ZQ' }],
      'kid "hmac-1" is a symmetric (shared secret) key',
    ],
    [
      'an oct key without k',
      [{ kty: 'oct', kid: 'hmac-2' }],
      'kid "hmac-2" is a symmetric (shared secret) key',
    ],
    [
      'an RSA key carrying a k',
      [{ ...rsa.jwk, k: 'c2hhcmVkLXNlY3JldC12YWx1ZQ' }],
      'kid "rsa-1" is a symmetric (shared secret) key',
    ],
    [
      'a private key without a kid, named by its place',
      [ec.jwk, { ...privateJwk(rsa), kid: undefined as unknown as string }],
      '#2 (no kid) has private key members (d, p, q, dp, dq, qi)',
    ],
    [
      'a kid too long to log whole',
      [{ ...privateJwk(ec), kid: 'k'.repeat(100) }],
      `kid "${'k'.repeat(64)}…" has private key members (d)`,
    ],
  ];

  test.each(cases)('%s', (_name, keys, named) => {
    const seed = JSON.stringify({ [pinned.url]: { keys, fetchedAt: '2026-11-01T10:00:00Z' } });
    const error = initError({ ISSUER: 'https://a.test', AUDIENCE, JWKS_URI: pinned.url }, seed);
    expect([error.variable, error.message]).toEqual([
      'JWKS_SEED_FILE',
      `JWKS_SEED_FILE: "seed.json" maps "${pinned.url}" to a JWKS whose key ${named}${PUBLIC_ONLY} ` +
        '(regenerate it with npx bearer-gate-jwks-seed)',
    ]);
    for (const secret of secretValues(...keys)) expect(error.message).not.toContain(secret);
  });

  test('property: a key is refused exactly when it carries a secret member; the error never holds a value', () => {
    // The oracle: RFC 7518 §6.2.2, §6.3.2, §6.4 and RFC 8037 §2 name these members as private or secret.
    const secret = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv', 'k']);
    const member = fc.constantFrom(
      ...secret,
      'x5t',
      'x5t#S256',
      'x5c',
      // key_ops decides whether a key may verify at all (key-set-contents.test.ts): not a harmless member here.
      'ext',
      'iat',
      'D',
      'dq ',
      'kk',
      'pub',
      'issuer',
    );
    const value = fc.string({ minLength: 12, maxLength: 40 }).map((s) => `v${s}`);
    fc.assert(
      fc.property(
        fc.dictionary(member, value, { maxKeys: 4 }),
        fc.constantFrom(rsa, ec, okp),
        (extra, key) => {
          const jwk = { ...extra, ...key.jwk };
          const text = JSON.stringify({ [pinned.url]: { keys: [jwk] } });
          const secretMembers = Object.keys(extra).filter((m) => secret.has(m));
          let refused: JwksSeedError | undefined;
          try {
            parseJwksSeed(text);
          } catch (error) {
            if (!(error instanceof JwksSeedError)) throw error;
            refused = error;
          }
          expect(refused !== undefined).toBe(secretMembers.length > 0);
          for (const v of Object.values(extra)) expect(refused?.message ?? '').not.toContain(v);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('a fetched JWKS: a key with private or secret members is never used, and the reason is logged', () => {
  const leaked = createKey('RS256', 'leaked-1');
  const hmac = { kty: 'oct', kid: 'hmac-1', k: 'c2hhcmVkLXNlY3JldC12YWx1ZQ', alg: 'HS256' };
  /** A public key with members a verifier ignores: it must keep working. */
  const decorated = createKey('ES256', 'decorated-1');
  // The server's key type holds string members only; key_ops is an array (RFC 7517 §4.3).
  const decoratedJwk = {
    ...decorated.jwk,
    x5t: 'bm90LWEtdGh1bWJwcmludA',
    key_ops: ['verify'],
    ext: 'true',
  } as unknown as typeof decorated.jwk;

  test('the leaked key and the symmetric key are refused (UNKNOWN_KID) and logged by kid; other keys verify', async () => {
    pinned.keys = [privateJwk(leaked), hmac, decoratedJwk, pinnedKey.jwk];
    const a = authorizer(config({ ISSUER: 'https://a.test', AUDIENCE, JWKS_URI: pinned.url }));
    await expect(a.authorize(bearer(leaked, 'https://a.test'))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
    expect((await a.authorize(bearer(decorated, 'https://a.test'))).principalId).toBe('user-1');
    expect((await a.authorize(bearer(pinnedKey, 'https://a.test'))).principalId).toBe('user-1');
    const refused = lines('jwks key refused');
    // The cold-start fetch and the unknown kid's refetch each saw both keys.
    expect(refused).toHaveLength(4);
    expect(refused.slice(0, 2)).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'JWKS_KEY_REFUSED',
        jwksUri: pinned.url,
        key: 'kid "leaked-1"',
        reason: 'PRIVATE_KEY_MEMBERS',
        members: 'd,p,q,dp,dq,qi',
      }),
      expect.objectContaining({
        level: 'error',
        code: 'JWKS_KEY_REFUSED',
        key: 'kid "hmac-1"',
        reason: 'SYMMETRIC_KEY',
        members: 'k',
      }),
    ]);
    expect(lines('jwks fetched')[0]).toMatchObject({ keys: 2 });
    for (const secret of secretValues(privateJwk(leaked), hmac)) {
      expect(logs.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  test('a JWKS of nothing but leaked keys is a fetch failure (503), never a key to verify with', async () => {
    pinned.keys = [privateJwk(leaked)];
    const a = authorizer(config({ ISSUER: 'https://a.test', AUDIENCE, JWKS_URI: pinned.url }));
    await expect(a.authorize(bearer(leaked, 'https://a.test'))).rejects.toThrow(
      `JWKS at ${pinned.url} unavailable: JWKS has no usable signing keys`,
    );
    expect(lastDecision(logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
  });

  test('seeded straight into the key cache (no parseConfig), a leaked key is left out the same way', () => {
    const events: JwksKeyRefusedEvent[] = [];
    const cache = new WarmJwksCache({
      fetcher,
      refetchWindowMs: 0,
      failureBackoffMs: 0,
      maxAgeMs: 60_000,
      onKeyRefused: (e) => events.push(e),
    });
    const keys = [privateJwk(leaked), pinnedKey.jwk] as never;
    expect(cache.seed('https://id.example.com/jwks', { keys }, null, 60_000)).toBe(true);
    expect(() =>
      cache.getCachedJwk('https://id.example.com/jwks', { header: { alg: 'RS256', kid: 'leaked-1' } }),
    ).toThrow('kid not found in the cached JWKS');
    expect(events).toEqual([
      {
        code: 'JWKS_KEY_REFUSED',
        jwksUri: 'https://id.example.com/jwks',
        key: 'kid "leaked-1"',
        reason: 'PRIVATE_KEY_MEMBERS',
        members: 'd,p,q,dp,dq,qi',
      },
    ]);
  });
});
