// The route properties' oracle and generators, checked on their own: a wrong oracle would make
// route-soundness.test.ts pass or fail for nothing. Cases come from the closed-world policy's specification.
import fc from 'fast-check';
import { validateRouteTable } from '../../lambda/contract';
import { iamMatches, invokeStatements, policyAllows, type IamReading } from './iam-oracle';
import { propertyRuns } from './property-runs';
import { aimedPath, grantedScopes, request, routeTable, routedShape } from './route-generators';
import {
  BASE,
  requestOverAllows,
  requestOverDenies,
  tokenOverAllows,
  tokenOverDenies,
  type Statements,
} from './route-spec';
import {
  declaredRoute,
  isClean,
  outranks,
  percentDecodeOnce,
  routeServes,
  routedReadings,
  routedTo,
  routesFor,
  servingRoutes,
  type Route,
} from './route-oracle';

describe('IAM matching under readings A and B', () => {
  test.each<[string, string, boolean, boolean]>([
    // [pattern tail, resource tail, A, B]
    ['GET/items/*', 'GET/items/42', true, true],
    ['GET/items/*', 'GET/items/a:b/c', true, true], // the last `*` of the pattern's last segment crosses `:`
    ['GET/items/*/admin', 'GET/items/a:b/admin', true, false],
    ['GET/items/*/admin', 'GET/items/a/b/admin', true, true], // `*` spans `/` in both
    ['GET/*/x:*/admin', 'GET/a:b/x:c/admin', true, false], // the first `*` is not last in its segment
    ['GET/*:*/admin', 'GET/a:b:c/admin', true, true], // the first `*` is, and takes `a:b`
    ['GET/items/*:*', 'GET/items/a:b:c', true, true],
    ['GET/items/*:x/*', 'GET/items/a:b:x/y', true, true], // `*` before the pattern's own `:` ends a segment
    ['GET/items*', 'GET/items', true, true], // the empty run
    ['GET/?', 'GET/a', true, true],
    ['GET/?', 'GET/', false, false],
    ['GET/?', 'GET/ab', false, false],
    ['GET/?', 'GET/:', true, true],
    ['GET/items', 'GET/items/', false, false],
    ['GET/items', 'GET/item?', false, false], // a `?` in the resource is a character, not a wildcard
    ['GET/a*b', 'GET/a*b', true, true],
    ['GET/a*b', 'GET/axxb', true, true],
    ['GET/a*b', 'GET/ax:xb', true, false],
    ['*', 'GET/x:y/z', true, true],
    ['GET/日?', 'GET/日本', true, true], // `?` is one character, not one UTF-16 unit
    ['GET/?', 'GET/\u{1F600}', true, true],
  ])('%s against %s: A %s, B %s', (pattern, resource, a, b) => {
    const verdict = (reading: IamReading) => iamMatches(`${BASE}/${pattern}`, `${BASE}/${resource}`, reading);
    expect({ A: verdict('A'), B: verdict('B') }).toEqual({ A: a, B: b });
  });

  test("the ARN prefix: its own colons cut reading B's segments, so only a pattern's last `*` crosses a path's `:`", () => {
    const all = `${BASE}/*`;
    const inner = `${BASE}/*/admin`;
    expect(iamMatches(all, `${BASE}/GET/a:b`, 'B')).toBe(true);
    expect(iamMatches(inner, `${BASE}/GET/a:b/admin`, 'B')).toBe(false);
    expect(iamMatches(inner, `${BASE}/GET/a:b/admin`, 'A')).toBe(true);
    expect(iamMatches('arn:aws:execute-api:*:*:abc123/prod/GET/x', `${BASE}/GET/x`, 'B')).toBe(true);
    expect(iamMatches('arn:aws:execute-api:us-east-1:*/prod/GET/x', `${BASE}/GET/x`, 'B')).toBe(false);
    expect(iamMatches('arn:aws:execute-api:us-east-1:*/prod/GET/x', `${BASE}/GET/x`, 'A')).toBe(true);
  });
});

