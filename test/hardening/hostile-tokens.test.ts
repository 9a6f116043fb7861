// RFC 8725's attack cases and other hostile input. Each must be a 401 for its own reason (the logged reason code
// and, where one check has several causes, its detail), never a 500, never allowed, never a log line over 2 KB,
// and never a fetch to a URL taken from the token: run against the authorizer core and through the local gateway.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Gateway } from '../../local/gateway';
import type { Authorizer, RejectReason } from '../../lambda/authorizer';
import { b64url, claims, issuedSignatures, signInput, signToken, type TestKey } from '../support/keys';
import { tlsMaterial } from '../support/jwks-server';
import { lastDecision, startHarness, tokenEvent, type Harness } from '../authorizer/harness';
import { passesIdentityValidation } from '../../lambda/contract';
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
  const signature = signInput(h.keys.rsa, input);
  // So that test/setup/log-guard.ts fails this file should any of these tokens reach a log line.
  issuedSignatures().add(signature);
  return `${input}.${signature}`;
}
const realHeader = () => ({ alg: 'RS256', kid: h.keys.rsa.kid, typ: 'at+jwt' });

function hmac(alg: 'HS256' | 'HS384' | 'HS512', secret: string): string {
  const input = `${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const pem = () => h.keys.rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
/** Claims whose `deep` member opens `levels` arrays: the whole payload nests `levels + 1` deep. */
const nestedClaims = (levels: number, space = '') =>
  JSON.stringify(claims()).replace(
    /}$/,
    `,"deep":${space}${`[${space}`.repeat(levels)}${`${space}]`.repeat(levels)}}`,
  );
/** The same JSON text with a space after every colon and comma that is not inside a string. */
const spaced = (json: string) => json.replace(/("(?:[^"\\]|\\.)*")|([:,])/g, (m, str) => (str ? m : `${m} `));
/** JSON may nest 16 levels (token.ts): a payload whose member opens 16 arrays is one too many. */
const TOO_DEEP = 16;
/** The authorizer's default MAX_TOKEN_BYTES. */
const MAX_TOKEN_BYTES = 8192;

/** A valid token signed with the real key, padded (in a claim and a header member) to exactly `length` bytes. */
function tokenOfLength(length: number): string {
  const signatureLength = 342; // 256 bytes of RS256 signature, base64url
  const payload = claims();
  const unpadded = Buffer.byteLength(JSON.stringify({ ...payload, pad: '' }));
  for (let headerPad = 0; headerPad < 4; headerPad++) {
    const header = { ...realHeader(), pad: 'h'.repeat(headerPad) };
    const payloadLength = length - b64url(header).length - signatureLength - 2;
    // base64url of n bytes is ceil(4n / 3) characters: never one more than a multiple of 4.
    if (payloadLength % 4 === 1) continue;
    const bytes = Math.floor((payloadLength * 3) / 4);
    const token = signedRaw(header, { ...payload, pad: 'x'.repeat(bytes - unpadded) });
    expect(token.length).toBe(length);
    return token;
  }
  throw new Error(`no padding gives ${length} bytes`);
}

const cases: Array<[string, () => string, RejectReason, string?]> = [
  ...['none', 'None', 'NONE', 'nOnE'].flatMap((alg): Array<[string, () => string, RejectReason]> => [
    [
      `alg ${alg}, empty signature`,
      () => `Bearer ${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}.`,
      'MALFORMED_TOKEN',
    ],
    [
      `alg ${alg}, junk signature`,
      () => `Bearer ${b64url({ alg, kid: h.keys.rsa.kid })}.${b64url(claims())}.AAAA`,
      'UNSUPPORTED_ALGORITHM',
    ],
  ]),
  ...(['HS256', 'HS384', 'HS512'] as const).flatMap((alg): Array<[string, () => string, RejectReason]> => [
    [`${alg} with the public key PEM as secret`, () => `Bearer ${hmac(alg, pem())}`, 'UNSUPPORTED_ALGORITHM'],
    [
      `${alg} with the public JWK as secret`,
      () => `Bearer ${hmac(alg, JSON.stringify(h.keys.rsa.jwk))}`,
      'UNSUPPORTED_ALGORITHM',
    ],
  ]),
  [
    'an empty signature',
    () => `Bearer ${signToken(h.keys.rsa, claims()).replace(/\.[^.]+$/, '.')}`,
    'MALFORMED_TOKEN',
  ],
  [
    'the psychic signature on ES256 (r = s = 0)',
    () =>
      `Bearer ${b64url({ alg: 'ES256', kid: h.keys.ec.kid })}.${b64url(claims())}.${Buffer.alloc(64).toString('base64url')}`,
    'BAD_SIGNATURE',
  ],
  [
    'the psychic signature as DER (r = s = 0)',
    () =>
      `Bearer ${b64url({ alg: 'ES256', kid: h.keys.ec.kid })}.${b64url(claims())}.${Buffer.from('3006020100020100', 'hex').toString('base64url')}`,
    'BAD_SIGNATURE',
  ],
  [
    'an embedded jwk header',
    () => `Bearer ${signToken(attacker(), claims(), { header: { jwk: attacker().jwk } })}`,
    'FORBIDDEN_HEADER',
  ],
  [
    'jku pointing elsewhere',
    () => `Bearer ${signToken(attacker(), claims(), { header: { jku: trapUrl } })}`,
    'FORBIDDEN_HEADER',
  ],
  [
    'x5u pointing elsewhere',
    () => `Bearer ${signToken(attacker(), claims(), { header: { x5u: trapUrl } })}`,
    'FORBIDDEN_HEADER',
  ],
  [
    'jku with the real kid',
    () =>
      `Bearer ${signToken({ ...attacker(), kid: h.keys.rsa.kid }, claims(), { header: { jku: trapUrl } })}`,
    'FORBIDDEN_HEADER',
  ],
  [
    'kid with a path traversal',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: '../../../../etc/passwd' } })}`,
    'UNKNOWN_KID',
  ],
  [
    'kid with SQL',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: "x' OR '1'='1" } })}`,
    'UNKNOWN_KID',
  ],
  [
    'an enormous kid',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: 'k'.repeat(4000) } })}`,
    'MALFORMED_TOKEN',
    'kid must be 1 to 256 printable characters',
  ],
  [
    'kid that is not a string',
    () => `Bearer ${signToken(attacker(), claims(), { header: { kid: { $ne: null } } })}`,
    'MALFORMED_TOKEN',
    'kid must be 1 to 256 printable characters',
  ],
  [
    'an unknown crit header',
    () => `Bearer ${signedRaw({ ...realHeader(), crit: ['exp2'], exp2: 1 }, claims())}`,
    'FORBIDDEN_HEADER',
  ],
  [
    'a token over the size cap',
    () => `Bearer ${signToken(h.keys.rsa, claims({ pad: 'x'.repeat(9000) }))}`,
    'TOKEN_TOO_LARGE',
  ],
  [
    'deeply nested JSON, over the size cap',
    () => `Bearer ${signedRaw(realHeader(), nestedClaims(3000))}`,
    'TOKEN_TOO_LARGE',
  ],
  [
    'a payload one level too deep, canonical JSON',
    () => `Bearer ${signedRaw(realHeader(), nestedClaims(TOO_DEEP))}`,
    'MALFORMED_TOKEN',
    'payload is nested too deeply',
  ],
  [
    'a payload one level too deep, with spaces',
    () => `Bearer ${signedRaw(realHeader(), spaced(nestedClaims(TOO_DEEP, ' ')))}`,
    'MALFORMED_TOKEN',
    'payload is nested too deeply',
  ],
  [
    'a header one level too deep',
    () =>
      `Bearer ${signedRaw(JSON.stringify(realHeader()).replace(/}$/, `,"x":${'['.repeat(TOO_DEEP)}${']'.repeat(TOO_DEEP)}}`), claims())}`,
    'MALFORMED_TOKEN',
    'header is nested too deeply',
  ],
  [
    'a duplicate key in the payload',
    () => `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"sub":"root"}'))}`,
    'MALFORMED_TOKEN',
    'payload has duplicate member "sub"',
  ],
  [
    'a duplicate key in the payload, with spaces',
    () =>
      `Bearer ${signedRaw(realHeader(), spaced(JSON.stringify(claims()).replace(/}$/, ',"sub":"root"}')))}`,
    'MALFORMED_TOKEN',
    'payload has duplicate member "sub"',
  ],
  [
    'a duplicate alg in the header',
    () => `Bearer ${signedRaw(`{"alg":"none","kid":"${h.keys.rsa.kid}","alg":"RS256"}`, claims())}`,
    'MALFORMED_TOKEN',
    'header has duplicate member "alg"',
  ],
  [
    'an escaped duplicate key',
    () => `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"s\\u0075b":"root"}'))}`,
    'MALFORMED_TOKEN',
    'payload has duplicate member "sub"',
  ],
  [
    'a __proto__ member',
    () =>
      `Bearer ${signedRaw(realHeader(), JSON.stringify(claims()).replace(/}$/, ',"__proto__":{"admin":true}}'))}`,
    'MALFORMED_TOKEN',
    'payload has a __proto__ member',
  ],
  [
    'non-base64url characters (+ and /)',
    () => `Bearer ${signToken(h.keys.rsa, claims()).replace(/-/g, '+').replace(/_/g, '/')}x+/`,
    'MALFORMED_TOKEN',
    'not three base64url segments',
  ],
  ['base64 padding', () => `Bearer ${signToken(h.keys.rsa, claims())}==`, 'MALFORMED_TOKEN'],
  [
    'a space inside the token',
    () => `Bearer ${signToken(h.keys.rsa, claims()).replace('.', '. ')}`,
    'MALFORMED_HEADER',
  ],
  [
    'a NUL inside the token',
    () => `Bearer ${signToken(h.keys.rsa, claims()).replace('.', '.\u0000')}`,
    'MALFORMED_HEADER',
  ],
  [
    'two tokens in one header',
    () => `Bearer ${signToken(h.keys.rsa, claims())} ${signToken(h.keys.rsa, claims())}`,
    'MALFORMED_HEADER',
  ],
  [
    'two Bearer credentials',
    () => `Bearer ${signToken(h.keys.rsa, claims())}, Bearer ${signToken(h.keys.rsa, claims())}`,
    'MALFORMED_HEADER',
  ],
  ['a missing scheme', () => signToken(h.keys.rsa, claims()), 'MALFORMED_HEADER'],
  ['another scheme', () => `Token ${signToken(h.keys.rsa, claims())}`, 'MALFORMED_HEADER'],
  ...(['exp', 'nbf', 'iat'] as const).flatMap((claim): Array<[string, () => string, RejectReason]> => [
    [
      `${claim} as a string`,
      () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: String(now()) }))}`,
      'INVALID_CLAIM',
    ],
    [
      `${claim} as a float`,
      () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: now() + 0.5 }))}`,
      'INVALID_CLAIM',
    ],
    [
      `${claim} negative`,
      () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: -now() }))}`,
      'INVALID_CLAIM',
    ],
    [`${claim} as null`, () => `Bearer ${signToken(h.keys.rsa, claims({ [claim]: null }))}`, 'INVALID_CLAIM'],
  ]),
  ['aud as a number', () => `Bearer ${signToken(h.keys.rsa, claims({ aud: 42 }))}`, 'INVALID_CLAIM'],
  [
    'aud as an object',
    () => `Bearer ${signToken(h.keys.rsa, claims({ aud: { 0: 'https://api.test' } }))}`,
    'INVALID_CLAIM',
  ],
  [
    'aud as an array with a number',
    () => `Bearer ${signToken(h.keys.rsa, claims({ aud: ['https://api.test', 1] }))}`,
    'INVALID_CLAIM',
  ],
  ['iss as a number', () => `Bearer ${signToken(h.keys.rsa, claims({ iss: 1 }))}`, 'INVALID_CLAIM'],
  [
    'iss as an array',
    () => `Bearer ${signToken(h.keys.rsa, claims({ iss: ['https://issuer.test'] }))}`,
    'INVALID_CLAIM',
  ],
  [
    'scope as an object',
    () => `Bearer ${signToken(h.keys.rsa, claims({ scope: { 'items:read': true } }))}`,
    'INVALID_CLAIM',
  ],
  [
    'a payload that is an array',
    () => `Bearer ${signedRaw(realHeader(), '["sub"]')}`,
    'MALFORMED_TOKEN',
    'payload is not a JSON object',
  ],
  [
    'a header that is a string',
    () => `Bearer ${signedRaw('"RS256"', claims())}`,
    'MALFORMED_TOKEN',
    'header is not a JSON object',
  ],
  ...[1, 2, 3].map((over): [string, () => string, RejectReason, string] => [
    `a token ${over} byte(s) over MAX_TOKEN_BYTES`,
    () => `Bearer ${tokenOfLength(MAX_TOKEN_BYTES + over)}`,
    'TOKEN_TOO_LARGE',
    `token longer than ${MAX_TOKEN_BYTES} bytes`,
  ]),
];

describe.each([
  ['the authorizer', 'direct'],
  ['the local gateway', 'gateway'],
] as const)('through %s', (...[, via]) => {
  test.each(cases)('%s -> 401', async (...[, make, reason, detail]) => {
    const authorization = make();
    const jwksRequests = h.server.requests.length;
    const logged = h.logs.length;
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
    const lines = h.logs.slice(logged);
    if (via === 'gateway' && !passesIdentityValidation(authorization)) {
      // API Gateway's identity validation expression refuses it before the authorizer runs.
      expect(lines.filter((l) => JSON.parse(l).message === 'authorization')).toEqual([]);
    } else {
      expect(lastDecision(lines)).toMatchObject({
        decision: 'unauthorized',
        reason,
        ...(detail === undefined ? {} : { detail }),
      });
    }
    for (const line of lines) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
    expect(trapRequests).toEqual([]);
    // At most the one bounded refetch of the TRUSTED key set (unknown kid); never anything the token names.
    expect(h.server.requests.slice(jwksRequests).every((u) => u === '/.well-known/jwks.json')).toBe(true);
  });
});

describe('what the hostile cases are near is allowed (so each case above fails for its own reason)', () => {
  test.each([
    ['the same token, untouched', () => signToken(h.keys.rsa, claims())],
    [
      'JSON with a space after every colon and comma',
      () => signedRaw(spaced(JSON.stringify(realHeader())), spaced(JSON.stringify(claims()))),
    ],
    [
      'JSON with newlines and indentation',
      () => signedRaw(JSON.stringify(realHeader(), null, 2), JSON.stringify(claims(), null, 2)),
    ],
    [
      'a payload exactly as deep as allowed, canonical',
      () => signedRaw(realHeader(), nestedClaims(TOO_DEEP - 1)),
    ],
    [
      'a payload exactly as deep as allowed, with spaces',
      () => signedRaw(realHeader(), spaced(nestedClaims(TOO_DEEP - 1, ' '))),
    ],
    ['a token of exactly MAX_TOKEN_BYTES', () => tokenOfLength(MAX_TOKEN_BYTES)],
  ])('%s', async (...[, make]) => {
    const response = await gateway.handle(request('POST', '/items', `Bearer ${make()}`));
    expect(response.statusCode).toBe(200);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
  });
});
