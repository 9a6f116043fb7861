// The route policy's security invariant, tested adversarially against the closed-world specification: for any
// table API Gateway accepts and any request an attacker sends (paths no route serves, values equal to literal
// parts, `:`, `%2F`, `%61dmin`, IAM wildcards, `//`, dot segments, trailing `/`, unicode, long values), a
// policy allows a request only if a declared route serves it and the token holds every such route; in REQUEST
// mode only if the decided route is the one API Gateway picks, whatever cache key reuses it. Each policy is
// judged under both readings of IAM's `*` and both percent-encoding readings by the oracle in iam-oracle.ts and
// route-oracle.ts, which shares no code with lambda/contract, lambda/authorizer/policy.ts or local/gateway.
import fc from 'fast-check';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { parseMethodArn } from '../../lambda/authorizer';
import { buildPolicy } from '../../lambda/authorizer/policy';
import { RouteSet, type RouteRule } from '../../lambda/contract';
import { claims, signToken } from '../support/keys';
import { BoundedFetcher } from '../../lambda/authorizer/https-fetcher';
import { tlsMaterial } from '../support/jwks-server';
import { lastDecision, startHarness, type Harness } from '../authorizer/harness';
import { invokeStatements } from './iam-oracle';
import {
  isClean,
  holds,
  routeName,
  routedReadings,
  routedTo,
  declaredRoute,
  servingRoutes,
  type Route,
} from './route-oracle';
import {
  aimedPath,
  calledRoute,
  grantedScopes,
  request,
  routeTable,
  routedShape,
  type Request,
} from './route-generators';
import {
  BASE,
  arnOf,
  type Statements,
  count,
  expectedReason,
  newReach,
  overDeniedOf,
  requestOverAllows,
  requestOverDenies,
  share,
  tokenOverAllows,
  tokenOverDenies,
  verdicts,
} from './route-spec';
import { propertyRuns, propertyTimeout } from './property-runs';

// ---- TOKEN mode ----

const tokenScenario = routeTable.chain((table) =>
  fc.tuple(
    fc.constant(table),
    grantedScopes,
    fc.array(request(table), { minLength: 1, maxLength: 60, size: 'max' }),
  ),
);

function tokenPolicy(table: readonly Route[], granted: ReadonlySet<string>) {
  const decision = new RouteSet(table as RouteRule[]).decide(granted);
  const result = buildPolicy(parseMethodArn(`${BASE}/GET/`), 'sub', decision, {});
  return { decision, statements: invokeStatements(result) };
}

const TOKEN_RUNS = propertyRuns(400);
const COMPLETENESS_RUNS = propertyRuns(300);
const REQUEST_RUNS = propertyRuns(400);
const DEPLOYED_RUNS = propertyRuns(40, 0.05);

test(
  'TOKEN mode: a cached policy allows a request only where declared routes serve it, all of them held',
  () => {
    const reach = newReach();
    fc.assert(
      fc.property(tokenScenario, ([table, scopes, requests]) => {
        const granted = new Set(scopes);
        const { statements } = tokenPolicy(table, granted);
        count(reach, table, granted, statements, requests);
        expect(tokenOverAllows(table, granted, statements, requests)).toEqual([]);
      }),
      { numRuns: TOKEN_RUNS },
    );
    // Most requests ask a real question: a declared route serves them, or (the closed world) none does.
    expect({
      served: share(reach.served, reach.requests) >= 0.5,
      undeclared: share(reach.undeclared, reach.requests) >= 0.15,
      allowed: share(reach.allowed, reach.requests) >= 0.15,
    }).toEqual({ served: true, undeclared: true, allowed: true });
  },
  propertyTimeout(TOKEN_RUNS, 20),
);

test(
  'TOKEN mode: every clean request that only held routes serve is allowed, unless the decision names one as over-denied',
  () => {
    const reach = newReach();
    let exact = 0;
    fc.assert(
      fc.property(tokenScenario, ([table, scopes, requests]) => {
        const granted = new Set(scopes);
        const { decision, statements } = tokenPolicy(table, granted);
        const overDenied = overDeniedOf(decision);
        if (overDenied.length === 0) exact++;
        count(reach, table, granted, statements, requests);
        expect(tokenOverDenies(table, granted, statements, requests, overDenied)).toEqual([]);
      }),
      { numRuns: COMPLETENESS_RUNS },
    );
    // A fifth of the requests ask it; at least a third of the decisions over-deny nothing at all.
    expect({
      asked: share(reach.completenessAsked, reach.requests) >= 0.2,
      exactRuns: exact >= COMPLETENESS_RUNS / 3,
    }).toEqual({ asked: true, exactRuns: true });
  },
  propertyTimeout(COMPLETENESS_RUNS, 20),
);

