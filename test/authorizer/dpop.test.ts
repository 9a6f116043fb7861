// DPoP-bound tokens (RFC 9449) in the authorizer core: REQUEST events with real keys, real signed tokens and
// real proofs, each failure with its exact reason code. The replay table is tested in dpop-replay.test.ts.
import { createKey, claims, signToken, type TestKey } from '../support/keys';
import { makeProof, publicJwk, thumbprint, type ProofOptions } from '../support/dpop-proof';
import { API_ARN, ISSUER, lastDecision, startHarness, tokenEvent, type Harness } from './harness';
import { ConfigError, filesBesideHandler, parseConfig } from '../../lambda/authorizer';
import { MemoryReplayStore } from '../../lambda/authorizer/dpop-replay';
import {
  MAX_CACHED_REQUEST_URLS,
  jwkThumbprint,
  normalizeHtu,
  normalizeRequestUrl,
} from '../../lambda/authorizer/dpop';

const HOST = 'abc123.execute-api.us-east-1.amazonaws.com';
const URL_ = `https://${HOST}/prod/items`;
const UNAUTHORIZED = /^Unauthorized$/;

let h: Harness;
let client: TestKey;
beforeAll(async () => {
  h = await startHarness();
  client = createKey('ES256');
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

/** A REQUEST event as API Gateway sends it for GET https://HOST/prod/items on the execute-api endpoint. */
function requestEvent(
  authorization: string,
  proofs: readonly string[],
  overrides: { method?: string; domainName?: string; path?: string } = {},
): Record<string, unknown> {
  const method = overrides.method ?? 'GET';
  const headers: Record<string, string> = { Authorization: authorization, Host: HOST };
  const multi: Record<string, string[]> = { Authorization: [authorization], Host: [HOST] };
  if (proofs.length > 0) {
    headers.DPoP = proofs[proofs.length - 1] as string;
    multi.DPoP = [...proofs];
  }
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/${method}/items`,
    resource: '/items',
    path: '/items',
    httpMethod: method,
    headers,
    multiValueHeaders: multi,
    requestContext: {
      httpMethod: method,
      resourcePath: '/items',
      path: overrides.path ?? '/prod/items',
      stage: 'prod',
      domainName: overrides.domainName ?? HOST,
    },
  };
}

const boundToken = (key: TestKey = client, extra: Record<string, unknown> = {}) =>
  signToken(h.keys.rsa, claims({ cnf: { jkt: thumbprint(key.jwk) }, ...extra }));
const proof = (token: string | undefined, options: Partial<ProofOptions> = {}, key: TestKey = client) =>
  makeProof(key, { htm: 'GET', htu: URL_, token, ...options });

test('a bound token with a good proof is allowed for the route, and the same proof again is refused', async () => {
  const a = h.authorizer();
  const token = boundToken();
  const event = requestEvent(`DPoP ${token}`, [proof(token)]);
  const policy = await a.authorize(event);
  expect(policy.principalId).toBe('user-1');
  expect(policy.policyDocument.Statement[0]).toEqual({
    Action: 'execute-api:Invoke',
    Effect: 'Allow',
    Resource: [`${API_ARN}/GET/items`, `${API_ARN}/GET/items/`],
  });
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
  await expect(a.authorize(event)).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'DPOP_REPLAYED' });
});

test.each([
  ['ES256' as const],
  ['ES384' as const],
  ['EdDSA' as const],
  ['RS256' as const],
  ['PS256' as const],
])('a proof signed with %s verifies', async (alg) => {
  const key = createKey(alg);
  const token = boundToken(key);
  await expect(
    h.authorizer().authorize(requestEvent(`DPoP ${token}`, [proof(token, {}, key)])),
  ).resolves.toMatchObject({ principalId: 'user-1' });
});

test.each([
  ['a query and fragment in htu are ignored', { htu: `${URL_}?page=2#top` }],
  [
    'scheme and host case and the default port are normalized',
    { htu: `HTTPS://${HOST.toUpperCase()}:443/prod/items` },
  ],
  ['an escaped unreserved character equals the character', { htu: `https://${HOST}/prod/%69tems` }],
  ['typ with the application/ prefix', { header: { typ: 'application/dpop+jwt' } }],
])('%s', async (_name, options) => {
  const token = boundToken();
  await expect(
    h.authorizer().authorize(requestEvent(`DPoP ${token}`, [proof(token, options)])),
  ).resolves.toMatchObject({ principalId: 'user-1' });
});

const now = () => Math.floor(Date.now() / 1000);
const other = createKey('ES256');

// Each case: what to change about a good request, and the exact reason the authorizer logs.
test.each<[string, (token: string) => { auth?: string; proofs?: string[]; event?: object }, string]>([
  ['no DPoP header', () => ({ proofs: [] }), 'DPOP_MISSING_PROOF'],
  ['two DPoP headers', (t) => ({ proofs: [proof(t), proof(t)] }), 'DPOP_MALFORMED_PROOF'],
  ['a proof that is not a JWS', () => ({ proofs: ['not-a-jws'] }), 'DPOP_MALFORMED_PROOF'],
  ['a proof over 8 KiB', () => ({ proofs: ['a'.repeat(9000)] }), 'DPOP_MALFORMED_PROOF'],
  ['another method', (t) => ({ proofs: [proof(t, { htm: 'POST' })] }), 'DPOP_WRONG_METHOD'],
  ['the method in lower case', (t) => ({ proofs: [proof(t, { htm: 'get' })] }), 'DPOP_WRONG_METHOD'],
  [
    'another path',
    (t) => ({ proofs: [proof(t, { htu: `https://${HOST}/prod/items/1` })] }),
    'DPOP_WRONG_URL',
  ],
  ['without the stage', (t) => ({ proofs: [proof(t, { htu: `https://${HOST}/items` })] }), 'DPOP_WRONG_URL'],
  [
    'another host',
    (t) => ({ proofs: [proof(t, { htu: 'https://api.example.com/prod/items' })] }),
    'DPOP_WRONG_URL',
  ],
  ['plain http', (t) => ({ proofs: [proof(t, { htu: `http://${HOST}/prod/items` })] }), 'DPOP_WRONG_URL'],
  [
    'another port',
    (t) => ({ proofs: [proof(t, { htu: `https://${HOST}:8443/prod/items` })] }),
    'DPOP_WRONG_URL',
  ],
  ['an htu that is no URL', (t) => ({ proofs: [proof(t, { htu: '/prod/items' })] }), 'DPOP_WRONG_URL'],
  ['another key (and its own jwk)', (t) => ({ proofs: [proof(t, {}, other)] }), 'DPOP_KEY_MISMATCH'],
  [
    'signed by another key under the right jwk',
    (t) => ({ proofs: [proof(t, { signWith: other })] }),
    'DPOP_BAD_SIGNATURE',
  ],
  ['iat 61 s old', (t) => ({ proofs: [proof(t, { iat: now() - 61 })] }), 'DPOP_STALE_PROOF'],
  ['iat 31 s ahead', (t) => ({ proofs: [proof(t, { iat: now() + 31 })] }), 'DPOP_STALE_PROOF'],
  [
    'iat a string',
    (t) => ({ proofs: [proof(t, { claims: { iat: String(now()) } })] }),
    'DPOP_MALFORMED_PROOF',
  ],
  ['no ath', () => ({ proofs: [proof(undefined)] }), 'DPOP_WRONG_ATH'],
  ['the ath of another token', () => ({ proofs: [proof(boundToken())] }), 'DPOP_WRONG_ATH'],
  ['no jti', (t) => ({ proofs: [proof(t, { claims: { jti: undefined } })] }), 'DPOP_MALFORMED_PROOF'],
  [
    'a jti over 256 characters',
    (t) => ({ proofs: [proof(t, { jti: 'j'.repeat(257) })] }),
    'DPOP_MALFORMED_PROOF',
  ],
  ['no htu', (t) => ({ proofs: [proof(t, { claims: { htu: undefined } })] }), 'DPOP_MALFORMED_PROOF'],
  [
    'alg none with an empty signature',
    (t) => ({ proofs: [proof(t, { header: { alg: 'none' }, unsigned: true })] }),
    'DPOP_MALFORMED_PROOF',
  ],
  [
    'alg none with a signature',
    (t) => ({ proofs: [proof(t, { header: { alg: 'none' } })] }),
    'DPOP_UNSUPPORTED_ALGORITHM',
  ],
  [
    'an HMAC proof keyed with the public key',
    (t) => ({ proofs: [proof(t, { header: { alg: 'HS256' }, hmacSecret: client.jwk.x })] }),
    'DPOP_UNSUPPORTED_ALGORITHM',
  ],
  [
    'a private key member (d) in the jwk',
    (t) => {
      const d = (client.privateKey.export({ format: 'jwk' }) as Record<string, string>).d;
      return { proofs: [proof(t, { header: { jwk: { ...publicJwk(client), d } } })] };
    },
    'DPOP_BAD_KEY',
  ],
  [
    'a symmetric jwk',
    (t) => ({ proofs: [proof(t, { header: { jwk: { kty: 'oct', k: 'c2VjcmV0' } } })] }),
    'DPOP_BAD_KEY',
  ],
  ['no jwk', (t) => ({ proofs: [proof(t, { header: { jwk: undefined } })] }), 'DPOP_BAD_KEY'],
  [
    'a jwk not for signing',
    (t) => ({ proofs: [proof(t, { header: { jwk: { ...publicJwk(client), use: 'enc' } } })] }),
    'DPOP_BAD_KEY',
  ],
  [
    'a jwk of another curve than alg',
    (t) => ({ proofs: [proof(t, { header: { alg: 'ES384' } })] }),
    'DPOP_BAD_KEY',
  ],
  ['typ jwt', (t) => ({ proofs: [proof(t, { header: { typ: 'JWT' } })] }), 'DPOP_MALFORMED_PROOF'],
  ['no typ', (t) => ({ proofs: [proof(t, { header: { typ: undefined } })] }), 'DPOP_MALFORMED_PROOF'],
  [
    'a jku header',
    (t) => ({ proofs: [proof(t, { header: { jku: 'https://evil.test/jwks' } })] }),
    'DPOP_MALFORMED_PROOF',
  ],
  ['a crit header', (t) => ({ proofs: [proof(t, { header: { crit: ['exp'] } })] }), 'DPOP_MALFORMED_PROOF'],
  [
    'a jwk that is an array',
    (t) => ({ proofs: [proof(t, { header: { jwk: [publicJwk(client)] } })] }),
    'DPOP_BAD_KEY',
  ],
  [
    'a jwk whose key_ops do not allow verify',
    (t) => ({ proofs: [proof(t, { header: { jwk: { ...publicJwk(client), key_ops: ['sign'] } } })] }),
    'DPOP_BAD_KEY',
  ],
  [
    'a jwk whose point is not on the curve',
    (t) => {
      const jwk = { ...publicJwk(client), x: publicJwk(other).x as string };
      const token = signToken(h.keys.rsa, claims({ cnf: { jkt: thumbprint(jwk) } }));
      void t;
      return { auth: `DPoP ${token}`, proofs: [proof(token, { header: { jwk } })] };
    },
    'DPOP_BAD_KEY',
  ],
  [
    'a signature spelled non-canonically',
    (t) => {
      // An ES256 signature is 64 bytes: its last base64url character holds 2 bits and 4 spare ones; setting
      // a spare bit spells the same bytes differently.
      const good = proof(t);
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const last = alphabet.indexOf(good.slice(-1));
      return { proofs: [good.slice(0, -1) + alphabet[last ^ 1]] };
    },
    'DPOP_MALFORMED_PROOF',
  ],
  ['htm a number', (t) => ({ proofs: [proof(t, { claims: { htm: 1 } })] }), 'DPOP_MALFORMED_PROOF'],
  ['the bound token sent as Bearer', (t) => ({ auth: `Bearer ${t}` }), 'DPOP_BOUND_TOKEN_AS_BEARER'],
  [
    'the bound token in a TOKEN event',
    (t) => ({ event: tokenEvent(`DPoP ${t}`) }),
    'DPOP_NEEDS_REQUEST_EVENT',
  ],
  [
    'an unbound token sent as DPoP',
    () => {
      const t = signToken(h.keys.rsa, claims());
      return { auth: `DPoP ${t}`, proofs: [proof(t)] };
    },
    'DPOP_TOKEN_NOT_BOUND',
  ],
  [
    'a token bound by a confirmation method this resource cannot check (cnf.jwk)',
    () => {
      const t = signToken(h.keys.rsa, claims({ cnf: { jwk: { kty: 'EC' } } }));
      return { auth: `Bearer ${t}`, proofs: [] };
    },
    'UNSUPPORTED_BINDING',
  ],
  [
    'a cnf.jkt that is no thumbprint',
    () => {
      const t = signToken(h.keys.rsa, claims({ cnf: { jkt: 'short' } }));
      return { auth: `DPoP ${t}`, proofs: [proof(t)] };
    },
    'INVALID_CLAIM',
  ],
  [
    'a cnf that is not an object',
    () => {
      const t = signToken(h.keys.rsa, claims({ cnf: 'jkt' }));
      return { auth: `DPoP ${t}`, proofs: [proof(t)] };
    },
    'INVALID_CLAIM',
  ],
  ['a DPoP value with two tokens', (t) => ({ auth: `DPoP ${t} ${t}` }), 'MALFORMED_HEADER'],
  ['a DPoP value too long', (t) => ({ auth: `DPoP ${t}${'a'.repeat(9000)}` }), 'TOKEN_TOO_LARGE'],
])('%s: 401 %s', async (_name, change, reason) => {
  const token = boundToken();
  const changed = change(token);
  const event =
    changed.event ?? requestEvent(changed.auth ?? `DPoP ${token}`, changed.proofs ?? [proof(token)]);
  await expect(h.authorizer().authorize(event)).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason });
});

