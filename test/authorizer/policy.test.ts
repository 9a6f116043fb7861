// The policy must be right for every route, whichever route was called first (API Gateway caches it by token),
// and closed: a request no declared route serves is never allowed, on the call or through the cached policy.
import { parseMethodArn, resourceMatches } from '../../lambda/authorizer';
import { permits, buildPolicy } from '../../lambda/authorizer/policy';
import { RouteSet, UNSAFE_PATH_DENIES, validateRouteTable, type RouteRule } from '../../lambda/contract';
import { APP_ROUTES } from '../../lambda/routes';

const BASE = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const arnFor = (method: string, path: string) => parseMethodArn(`${BASE}/${method}${path}`);
const ALL_SCOPES = ['items:read', 'items:write', 'items:delete', 'tokens:revoke'];
const APP_SET = new RouteSet(validateRouteTable(APP_ROUTES, 'APP_ROUTES'));
const setOf = (routes: RouteRule[]) => new RouteSet(validateRouteTable(routes, 'routes'));

function subsets<T>(items: T[]): T[][] {
  return items.reduce<T[][]>((acc, item) => acc.concat(acc.map((s) => [...s, item])), [[]]);
}

/** Requests each app route serves (with and without a trailing slash), and requests no route serves. */
const CALLS: Array<[string, string, RouteRule]> = APP_ROUTES.flatMap(
  (r): Array<[string, string, RouteRule]> => {
    const path = r.path.replace('{id}', 'item-42');
    return [
      [r.method, path, r],
      [r.method, `${path}/`, r],
    ];
  },
);
const UNDECLARED: Array<[string, string]> = [
  ['GET', '/items/item-42/invoice'],
  ['GET', '/items/item-42/invoice/'],
  ['GET', '/items/a/b/c'],
  ['DELETE', '/items/item-42/x'],
  ['DELETE', '/items'],
  ['DELETE', '/items/'],
  ['PUT', '/items/item-42'],
  ['GET', '/'],
  ['GET', '/other'],
  ['POST', '/revocations/1'],
];
const UNSAFE: Array<[string, string]> = [
  ['GET', '/items/a%2Fb'],
  ['GET', '/items/a%20b'],
  ['GET', '/items/a:b/c'],
  ['GET', '/items//x'],
  ['GET', '/items/./x'],
  ['GET', '/items/..'],
];

describe('TOKEN mode over every combination of scopes (the sample app table)', () => {
  test.each(subsets(ALL_SCOPES).map((s) => [s.join(' ') || '(none)', s]))(
    'scopes %s: one policy allows exactly the requests of held routes, and nothing undeclared',
    (...[, scopes]) => {
      const granted = new Set(scopes as string[]);
      const decision = APP_SET.decide(granted);
      const expectedAllow = APP_ROUTES.filter((r) => r.scopes.every((s) => granted.has(s))).flatMap((r) => {
        const tail = `${r.method}/${r.path.slice(1).replace('{id}', '?*')}`;
        return tail.endsWith('*') ? [tail] : [tail, `${tail}/`];
      });
      expect(decision.allow).toEqual(expectedAllow);
      for (const [method, path, route] of CALLS) {
        const held = route.scopes.every((s) => granted.has(s));
        expect([method, path, permits(arnFor(method, path), decision)]).toEqual([method, path, held]);
        expect(APP_SET.outcome(method, path, decision)).toBe(held ? 'ALLOWED' : 'INSUFFICIENT_SCOPE');
      }
      for (const [method, path] of UNDECLARED) {
        expect([method, path, permits(arnFor(method, path), decision)]).toEqual([method, path, false]);
        expect(APP_SET.outcome(method, path, decision)).toBe('UNDECLARED_ROUTE');
      }
      for (const [method, path] of UNSAFE) {
        expect([method, path, permits(arnFor(method, path), decision)]).toEqual([method, path, false]);
        expect(APP_SET.outcome(method, path, decision)).toBe('UNSAFE_PATH');
      }
      expect(decision.overDenied ?? []).toEqual([]);
    },
  );
});

