// The authorizer core with REQUEST events (per-route caching): the token comes from the headers, the route
// from context.httpMethod and context.resourcePath, and the policy names that one route. Real keys, real
// signed tokens, JWKS over real HTTPS on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, filesBesideHandler, parseConfig } from '../../lambda/authorizer';
import { UNSAFE_PATH_DENIES } from '../../lambda/contract';
import { claims, signToken } from '../support/keys';
import { API_ARN, lastDecision, startHarness, type Harness } from './harness';

const ROUTES = [
  { method: 'GET', path: '/orgs/{org}', scopes: ['read'] },
  { method: 'GET', path: '/orgs/{org}/members', scopes: ['admin'] },
  { method: 'ANY', path: '/orgs/{org}/teams/{team}/members', scopes: ['read'] },
];

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

function requestEvent(
  authorization: unknown,
  method: string,
  resource: string,
  path: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/${method}${path}`,
    resource,
    path,
    httpMethod: method,
    headers: { authorization },
    multiValueHeaders: { authorization: [authorization] },
    requestContext: { httpMethod: method, resourcePath: resource },
    ...extra,
  };
}

const token = (scope: string) => `Bearer ${signToken(h.keys.rsa, claims({ scope }))}`;
const authorizer = () => h.authorizer({ ROUTES: JSON.stringify(ROUTES) });

const members = ['DELETE/orgs/*/teams/*/members', 'DELETE/orgs/*/teams/*/members/'];
test.each([
  // The route's pattern (its last star never empty: /orgs/ is routed to /orgs), closed: the star as two or more segments.
  ['read', 'GET', '/orgs/{org}', '/orgs/acme', ['GET/orgs/?*'], ['GET/orgs/*/?*'], 'ALLOWED'],
  ['read', 'GET', '/orgs/{org}/members', '/orgs/acme/members', [], [], 'INSUFFICIENT_SCOPE'],
  // ANY stands for the actual method, which is what the policy names.
  [
    'read',
    'DELETE',
    '/orgs/{org}/teams/{team}/members',
    '/orgs/acme/teams/t/members',
    members,
    [
      'DELETE/orgs/*/*/teams/*/members',
      'DELETE/orgs/*/*/teams/*/members/',
      'DELETE/orgs/*/teams/*/*/members',
      'DELETE/orgs/*/teams/*/*/members/',
    ],
    'ALLOWED',
  ],
  [
    'admin',
    'GET',
    '/orgs/{org}/members',
    '/orgs/acme/members',
    ['GET/orgs/*/members', 'GET/orgs/*/members/'],
    ['GET/orgs/*/*/members', 'GET/orgs/*/*/members/'],
    'ALLOWED',
  ],
  // A method the table does not declare is refused, whatever the token holds.
  ['read admin', 'POST', '/orgs/{org}', '/orgs/acme', [], [], 'UNDECLARED_ROUTE'],
])('scope %s, %s %s: allows %j (%s)', async (scope, method, resource, path, allow, deny, reason) => {
  const result = await authorizer().authorize(requestEvent(token(scope), method, resource, path));
  const arns = (tails: readonly string[]) => tails.map((tail) => `${API_ARN}/${tail}`);
  expect(result.policyDocument.Statement).toEqual(
    allow.length === 0
      ? [{ Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` }]
      : [
          { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: arns(allow) },
          { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: arns([...deny, ...UNSAFE_PATH_DENIES]) },
        ],
  );
  expect(lastDecision(h.logs)).toMatchObject({
    decision: allow.length > 0 ? 'allow' : 'deny',
    reason,
    resource: `${method} ${resource}`,
  });
});

test('a path every policy refuses is logged as UNSAFE_PATH, though its route is held', async () => {
  const result = await authorizer().authorize(
    requestEvent(token('read'), 'GET', '/orgs/{org}', '/orgs/a%2Fb'),
  );
  expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'deny', reason: 'UNSAFE_PATH' });
});

