// The cached policy's security invariant, tested adversarially: for any table API Gateway accepts (literal
// parts, {param}, a greedy {name+} last, ANY, HEAD) and any path an attacker sends (values equal to literal
// parts, several segments for a greedy one, IAM wildcard characters, line breaks), the policy allows a
// request only if the token holds every scope of every route that can serve it. The oracle below matches
// requests to routes segment by segment and evaluates the policy with the local gateway's IAM evaluator;
// neither shares code with lambda/contract or lambda/authorizer/policy.ts.
import fc from 'fast-check';
import { evaluatePolicy, matchRoute, parseAuthorizerOutput } from '../../local/gateway';
import { parseMethodArn } from '../../lambda/authorizer';
import { buildPolicy } from '../../lambda/authorizer/policy';
import { RouteSet, validateRouteTable, type HttpMethod, type RouteRule } from '../../lambda/contract';

const BASE = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod';
const LITERALS = ['members', 'admin', 'users', 'a', 'b'];
const SCOPES = ['s1', 's2', 's3', 'admin'];
const REQUEST_METHODS = ['GET', 'POST', 'DELETE', 'HEAD', 'PUT', 'PATCH', 'OPTIONS'];

// ---- The oracle: which routes can serve a request, written from API Gateway's documented rules only. ----

function requestSegments(path: string): string[] {
  return path === '/' ? [] : path.slice(1).split('/');
}

/** `{x}` is one non-empty segment, `{x+}` one or more, anything else must be equal. */
function patternServes(routePath: string, segments: readonly string[]): boolean {
  const parts = routePath === '/' ? [] : routePath.slice(1).split('/');
  const walk = (p: number, s: number): boolean => {
    if (p === parts.length) return s === segments.length;
    const part = parts[p]!;
    if (part.endsWith('+}')) return s < segments.length && segments.slice(s).every((v) => v !== '');
    if (s === segments.length) return false;
    if (part.startsWith('{')) return segments[s] !== '' && walk(p + 1, s + 1);
    return part === segments[s] && walk(p + 1, s + 1);
  };
  return walk(0, 0);
}

/** A resource's own method wins over its ANY; path precedence is not assumed (AWS does not fully document it). */
function routesServing(table: readonly RouteRule[], method: string, path: string): RouteRule[] {
  const segments = requestSegments(path);
  return table.filter(
    (r) =>
      patternServes(r.path, segments) &&
      (r.method === method ||
        (r.method === 'ANY' && !table.some((o) => o.method === method && o.path === r.path))),
  );
}

/**
 * The route API Gateway picks: walking the resource tree, a literal child before the variable child before a
 * greedy one, backtracking on dead ends. The first leaf that walk reaches is the candidate whose parts'
 * kinds (literal 0, variable 1, greedy 2) are least in lexicographic order. If API Gateway does not
 * backtrack, some of these requests are not served at all, which never reaches the policy.
 */
function routeServing(table: readonly RouteRule[], method: string, path: string): RouteRule | undefined {
  const kinds = (r: RouteRule) =>
    (r.path === '/' ? [] : r.path.slice(1).split('/')).map((p) =>
      !p.startsWith('{') ? 0 : p.endsWith('+}') ? 2 : 1,
    );
  const before = (a: number[], b: number[]): boolean => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
    return a.length < b.length;
  };
  let best: RouteRule | undefined;
  for (const r of routesServing(table, method, path))
    if (best === undefined || before(kinds(r), kinds(best))) best = r;
  return best;
}

const holds = (granted: ReadonlySet<string>, r: RouteRule): boolean => r.scopes.every((s) => granted.has(s));

const compiled = new WeakMap<readonly RouteRule[], RouteSet>();
function routeSetOf(table: readonly RouteRule[]): RouteSet {
  let set = compiled.get(table);
  if (set === undefined) compiled.set(table, (set = new RouteSet(table)));
  return set;
}

function policyAllows(
  table: readonly RouteRule[],
  granted: ReadonlySet<string>,
  method: string,
  path: string,
): boolean {
  const arn = parseMethodArn(`${BASE}/GET/`);
  const decision = routeSetOf(table).decide(granted);
  const { policy } = parseAuthorizerOutput(buildPolicy(arn, 'sub', decision, {}));
  return evaluatePolicy(policy, `${BASE}/${method}${path}`) === 'allow';
}

// ---- Generators: tables API Gateway accepts, and the paths an attacker would try against them. ----