test("the reader's policy, in full: each Allow with the Denies that close it", () => {
  const decision = APP_SET.decide(new Set(['items:read']));
  expect(decision).toEqual({
    allow: ['GET/items', 'GET/items/', 'GET/items/?*'],
    // GET/items/* would cover /items/1/anything; the unsafe paths are refused whatever the table.
    deny: ['GET/items/*/?*', ...UNSAFE_PATH_DENIES],
  });
  const deleter = APP_SET.decide(new Set(['items:delete']));
  // The last star is written ?*: DELETE/items/ (no value) is the path API Gateway routes to /items, undeclared.
  expect(deleter).toEqual({
    allow: ['DELETE/items/?*'],
    deny: ['DELETE/items/*/?*', ...UNSAFE_PATH_DENIES],
  });
  expect(permits(arnFor('DELETE', '/items/'), deleter)).toBe(false);
});

test('a wildcard that would cover a deeper route the token may not use is closed, on the call and cached', () => {
  const routes: RouteRule[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
    { method: 'GET', path: '/items/{id}/audit', scopes: ['audit:read'] },
  ];
  const set = setOf(routes);
  const decision = set.decide(new Set(['items:read']));
  expect(decision).toEqual({
    allow: ['GET/items/?*'],
    deny: ['GET/items/*/?*', ...UNSAFE_PATH_DENIES],
  });
  expect(permits(arnFor('GET', '/items/1'), decision)).toBe(true);
  expect(permits(arnFor('GET', '/items/'), decision)).toBe(false);
  expect(permits(arnFor('GET', '/items/1/'), decision)).toBe(true);
  expect(permits(arnFor('GET', '/items/1/audit'), decision)).toBe(false);
  expect(permits(arnFor('GET', '/items/1/audit/'), decision)).toBe(false);
  // Undeclared, yet the API may have them (SAM's DefaultAuthorizer protects every method): refused.
  expect(permits(arnFor('GET', '/items/1/invoice'), decision)).toBe(false);
  expect(permits(arnFor('GET', '/items/1/audit/x'), decision)).toBe(false);
  expect(buildPolicy(arnFor('GET', '/items/1'), 'u', decision, {}).policyDocument.Statement).toEqual([
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [`${BASE}/GET/items/?*`] },
    {
      Effect: 'Deny',
      Action: 'execute-api:Invoke',
      Resource: ['GET/items/*/?*', ...UNSAFE_PATH_DENIES].map((t) => `${BASE}/${t}`),
    },
  ]);
  // A token holding both: the Deny closing GET /items/{id} also covers the audit route. Over-denied, reported.
  const both = set.decide(new Set(['items:read', 'audit:read']));
  expect(permits(arnFor('GET', '/items/1/audit'), both)).toBe(false);
  expect(set.outcome('GET', '/items/1/audit', both)).toBe('OVER_DENIED');
  expect(both.overDenied).toEqual([routes[1]]);
  expect(set.conflicts()).toEqual([{ closed: routes[0], overDenied: routes[1] }]);
});

test('a refused route that shares paths with a held one is denied, whichever API Gateway would pick', () => {
  const routes: RouteRule[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
    { method: 'GET', path: '/items/export', scopes: ['items:export'] },
  ];
  const set = setOf(routes);
  const reader = set.decide(new Set(['items:read']));
  expect(reader.deny).toEqual([
    'GET/items/*/?*',
    'GET/items/export',
    'GET/items/export/',
    ...UNSAFE_PATH_DENIES,
  ]);
  expect(permits(arnFor('GET', '/items/export'), reader)).toBe(false);
  expect(set.outcome('GET', '/items/export', reader)).toBe('INSUFFICIENT_SCOPE');
  expect(permits(arnFor('GET', '/items/7'), reader)).toBe(true);
  // The exporter alone: API Gateway routes /items/export to the literal route, but a token-cached policy must
  // deny GET/items/* (the refused sibling), which covers it: refused, reported, and per-route caching fixes it.
  const exporter = set.decide(new Set(['items:export']));
  expect(permits(arnFor('GET', '/items/export'), exporter)).toBe(false);
  expect(permits(arnFor('GET', '/items/7'), exporter)).toBe(false);
  expect(exporter.overDenied).toEqual([routes[1]]);
  expect(set.conflicts()).toEqual([{ closed: routes[0], overDenied: routes[1] }]);
  expect(set.decideRoute('GET', '/items/export', new Set(['items:export'])).decision.allow).toEqual([
    'GET/items/export',
    'GET/items/export/',
  ]);
});