test('a table one token-cached policy cannot serve: one TOKEN_POLICY_OVER_DENIES warning at init, naming the routes and the fix', () => {
  authorizer();
  const warnings = h.logs
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.code === 'TOKEN_POLICY_OVER_DENIES');
  expect(warnings).toEqual([
    expect.objectContaining({
      level: 'warn',
      message: 'route table',
      detail:
        'a TOKEN authorizer (one policy per token) refuses some requests a token may make: ' +
        'the Deny that closes GET /orgs/{org} also covers requests of GET /orgs/{org}/members; ' +
        'the Deny that closes GET /orgs/{org} also covers requests of ANY /orgs/{org}/teams/{team}/members; ' +
        'the Deny that closes GET /orgs/{org}/members also covers requests of ANY /orgs/{org}/teams/{team}/members',
      fix: expect.stringContaining('context.httpMethod and context.resourcePath'),
    }),
  ]);
  h.logs.length = 0;
  // The sample app's table has no such conflict: no warning.
  h.authorizer();
  expect(h.logs.filter((line) => line.includes('TOKEN_POLICY_OVER_DENIES'))).toEqual([]);
});

test.each([
  [
    'two Authorization headers',
    { multiValueHeaders: { Authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } },
    'MALFORMED_HEADER',
  ],
  ['no Authorization header', { headers: {}, multiValueHeaders: {} }, 'MISSING_TOKEN'],
  ['headers of the wrong type', { headers: 'x', multiValueHeaders: null }, 'MISSING_TOKEN'],
])('%s is a 401 with reason %s', async (_name, extra, reason) => {
  await expect(
    authorizer().authorize(requestEvent('ignored', 'GET', '/orgs/{org}', '/orgs/acme', extra)),
  ).rejects.toThrow(/^Unauthorized$/);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason });
});

test('the header is found whatever its case', async () => {
  const event = requestEvent(undefined, 'GET', '/orgs/{org}', '/orgs/acme', {
    headers: { AUTHORIZATION: token('read') },
    multiValueHeaders: undefined,
  });
  await expect(authorizer().authorize(event)).resolves.toMatchObject({ principalId: 'user-1' });
});

test('a REQUEST event without the route is an authorizer failure (5xx), not a 401', async () => {
  const event = requestEvent(token('read'), 'GET', '/orgs/{org}', '/orgs/acme', {
    requestContext: {},
    resource: undefined,
  });
  await expect(authorizer().authorize(event)).rejects.toMatchObject({ code: 'INVALID_EVENT' });
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'INVALID_EVENT' });
});

test.each([['\n'], ['\r'], ['\u2028'], ['\u2029']])(
  'a methodArn whose path holds %j is decided, not a failure',
  async (char) => {
    const path = `/orgs/a${char}b`;
    const result = await authorizer().authorize(requestEvent(token('read'), 'GET', '/orgs/{org}', path));
    expect(result.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  },
);

describe('ROUTES_FILE', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bearer-gate-routes-'));
    writeFileSync(join(dir, 'routes.json'), JSON.stringify(ROUTES));
    writeFileSync(join(dir, 'broken.json'), '[{"method":"GET"');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = (file: string) => ({ ...h.env(), ROUTES: '', ROUTES_FILE: file });

  test('is read relative to the handler directory, or from an absolute path', () => {
    expect(parseConfig(env('routes.json'), filesBesideHandler(dir)).routes).toEqual(ROUTES);
    expect(parseConfig(env(join(dir, 'routes.json')), filesBesideHandler('/nonexistent')).routes).toEqual(
      ROUTES,
    );
  });

  test.each([
    ['missing.json', /^ROUTES_FILE: names "missing.json", which cannot be read: ENOENT/],
    ['broken.json', /^ROUTES_FILE: must be valid JSON$/],
  ])('%s fails the init, naming the variable', (file, message) => {
    expect(() => parseConfig(env(file), filesBesideHandler(dir))).toThrow(ConfigError);
    expect(() => parseConfig(env(file), filesBesideHandler(dir))).toThrow(message);
  });
});
