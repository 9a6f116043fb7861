// The local API gateway over real HTTP on 127.0.0.1. The authorizers here are small functions standing in for
// "any Lambda authorizer", because what is under test is how the gateway treats each kind of output (as AWS
// does); the project's real authorizer runs behind this gateway in test/e2e.
import type {
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { gatewayResponse, gatewayResponseBody } from 'bearer-gate/contract';
import { appGatewayResponses, constructContract, toGatewayResponseSet } from '../../local/construct-contract';
import {
  createGateway,
  type Gateway,
  type GatewayRouteBinding,
  type TokenAuthorizer,
} from '../../local/gateway';
import { createLogger } from 'bearer-gate/authorizer';

const TOKEN = 'Bearer aaa.bbb.ccc';
// Short, so the timeout test does not wait API Gateway's 29 seconds.
const INTEGRATION_TIMEOUT_MS = 300;
const API_ARN = 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local';

function allowAll(context: Record<string, unknown> = { sub: 'alice', scope: 'items:read', expiresAt: 42 }) {
  return {
    principalId: 'alice',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` }],
    },
    context,
  };
}

const events: APIGatewayProxyEvent[] = [];
const authorizerEvents: Array<APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent> = [];
let authorizerImpl: TokenAuthorizer = async () => allowAll();

const routes: GatewayRouteBinding[] = [
  {
    id: 'Echo',
    method: 'GET',
    path: '/items/{id}',
    handler: (async (event: APIGatewayProxyEvent) => {
      events.push(event);
      return {
        statusCode: 200,
        headers: { 'X-Route': 'echo' },
        body: JSON.stringify({ id: event.pathParameters?.id }),
      };
    }) as never,
  },
  {
    id: 'Create',
    method: 'POST',
    path: '/items',
    handler: (async (event: APIGatewayProxyEvent) => {
      events.push(event);
      return { statusCode: 201, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: event.body };
    }) as never,
  },
  {
    id: 'Broken',
    method: 'GET',
    path: '/broken',
    handler: (async () => ({ body: 'no status code' })) as never,
  },
  {
    // Headers a client could get a handler to echo, that no HTTP response can carry.
    id: 'BadHeaderValue',
    method: 'GET',
    path: '/bad-header-value',
    handler: (async () => ({
      statusCode: 200,
      headers: { 'X-Echo': 'a\r\nSet-Cookie: b=1' },
      body: '',
    })) as never,
  },
  {
    id: 'BadHeaderName',
    method: 'GET',
    path: '/bad-header-name',
    handler: (async () => ({ statusCode: 200, multiValueHeaders: { 'X Echo': ['a'] }, body: '' })) as never,
  },
  {
    // An informational status is not a final response: no client would ever get one.
    id: 'Informational',
    method: 'GET',
    path: '/informational',
    handler: (async () => ({ statusCode: 103, body: '' })) as never,
  },
  {
    id: 'Hangs',
    method: 'GET',
    path: '/hangs',
    handler: (() => new Promise(() => undefined)) as never,
  },
  {
    id: 'Throws',
    method: 'GET',
    path: '/throws',
    handler: (async () => {
      throw new Error('boom');
    }) as never,
  },
];

function start(
  cacheTtlSeconds: number,
  statsEndpoint = true,
  authorizerType: 'TOKEN' | 'REQUEST' = 'TOKEN',
): Promise<{ gateway: Gateway; url: string }> {
  const contract = constructContract();
  const gateway = createGateway({
    routes,
    authorizerType,
    authorizer: (event) => {
      authorizerEvents.push(event);
      return authorizerImpl(event);
    },
    identityValidationExpression: contract.identityValidationExpression,
    responses: contract.responses,
    cacheTtlSeconds,
    statsEndpoint,
    integrationTimeoutMs: INTEGRATION_TIMEOUT_MS,
    logger: createLogger('local-gateway', 'silent'),
  });
  return gateway.listen(0).then((url) => ({ gateway, url }));
}

async function expectContractResponse(
  res: Response,
  type: Parameters<typeof gatewayResponse>[0],
  status?: number,
): Promise<void> {
  const expected = gatewayResponse(type, appGatewayResponses());
  expect(res.status).toBe(status ?? expected.statusCode);
  for (const [name, value] of Object.entries(expected.headers)) expect(res.headers.get(name)).toBe(value);
  expect(await res.text()).toBe(gatewayResponseBody(expected));
}

describe('the local gateway', () => {
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    ({ gateway, url } = await start(0));
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    events.length = 0;
    authorizerEvents.length = 0;
    authorizerImpl = async () => allowAll();
  });

  test('sends a TOKEN event with a realistic methodArn and a REST proxy event to the handler', async () => {
    const res = await fetch(`${url}/items/a%20b?x=1&x=2&y=3`, {
      headers: { Authorization: TOKEN, 'X-Custom': 'v' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-route')).toBe('echo');
    expect(await res.json()).toEqual({ id: 'a b' });
    expect(authorizerEvents).toEqual([
      { type: 'TOKEN', authorizationToken: TOKEN, methodArn: `${API_ARN}/GET/items/a%20b` },
    ]);
    const [event] = events;
    expect(event).toMatchObject({
      resource: '/items/{id}',
      path: '/items/a%20b',
      httpMethod: 'GET',
      pathParameters: { id: 'a b' },
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      body: null,
      isBase64Encoded: false,
      stageVariables: null,
      requestContext: {
        accountId: '123456789012',
        apiId: 'local123ab',
        stage: 'local',
        resourcePath: '/items/{id}',
        path: '/items/a%20b',
        httpMethod: 'GET',
        // API Gateway turns numbers and booleans in the context into strings.
        authorizer: { principalId: 'alice', sub: 'alice', scope: 'items:read', expiresAt: '42' },
      },
    });
    expect(event?.headers.Authorization).toBe(TOKEN);
    expect(event?.headers['X-Custom']).toBe('v');
    expect(event?.multiValueHeaders['X-Custom']).toEqual(['v']);
    expect(typeof event?.requestContext.authorizer?.integrationLatency).toBe('number');
  });

  test('passes the body and returns multi-value headers', async () => {
    const res = await fetch(`${url}/items`, {
      method: 'POST',
      headers: { Authorization: TOKEN },
      body: '{"name":"x"}',
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('{"name":"x"}');
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(events[0]?.body).toBe('{"name":"x"}');
  });

  test.each([
    ['no Authorization header', {}],
    ['an empty Authorization header', { Authorization: '' }],
    ['a header that fails the identity validation expression', { Authorization: 'Bearer not-a-jwt' }],
    ['two tokens in one header', { Authorization: 'Bearer a.b.c, Bearer d.e.f' }],
  ])('%s: 401 without invoking the authorizer', async (_name, headers) => {
    await expectContractResponse(await fetch(`${url}/items/1`, { headers }), 'UNAUTHORIZED');
    expect(authorizerEvents).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  test.each([
    [
      "the authorizer throws Error('Unauthorized')",
      'UNAUTHORIZED',
      () => Promise.reject(new Error('Unauthorized')),
    ],
    [
      'the authorizer throws anything else (as on AWS: AUTHORIZER_CONFIGURATION_ERROR)',
      'AUTHORIZER_CONFIGURATION_ERROR',
      () => Promise.reject(new Error('JWKS down')),
    ],
    [
      'a context value is an object',
      'AUTHORIZER_CONFIGURATION_ERROR',
      async () => allowAll({ nested: { a: 1 } }),
    ],
    ['a context value is an array', 'AUTHORIZER_CONFIGURATION_ERROR', async () => allowAll({ list: [1] })],
    [
      'the principalId is missing',
      'AUTHORIZER_CONFIGURATION_ERROR',
      async () => ({ ...allowAll(), principalId: undefined }),
    ],
    ['the policy is missing', 'AUTHORIZER_CONFIGURATION_ERROR', async () => ({ principalId: 'alice' })],
    [
      'the policy denies explicitly',
      'ACCESS_DENIED',
      async () => ({
        principalId: 'alice',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' },
            { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/GET/items/*` },
          ],
        },
      }),
    ],
    [
      'no statement matches',
      'ACCESS_DENIED',
      async () => ({
        principalId: 'alice',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API_ARN}/POST/items` }],
        },
      }),
    ],
  ] as const)('%s: %s', async (_name, type, impl) => {
    authorizerImpl = impl as TokenAuthorizer;
    await expectContractResponse(await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } }), type);
    expect(events).toHaveLength(0);
  });

  test.each([
    ['a handler that returns no statusCode', '/broken'],
    ['a handler that throws', '/throws'],
    ['a handler that returns a header value with CR LF', '/bad-header-value'],
    ['a handler that returns a header name that is not a token', '/bad-header-name'],
    ['a handler that returns an informational (1xx) status', '/informational'],
  ])('%s: 502 with the DEFAULT_5XX response', async (_name, path) => {
    authorizerImpl = async () => allowAll();
    const res = await fetch(`${url}${path}`, { headers: { Authorization: TOKEN } });
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    await expectContractResponse(res, 'DEFAULT_5XX', 502);
  });

  test('a handler that never answers: 504 with the DEFAULT_5XX response once the integration timeout passes', async () => {
    await expectContractResponse(
      await fetch(`${url}/hangs`, { headers: { Authorization: TOKEN } }),
      'DEFAULT_5XX',
      504,
    );
  });

  test('an authorizer that never answers: cut off at the same timeout, AUTHORIZER_CONFIGURATION_ERROR', async () => {
    authorizerImpl = () => new Promise(() => undefined);
    await expectContractResponse(
      await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } }),
      'AUTHORIZER_CONFIGURATION_ERROR',
    );
    expect(events).toHaveLength(0);
  });

  test('an unknown route is answered before any authorization', async () => {
    await expectContractResponse(
      await fetch(`${url}/unknown`, { headers: { Authorization: TOKEN } }),
      'MISSING_AUTHENTICATION_TOKEN',
    );
    expect(authorizerEvents).toHaveLength(0);
  });

  test('with the cache off, every request invokes the authorizer', async () => {
    await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } });
    await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } });
    expect(authorizerEvents).toHaveLength(2);
  });
});

describe('the local gateway with DPoP server nonces (ACCESS_DENIED headers from the Deny context)', () => {
  let gateway: Gateway;
  let url: string;
  beforeAll(async () => {
    gateway = createGateway({
      routes,
      authorizer: (event) => authorizerImpl(event),
      authorizerType: 'REQUEST',
      responses: toGatewayResponseSet(appGatewayResponses('*', { dpop: true, dpopNonces: true })),
      cacheTtlSeconds: 0,
      logger: createLogger('local-gateway', 'silent'),
    });
    url = await gateway.listen(0);
  });
  afterAll(() => gateway.close());

  const denyWith = (context?: Record<string, unknown>) => async () => ({
    principalId: 'alice',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` }],
    },
    ...(context === undefined ? {} : { context }),
  });

  test.each<[string, Record<string, unknown> | undefined, Record<string, string | null>]>([
    [
      'both keys',
      { wwwAuthenticate: 'DPoP error="use_dpop_nonce"', dpopNonce: 'n-1' },
      { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': 'n-1' },
    ],
    [
      'the challenge only',
      { wwwAuthenticate: 'Bearer error="insufficient_scope"' },
      { 'www-authenticate': 'Bearer error="insufficient_scope"', 'dpop-nonce': null },
    ],
    // AWS does not document an absent source; the gateway leaves the header out (see gateway-responses.ts).
    ['no context', undefined, { 'www-authenticate': null, 'dpop-nonce': null }],
    [
      'empty values',
      { wwwAuthenticate: '', dpopNonce: '' },
      { 'www-authenticate': null, 'dpop-nonce': null },
    ],
  ])('a Deny with %s: 403 with the headers its context fills', async (_name, context, headers) => {
    authorizerImpl = denyWith(context) as TokenAuthorizer;
    const res = await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } });
    expect(res.status).toBe(403);
    expect({
      'www-authenticate': res.headers.get('www-authenticate'),
      'dpop-nonce': res.headers.get('dpop-nonce'),
    }).toEqual(headers);
    const expected = gatewayResponse(
      'ACCESS_DENIED',
      appGatewayResponses('*', { dpop: true, dpopNonces: true }),
    );
    expect(await res.text()).toBe(gatewayResponseBody(expected));
  });

  test('only ACCESS_DENIED reads the context: an allowed request never gets these headers from it', async () => {
    authorizerImpl = async () => allowAll({ sub: 'alice', wwwAuthenticate: 'x', dpopNonce: 'n-2' });
    const res = await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } });
    expect(res.status).toBe(200);
    expect([res.headers.get('www-authenticate'), res.headers.get('dpop-nonce')]).toEqual([null, null]);
  });
});