// ---- REQUEST mode ----

const requestScenario = routeTable.chain((table) =>
  fc.tuple(fc.constant(table), grantedScopes, calledRoute(table)).chain(([t, scopes, called]) =>
    fc.tuple(
      fc.constant(t),
      fc.constant(scopes),
      fc.constant(called),
      fc.array(request(t), { minLength: 1, maxLength: 40, size: 'max' }),
      fc.array(aimedPath(called.resourcePath, t, routedShape), {
        minLength: 1,
        maxLength: 16,
        size: 'max',
      }),
    ),
  ),
);

test(
  'REQUEST mode: the policy decided for one route, reused under a token-only key, allows only that route',
  () => {
    let reused = 0;
    let allowedRuns = 0;
    let routedToCalled = 0;
    let aimed = 0;
    fc.assert(
      fc.property(requestScenario, ([table, scopes, called, requests, paths]) => {
        const granted = new Set(scopes);
        const { decision, reason } = new RouteSet(table as RouteRule[]).decideRoute(
          called.method,
          called.resourcePath,
          granted,
        );
        expect(reason).toBe(expectedReason(table, granted, called));
        if (reason === 'ALLOWED') allowedRuns++;
        const statements = invokeStatements(buildPolicy(parseMethodArn(`${BASE}/GET/`), 'sub', decision, {}));
        const own = paths.map((path) => ({ method: called.method, path }));
        reused += requests.length;
        aimed += paths.length;
        routedToCalled += paths.filter(
          (p) =>
            routedTo(table, called.method, p) === declaredRoute(table, called.method, called.resourcePath),
        ).length;
        expect(requestOverAllows(table, granted, called, statements, [...requests, ...own])).toEqual([]);
        if (overDeniedOf(decision).length === 0) {
          expect(requestOverDenies(table, granted, called, statements, paths)).toEqual([]);
        }
      }),
      { numRuns: REQUEST_RUNS },
    );
    // A quarter of the runs decide an allowed route; each policy meets about twenty reuses; most of the paths
    // aimed at the called route are routed to it (the rest go to a sibling that outranks it).
    expect({
      allowedRuns: allowedRuns >= REQUEST_RUNS / 4,
      reused: reused >= REQUEST_RUNS * 10,
      routedToCalled: share(routedToCalled, aimed) >= 0.5,
    }).toEqual({ allowedRuns: true, reused: true, routedToCalled: true });
  },
  propertyTimeout(REQUEST_RUNS, 10),
);

// ---- The same properties through the deployed code path: createAuthorizer(config).authorize(event). ----

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The authorizer as deployed: the fetcher it ships with, trusting the test server's certificate. */
const deployed = (table: readonly Route[]) =>
  h.authorizer(
    { ROUTES: JSON.stringify(table) },
    { fetcher: new BoundedFetcher({ timeoutMs: 1000, ca: tlsMaterial().cert }) },
  );

const bearer = (scopes: readonly string[]) =>
  `Bearer ${signToken(h.keys.rsa, claims({ scope: scopes.join(' ') }))}`;

async function authorizeToken(table: readonly Route[], scopes: readonly string[], call: Request) {
  const authorizer = deployed(table);
  h.logs.length = 0;
  const result = await authorizer.authorize({
    type: 'TOKEN',
    authorizationToken: bearer(scopes),
    methodArn: arnOf(call),
  });
  return { result, logged: lastDecision(h.logs) };
}

async function authorizeRequest(
  table: readonly Route[],
  scopes: readonly string[],
  called: { method: string; resourcePath: string },
  path: string,
): Promise<{ result: APIGatewayAuthorizerResult; logged: Record<string, unknown> }> {
  const authorizer = deployed(table);
  h.logs.length = 0;
  const authorization = bearer(scopes);
  const result = await authorizer.authorize({
    type: 'REQUEST',
    methodArn: `${BASE}/${called.method}${path}`,
    headers: { Authorization: authorization },
    multiValueHeaders: { Authorization: [authorization] },
    httpMethod: called.method,
    resource: called.resourcePath,
    requestContext: { httpMethod: called.method, resourcePath: called.resourcePath },
  });
  return { result, logged: lastDecision(h.logs) };
}

