// The browser app's pure parts, without a browser: what it says for each refusal (DPoP ones included), how it
// reads a WWW-Authenticate header, its config check, and the items handlers' CORS wrapper that lets it read
// answers at all.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { buildGatewayResponses, unauthorizedChallenge } from 'bearer-gate/contract';
import {
  EXPOSED_HEADERS,
  GATEWAY_RESPONSE_OPTIONS,
  parseAllowOrigin,
  withCorsOrigin,
} from '../../lambda/http';
import { toRouteRules } from '../../lambda/routes';
import {
  describeFailure,
  parseChallenges,
  SESSION_EXPIRED,
  type ApiFailure,
  type Challenge,
} from '../../web/src/api-failure';
import { parseAppConfig } from '../../web/src/app-config';

const ROUTES = toRouteRules();
const ADD = { action: 'add an item', method: 'POST', path: '/items', scheme: 'Bearer' } as const;
const DELETE = { action: 'delete an item', method: 'DELETE', path: '/items/{id}', scheme: 'Bearer' } as const;
const DPOP_ADD = { ...ADD, scheme: 'DPoP' } as const;
const METADATA = 'http://127.0.0.1:3000/.well-known/oauth-protected-resource';
/** The gateway's 401 and 403 challenges with DPoP on, as the construct and the local gateway send them. */
const DPOP_401 = unauthorizedChallenge('invalid_token', { dpop: true, resourceMetadataUrl: METADATA });
const DPOP_403 = unauthorizedChallenge('insufficient_scope', { dpop: true, resourceMetadataUrl: METADATA });
const DPOP_ONLY_401 = unauthorizedChallenge('invalid_token', { dpop: true, dpopRequired: true });

function failure(status: number, extra: Partial<ApiFailure> = {}): ApiFailure {
  return { status, problem: undefined, wwwAuthenticate: null, retryAfter: null, dpopNonce: null, ...extra };
}

describe('describeFailure', () => {
  test.each([
    ['the gateway 401', failure(401, { problem: { code: 'INVALID_TOKEN' } })],
    ['a 401 without a body', failure(401)],
  ])('%s: sign in again', (_name, f) => {
    expect(describeFailure(f, ADD, ROUTES, ['items:read'])).toEqual({
      kind: 'sign-in-again',
      text: SESSION_EXPIRED,
    });
  });

  test.each([
    [
      "the gateway's 403 (no scope named): the route table says POST /items needs items:write",
      failure(403, {
        problem: { code: 'INSUFFICIENT_SCOPE' },
        wwwAuthenticate: 'Bearer error="insufficient_scope"',
      }),
      ADD,
      ['items:read'],
      ['items:write'],
      'You may not add an item: it needs the scope items:write, which your sign-in does not hold (you hold: items:read). Sign in as a user who has it.',
    ],
    [
      "the handler's 403 names the scope in its challenge (RFC 6750)",
      failure(403, {
        problem: { code: 'INSUFFICIENT_SCOPE' },
        wwwAuthenticate: 'Bearer error="insufficient_scope", scope="items:delete"',
      }),
      DELETE,
      [],
      ['items:delete'],
      'You may not delete an item: it needs the scope items:delete, which your sign-in does not hold (you hold: (none)). Sign in as a user who has it.',
    ],
  ])('%s', (_name, f, call, granted, missing, text) => {
    expect(describeFailure(f, call, ROUTES, granted)).toEqual({
      kind: 'missing-scope',
      text,
      missingScopes: missing,
    });
  });

  test('a 403 although the scopes are held: says what the API said, names no scope', () => {
    const f = failure(403, { problem: { code: 'INSUFFICIENT_SCOPE', detail: 'denied' } });
    expect(describeFailure(f, ADD, ROUTES, ['items:write'])).toEqual({
      kind: 'other',
      text: 'You may not add an item (403 INSUFFICIENT_SCOPE): denied',
    });
  });

  test('a 503 with Retry-After: retry', () => {
    expect(describeFailure(failure(503, { retryAfter: '5' }), ADD, ROUTES, [])).toEqual({
      kind: 'retry',
      text: 'Could not add an item: the API cannot check sign-ins right now. Retry in 5 s.',
    });
  });

  test('anything else: status, code and detail', () => {
    const f = failure(400, { problem: { code: 'INVALID_BODY', detail: 'name is required' } });
    expect(describeFailure(f, ADD, ROUTES, [])).toEqual({
      kind: 'other',
      text: 'Could not add an item (400 INVALID_BODY): name is required',
    });
  });
});