const part = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 2, arbitrary: fc.constant('{p}') },
  { weight: 1, arbitrary: fc.constant('{proxy+}') },
);

const rawRoute = fc.record({
  method: fc.constantFrom<HttpMethod>('GET', 'POST', 'HEAD', 'ANY', 'DELETE'),
  parts: fc.array(part, { minLength: 0, maxLength: 4 }),
  scopes: fc.subarray(SCOPES, { maxLength: 2 }),
});

/**
 * A table API Gateway would accept. Variable parts are named by depth so siblings agree; a greedy part that
 * is not last, or a greedy and a plain variable under one parent, is a table API Gateway refuses, so those
 * (and only those) are dropped, by the project's validator and by an independent check of the same rules.
 */
const routeTable = fc
  .array(rawRoute, { minLength: 1, maxLength: 7 })
  .map((raws) => {
    const table: RouteRule[] = [];
    for (const r of raws) {
      const parts = r.parts.map((p, i) => (p === '{p}' ? `{p${i}}` : p));
      const greedy = parts.findIndex((p) => p.endsWith('+}'));
      if (greedy !== -1 && greedy !== parts.length - 1) continue;
      const path = '/' + parts.join('/');
      if (table.some((o) => o.method === r.method && o.path === path)) continue;
      table.push({ method: r.method, path, scopes: r.scopes });
    }
    return table;
  })
  .filter((table) => {
    if (table.length === 0) return false;
    try {
      validateRouteTable(table, 'routes');
      return true;
    } catch {
      return false;
    }
  });

/** Segment values: literal parts (the hard case), IAM's own wildcard characters, odd characters. */
const value = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 2, arbitrary: fc.constantFrom('*', '?', 'x*y', '42', ':', 'a\nb', '\u2028', 'members admin') },
  { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 4 }).filter((s) => !s.includes('/')) },
);

/** A request path: either a route's path with values (one segment per {p}, several for a greedy one) or any segments. */
function requestFor(table: readonly RouteRule[]) {
  const fromRoute = fc
    .tuple(
      fc.constantFrom(...table),
      fc.array(value, { minLength: 4, maxLength: 4 }),
      fc.array(value, { minLength: 1, maxLength: 3 }),
    )
    .map(([route, values, greedy]) => {
      let i = 0;
      const path = route.path.replace(/\{[^}]+\}/g, (m) =>
        m.endsWith('+}') ? greedy.join('/') : values[i++ % 4]!,
      );
      return path;
    });
  const anyPath = fc.array(value, { minLength: 0, maxLength: 5 }).map((s) => '/' + s.join('/'));
  return fc.tuple(fc.constantFrom(...REQUEST_METHODS), fc.oneof(fromRoute, anyPath));
}

const scenario = routeTable.chain((table) =>
  fc.tuple(
    fc.constant(table),
    fc.subarray(SCOPES),
    fc.array(requestFor(table), { minLength: 1, maxLength: 12 }),
  ),
);

// Only requests some route matches reach the policy: API Gateway answers any other request itself (403
// "Missing Authentication Token") without calling the authorizer, and a method protected by the authorizer
// but missing from the table fails `cdk synth`. What the policy says of other paths is never consulted.
test('TOKEN mode never allows a request unless every route that can serve it is held', () => {
  fc.assert(
    fc.property(scenario, ([table, scopes, requests]) => {
      const granted = new Set(scopes);
      for (const [method, path] of requests) {
        const serving = routesServing(table, method, path);
        if (serving.length === 0 || !policyAllows(table, granted, method, path)) continue;
        expect({ method, path, unheld: serving.filter((r) => !holds(granted, r)) }).toEqual({
          method,
          path,
          unheld: [],
        });
      }
    }),
    { numRuns: 1500 },
  );
});

// API Gateway routes a request with one trailing slash as if it had none (`/admin/` to `/admin`, as the local
// gateway does), while the methodArn keeps the slash: an allowed `GET/admin/*` covers `GET/admin/`.
const withTrailingSlash = (path: string): string => `${path}/`;
const withoutTrailingSlash = (path: string): string => (path === '//' ? '/' : path.slice(0, -1));