/**
 * The reasons the call's log line may give where the oracle knows the answer: a path no declared route serves
 * is UNDECLARED_ROUTE, one an unheld route serves INSUFFICIENT_SCOPE (OVER_DENIED where API Gateway would pick a
 * held route over it: refused only because a token-cached policy cannot follow precedence); a path that is not clean may instead be
 * UNSAFE_PATH (the engine's code for the paths it refuses in every policy). Undefined: no expectation.
 */
function expectedCallReasons(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  call: Request,
): string[] | undefined {
  const unsafe = isClean(call.path) ? [] : ['UNSAFE_PATH'];
  const serving = routedReadings(call.path).map((p) => servingRoutes(table, call.method, p));
  if (serving.every((s) => s.length === 0)) return ['UNDECLARED_ROUTE', ...unsafe];
  if (serving.every((s) => s.length > 0 && s.some((r) => !holds(granted, r)))) {
    // Where API Gateway would pick a held route over the unheld one, the engine says OVER_DENIED instead.
    const picked = routedReadings(call.path).map((p) => routedTo(table, call.method, p));
    const pickedHeld = picked.some((r) => r !== undefined && holds(granted, r));
    return [pickedHeld ? 'OVER_DENIED' : 'INSUFFICIENT_SCOPE', ...unsafe];
  }
  return undefined;
}

/** The log says what API Gateway will do with the call, where the two IAM readings agree. */
function expectLogMatchesPolicy(statements: Statements, call: Request, logged: Record<string, unknown>) {
  const v = verdicts(statements, call);
  if (v.A !== v.B) return;
  expect({ call, logged: logged.decision }).toEqual({ call, logged: v.A ? 'allow' : 'deny' });
}

test(
  'TOKEN mode, deployed path: the call is refused and logged as the oracle says; its policy is sound for every reuse',
  async () => {
    const reach = newReach();
    await fc.assert(
      fc.asyncProperty(tokenScenario, async ([table, scopes, requests]) => {
        const granted = new Set(scopes);
        const call = requests[0]!;
        const { result, logged } = await authorizeToken(table, scopes, call);
        const statements = invokeStatements(result);
        count(reach, table, granted, statements, requests);
        expect(tokenOverAllows(table, granted, statements, requests)).toEqual([]);
        // Which routes the handler over-denies is the engine's to say; the oracle only holds it to that list.
        const overDenied = overDeniedOf(new RouteSet(table as RouteRule[]).decide(granted));
        expect(tokenOverDenies(table, granted, statements, requests, overDenied)).toEqual([]);
        const reasons = expectedCallReasons(table, granted, call);
        if (reasons !== undefined) {
          expect({
            call,
            decision: logged.decision,
            reason: reasons.includes(logged.reason as string),
          }).toEqual({
            call,
            decision: 'deny',
            reason: true,
          });
        }
        expectLogMatchesPolicy(statements, call, logged);
      }),
      { numRuns: DEPLOYED_RUNS },
    );
    expect(share(reach.served, reach.requests) >= 0.5).toBe(true);
  },
  propertyTimeout(DEPLOYED_RUNS, 50),
);

test(
  "REQUEST mode, deployed path: the reason is the oracle's and the policy is sound for every reuse",
  async () => {
    await fc.assert(
      fc.asyncProperty(requestScenario, async ([table, scopes, called, requests, paths]) => {
        const granted = new Set(scopes);
        const decided = declaredRoute(table, called.method, called.resourcePath);
        // The event API Gateway sends: a path it routed to the named route, where the generated ones have one.
        const call =
          paths.find((p) => isClean(p) && routedTo(table, called.method, p) === decided) ?? paths[0]!;
        const { result, logged } = await authorizeRequest(table, scopes, called, call);
        const { decision } = new RouteSet(table as RouteRule[]).decideRoute(
          called.method,
          called.resourcePath,
          granted,
        );
        const overDenied = overDeniedOf(decision);
        const reason = expectedReason(table, granted, called);
        const realistic = decided !== undefined && routedTo(table, called.method, call) === decided;
        const reasons =
          reason !== 'ALLOWED'
            ? [reason]
            : !isClean(call)
              ? ['UNSAFE_PATH', 'ALLOWED']
              : overDenied.length > 0
                ? ['OVER_DENIED', 'ALLOWED']
                : ['ALLOWED'];
        if (reason !== 'ALLOWED' || realistic) {
          expect({
            call,
            reason: logged.reason,
            expected: reasons.includes(logged.reason as string),
          }).toEqual({
            call,
            reason: logged.reason,
            expected: true,
          });
        }
        const statements = invokeStatements(result);
        expectLogMatchesPolicy(statements, { method: called.method, path: call }, logged);
        const own = paths.map((path) => ({ method: called.method, path }));
        expect(requestOverAllows(table, granted, called, statements, [...requests, ...own])).toEqual([]);
        if (overDenied.length === 0) {
          expect(requestOverDenies(table, granted, called, statements, paths)).toEqual([]);
        }
      }),
      { numRuns: DEPLOYED_RUNS },
    );
  },
  propertyTimeout(DEPLOYED_RUNS, 50),
);

