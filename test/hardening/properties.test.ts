// Property-based tests (fast-check): the policy never allows a route whose scopes are not all held, checked
// by the local gateway's independent IAM evaluator; and header/token/scope parsing fails only through 401.
import fc from 'fast-check';
import { evaluatePolicy, parseAuthorizerOutput } from '../../local/gateway';
import { TokenRejectedError, grantedScopes, parseMethodArn, resourceMatches } from '../../lambda/authorizer';
import { parseBearer } from '../../lambda/authorizer/bearer';
import { buildPolicy, decideRoutes } from '../../lambda/authorizer/policy';
import { decodeToken } from '../../lambda/authorizer/token';
import type { HttpMethod, RouteRule } from '../../lambda/routes';
import { b64url } from '../support/keys';

const BASE = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod';
const SCOPES = ['a:read', 'a:write', 'b:read', 'admin'];
const segment = fc.oneof(fc.constantFrom('items', 'users', 'audit', 'x'), fc.constant('{id}'));
const route = fc.record({
  method: fc.constantFrom<HttpMethod>('GET', 'POST', 'DELETE'),
  segments: fc.array(segment, { minLength: 1, maxLength: 4 }),
  scopes: fc.subarray(SCOPES),
});
const routeTable = fc
  .array(route, { minLength: 1, maxLength: 8 })
  .map((rs) =>
    rs.map((r): RouteRule => ({ method: r.method, path: `/${r.segments.join('/')}`, scopes: r.scopes })),
  )
  .map((rs) => rs.filter((r, i) => rs.findIndex((o) => o.method === r.method && o.path === r.path) === i));

/** A concrete request for a route: each {param} becomes a value without a slash, as API Gateway matches it. */
const concrete = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

test('a policy never allows a route whose required scopes are not all held', () => {
  fc.assert(
    fc.property(
      routeTable,
      fc.subarray(SCOPES),
      fc.nat(),
      // Parameter values never equal a literal segment, so a request for a route lands on that route.
      fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/).map((v) => `v-${v}`),
      (routes, granted, calledIndex, param) => {
        const called = routes[calledIndex % routes.length] as RouteRule;
        const arn = parseMethodArn(`${BASE}/${called.method}${concrete(called.path, param)}`);
        const held = new Set(granted);
        const { policy } = parseAuthorizerOutput(
          buildPolicy(arn, 'sub', decideRoutes(arn, routes, held), {}),
        );
        for (const r of routes) {
          const decision = evaluatePolicy(policy, `${BASE}/${r.method}${concrete(r.path, param)}`);
          if (decision === 'allow') expect(r.scopes.filter((s) => !held.has(s))).toEqual([]);
        }
      },
    ),
    { numRuns: 500 },
  );
});

test('a policy allows every route whose scopes are held, unless a route it would shadow is refused', () => {
  fc.assert(
    fc.property(routeTable, fc.subarray(SCOPES), (routes, granted) => {
      const held = new Set(granted);
      const arn = parseMethodArn(`${BASE}/GET/x`);
      const { policy } = parseAuthorizerOutput(buildPolicy(arn, 'sub', decideRoutes(arn, routes, held), {}));
      const refused = routes.filter((r) => !r.scopes.every((s) => held.has(s)));
      for (const r of routes) {
        if (!r.scopes.every((s) => held.has(s))) continue;
        // The one case the explicit Deny may also cover: a refused route of the same method whose path
        // pattern matches this route's requests (IAM's * spans slashes).
        const target = `${BASE}/${r.method}${concrete(r.path, 'v-1')}`;
        const shadowedByDeny = refused.some(
          (o) =>
            o.method === r.method &&
            resourceMatches(`${BASE}/${o.method}/${o.path.slice(1).replace(/\{[^}]+\}/g, '*')}`, target),
        );
        if (!shadowedByDeny) expect(evaluatePolicy(policy, target)).toBe('allow');
      }
    }),
    { numRuns: 500 },
  );
});

function failsOnlyAs401(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejectedError);
  }
}

test('Bearer parsing fails only through the 401 path, on any input', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.anything()), (header) => {
      failsOnlyAs401(() => parseBearer(header, 8192));
      // Only strings can follow the scheme (String() of an arbitrary object may itself throw, in the test).
      if (typeof header === 'string') failsOnlyAs401(() => parseBearer(`Bearer ${header}`, 8192));
    }),
    { numRuns: 2000 },
  );
});

test('token decoding fails only through the 401 path, on any three segments', () => {
  const json = fc.oneof(fc.json(), fc.string());
  fc.assert(
    fc.property(json, json, fc.string(), (header, payload, sig) => {
      failsOnlyAs401(() => decodeToken(`${b64url(header)}.${b64url(payload)}.${b64url(sig)}`));
      failsOnlyAs401(() => decodeToken(`${header}.${payload}.${sig}`));
    }),
    { numRuns: 2000 },
  );
});

test('scope parsing never throws and returns only non-empty strings, on any claim values', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (scope, scp) => {
      const granted = grantedScopes({ scope, scp } as never);
      for (const s of granted) expect(typeof s === 'string' && s.length > 0 && !s.includes(' ')).toBe(true);
    }),
    { numRuns: 2000 },
  );
});