test('TOKEN mode never allows a request with a trailing slash unless every route that can serve it is held', () => {
  fc.assert(
    fc.property(scenario, ([table, scopes, requests]) => {
      const granted = new Set(scopes);
      for (const [method, sent] of requests) {
        const path = withTrailingSlash(sent);
        const serving = routesServing(table, method, withoutTrailingSlash(path));
        if (serving.length === 0 || !policyAllows(table, granted, method, path)) continue;
        expect({ method, path, unheld: serving.filter((r) => !holds(granted, r)) }).toEqual({
          method,
          path,
          unheld: [],
        });
      }
    }),
    { numRuns: 1500 },
  );
});

test('a table without reported conflicts never refuses a request API Gateway routes to a held route', () => {
  fc.assert(
    fc.property(scenario, ([table, scopes, requests]) => {
      if (new RouteSet(table).conflicts().length > 0) return;
      const granted = new Set(scopes);
      for (const [method, path] of requests) {
        const route = routeServing(table, method, path);
        if (route === undefined || !holds(granted, route)) continue;
        expect({ method, path, allowed: policyAllows(table, granted, method, path) }).toEqual({
          method,
          path,
          allowed: true,
        });
      }
    }),
    { numRuns: 1500 },
  );
});

test('REQUEST mode decides exactly the route API Gateway matched, for any table', () => {
  fc.assert(
    fc.property(scenario, ([table, scopes, requests]) => {
      const granted = new Set(scopes);
      const routes = new RouteSet(table);
      for (const [method, path] of requests) {
        const route = routeServing(table, method, path);
        if (route !== undefined) {
          const found = routes.routeFor(method, route.path);
          expect(found?.rule).toBe(route);
          const decision = holds(granted, route)
            ? { allow: [found!.tail], deny: [] }
            : { allow: [], deny: [] };
          const { policy } = parseAuthorizerOutput(
            buildPolicy(parseMethodArn(`${BASE}/GET/`), 's', decision, {}),
          );
          expect(evaluatePolicy(policy, `${BASE}/${method}${path}`) === 'allow').toBe(holds(granted, route));
        }
      }
    }),
    { numRuns: 500 },
  );
});

// ---- The cases from the issue, by hand. ----

const R = (method: HttpMethod, path: string, ...scopes: string[]): RouteRule => ({ method, path, scopes });

test.each([
  {
    name: 'a parameter value equal to a literal part',
    table: [R('GET', '/members/{id}', 's2'), R('GET', '/{org}/admin/users', 's3')],
    granted: ['s2'],
    refused: ['GET', '/members/admin/users'],
    allowed: ['GET', '/members/42'],
  },
  {
    name: 'several segments for a greedy parameter',
    table: [R('GET', '/public/{file}', 'read'), R('GET', '/{proxy+}', 'admin')],
    granted: ['read'],
    refused: ['GET', '/public/a/b'],
    // GET /public/a is over-denied in TOKEN mode (the Deny of GET/* covers it): a conflict, see below.
    allowed: null,
  },
  {
    name: "ANY next to the resource's own GET",
    table: [R('ANY', '/items', 'admin'), R('GET', '/items', 'read')],
    granted: ['read'],
    refused: ['POST', '/items'],
    allowed: ['GET', '/items'],
  },
  {
    name: 'a trailing slash on a collection whose item route is held',
    table: [R('DELETE', '/items', 'admin'), R('DELETE', '/items/{id}', 'items:delete')],
    granted: ['items:delete'],
    refused: ['DELETE', '/items/'],
    allowed: ['DELETE', '/items/42'],
  },
  {
    name: 'a trailing slash on a deeper literal route under a held wildcard',
    table: [R('GET', '/{proxy+}', 'read'), R('GET', '/admin', 'admin')],
    granted: ['read'],
    refused: ['GET', '/admin/'],
    allowed: ['GET', '/public/a'],
  },
  {
    name: 'HEAD is its own method',
    table: [R('GET', '/items', 'read'), R('HEAD', '/items', 'admin')],
    granted: ['read'],
    refused: ['HEAD', '/items'],
    allowed: ['GET', '/items'],
  },
])('$name: refused exactly where a refused route serves', ({ table, granted, refused, allowed }) => {
  const held = new Set(granted);
  // The local gateway routes the refused request to a route the token does not hold.
  const match = matchRoute(table, refused[0]!, refused[1]!);
  expect(match.kind === 'matched' && holds(held, match.route)).toBe(false);
  expect(policyAllows(table, held, refused[0]!, refused[1]!)).toBe(false);
  if (allowed !== null) expect(policyAllows(table, held, allowed[0]!, allowed[1]!)).toBe(true);
});