// ---- Issue #20, findings 1 and 2, by hand: exact outcomes. ----

const R = (method: RouteRule['method'], path: string, ...scopes: string[]): RouteRule => ({
  method,
  path,
  scopes,
});

const ITEMS = [R('GET', '/items/{id}', 'items:read'), R('GET', '/items/{id}/admin', 'items:admin')];
const GET = (path: string): Request => ({ method: 'GET', path });
const both = (allowed: boolean) => ({ A: allowed, B: allowed });

describe('finding 1: a request no declared route serves is refused, on the call and through the cached policy', () => {
  test.each(['/items/1/invoice', '/items/1/admin/x'])(
    'GET %s is refused on the call (UNDECLARED_ROUTE)',
    async (path) => {
      const { result, logged } = await authorizeToken(ITEMS, ['items:read'], GET(path));
      expect({
        verdict: verdicts(invokeStatements(result), GET(path)),
        decision: logged.decision,
        reason: logged.reason,
      }).toEqual({ verdict: both(false), decision: 'deny', reason: 'UNDECLARED_ROUTE' });
    },
  );

  test.each([
    ['/items/1', true],
    ['/items/2', true],
    ['/items/1/invoice', false],
    ['/items/1/admin/x', false],
    ['/items/1/admin', false],
  ])('the policy cached from GET /items/1 judges GET %s: allowed %s', async (path, allowed) => {
    const { result, logged } = await authorizeToken(ITEMS, ['items:read'], GET('/items/1'));
    expect(logged.reason).toBe('ALLOWED');
    expect(verdicts(invokeStatements(result), GET(path))).toEqual(both(allowed));
  });
});

describe('finding 2: a REQUEST-mode policy reused under a token-only cache key allows only its route', () => {
  test.each([
    ['/items/1', true],
    ['/items/2', true],
    ['/items/1/admin', false],
    ['/items/1/invoice', false],
    ['/items/1/admin/x', false],
  ])('the policy decided for GET /items/{id} judges GET %s: allowed %s', async (path, allowed) => {
    const { result, logged } = await authorizeRequest(
      ITEMS,
      ['items:read'],
      { method: 'GET', resourcePath: '/items/{id}' },
      '/items/1',
    );
    expect(logged.reason).toBe('ALLOWED');
    expect(verdicts(invokeStatements(result), GET(path))).toEqual(both(allowed));
  });

  test('a literal sibling outranks the decided route: its requests are refused even to a token holding both', async () => {
    const table = [R('GET', '/items/{id}', 'items:read'), R('GET', '/items/admin', 'items:read')];
    const { result } = await authorizeRequest(
      table,
      ['items:read'],
      { method: 'GET', resourcePath: '/items/{id}' },
      '/items/1',
    );
    const statements = invokeStatements(result);
    expect({
      item: verdicts(statements, GET('/items/1')),
      sibling: verdicts(statements, GET('/items/admin')),
    }).toEqual({ item: both(true), sibling: both(false) });
  });

  test('an undeclared resource path is refused and its policy allows nothing', async () => {
    const { result, logged } = await authorizeRequest(
      ITEMS,
      ['items:read', 'items:admin'],
      { method: 'GET', resourcePath: '/items/{id}/invoice' },
      '/items/1/invoice',
    );
    expect(logged.reason).toBe('UNDECLARED_ROUTE');
    const statements = invokeStatements(result);
    for (const path of ['/items/1', '/items/1/invoice', '/items/1/admin']) {
      expect([path, verdicts(statements, GET(path))]).toEqual([path, both(false)]);
    }
  });
});

// ---- Hard cases by hand, judged by the oracle (TOKEN mode). ----

function tokenVerdict(table: readonly RouteRule[], scopes: readonly string[], r: Request) {
  return verdicts(tokenPolicy(table, new Set(scopes)).statements, r);
}