describe('the local gateway with the result cache on', () => {
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    ({ gateway, url } = await start(300, false));
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    events.length = 0;
    authorizerEvents.length = 0;
  });

  test('a cached policy decides other routes for the same token; other tokens are authorized afresh', async () => {
    // Allows GET /items/* only: the cached policy must deny a later POST without asking the authorizer.
    authorizerImpl = async () => ({
      principalId: 'bob',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API_ARN}/GET/items/*` }],
      },
      context: { sub: 'bob' },
    });
    expect((await fetch(`${url}/items/1`, { headers: { Authorization: TOKEN } })).status).toBe(200);
    expect((await fetch(`${url}/items/2`, { headers: { Authorization: TOKEN } })).status).toBe(200);
    await expectContractResponse(
      await fetch(`${url}/items`, { method: 'POST', headers: { Authorization: TOKEN }, body: '{}' }),
      'ACCESS_DENIED',
    );
    expect(authorizerEvents).toHaveLength(1);
    expect(gateway.stats).toMatchObject({ authorizerInvocations: 1, cacheHits: 2 });

    expect((await fetch(`${url}/items/1`, { headers: { Authorization: 'Bearer ddd.eee.fff' } })).status).toBe(
      200,
    );
    expect(authorizerEvents).toHaveLength(2);
  });

  test('a 401 from the authorizer is not cached', async () => {
    authorizerImpl = () => Promise.reject(new Error('Unauthorized'));
    const token = 'Bearer xxx.yyy.zzz';
    expect((await fetch(`${url}/items/1`, { headers: { Authorization: token } })).status).toBe(401);
    expect((await fetch(`${url}/items/1`, { headers: { Authorization: token } })).status).toBe(401);
    expect(authorizerEvents).toHaveLength(2);
  });

  test('the stats path does not exist unless enabled', async () => {
    await expectContractResponse(await fetch(`${url}/__local/stats`), 'MISSING_AUTHENTICATION_TOKEN');
  });
});

describe('the local gateway with a REQUEST authorizer (per-route caching)', () => {
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    ({ gateway, url } = await start(300, false, 'REQUEST'));
  });
  afterAll(() => gateway.close());
  beforeEach(() => {
    events.length = 0;
    authorizerEvents.length = 0;
    authorizerImpl = async (event) => ({
      principalId: 'bob',
      policyDocument: {
        Version: '2012-10-17',
        // Decided for the one route of the event, as the authorizer does in REQUEST mode.
        Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: event.methodArn }],
      },
      context: { sub: 'bob' },
    });
  });

  test('sends a REQUEST event with the headers, the matched resource and the methodArn', async () => {
    const res = await fetch(`${url}/items/7?x=1`, { headers: { Authorization: TOKEN, 'X-Custom': 'v' } });
    expect(res.status).toBe(200);
    expect(authorizerEvents).toHaveLength(1);
    expect(authorizerEvents[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: `${API_ARN}/GET/items/7`,
      resource: '/items/{id}',
      path: '/items/7',
      httpMethod: 'GET',
      headers: { Authorization: TOKEN, 'X-Custom': 'v' },
      multiValueHeaders: { Authorization: [TOKEN] },
      pathParameters: { id: '7' },
      queryStringParameters: { x: '1' },
      requestContext: { resourcePath: '/items/{id}', httpMethod: 'GET', stage: 'local' },
    });
    expect(authorizerEvents[0]).not.toHaveProperty('body');
    expect(authorizerEvents[0]).not.toHaveProperty('requestContext.authorizer');
  });

  test('the cache key is the token, the method and the resource path', async () => {
    // A token no other test uses, so nothing is cached for it yet.
    const OTHER_TOKEN = 'Bearer rrr.sss.ttt';
    // Same route, other path values: one cache entry, so the cached policy (for /items/7) decides /items/8.
    expect((await fetch(`${url}/items/7`, { headers: { Authorization: OTHER_TOKEN } })).status).toBe(200);
    expect((await fetch(`${url}/items/7`, { headers: { Authorization: OTHER_TOKEN } })).status).toBe(200);
    await expectContractResponse(
      await fetch(`${url}/items/8`, { headers: { Authorization: OTHER_TOKEN } }),
      'ACCESS_DENIED',
    );
    expect(authorizerEvents).toHaveLength(1);
    // Another route with the same token is authorized afresh.
    expect(
      (await fetch(`${url}/items`, { method: 'POST', headers: { Authorization: OTHER_TOKEN }, body: '{}' }))
        .status,
    ).toBe(201);
    expect(authorizerEvents.map((e) => (e as APIGatewayRequestAuthorizerEvent).resource)).toEqual([
      '/items/{id}',
      '/items',
    ]);
  });

  test("names Object.prototype has (constructor, __proto__, toString) are a query's and a header's own names", async () => {
    const res = await fetch(`${url}/items/7?constructor=a&__proto__=b&toString=c&constructor=d`, {
      headers: [
        // A token no other test uses: nothing is cached for it.
        ['Authorization', 'Bearer ppp.qqq.rrr'],
        // fetch leaves out a header named __proto__; the query string carries that name instead.
        ['constructor', 'h'],
      ],
    });
    expect(res.status).toBe(200);
    // What API Gateway sends (a JSON document): own members with these names, in the authorizer's event and
    // the integration's.
    for (const event of [authorizerEvents[0], events[0]] as APIGatewayProxyEvent[]) {
      expect(JSON.parse(JSON.stringify(event.queryStringParameters))).toEqual(
        JSON.parse('{"constructor":"d","__proto__":"b","toString":"c"}'),
      );
      expect(JSON.parse(JSON.stringify(event.multiValueQueryStringParameters))).toEqual(
        JSON.parse('{"constructor":["a","d"],"__proto__":["b"],"toString":["c"]}'),
      );
      expect(Object.hasOwn(event.headers, 'constructor')).toBe(true);
      expect([event.headers.constructor, event.multiValueHeaders.constructor]).toEqual(['h', ['h']]);
    }
  });

  test('no identity validation expression: a malformed header still reaches the authorizer', async () => {
    authorizerImpl = () => Promise.reject(new Error('Unauthorized'));
    await expectContractResponse(
      await fetch(`${url}/items/1`, { headers: { Authorization: 'Basic abc' } }),
      'UNAUTHORIZED',
    );
    expect(authorizerEvents).toHaveLength(1);
    // A missing identity source is refused by the gateway itself.
    await expectContractResponse(await fetch(`${url}/items/1`), 'UNAUTHORIZED');
    expect(authorizerEvents).toHaveLength(1);
  });
});

describe('the local gateway with the stack CORS preflight', () => {
  let gateway: Gateway;
  let url: string;

  beforeAll(async () => {
    const contract = constructContract();
    gateway = createGateway({
      routes,
      authorizer: () => Promise.reject(new Error('Unauthorized')),
      cacheTtlSeconds: 0,
      cors: contract.cors,
      responses: contract.responses,
      logger: createLogger('local-gateway', 'silent'),
    });
    url = await gateway.listen(0);
  });
  afterAll(() => gateway.close());

  test('OPTIONS on a known resource is answered without authorization', async () => {
    const res = await fetch(`${url}/items/1`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(
      Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-'))),
    ).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET,POST,DELETE',
      'access-control-allow-headers': 'Authorization,Content-Type,Idempotency-Key',
      'access-control-expose-headers': 'WWW-Authenticate,Retry-After,DPoP-Nonce,Location',
      'access-control-max-age': '3600',
    });
  });

  test('OPTIONS on an unknown path is still MISSING_AUTHENTICATION_TOKEN', async () => {
    await expectContractResponse(
      await fetch(`${url}/unknown`, { method: 'OPTIONS' }),
      'MISSING_AUTHENTICATION_TOKEN',
    );
  });
});