describe('describeFailure: DPoP', () => {
  const refused = (status: number, described: string): string =>
    `The API refused your sign-in or the proof of possession this browser signed for it (${status}, ${described}). ` +
    'Sign in again: that makes a new key and token.';

  test.each([
    [
      "the gateway's static 401 (both schemes, invalid_token)",
      failure(401, { problem: { code: 'INVALID_TOKEN' }, wwwAuthenticate: DPOP_401 }),
      refused(401, 'DPoP error "invalid_token"'),
    ],
    [
      'a 401 naming invalid_dpop_proof with a description',
      failure(401, {
        wwwAuthenticate: 'DPoP error="invalid_dpop_proof", error_description="stale \\"iat\\""',
      }),
      refused(401, 'DPoP error "invalid_dpop_proof": stale "iat"'),
    ],
    [
      'invalid_dpop_proof with another status than 401',
      failure(400, { wwwAuthenticate: 'DPoP algs="ES256", error="invalid_dpop_proof"' }),
      refused(400, 'DPoP error "invalid_dpop_proof"'),
    ],
  ])('%s: sign in again, naming the DPoP error', (_name, f, text) => {
    expect(describeFailure(f, DPOP_ADD, ROUTES, ['items:write'])).toEqual({ kind: 'sign-in-again', text });
  });

  test.each([401, 400])(
    'use_dpop_nonce (status %d) after the retry, the nonce unreadable: says the API must expose DPoP-Nonce',
    (status) => {
      const f = failure(status, { wwwAuthenticate: 'DPoP error="use_dpop_nonce"', dpopNonce: null });
      expect(describeFailure(f, DPOP_ADD, ROUTES, ['items:write'])).toEqual({
        kind: 'other',
        text:
          'Could not add an item: the API asks for a DPoP nonce (DPoP error "use_dpop_nonce"), but this page ' +
          'cannot read its DPoP-Nonce header. The API must expose it to the browser (Access-Control-Expose-Headers).',
      });
    },
  );

  test.each([401, 400])('use_dpop_nonce (status %d) again after the retry with a nonce: retry', (status) => {
    const f = failure(status, {
      wwwAuthenticate:
        'Bearer, DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"',
      dpopNonce: 'n-2',
    });
    expect(describeFailure(f, DPOP_ADD, ROUTES, ['items:write'])).toEqual({
      kind: 'retry',
      text:
        'Could not add an item: the API asked for a DPoP nonce again after the retry that carried its nonce ' +
        '(DPoP error "use_dpop_nonce": Resource server requires nonce). Try again.',
    });
  });

  test("the gateway's 403 with DPoP on still names the missing scope", () => {
    const f = failure(403, { problem: { code: 'INSUFFICIENT_SCOPE' }, wwwAuthenticate: DPOP_403 });
    expect(describeFailure(f, DPOP_ADD, ROUTES, ['items:read'])).toEqual({
      kind: 'missing-scope',
      text: 'You may not add an item: it needs the scope items:write, which your sign-in does not hold (you hold: items:read). Sign in as a user who has it.',
      missingScopes: ['items:write'],
    });
  });

  test.each([
    ['a DPoP call refused without a challenge', DPOP_ADD, null],
    ['a DPoP call refused with a DPoP challenge without an error', DPOP_ADD, 'DPoP algs="ES256"'],
    ['a bearer call refused with both schemes offered', ADD, DPOP_401],
  ])('%s: the plain 401 message', (_name, call, header) => {
    expect(describeFailure(failure(401, { wwwAuthenticate: header }), call, ROUTES, [])).toEqual({
      kind: 'sign-in-again',
      text: SESSION_EXPIRED,
    });
  });

  test('a bearer call refused by an API that offers only DPoP: says the app has DPoP off', () => {
    expect(describeFailure(failure(401, { wwwAuthenticate: DPOP_ONLY_401 }), ADD, ROUTES, [])).toEqual({
      kind: 'other',
      text:
        'Could not add an item: the API accepts only DPoP-bound tokens, and this app sent a bearer token. ' +
        'Its configuration has DPoP off (start the local stack with DPOP=1).',
    });
  });
});