test.each([
  {
    name: 'a parameter value equal to a literal part',
    table: [R('GET', '/members/{id}', 's2'), R('GET', '/{org}/admin/users', 's3')],
    granted: ['s2'],
    refused: GET('/members/admin/users'),
    allowed: GET('/members/42'),
  },
  {
    name: 'several segments for a greedy parameter',
    table: [R('GET', '/public/{file}', 'read'), R('GET', '/{proxy+}', 'admin')],
    granted: ['read'],
    refused: GET('/public/a/b'),
    allowed: null,
  },
  {
    name: "ANY next to the resource's own GET",
    table: [R('ANY', '/items', 'admin'), R('GET', '/items', 'read')],
    granted: ['read'],
    refused: { method: 'POST', path: '/items' },
    allowed: GET('/items'),
  },
  {
    name: 'a trailing slash on a collection whose item route is held',
    table: [R('DELETE', '/items', 'admin'), R('DELETE', '/items/{id}', 'items:delete')],
    granted: ['items:delete'],
    refused: { method: 'DELETE', path: '/items/' },
    allowed: { method: 'DELETE', path: '/items/42' },
  },
  {
    name: 'a trailing slash on a deeper literal route under a held wildcard',
    table: [R('GET', '/{proxy+}', 'read'), R('GET', '/admin', 'admin')],
    granted: ['read'],
    refused: GET('/admin/'),
    allowed: GET('/public/a'),
  },
  {
    name: 'HEAD is its own method',
    table: [R('GET', '/items', 'read'), R('HEAD', '/items', 'admin')],
    granted: ['read'],
    refused: { method: 'HEAD', path: '/items' },
    allowed: GET('/items'),
  },
  {
    name: 'a literal spelled with %61 for a refused route',
    table: [R('GET', '/items/{id}', 'read'), R('GET', '/items/admin', 'admin')],
    granted: ['read'],
    refused: GET('/items/%61dmin'),
    allowed: GET('/items/42'),
  },
  {
    name: '%2F joining two segments into a held variable',
    table: [R('GET', '/items/{id}', 'read'), R('GET', '/items/{id}/admin', 'admin')],
    granted: ['read'],
    refused: GET('/items/1%2Fadmin'),
    allowed: GET('/items/1'),
  },
  {
    name: 'a `:` in a value before a later `/`, toward a refused route whose last part holds `:`',
    table: [R('GET', '/a/{x}/b', 'read'), R('GET', '/a/{x}/c:d', 'admin')],
    granted: ['read'],
    refused: GET('/a/x:y/c:d'),
    allowed: GET('/a/x/b'),
  },
  {
    name: "a `:` in a value under reading B, where a Deny's inner `*` stops at `:` but the Allow's last one does not",
    table: [R('GET', '/items/{id}', 'read'), R('GET', '/items/{id}/admin', 'admin')],
    granted: ['read'],
    refused: GET('/items/a:b/admin'),
    allowed: GET('/items/1'),
  },
  {
    name: 'an empty segment',
    table: [R('GET', '/items/{id}', 'read')],
    granted: ['read'],
    refused: GET('/items//1'),
    allowed: GET('/items/1'),
  },
])('$name: refused exactly where the spec refuses', ({ table, granted, refused, allowed }) => {
  const held = new Set(granted);
  // The oracle agrees the refused request is not the token's under some percent reading: a serving route is
  // unheld, or none serves it.
  const theTokens = routedReadings(refused.path).map((p) => {
    const serving = servingRoutes(table, refused.method, p);
    return serving.length > 0 && serving.every((r) => holds(held, r));
  });
  expect(theTokens.includes(false)).toBe(true);
  expect(tokenVerdict(table, granted, refused)).toEqual(both(false));
  if (allowed !== null) expect(tokenVerdict(table, granted, allowed)).toEqual(both(true));
});

test('the orgs table: a read token is refused the members route and never over-allowed', () => {
  const orgs = [
    R('GET', '/orgs/{org}', 'read'),
    R('GET', '/orgs/{org}/members', 'admin'),
    R('GET', '/orgs/{org}/teams/{team}/members', 'read'),
  ];
  const { decision, statements } = tokenPolicy(orgs, new Set(['read']));
  expect(verdicts(statements, GET('/orgs/acme'))).toEqual(both(true));
  expect(verdicts(statements, GET('/orgs/acme/members'))).toEqual(both(false));
  // The teams route is allowed, or the decision names it as over-denied (the handler warns).
  const teams = verdicts(statements, GET('/orgs/acme/teams/t1/members'));
  const named = overDeniedOf(decision).some((r) => r.path === orgs[2]!.path);
  expect(teams.A && teams.B ? 'allowed' : named ? 'over-denied, named' : 'over-denied, unnamed').not.toBe(
    'over-denied, unnamed',
  );
});