test('an RSA proof key under 2048 bits is refused', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  const weak: TestKey = {
    kid: 'weak',
    alg: 'RS256',
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk,
  };
  const token = boundToken(weak);
  await expect(
    h.authorizer().authorize(requestEvent(`DPoP ${token}`, [proof(token, {}, weak)])),
  ).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ reason: 'DPOP_BAD_KEY' });
});

test('the URL is the custom domain and its base path when the client called those', async () => {
  const token = boundToken();
  const event = requestEvent(`DPoP ${token}`, [proof(token, { htu: 'https://api.example.com/v1/items' })], {
    domainName: 'api.example.com',
    path: '/v1/items',
  });
  await expect(h.authorizer().authorize(event)).resolves.toMatchObject({ principalId: 'user-1' });
});

test('X-Forwarded-Proto: http is believed for a loopback host only', async () => {
  const token = boundToken();
  const local = requestEvent(`DPoP ${token}`, [proof(token, { htu: 'http://127.0.0.1:3000/prod/items' })], {
    domainName: '127.0.0.1:3000',
  });
  (local.headers as Record<string, string>)['X-Forwarded-Proto'] = 'http';
  await expect(h.authorizer().authorize(local)).resolves.toMatchObject({ principalId: 'user-1' });

  const remote = requestEvent(`DPoP ${token}`, [proof(token, { htu: `http://${HOST}/prod/items` })]);
  (remote.headers as Record<string, string>)['X-Forwarded-Proto'] = 'http';
  await expect(h.authorizer().authorize(remote)).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ reason: 'DPOP_WRONG_URL' });
});