describe('parseChallenges', () => {
  test.each<[string, string | null, Challenge[]]>([
    ['no header', null, []],
    ['an empty header', '', []],
    [
      "the gateway's 401 with DPoP (RFC 9110 §11.6.1: two challenges in one header)",
      DPOP_401,
      [
        { scheme: 'bearer', params: { error: 'invalid_token', resource_metadata: METADATA } },
        {
          scheme: 'dpop',
          params: {
            error: 'invalid_token',
            algs: 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512',
            resource_metadata: METADATA,
          },
        },
      ],
    ],
    [
      'a scheme without parameters, then one with a token value and a quoted pair',
      'Bearer, DPoP Error=use_dpop_nonce , error_description="a \\"b\\" \\\\ c"',
      [
        { scheme: 'bearer', params: {} },
        { scheme: 'dpop', params: { error: 'use_dpop_nonce', error_description: 'a "b" \\ c' } },
      ],
    ],
    [
      'a repeated parameter: the first counts',
      'DPoP error="a", error="b"',
      [{ scheme: 'dpop', params: { error: 'a' } }],
    ],
    [
      'a quoted string that holds a comma and an equals sign',
      'DPoP error_description="x=1, y", error="e"',
      [{ scheme: 'dpop', params: { error_description: 'x=1, y', error: 'e' } }],
    ],
    [
      'an unterminated quoted string: what came before',
      'Bearer realm="x", DPoP error="nonce',
      [
        { scheme: 'bearer', params: { realm: 'x' } },
        { scheme: 'dpop', params: {} },
      ],
    ],
    ['a parameter before any scheme', 'error="x"', []],
    [
      "parameters named as Object.prototype's members, the first of each kept",
      'DPoP constructor="a", __proto__=b, toString="c", CONSTRUCTOR="d"',
      [
        {
          scheme: 'dpop',
          params: JSON.parse('{"constructor":"a","__proto__":"b","tostring":"c"}') as Record<string, string>,
        },
      ],
    ],
    [
      'a token68 credential (not a challenge of ours)',
      'Basic YWxhZGRpbg==',
      [{ scheme: 'basic', params: {} }],
    ],
  ])('%s', (_name, header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });

  // The oracle is the generator: challenges rendered by RFC 9110's grammar must read back as generated.
  // Names Object.prototype has are tokens too, and the hard case for a map of parameters: drawn often.
  const token = fc.oneof(
    fc.stringMatching(/^[-!#$%&'*+.^_`|~0-9A-Za-z]{1,12}$/),
    fc.constantFrom('constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'Constructor'),
  );
  const challenge = fc.record({
    scheme: token,
    params: fc.uniqueArray(fc.tuple(token, fc.string({ maxLength: 20 }), fc.boolean()), {
      selector: ([name]) => name.toLowerCase(),
      maxLength: 4,
    }),
  });
  const quote = (value: string): string => `"${value.replace(/["\\]/g, '\\$&')}"`;

  test('challenges rendered by the grammar read back as generated, whatever the values hold', () => {
    fc.assert(
      fc.property(fc.array(challenge, { minLength: 1, maxLength: 3 }), (challenges) => {
        const header = challenges
          .map(
            (c) =>
              c.scheme +
              (c.params.length === 0
                ? ''
                : ' ' + c.params.map(([name, value]) => `${name}=${quote(value)}`).join(', ')),
          )
          .join(', ');
        expect(parseChallenges(header)).toEqual(
          challenges.map((c) => ({
            scheme: c.scheme.toLowerCase(),
            params: Object.fromEntries(c.params.map(([name, value]) => [name.toLowerCase(), value])),
          })),
        );
      }),
      { numRuns: 300 },
    );
  });

  test('never throws on any header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        expect(Array.isArray(parseChallenges(header))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseAppConfig', () => {
  const valid = {
    issuer: 'https://127.0.0.1:3443',
    clientId: 'local-app',
    audience: 'https://bearer-gate.local/api',
    scope: 'items:read',
    api: 'http://127.0.0.1:3000/',
    dpop: false,
    routes: ROUTES,
  };

  test('accepts the app server config and drops the trailing slash of the API', () => {
    expect(parseAppConfig(valid)).toEqual({ ...valid, api: 'http://127.0.0.1:3000' });
    expect(parseAppConfig({ ...valid, dpop: true }).dpop).toBe(true);
  });

  test.each([
    ['not an object', null, 'app config: not an object'],
    ['no issuer', { ...valid, issuer: '' }, 'app config: issuer must be a non-empty string'],
    [
      'bad routes',
      { ...valid, routes: [{ method: 'GET' }] },
      'app config: routes must be an array of {method, path, scopes}',
    ],
    ['no dpop', { ...valid, dpop: undefined }, 'app config: dpop must be true or false'],
    ['dpop as text', { ...valid, dpop: 'true' }, 'app config: dpop must be true or false'],
  ])('%s', (_name, value, message) => {
    expect(() => parseAppConfig(value)).toThrow(message);
  });
});

describe('withCorsOrigin (items handlers)', () => {
  const inner = async (
    _event: APIGatewayProxyEvent,
  ): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => ({
    statusCode: 201,
    headers: { Location: '/items/1' },
    body: '{}',
  });
  const event = {} as APIGatewayProxyEvent;

  test('adds the one allowed origin and the exposed headers to every answer', async () => {
    await expect(withCorsOrigin(inner, 'http://127.0.0.1:3080')(event)).resolves.toEqual({
      statusCode: 201,
      headers: {
        Location: '/items/1',
        'Access-Control-Allow-Origin': 'http://127.0.0.1:3080',
        'Access-Control-Expose-Headers': 'WWW-Authenticate,Retry-After,DPoP-Nonce,Location',
      },
      body: '{}',
    });
  });

  test('without an origin the handler is returned as it is', () => {
    expect(withCorsOrigin(inner, undefined)).toBe(inner);
  });

  test("exposes the same headers as the gateway's responses", () => {
    const responses = buildGatewayResponses({
      ...GATEWAY_RESPONSE_OPTIONS,
      allowOrigin: 'https://x.example',
    });
    expect(new Set(responses.map((r) => r.headers['Access-Control-Expose-Headers']))).toEqual(
      new Set([EXPOSED_HEADERS]),
    );
  });

  test.each([
    [undefined, undefined],
    ['', undefined],
    ['https://app.example.com', 'https://app.example.com'],
    ['http://127.0.0.1:3080', 'http://127.0.0.1:3080'],
  ])('CORS_ALLOW_ORIGIN %j -> %j', (raw, expected) => {
    expect(parseAllowOrigin(raw)).toBe(expected);
  });

  test.each([
    '*',
    'https://app.example.com/',
    'https://app.example.com/path',
    'app.example.com',
    'ftp://x.example',
  ])('CORS_ALLOW_ORIGIN %j is refused', (raw) => {
    const result = parseAllowOrigin(raw);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toBe(
      `CORS_ALLOW_ORIGIN must be one origin such as https://app.example.com (no path, no "*"); got "${raw}"`,
    );
  });
});
