// RFC 8725's attack cases and other hostile input. Each must be a 401, never a 500, never allowed, and never a
// fetch to a URL taken from the token: run against the authorizer core and through the local gateway.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../../local/gateway';
import type { Authorizer } from '../../lambda/authorizer';
import { b64url, claims, signInput, signToken, type TestKey } from '../support/keys';
import { tlsMaterial } from '../support/jwks-server';
import { startHarness, tokenEvent, type Harness } from '../authorizer/harness';
import { gatewayFor, request } from './gateway-fixture';

let h: Harness;
let authorizer: Authorizer;
let gateway: Gateway;
let trap: Server;
let trapUrl: string;
const trapRequests: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  // A short refetch window keeps the unknown-kid cases quick; the window itself is tested in jwks-cache.test.ts.
  authorizer = h.authorizer({}, { jwksRefetchWindowMs: 50 });
  await authorizer.ready;
  gateway = gatewayFor(authorizer);
  // A server the hostile tokens point at (jku, x5u). It must never be asked for anything.
  trap = createServer(tlsMaterial(), (req, res) => {
    trapRequests.push(req.url ?? '');
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: [attacker().jwk] }));
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  trapUrl = `https://127.0.0.1:${(trap.address() as AddressInfo).port}/jwks.json`;
});
afterAll(async () => {
  trap.closeAllConnections();
  await new Promise((r) => trap.close(r));
  await h.close();
});

let attackerKey: TestKey | undefined;
const attacker = (): TestKey => (attackerKey ??= h.newKey('RS256'));
const now = () => Math.floor(Date.now() / 1000);

/** Signs arbitrary header/payload JSON text with the REAL key, so only the property under test is wrong. */
function signedRaw(header: object | string, payload: object | string): string {
  const input = `${b64url(typeof header === 'string' ? header : JSON.stringify(header))}.${b64url(
    typeof payload === 'string' ? payload : JSON.stringify(payload),
  )}`;
  return `${input}.${signInput(h.keys.rsa, input)}`;
}
const realHeader = () => ({ alg: 'RS256', kid: h.keys.rsa.kid, typ: 'at+jwt' });