describe('policy evaluation', () => {
  const statement = (
    Effect: string,
    Resource: string | string[],
    Action: unknown = 'execute-api:Invoke',
  ) => ({
    Effect,
    Action,
    Resource,
  });
  const policy = (...Statement: object[]) =>
    invokeStatements({ principalId: 'p', policyDocument: { Version: '2012-10-17', Statement } } as never);

  test.each<[string, object[], string, boolean]>([
    ['an Allow that matches', [statement('Allow', `${BASE}/GET/items/*`)], 'GET/items/1', true],
    ['no Allow matches', [statement('Allow', [`${BASE}/GET/items`])], 'GET/items/1', false],
    [
      'an explicit Deny wins',
      [statement('Allow', `${BASE}/GET/*`), statement('Deny', [`${BASE}/GET/items/*/admin`])],
      'GET/items/1/admin',
      false,
    ],
    ['only a Deny', [statement('Deny', `${BASE}/*`)], 'GET/items', false],
    ['another action', [statement('Allow', `${BASE}/*`, 'execute-api:ManageConnections')], 'GET/x', false],
    ['an action wildcard', [statement('Allow', `${BASE}/*`, ['execute-api:*'])], 'GET/x', true],
    ['actions are case-insensitive', [statement('Allow', `${BASE}/*`, 'Execute-API:invoke')], 'GET/x', true],
  ])('%s', (_name, statements, resource, allowed) => {
    expect(policyAllows(policy(...statements), `${BASE}/${resource}`, 'A')).toBe(allowed);
  });

  test.each([
    ['NotResource', { Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: '*' }],
    ['Condition', { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', Condition: {} }],
    ['an unknown effect', { Effect: 'allow', Action: 'execute-api:Invoke', Resource: '*' }],
    ['a non-string resource', { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [1] }],
  ])('a statement with %s is refused, not misread', (_name, raw) => {
    expect(() => policy(raw)).toThrow(/^the oracle cannot read/);
  });
});

describe('routing', () => {
  test.each<[string, string, boolean]>([
    ['/items/{id}', '/items/1', true],
    ['/items/{id}', '/items/1/', true], // one trailing `/`
    ['/items/{id}', '/items/1//', false],
    ['/items/{id}', '/items/', false], // `{id}` is non-empty
    ['/items/{id}', '/items//1', false],
    ['/items/{id}', '/items/1/invoice', false],
    ['/items/{id}', '/items/a:b', true],
    ['/items/{id}', '/items/..', true], // no normalisation in the routing model: `..` is a value
    ['/items/{id}', '/items/%2F', true],
    ['/items/{id}', 'items/1', false],
    ['/items', '/items/', true],
    ['/items', '/Items', false],
    ['/', '/', true],
    ['/', '//', true], // the root with its one trailing `/`
    ['/', '/x', false],
    ['/{proxy+}', '/', false],
    ['/{proxy+}', '/a', true],
    ['/{proxy+}', '/a/b/c', true],
    ['/{proxy+}', '/a/b/', true],
    ['/{proxy+}', '/a//b', false],
    ['/a/{p+}', '/a', false],
    ['/a/{p+}', '/a/', false],
    ['/x:y/{a:b}', '/x:y/1', true],
  ])('%s serves %s: %s', (route, path, served) => {
    expect(routeServes(route, path)).toBe(served);
  });

  const table: Route[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['read'] },
    { method: 'GET', path: '/items/admin', scopes: ['admin'] },
    { method: 'ANY', path: '/items/{id}', scopes: ['any'] },
    { method: 'ANY', path: '/{proxy+}', scopes: ['all'] },
    { method: 'HEAD', path: '/items/admin', scopes: ['head'] },
  ];
  const name = (r: Route | undefined) => (r === undefined ? undefined : `${r.method} ${r.path}`);

  test("a method's own route replaces its resource's ANY; HEAD is its own method", () => {
    expect(routesFor(table, 'GET').map(name)).toEqual([
      'GET /items/{id}',
      'GET /items/admin',
      'ANY /{proxy+}',
    ]);
    expect(routesFor(table, 'HEAD').map(name)).toEqual([
      'ANY /items/{id}',
      'ANY /{proxy+}',
      'HEAD /items/admin',
    ]);
    expect(servingRoutes(table, 'POST', '/items/admin').map(name)).toEqual([
      'ANY /items/{id}',
      'ANY /{proxy+}',
    ]);
    expect(declaredRoute(table, 'GET', '/items/{id}')?.scopes).toEqual(['read']);
    expect(declaredRoute(table, 'PUT', '/items/{id}')?.scopes).toEqual(['any']);
    expect(declaredRoute(table, 'PUT', '/items/admin')).toBeUndefined();
  });

  test.each<[string, string, string | undefined]>([
    ['GET', '/items/admin', 'GET /items/admin'],
    ['GET', '/items/1', 'GET /items/{id}'],
    ['GET', '/items/1/x', 'ANY /{proxy+}'],
    ['POST', '/items/admin', 'ANY /items/{id}'],
    ['GET', '/', undefined],
  ])('API Gateway routes %s %s to %s', (method, path, routed) => {
    expect(name(routedTo(table, method, path))).toBe(routed);
  });

  test('outranking: at the first differing part, literal before variable before greedy', () => {
    const r = (path: string): Route => ({ method: 'GET', path, scopes: [] });
    expect(outranks(r('/items/admin'), r('/items/{id}'))).toBe(true);
    expect(outranks(r('/items/{id}'), r('/items/admin'))).toBe(false);
    expect(outranks(r('/public/{file}'), r('/{proxy+}'))).toBe(true);
    expect(outranks(r('/{org}/x'), r('/{proxy+}'))).toBe(true);
    expect(outranks(r('/a/{x}/b'), r('/{y}/c/b'))).toBe(true);
    expect(outranks(r('/items/{id}'), r('/items/{id}'))).toBe(false);
  });
});

describe('percent-encoding and clean paths', () => {
  test.each([
    ['/items/%61dmin', '/items/admin'],
    ['/items/1%2Fadmin', '/items/1/admin'],
    ['/items/1%2fadmin', '/items/1/admin'],
    ['/items/%252F', '/items/%2F'], // once, not twice
    ['/items/%zz%', '/items/%zz%'],
    ['/items/%E6%97%A5', '/items/日'],
    ['/items/%FF', '/items/\uFFFD'],
    ['/items/é%20x', '/items/é x'],
  ])('%s decodes to %s', (raw, decoded) => {
    expect(percentDecodeOnce(raw)).toBe(decoded);
  });

  test('a path without `%` has one routed reading', () => {
    expect(routedReadings('/a/b')).toEqual(['/a/b']);
    expect(routedReadings('/a%2Fb')).toEqual(['/a%2Fb', '/a/b']);
  });

  test.each<[string, boolean]>([
    ['/', true],
    ['/items/1', true],
    ['/items/1/', true],
    ['/items/a:b', true], // a `:` after the last `/`
    ['/items/a:b/', false],
    ['/items/a:b/c', false],
    ['/items/%61', false],
    ['/items//1', false],
    ['/items/1//', false],
    ['//', false],
    ['/items/./1', false],
    ['/items/..', false],
    ['/items/...', true],
    ['/items/*?', true],
  ])('%s is clean: %s', (path, clean) => {
    expect(isClean(path)).toBe(clean);
  });
});

describe('generators', () => {
  const PART = /^(?:[A-Za-z0-9:._$-]+|\{[A-Za-z0-9:._$-]+\+?\})$/;

  /** API Gateway's rules, checked independently: the part alphabet, greedy last, one variable child. */
  function breaksApiGatewayRules(table: readonly Route[]): string[] {
    const problems: string[] = [];
    const variableChild = new Map<string, string>();
    const seen = new Set<string>();
    for (const r of table) {
      if (seen.has(`${r.method} ${r.path}`)) problems.push(`twice: ${r.method} ${r.path}`);
      seen.add(`${r.method} ${r.path}`);
      const parts = r.path === '/' ? [] : r.path.slice(1).split('/');
      parts.forEach((p, i) => {
        if (!PART.test(p)) problems.push(`bad part ${p}`);
        if (p.endsWith('+}') && i !== parts.length - 1) problems.push(`greedy not last: ${r.path}`);
        // The project's rule on top of API Gateway's: its policies refuse a `:` before a later `/`.
        if (!p.startsWith('{') && p.includes(':') && i !== parts.length - 1)
          problems.push(`: before /: ${r.path}`);
        if (!p.startsWith('{')) return;
        const parent = parts.slice(0, i).join('/');
        const other = variableChild.get(parent);
        if (other !== undefined && other !== p) problems.push(`two variable children under /${parent}`);
        variableChild.set(parent, p);
      });
    }
    return problems;
  }

  test("every generated table is valid by construction (never filtered), by our rules and the project's", () => {
    fc.assert(
      fc.property(routeTable, (table) => {
        expect(breaksApiGatewayRules(table)).toEqual([]);
        expect(validateRouteTable(table, 'routes')).toEqual(table);
      }),
      { numRuns: propertyRuns(1000) },
    );
  });

  test('the generated tables and requests cover the hard cases', () => {
    const seen = new Map<string, number>();
    const mark = (what: string, yes: boolean) => yes && seen.set(what, (seen.get(what) ?? 0) + 1);
    fc.assert(
      fc.property(
        routeTable.chain((t) =>
          fc.tuple(fc.constant(t), grantedScopes, fc.array(request(t), { minLength: 20 })),
        ),
        ([table, scopes, requests]) => {
          mark('runs', true);
          const paths = table.map((r) => r.path);
          const variable = (p: string) => p.includes('{') && !p.includes('+}');
          mark(
            'nested (3+ parts)',
            paths.some((p) => p.split('/').length >= 4),
          );
          mark(
            'literal sibling of a variable',
            paths.some((p) => {
              const parent = p.slice(0, p.lastIndexOf('/'));
              return !p.endsWith('}') && paths.some((q) => q.startsWith(`${parent}/{`));
            }),
          );
          mark(
            'greedy',
            paths.some((p) => p.includes('+}')),
          );
          mark('variable', paths.some(variable));
          mark(
            'ANY',
            table.some((r) => r.method === 'ANY'),
          );
          mark(
            'HEAD',
            table.some((r) => r.method === 'HEAD'),
          );
          mark('root', paths.includes('/'));
          mark(
            'colon literal',
            paths.some((p) => /\/[^{/]*:/.test(p)),
          );
          mark('no scopes granted', scopes.length === 0);
          mark('all scopes granted', scopes.length === 4);
          for (const r of requests) {
            mark('requests', true);
            mark('request: served by no declared route', servingRoutes(table, r.method, r.path).length === 0);
            mark('request: %2F', /%2F/i.test(r.path));
            mark('request: encoded literal', /%[0-9A-F]{2}/.test(r.path) && !/%2F/i.test(r.path));
            mark('request: `:` before a `/`', r.path.slice(0, r.path.lastIndexOf('/')).includes(':'));
            mark('request: `:` after the last `/`', r.path.slice(r.path.lastIndexOf('/')).includes(':'));
            mark('request: * or ?', /[*?]/.test(r.path));
            mark('request: //', r.path.includes('//'));
            mark('request: dot segment', /\/\.\.?(\/|$)/.test(r.path));
            mark('request: trailing /', r.path.length > 1 && r.path.endsWith('/'));
            mark(
              'request: non-ASCII',
              [...r.path].some((c) => c.charCodeAt(0) > 0x7f),
            );
            mark('request: over 500 chars', r.path.length > 500);
          }
        },
      ),
      { numRuns: 500 },
    );
    const runs = seen.get('runs')!;
    const requests = seen.get('requests')!;
    const rare = [...seen].filter(([what, n]) => {
      const whole = what.startsWith('request:') ? requests : runs;
      return n / whole < 0.02;
    });
    expect(rare).toEqual([]);
  });
});

describe('the checks accept an exact policy and catch the over-allowing ones', () => {
  // Issue #20's table. For a token with items:read, one policy is exact in TOKEN mode and for the REQUEST-mode
  // route GET /items/{id}: allow one non-empty segment and its trailing `/`; deny the empty value, a second
  // segment (`/?*`: a trailing `/` alone stays allowed), `//` after the value, and any `%` (the decoded path may
  // hold a `/`), each also with `*:*` for reading B, where an inner `*` stops at `:`.
  const table: Route[] = [
    { method: 'GET', path: '/items/{id}', scopes: ['items:read'] },
    { method: 'GET', path: '/items/{id}/admin', scopes: ['items:admin'] },
  ];
  const granted = new Set(['items:read']);
  const called = { method: 'GET', resourcePath: '/items/{id}' };
  const policy = (allow: string[], deny: string[]): Statements => [
    { effect: 'Allow', resources: allow.map((t) => `${BASE}/${t}`) },
    { effect: 'Deny', resources: deny.map((t) => `${BASE}/${t}`) },
  ];
  const exact = policy(
    ['GET/items/*'],
    [
      'GET/items/',
      'GET/items/*/?*',
      'GET/items/*:*/?*',
      'GET/items/*//',
      'GET/items/*:*//',
      'GET/items/*%*',
      'GET/items/*:*%*',
    ],
  );
  const todays = policy(['GET/items/*'], ['GET/items/*/admin', 'GET/items/*/admin/']);
  const hostile = fc.tuple(
    fc.array(request(table), { minLength: 1, maxLength: 40, size: 'max' }),
    fc.array(aimedPath('/items/{id}', table, routedShape), { minLength: 1, maxLength: 10 }),
  );

  test('an exact policy: no over-allow under any reading, no over-deny of a clean path', () => {
    fc.assert(
      fc.property(hostile, ([requests, paths]) => {
        const own = paths.map((path) => ({ method: 'GET', path }));
        expect(tokenOverAllows(table, granted, exact, [...requests, ...own])).toEqual([]);
        expect(tokenOverDenies(table, granted, exact, [...requests, ...own])).toEqual([]);
        expect(requestOverAllows(table, granted, called, exact, [...requests, ...own])).toEqual([]);
        expect(requestOverDenies(table, granted, called, exact, paths)).toEqual([]);
      }),
      { numRuns: propertyRuns(300) },
    );
  });

  test.each([
    ['/items/1/invoice', 'no declared route'],
    ['/items/1/admin/x', 'no declared route'],
    ['/items/1%2Fadmin', 'GET /items/{id}/admin'],
    ['/items/', 'no declared route'],
    ['/items//1', 'no declared route'],
  ])('a policy without the closed-world denies over-allows GET %s (%s)', (path, servedBy) => {
    const broken = tokenOverAllows(table, granted, todays, [{ method: 'GET', path }]);
    expect(broken.length).toBeGreaterThan(0);
    expect(JSON.stringify(broken)).toContain(
      servedBy === 'no declared route' ? servedBy : `"unheld":["${servedBy}"]`,
    );
  });

  test('a REQUEST-mode policy reused for a route it was not decided for is caught', () => {
    expect(
      requestOverAllows(table, granted, called, todays, [{ method: 'GET', path: '/items/1/x' }]),
    ).toEqual([
      {
        reading: 'A',
        method: 'GET',
        path: '/items/1/x',
        routed: '/items/1/x',
        why: 'route does not serve the path',
      },
      {
        reading: 'B',
        method: 'GET',
        path: '/items/1/x',
        routed: '/items/1/x',
        why: 'route does not serve the path',
      },
    ]);
    const deniedAll = policy(['GET/items/*'], ['GET/*']);
    expect(requestOverDenies(table, granted, called, deniedAll, ['/items/1', '/items/1/'])).toEqual([
      { path: '/items/1', allowed: { A: false, B: false } },
      { path: '/items/1/', allowed: { A: false, B: false } },
    ]);
  });
});

describe('PROPERTY_RUNS', () => {
  test.each<[string | undefined, number]>([
    [undefined, 300],
    ['', 300],
    ['5000', 5000],
    ['10', 300],
  ])('PROPERTY_RUNS=%s gives %d runs', (raw, runs) => {
    expect(propertyRuns(300, 1, raw === undefined ? {} : { PROPERTY_RUNS: raw })).toBe(runs);
  });

  test.each(['x', '0', '-3', '1.5'])('PROPERTY_RUNS=%s is refused', (raw) => {
    expect(() => propertyRuns(300, 1, { PROPERTY_RUNS: raw })).toThrow(
      `PROPERTY_RUNS must be a positive integer; got "${raw}"`,
    );
  });
});