describe('REQUEST mode: the policy for one route is exact, under any cache key', () => {
  const routes: RouteRule[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
    { method: 'GET', path: '/items/{id}/admin', scopes: ['items:admin'] },
    { method: 'GET', path: '/items/export', scopes: ['items:read'] },
  ];
  const set = setOf(routes);
  const held = new Set(['items:read', 'items:admin']);

  test('the route itself, not the routes API Gateway would pick over it, nor deeper ones', () => {
    const { decision, reason } = set.decideRoute('GET', '/items/{id}', held);
    expect(reason).toBe('ALLOWED');
    expect(decision).toEqual({
      allow: ['GET/items/?*'],
      deny: ['GET/items/*/?*', 'GET/items/export', 'GET/items/export/', ...UNSAFE_PATH_DENIES],
    });
    // Reused under a key of the Authorization header alone (the common tutorial set-up):
    expect(permits(arnFor('GET', '/items/1'), decision)).toBe(true);
    expect(permits(arnFor('GET', '/items/1/admin'), decision)).toBe(false);
    expect(permits(arnFor('GET', '/items/export'), decision)).toBe(false);
    expect(permits(arnFor('GET', '/items/1/invoice'), decision)).toBe(false);
    expect(permits(arnFor('POST', '/items/1'), decision)).toBe(false);
    expect(decision.overDenied).toEqual([]);
    expect(set.routeOutcome('GET', '/items/1', decision)).toBe('ALLOWED');
    expect(set.routeOutcome('GET', '/items/a%20b', decision)).toBe('UNSAFE_PATH');
  });

  test('a literal route API Gateway picks over a variable sibling is allowed on its own', () => {
    const { decision } = set.decideRoute('GET', '/items/export', held);
    expect(decision.allow).toEqual(['GET/items/export', 'GET/items/export/']);
    expect(permits(arnFor('GET', '/items/export'), decision)).toBe(true);
    expect(permits(arnFor('GET', '/items/1'), decision)).toBe(false);
  });

  test.each([
    ['GET', '/items/{id}/admin', new Set(['items:read']), 'INSUFFICIENT_SCOPE'],
    ['GET', '/items/{id}/invoice', held, 'UNDECLARED_ROUTE'],
    ['POST', '/items/{id}', held, 'UNDECLARED_ROUTE'],
  ])('%s %s is refused (%s), with a policy that allows nothing', (method, resource, granted, reason) => {
    const result = set.decideRoute(method, resource, granted);
    expect(result.reason).toBe(reason);
    expect(result.decision).toEqual({ allow: [], deny: [] });
  });
});

test('routes that need no scope are allowed to every valid token', () => {
  const decision = setOf([{ method: 'GET', path: '/', scopes: [] }]).decide(new Set());
  expect(decision.allow).toEqual(['GET/']);
  expect(permits(arnFor('GET', '/'), decision)).toBe(true);
  expect(permits(arnFor('GET', '/x'), decision)).toBe(false);
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

test('an 8 KB path: the logged outcome agrees with the policy, served by a greedy route or by none', () => {
  const routes: RouteRule[] = [
    { method: 'GET', path: '/files/{key+}', scopes: ['files:read'] },
    { method: 'GET', path: '/items/{id}', scopes: ['files:read'] },
  ];
  const set = setOf(routes);
  const decision = set.decide(new Set(['files:read']));
  const manySegments = `/files/${'a/'.repeat(4000)}z`;
  const longValue = `/items/${'x'.repeat(8000)}`;
  const deepUnserved = `/items/${'a/'.repeat(4000)}z`;
  for (const [path, outcome] of [
    [manySegments, 'ALLOWED'],
    [`${manySegments}/`, 'ALLOWED'],
    [longValue, 'ALLOWED'],
    [deepUnserved, 'UNDECLARED_ROUTE'],
  ] as const) {
    expect(set.outcome('GET', path, decision)).toBe(outcome);
    expect(permits(arnFor('GET', path), decision)).toBe(outcome === 'ALLOWED');
  }
});

test('a ":" in a route\'s last literal part is allowed, and its requests are', () => {
  const set = setOf([{ method: 'POST', path: '/jobs/{id}/run:now', scopes: [] }]);
  const decision = set.decide(new Set());
  expect(permits(arnFor('POST', '/jobs/7/run:now'), decision)).toBe(true);
  expect(set.outcome('POST', '/jobs/7/run:now', decision)).toBe('ALLOWED');
  // A value with a ":" before a later "/" is refused: IAM may read a middle "*" as not crossing ":".
  expect(permits(arnFor('POST', '/jobs/a:b/run:now'), decision)).toBe(false);
  expect(set.outcome('POST', '/jobs/a:b/run:now', decision)).toBe('UNSAFE_PATH');
});