function hmac(alg: 'HS256' | 'HS384' | 'HS512', secret: string): string {
  const input = `${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const pem = () => h.keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const nestedJson = (depth: number) => `{"sub":"u","deep":${'['.repeat(depth)}${']'.repeat(depth)}}`;

const cases: Array<[string, () => string]> = [
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Array<[string, () => string]> => [
    [
      `alg ${alg}, empty signature`,
      () => `Bearer ${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}.`,
    ],
    [
      `alg ${alg}, junk signature`,
      () => `Bearer ${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}.AAAA`,
    ],
  ]),
  ...(['HS256', 'HS384', 'HS512'] as const).flatMap((alg): Array<[string, () => string]> => [
    [`${alg} with the public key PEM as secret`, () => `Bearer ${hmac(alg, pem())}`],
    [`${alg} with the public JWK as secret`, () => `Bearer ${hmac(alg, JSON.stringify(h.keys.rsa.jwk))}`],
  ]),
  ['an empty signature', () => `Bearer ${signToken(h.keys.rsa, claims()).replace(/\.[^.]+$/, '.')}`],
  [
    'the psychic signature on ES256 (r = s = 0)',
    () =>
      `Bearer ${b64url({ alg: 'ES256', kid: h.keys.ec.kid })}.${b64url(claims())}.${Buffer.alloc(64).toString('base64url')}`,
  ],
  [
    'the psychic signature as DER (r = s = 0)',
    () =>
      `Bearer ${b64url({ alg: 'ES256', kid: h.keys.ec.kid })}.${b64url(claims())}.${Buffer.from('3006020100020100', 'hex').toString('base64url')}`,
  ],
  [
    'an embedded jwk header',
    () => `Bearer ${signToken(attacker(), claims(), { header: { jwk: attacker().jwk } })}`,
  ],
  ['jku pointing elsewhere', () => `Bearer ${signToken(attacker(), claims(), { header: { jku: trapUrl } })}`],
  ['x5u pointing elsewhere', () => `Bearer ${signToken(attacker(), claims(), { header: { x5u: trapUrl } })}`],
  [
    'jku with the real kid',
    () =>
      `Bearer ${signToken({ ...attacker(), kid: h.keys.rsa.kid }, claims(), { header: { jku: trapUrl } })}`,
  ],
  [
    'kid with a path traversal',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: '../../../../etc/passwd' } })}`,
  ],
  ['kid with SQL', () => `Bearer ${signToken(attacker(), claims(), { header: { kid: "x' OR '1'='1" } })}`],
  [
    'an enormous kid',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: 'k'.repeat(4000) } })}`,
  ],
  [
    'kid that is not a string',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: { $ne: null } } })}`,
  ],
  [
    'an unknown crit header',
    () => `Bearer ${signedRaw({ ...realHeader(), crit: ['exp2'], exp2: 1 }, claims())}`,
  ],
  ['a token over the size cap', () => `Bearer ${signToken(h.keys.rsa, claims({ pad: 'x'.repeat(9000) }))}`],
  ['deeply nested JSON', () => `Bearer ${signedRaw(realHeader(), nestedJson(3000))}`],
  [
    'a duplicate key in the payload',
    () => `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"sub":"root"}'))}`,
  ],
  [
    'a duplicate alg in the header',
    () => `Bearer ${signedRaw(`{"alg":"none","kid":"${h.keys.rsa.kid}","alg":"RS256"}`, claims())}`,
  ],
  [
    'an escaped duplicate key',
    () => `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"s\\u0075b":"root"}'))}`,
  ],
  [
    'a __proto__ member',
    () =>
      `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"__proto__":{"admin":true}}'))}`,
  ],
  [
    'non-base64url characters (+ and /)',
    () => `Bearer ${signToken(h.keys.rsa, claims()).replace(/-/g, '+').replace(/_/g, '/')}x+/`,
  ],
  ['base64 padding', () => `Bearer ${signToken(h.keys.rsa, claims())}==`],
  ['a space inside the token', () => `Bearer ${signToken(h.keys.rsa, claims()).replace('.', '. ')}`],
  ['a NUL inside the token', () => `Bearer ${signToken(h.keys.rsa, claims()).replace('.', '.\u0000')}`],
  [
    'two tokens in one header',
    () => `Bearer ${signToken(h.keys.rsa, claims())} ${signToken(h.keys.rsa, claims())}`,
  ],
  [
    'two Bearer credentials',
    () => `Bearer ${signToken(h.keys.rsa, claims())}, Bearer ${signToken(h.keys.rsa, claims())}`,
  ],
  ['a missing scheme', () => signToken(h.keys.rsa, claims())],
  ['another scheme', () => `Token ${signToken(h.keys.rsa, claims())}`],
  ...(['exp', 'nbf', 'iat'] as const).flatMap((claim): Array<[string, () => string]> => [
    [`${claim} as a string`, () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: String(now()) }))}`],
    [`${claim} as a float`, () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: now() + 0.5 }))}`],
    [`${claim} negative`, () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: -now() }))}`],
    [`${claim} as null`, () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: null }))}`],
  ]),
  ['aud as a number', () => `Bearer ${signToken(h.keys.rsa, claims({ aud: 42 }))}`],
  ['aud as an object', () => `Bearer ${signToken(h.keys.rsa, claims({ aud: { 0: 'https://api.test' } }))}`],
  [
    'aud as an array with a number',
    () => `Bearer ${signToken(h.keys.rsa, claims({ aud: ['https://api.test', 1] }))}`,
  ],
  ['iss as a number', () => `Bearer ${signToken(h.keys.rsa, claims({ iss: 1 }))}`],
  ['iss as an array', () => `Bearer ${signToken(h.keys.rsa, claims({ iss: ['https://issuer.test'] }))}`],
  ['scope as an object', () => `Bearer ${signToken(h.keys.rsa, claims({ scope: { 'items:read': true } }))}`],
  ['a payload that is an array', () => `Bearer ${signedRaw(realHeader(), '["sub"]')}`],
  ['a header that is a string', () => `Bearer ${signedRaw('"RS256"', claims())}`],
];

describe.each([
  ['the authorizer', 'direct'],
  ['the local gateway', 'gateway'],
] as const)('through %s', (...[, via]) => {
  test.each(cases)('%s -> 401', async (...[, make]) => {
    const authorization = make();
    const jwksRequests = h.server.requests.length;
    if (via === 'direct') {
      await expect(authorizer.authorize(tokenEvent(authorization, 'POST', '/items'))).rejects.toThrow(
        /^Unauthorized$/,
      );
    } else {
      const response = await gateway.handle(request('POST', '/items', authorization));
      expect(response.statusCode).toBe(401);
      expect(response.headers['WWW-Authenticate'] ?? response.headers['www-authenticate']).toEqual([
        'Bearer error="invalid_token"',
      ]);
      expect(JSON.parse(response.body.toString('utf8'))).toMatchObject({
        status: 401,
        code: 'INVALID_TOKEN',
      });
    }
    expect(trapRequests).toEqual([]);
    // At most the one bounded refetch of the TRUSTED key set (unknown kid); never anything the token names.
    expect(h.server.requests.slice(jwksRequests).every((u) => u === '/.well-known/jwks.json')).toBe(true);
  });
});

test('the same token, untouched, is allowed (so each case above fails for its own reason)', async () => {
  const response = await gateway.handle(
    request('POST', '/items', `Bearer ${signToken(h.keys.rsa, claims())}`),
  );
  expect(response.statusCode).toBe(200);
});