test('a REQUEST event without domainName cannot be checked: the authorizer fails closed (5xx)', async () => {
  const token = boundToken();
  const event = requestEvent(`DPoP ${token}`, [proof(token)]);
  delete (event.requestContext as Record<string, unknown>).domainName;
  await expect(h.authorizer().authorize(event)).rejects.toThrow(/^(?!Unauthorized$)/);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'INVALID_EVENT' });
});

test('a REQUEST event without requestContext.path cannot be checked either (5xx)', async () => {
  const token = boundToken();
  const event = requestEvent(`DPoP ${token}`, [proof(token)]);
  delete (event.requestContext as Record<string, unknown>).path;
  await expect(h.authorizer().authorize(event)).rejects.toThrow('REQUEST event without requestContext.path');
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'INVALID_EVENT' });
});

test('plain bearer tokens keep working in REQUEST and TOKEN events', async () => {
  const a = h.authorizer();
  const token = signToken(h.keys.rsa, claims());
  await expect(a.authorize(requestEvent(`Bearer ${token}`, []))).resolves.toMatchObject({
    principalId: 'user-1',
  });
  await expect(a.authorize(tokenEvent(`Bearer ${token}`))).resolves.toMatchObject({ principalId: 'user-1' });
});

test('DPOP_REQUIRED_ISSUERS refuses that issuer’s bearer tokens and accepts its bound ones', async () => {
  const a = h.authorizer({ DPOP_REQUIRED_ISSUERS: ISSUER });
  await expect(a.authorize(requestEvent(`Bearer ${signToken(h.keys.rsa, claims())}`, []))).rejects.toThrow(
    UNAUTHORIZED,
  );
  expect(lastDecision(h.logs)).toMatchObject({ reason: 'DPOP_REQUIRED' });
  const token = boundToken();
  await expect(a.authorize(requestEvent(`DPoP ${token}`, [proof(token)]))).resolves.toMatchObject({
    principalId: 'user-1',
  });
});