test('a catch-all next to a specific route is a conflict: its Deny would cover the specific route', () => {
  const table = [R('GET', '/public/{file}', 'read'), R('GET', '/{proxy+}', 'admin')];
  // Either way round: a read token's Deny of GET/* covers /public/a; an admin token's Deny of
  // GET/public/* covers /public/a/b, which only the catch-all serves.
  expect(new RouteSet(table).conflicts()).toEqual([
    { refused: table[0], reachedBy: table[1], overDenied: table[1] },
    { refused: table[1], reachedBy: table[0], overDenied: table[0] },
  ]);
});

test('the orgs table is reported as a conflict, naming the three routes', () => {
  const orgs = [
    R('GET', '/orgs/{org}', 'read'),
    R('GET', '/orgs/{org}/members', 'admin'),
    R('GET', '/orgs/{org}/teams/{team}/members', 'read'),
  ];
  expect(new RouteSet(orgs).conflicts()).toEqual([
    { refused: orgs[1], reachedBy: orgs[0], overDenied: orgs[2] },
  ]);
  // TOKEN mode over-denies it rather than over-allow: the teams route is refused to a read token.
  expect(policyAllows(orgs, new Set(['read']), 'GET', '/orgs/acme/teams/t1/members')).toBe(false);
  expect(policyAllows(orgs, new Set(['read']), 'GET', '/orgs/acme/members')).toBe(false);
  expect(policyAllows(orgs, new Set(['read']), 'GET', '/orgs/acme')).toBe(true);
});

// ---- Realistic tables, natural values: no conflicts, and every held route is allowed. ----

/** Nested CRUD resources as real APIs have them: collection, item, sub-collection, sub-item, per-verb scopes. */
function crudTable(resources: readonly string[][]): RouteRule[] {
  const table: RouteRule[] = [];
  for (const chain of resources) {
    let base = '';
    chain.forEach((name, depth) => {
      const collection = `${base}/${name}`;
      const item = `${collection}/{${name}Id}`;
      const push = (method: HttpMethod, path: string, scope: string) => {
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

/** Per-route caching (REQUEST mode): the cached policy names the one route it was decided for. */
function routeModeAllows(
  table: readonly RouteRule[],
  granted: ReadonlySet<string>,
  method: string,
  path: string,
) {
  const route = routeServing(table, method, path);
  const found = route === undefined ? undefined : routeSetOf(table).routeFor(method, route.path);
  const decision =
    found !== undefined && holds(granted, found.rule)
      ? { allow: [found.tail], deny: [] }
      : { allow: [], deny: [] };
  const { policy } = parseAuthorizerOutput(buildPolicy(parseMethodArn(`${BASE}/GET/`), 's', decision, {}));
  return evaluatePolicy(policy, `${BASE}/${method}${path}`) === 'allow';
}

const NATURAL_TABLES: Array<[string, RouteRule[], 'token' | 'route']> = [
  // Levels with their own scopes: a token with orgs:read and issues:read but not repos:read needs a Deny of
  // GET/orgs/*/repos, which also covers its issues; one token-cached policy cannot serve it.
  [
    'nested CRUD',
    crudTable([
      ['orgs', 'repos', 'issues'],
      ['orgs', 'members'],
      ['users', 'keys'],
    ]),
    'route',
  ],
  ['300 routes', crudTable(Array.from({ length: 30 }, (_, i) => [`svc${i}`, `things${i}`])), 'token'],
];

test.each(NATURAL_TABLES)(
  '%s: in the mode its conflicts call for, a token gets exactly the routes it holds',
  (_name, table, mode) => {
    const routes = routeSetOf(validateRouteTable(table, 'routes'));
    expect(routes.conflicts().length > 0 ? 'route' : 'token').toBe(mode);
    const allows = mode === 'token' ? policyAllows : routeModeAllows;
    const allScopes = [...new Set(table.flatMap((r) => r.scopes))];
    const tokens = [new Set<string>(), new Set(allScopes.filter((_, i) => i % 3 === 0)), new Set(allScopes)];
    for (const granted of tokens) {
      for (const route of table) {
        const path = route.path.replace(/\{[^}]+\}/g, 'id-42');
        expect([route.method, path, allows(table, granted, route.method, path)]).toEqual([
          route.method,
          path,
          holds(granted, route),
        ]);
      }
    }
  },
);