// A refused route's `{name}` or `{name+}` is never empty, so its Deny must not cover the path of its parent:
// the root, or a held variable route's trailing `/`. Each table also holds a literal the refused route shares
// a path with (that one is over-denied in TOKEN mode, precedence-free, and named).
test.each([
  { table: [R('GET', '/', 'read'), R('GET', '/{id}', 'admin'), R('GET', '/items', 'read')], path: '/' },
  { table: [R('GET', '/', 'read'), R('GET', '/{proxy+}', 'admin'), R('GET', '/items', 'read')], path: '/' },
  {
    table: [
      R('GET', '/items/{id}', 'read'),
      R('GET', '/items/{id}/{sub}', 'admin'),
      R('GET', '/items/{id}/x', 'read'),
    ],
    path: '/items/1/',
  },
])(
  'a refused variable part beside $table.0.path: GET $path is allowed, or its route named as over-denied; the log agrees',
  async ({ table, path }) => {
    const { result, logged } = await authorizeToken(table, ['read'], GET(path));
    const statements = invokeStatements(result);
    const v = verdicts(statements, GET(path));
    const named = overDeniedOf(new RouteSet(table).decide(new Set(['read']))).some(
      (r) => r.path === table[0]!.path,
    );
    expect(v.A && v.B ? 'allowed' : named ? 'over-denied, named' : 'over-denied, unnamed').not.toBe(
      'over-denied, unnamed',
    );
    expectLogMatchesPolicy(statements, GET(path), logged);
  },
);

// ---- Realistic tables, natural values: each token gets exactly the routes it holds. ----

/** Nested CRUD resources as real APIs have them: collection, item, sub-collection, sub-item, per-verb scopes. */
function crudTable(resources: readonly string[][]): RouteRule[] {
  const table: RouteRule[] = [];
  for (const chain of resources) {
    let base = '';
    chain.forEach((name, depth) => {
      const collection = `${base}/${name}`;
      const item = `${collection}/{${name}Id}`;
      const push = (method: RouteRule['method'], path: string, scope: string) => {
        if (!table.some((r) => r.method === method && r.path === path)) table.push(R(method, path, scope));
      };
      push('GET', collection, `${name}:read`);
      push('POST', collection, `${name}:write`);
      push('GET', item, `${name}:read`);
      push('PUT', item, `${name}:write`);
      push('DELETE', item, depth === 0 ? `${name}:admin` : `${name}:delete`);
      base = item;
    });
  }
  return table;
}

const NATURAL_TABLES: Array<[string, RouteRule[]]> = [
  [
    'nested CRUD',
    crudTable([
      ['orgs', 'repos', 'issues'],
      ['orgs', 'members'],
      ['users', 'keys'],
    ]),
  ],
  ['300 routes', crudTable(Array.from({ length: 30 }, (_, i) => [`svc${i}`, `things${i}`]))],
];

test.each(NATURAL_TABLES)(
  '%s: REQUEST mode allows exactly the held route; TOKEN mode too, except routes it names as over-denied',
  (_name, table) => {
    const routes = new RouteSet(table);
    const allScopes = [...new Set(table.flatMap((r) => r.scopes))];
    const tokens = [new Set<string>(), new Set(allScopes.filter((_, i) => i % 3 === 0)), new Set(allScopes)];
    for (const granted of tokens) {
      const token = tokenPolicy(table, granted);
      const overDenied = new Set(overDeniedOf(token.decision).map(routeName));
      for (const route of table) {
        const call = { method: route.method, path: route.path.replace(/\{[^}]+\}/g, 'id-42') };
        const decided = routes.decideRoute(route.method, route.path, granted).decision;
        const perRoute = verdicts(
          invokeStatements(buildPolicy(parseMethodArn(arnOf(call)), 's', decided, {})),
          call,
        );
        expect([routeName(route), perRoute]).toEqual([routeName(route), both(holds(granted, route))]);
        const cached = verdicts(token.statements, call);
        const expected = holds(granted, route) && !overDenied.has(routeName(route));
        if (expected || !holds(granted, route)) {
          expect([routeName(route), cached]).toEqual([routeName(route), both(expected)]);
        }
      }
    }
  },
);