test('DPOP_PROOF_MAX_AGE_SECONDS sets how old a proof may be', async () => {
  const a = h.authorizer({ DPOP_PROOF_MAX_AGE_SECONDS: '120' });
  const token = boundToken();
  await expect(
    a.authorize(requestEvent(`DPoP ${token}`, [proof(token, { iat: now() - 100 })])),
  ).resolves.toMatchObject({ principalId: 'user-1' });
});

test.each([
  [
    { DPOP_REQUIRED_ISSUERS: 'https://other.test' },
    'DPOP_REQUIRED_ISSUERS: names "https://other.test", which is not a trusted issuer (list exact issuers, or "*" for all)',
  ],
  [{ DPOP_REQUIRED_ISSUERS: ' , ' }, 'DPOP_REQUIRED_ISSUERS: must list at least one issuer, or "*"'],
  [
    { DPOP_PROOF_MAX_AGE_SECONDS: '0' },
    'DPOP_PROOF_MAX_AGE_SECONDS: must be a whole number from 1 to 300; got "0"',
  ],
  [
    { DPOP_PROOF_MAX_AGE_SECONDS: '301' },
    'DPOP_PROOF_MAX_AGE_SECONDS: must be a whole number from 1 to 300; got "301"',
  ],
])('config %o is refused', (overrides, message) => {
  expect(() => parseConfig(h.env(overrides), filesBesideHandler())).toThrow(
    new ConfigError('x', '').constructor as never,
  );
  expect(() => parseConfig(h.env(overrides), filesBesideHandler())).toThrow(message);
});

