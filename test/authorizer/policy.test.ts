// The policy must be right for every route, whichever route was called first (API Gateway caches it by token).
import { parseMethodArn, resourceMatches } from '../../lambda/authorizer';
import { permits, buildPolicy } from '../../lambda/authorizer/policy';
import { RouteSet, validateRouteTable, type RouteRule } from '../../lambda/contract';
import { APP_ROUTES } from '../../lambda/routes';

const BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const arnFor = (method: string, path: string) => parseMethodArn(`${BASE}/${method}${path}`);
const ALL_SCOPES = ['items:read', 'items:write', 'items:delete'];
const APP_SET = new RouteSet(validateRouteTable(APP_ROUTES, 'APP_ROUTES'));
const decideRoutes = (_arn: unknown, routes: readonly RouteRule[], granted: ReadonlySet<string>) =>
  (routes === APP_ROUTES ? APP_SET : new RouteSet(validateRouteTable(routes, 'routes'))).decide(granted);

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => acc.concat(acc.map((s) => [...s, item])), [[]]);
}

const CALLS: Array<[string, string, RouteRule]> = APP_ROUTES.map((r) => [
  r.method,
  r.path.replace('{id}', 'item-42'),
  r,
]);

describe('decideRoutes over every combination of scopes', () => {
  test.each(subsets(ALL_SCOPES).map((s) => [s.join(' ') || '(none)', s]))(
    'scopes %s: allowed resources are exactly the routes whose scopes are held',
    (...[, scopes]) => {
      const granted = new Set(scopes as string[]);
      const expected = APP_ROUTES.filter((r) => r.scopes.every((s) => granted.has(s))).map(
        (r) => `${r.method}/${r.path.slice(1).replace('{id}', '*')}`,
      );
      // Whatever route was called first, the decision (and so the cached policy) is the same...
      const decisions = CALLS.map(([method, path]) =>
        decideRoutes(arnFor(method, path), APP_ROUTES, granted),
      );
      for (const d of decisions) expect(d).toEqual({ allow: [...new Set(expected)], deny: [] });
      // ...and it decides every other route correctly.
      for (const [method, path, route] of CALLS) {
        const held = route.scopes.every((s) => granted.has(s));
        expect(permits(arnFor(method, path), decisions[0]!)).toBe(held);
      }
    },
  );
});

test('a policy produced for GET /items decides POST /items correctly', () => {
  const readOnly = decideRoutes(arnFor('GET', '/items'), APP_ROUTES, new Set(['items:read']));
  expect(permits(arnFor('GET', '/items'), readOnly)).toBe(true);
  expect(permits(arnFor('POST', '/items'), readOnly)).toBe(false);
  const writer = decideRoutes(arnFor('GET', '/items'), APP_ROUTES, new Set(['items:read', 'items:write']));
  expect(permits(arnFor('POST', '/items'), writer)).toBe(true);
  expect(permits(arnFor('DELETE', '/items/1'), writer)).toBe(false);
});

test('a wildcard that would cover a deeper route the token may not use gets an explicit Deny', () => {
  const routes: RouteRule[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
    { method: 'GET', path: '/items/{id}/audit', scopes: ['audit:read'] },
  ];
  const decision = decideRoutes(arnFor('GET', '/items/1'), routes, new Set(['items:read']));
  // API Gateway routes /items/1/audit/ to the audit route too, and GET/items/* covers it: denied as well.
  expect(decision).toEqual({ allow: ['GET/items/*'], deny: ['GET/items/*/audit', 'GET/items/*/audit/'] });
  expect(permits(arnFor('GET', '/items/1'), decision)).toBe(true);
  expect(permits(arnFor('GET', '/items/1/audit'), decision)).toBe(false);
  expect(permits(arnFor('GET', '/items/1/audit/'), decision)).toBe(false);
  expect(buildPolicy(arnFor('GET', '/items/1'), 'u', decision, {}).policyDocument.Statement).toEqual([
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${BASE}/GET/items/*`] },
    {
      Effect: 'Deny',
      Action: 'execute-api:Invoke',
      Resource: [`${BASE}/GET/items/*/audit`, `${BASE}/GET/items/*/audit/`],
    },
  ]);
});

test('routes that need no scope are allowed to every valid token', () => {
  const decision = decideRoutes(arnFor('GET', '/'), [{ method: 'GET', path: '/', scopes: [] }], new Set());
  expect(decision.allow).toEqual(['GET/']);
  expect(permits(arnFor('GET', '/'), decision)).toBe(true);
});

describe('parseMethodArn', () => {
  test('reads every part, in other partitions too', () => {
    expect(parseMethodArn('arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2/dev/DELETE/items/9')).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      accountId: '123456789012',
      apiId: 'a1b2',
      stage: 'dev',
      method: 'DELETE',
      path: '/items/9',
    });
  });
  test.each([
    ['nope'],
    [undefined],
    [42],
    ['arn:aws:execute-api:eu-west-1:123:abc/prod/GET/items'],
    ['arn:aws:s3:::bucket'],
  ])('%p is refused as an invalid event', (value) => {
    expect(() => parseMethodArn(value)).toThrow(expect.objectContaining({ code: 'INVALID_EVENT' }));
  });
});

describe('resourceMatches (IAM wildcard semantics)', () => {
  test.each([
    ['a/*', 'a/b', true],
    ['a/*', 'a/b/c', true],
    ['a/*/c', 'a/b/c', true],
    ['a/*/c', 'a/b/d', false],
    ['a/?', 'a/b', true],
    ['a/?', 'a/bc', false],
    ['a/b', 'a/b', true],
    ['a/b', 'a/bc', false],
    ['*', '', true],
    // A path may hold a literal `*` or `?`; the pattern's `*` is still a wildcard there.
    ['GET/_/*', 'GET/_/*/a', true],
    ['a/*/c', 'a/*/x/c', true],
    ['a/?/c', 'a/?/c', true],
    ['a/b', 'a/*', false],
  ])('%s ~ %s = %s', (pattern, resource, expected) => {
    expect(resourceMatches(pattern, resource)).toBe(expected);
  });
});
