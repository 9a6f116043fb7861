// The browser app's pure parts, without a browser: what it says for each refusal, its config check, and the
// items handlers' CORS wrapper that lets it read answers at all.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { buildGatewayResponses } from 'bearer-gate/contract';
import {
  EXPOSED_HEADERS,
  GATEWAY_RESPONSE_OPTIONS,
  parseAllowOrigin,
  withCorsOrigin,
} from '../../lambda/http';
import { toRouteRules } from '../../lambda/routes';
import { describeFailure, SESSION_EXPIRED, type ApiFailure } from '../../web/src/api-failure';
import { parseAppConfig } from '../../web/src/app-config';

const ROUTES = toRouteRules();
const ADD = { action: 'add an item', method: 'POST', path: '/items' };
const DELETE = { action: 'delete an item', method: 'DELETE', path: '/items/{id}' };

function failure(status: number, extra: Partial<ApiFailure> = {}): ApiFailure {
  return { status, problem: undefined, wwwAuthenticate: null, retryAfter: null, ...extra };
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

describe('parseAppConfig', () => {
  const valid = {
    issuer: 'https://127.0.0.1:3443',
    clientId: 'local-app',
    audience: 'https://bearer-gate.local/api',
    scope: 'items:read',
    api: 'http://127.0.0.1:3000/',
    routes: ROUTES,
  };

  test('accepts the app server config and drops the trailing slash of the API', () => {
    expect(parseAppConfig(valid)).toEqual({ ...valid, api: 'http://127.0.0.1:3000' });
  });

  test.each([
    ['not an object', null, 'app config: not an object'],
    ['no issuer', { ...valid, issuer: '' }, 'app config: issuer must be a non-empty string'],
    [
      'bad routes',
      { ...valid, routes: [{ method: 'GET' }] },
      'app config: routes must be an array of {method, path, scopes}',
    ],
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
