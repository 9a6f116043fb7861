// No log line is over 2 KB, whatever a token, a discovery document or a JWKS says: each hostile input goes
// through the authorizer as shipped (its BoundedFetcher, a real HTTPS issuer on 127.0.0.1), and every line it
// writes is checked, along with the reason code of its decisions.
import { createAuthorizer, parseConfig, type Authorizer, type RejectReason } from '../../lambda/authorizer';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { setLogSink } from '../../lambda/authorizer/log';
import { toRouteRules } from '../../lambda/routes';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken } from '../support/keys';
import { tokenEvent } from '../authorizer/harness';

const MAX_LINE_BYTES = 2048;
const key = createKey('RS256');
let server: JwksServer;
let logs: string[] = [];
let restore: () => void;
const made: Authorizer[] = [];

beforeAll(async () => {
  server = await startJwksServer([key.jwk]);
  restore = setLogSink((line) => logs.push(line));
});
afterAll(async () => {
  restore();
  await server.close();
});
beforeEach(() => {
  logs = [];
  server.keys = [key.jwk];
  server.mode = 'ok';
  server.discoveryMode = 'ok';
  server.discovery = {};
});
afterEach(async () => {
  await Promise.all(made.splice(0).map((a) => a.jwksCache.stop()));
});

/** The issuer is the server's origin; with `discover`, no JWKS_URI, so its openid-configuration is read. */
function authorizer(options: { discover?: boolean; env?: Record<string, string> } = {}): Authorizer {
  const config = parseConfig({
    ISSUER: server.origin,
    AUDIENCE: 'https://api.test',
    ROUTES: JSON.stringify(toRouteRules()),
    ...(options.discover ? {} : { JWKS_URI: server.url }),
    ...options.env,
  });
  const created = createAuthorizer(config, {
    fetcher: new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert }),
    // One discovery or JWKS attempt per test: a failure is not retried within it.
    jwksFailureBackoffMs: 60_000,
  });
  made.push(created);
  return created;
}

const token = (payload: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  `Bearer ${signToken(key, claims({ iss: server.origin, ...payload }), { header })}`;

const filler = (c: string, n: number) => c.repeat(n);

interface Case {
  /** The requests to make, after the server is set up. */
  readonly run: (a: Authorizer) => Promise<unknown>;
  readonly setUp?: () => void;
  readonly discover?: boolean;
  readonly env?: Record<string, string>;
  /** The reason code of every decision line. */
  readonly reason: RejectReason | 'JWKS_UNAVAILABLE' | 'ALLOWED';
  /** The hostile string's repeated character: no line may hold more than 600 of it in a row. */
  readonly char: string;
  /** A field of the decision line that must show it was truncated. */
  readonly truncated?: string;
}

const repeat = (times: number, event: () => unknown) => async (a: Authorizer) => {
  for (let i = 0; i < times; i++) await a.authorize(event() as never).catch(() => undefined);
};

const cases: Array<[string, Case]> = [
  [
    'a typ of 5.7 KB, refused by TOKEN_TYPES',
    {
      // A deployment that raised the token size cap: the typ alone is 7.6 KB of base64url.
      env: { TOKEN_TYPES: 'at+jwt', MAX_TOKEN_BYTES: '16384' },
      run: repeat(2, () => tokenEvent(token({}, { typ: filler('T', 5700) }))),
      reason: 'WRONG_TOKEN_TYPE',
      char: 'T',
      truncated: 'detail',
    },
  ],
  [
    'a kid of 6 KB',
    {
      env: { MAX_TOKEN_BYTES: '16384' },
      run: repeat(2, () => tokenEvent(token({}, { kid: filler('K', 6000) }))),
      reason: 'MALFORMED_TOKEN',
      char: 'K',
    },
  ],
  [
    'claims of 2.5 KB each and a path of 3 KB, in a token that is allowed',
    {
      run: repeat(2, () =>
        tokenEvent(
          token({ sub: filler('S', 2500), client_id: filler('S', 2500) }),
          'GET',
          `/items/${filler('S', 3000)}`,
        ),
      ),
      reason: 'ALLOWED',
      char: 'S',
      truncated: 'sub',
    },
  ],
  [
    'a discovery document that names an issuer of 120 KB',
    {
      discover: true,
      setUp: () => (server.discovery = { issuer: filler('I', 120 * 1024) }),
      run: repeat(3, () => tokenEvent(token())),
      reason: 'JWKS_UNAVAILABLE',
      char: 'I',
      truncated: 'detail',
    },
  ],
  [
    'a discovery document whose jwks_uri is 120 KB',
    {
      discover: true,
      setUp: () => (server.discovery = { jwks_uri: `http://${filler('U', 120 * 1024)}` }),
      run: repeat(3, () => tokenEvent(token())),
      reason: 'JWKS_UNAVAILABLE',
      char: 'U',
      truncated: 'detail',
    },
  ],
  [
    'a JWKS whose members are 30 KB strings, besides the real key',
    {
      setUp: () =>
        (server.keys = [
          { ...key.jwk, kid: filler('J', 30_000) },
          { kty: 'RSA', alg: filler('J', 30_000), n: filler('J', 30_000), e: 'AQAB', kid: 'other' },
          key.jwk,
        ]),
      run: repeat(2, () => tokenEvent(token())),
      reason: 'ALLOWED',
      char: 'J',
    },
  ],
  [
    'a JWKS of 30 KB strings, and a kid it does not have',
    {
      setUp: () => (server.keys = [{ ...key.jwk, kid: filler('J', 30_000), x5t: filler('J', 30_000) }]),
      run: repeat(2, () => tokenEvent(token({}, { kid: filler('k', 256) }))),
      reason: 'UNKNOWN_KID',
      char: 'J',
    },
  ],
  [
    'a JWKS that is JSON but not a key set, of 100 KB',
    {
      setUp: () => (server.keys = filler('N', 100_000) as never),
      run: repeat(2, () => tokenEvent(token())),
      reason: 'JWKS_UNAVAILABLE',
      char: 'N',
    },
  ],
];

test.each(cases)('%s: every line is at most 2 KB', async (...[, c]) => {
  c.setUp?.();
  const a = authorizer({ discover: c.discover, env: c.env });
  await a.ready;
  await c.run(a);
  await a.settled();

  const parsed = logs.map((line) => JSON.parse(line) as Record<string, unknown>);
  const decisions = parsed.filter((l) => l.message === 'authorization');
  expect(decisions.length).toBeGreaterThanOrEqual(2);
  expect(decisions.map((l) => l.reason)).toEqual(decisions.map(() => c.reason));
  for (const line of logs) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
  expect(logs.filter((line) => line.includes(c.char.repeat(600)))).toEqual([]);
  if (c.truncated !== undefined) {
    for (const decision of decisions) expect(String(decision[c.truncated])).toMatch(/…\(\+\d+ chars\)/);
  }
});