test('config: "*" requires DPoP of every issuer; the defaults', () => {
  expect(parseConfig(h.env({ DPOP_REQUIRED_ISSUERS: '*' })).dpop).toEqual({
    requiredIssuers: [ISSUER],
    proofMaxAgeSeconds: 60,
    replayTable: null,
    nonces: null,
  });
  expect(parseConfig(h.env()).dpop).toEqual({
    requiredIssuers: [],
    proofMaxAgeSeconds: 60,
    replayTable: null,
    nonces: null,
  });
});

test('the memory store refuses a proof it cannot remember rather than forgetting one', () => {
  const store = new MemoryReplayStore(2);
  store.record('a', 100, 50);
  store.record('b', 100, 50);
  expect(() => store.record('c', 100, 50)).toThrow(
    expect.objectContaining({ code: 'DPOP_REPLAY_UNAVAILABLE' }),
  );
  // Once the first two are stale they are swept, and the third fits.
  store.record('c', 200, 150);
  expect(store.size).toBe(1);
  expect(() => store.record('c', 200, 150)).toThrow(expect.objectContaining({ code: 'DPOP_REPLAYED' }));
});

test('thumbprints match RFC 7638 §3.1’s example, and keys of unknown types have none', () => {
  // The RSA key of RFC 7638 §3.1 and the thumbprint the RFC gives for it.
  const n =
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw';
  expect(jwkThumbprint({ kty: 'RSA', n, e: 'AQAB', alg: 'RS256', kid: '2011-04-29' })).toBe(
    'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
  );
  expect(jwkThumbprint({ kty: 'oct', k: 'x' })).toBeUndefined();
  expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'x' })).toBeUndefined();
});

test.each([
  ['https://Example.COM:443/a/../b/%7euser', 'https://example.com/b/~user'],
  ['https://example.com', 'https://example.com/'],
  ['http://127.0.0.1:80/x?q#f', 'http://127.0.0.1/x'],
  ['https://example.com/%2f', 'https://example.com/%2F'],
  ['ftp://example.com/x', undefined],
  ['https://user:pw@example.com/x', undefined],
  ['not a url', undefined],
])('normalizeHtu(%s) is %s', (url, normalized) => {
  expect(normalizeHtu(url)).toBe(normalized);
});

test('a request URL is normalized as normalizeHtu does, asked once or again, cached or past the cache', () => {
  // The first and second asking (a miss, then a hit for a kept URL), against a fresh parse each time; URLs over
  // 2,048 characters and malformed ones are never kept, and more URLs than the cache holds push out the oldest.
  const urls = [
    'https://Example.COM:443/a/../b/%7euser',
    'https://api.example.com/prod/items',
    'http://127.0.0.1:80/x?q#f',
    `https://api.example.com/prod/${'a'.repeat(2100)}`,
    'not a url',
    'ftp://example.com/x',
    ...Array.from(
      { length: MAX_CACHED_REQUEST_URLS + 5 },
      (_, i) => `https://api.example.com/prod/items/${i}`,
    ),
  ];
  for (const round of [1, 2]) {
    for (const url of urls)
      expect([round, url, normalizeRequestUrl(url)]).toEqual([round, url, normalizeHtu(url)]);
  }
});
