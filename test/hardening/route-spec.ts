// The closed-world policy's promises as checks: each returns the cases that break one (empty: it holds), judged
// by the oracle (iam-oracle.ts, route-oracle.ts) under both IAM readings and both percent-encoding readings.
import { IAM_READINGS, policyAllows, type IamReading, type Statement } from './iam-oracle';
import {
  declaredRoute,
  endsInLiteral,
  holds,
  isClean,
  isRouteFor,
  outranks,
  routeName,
  routeServes,
  routedReadings,
  routedTo,
  routesFor,
  servingRoutes,
  type Route,
} from './route-oracle';
import type { Request } from './route-generators';

export const BASE = 'arn:aws:execute-api:us-east-1:123456789012:abc123/prod';
export const arnOf = (r: Request): string => `${BASE}/${r.method}${r.path}`;

export type Statements = readonly Statement[];

/** The verdict under each IAM reading. */
export function verdicts(statements: Statements, r: Request): Record<IamReading, boolean> {
  const arn = arnOf(r);
  return { A: policyAllows(statements, arn, 'A'), B: policyAllows(statements, arn, 'B') };
}

/** `overDenied` is new in the closed-world engine: a decision without it over-denies nothing. */
export function overDeniedOf(decision: object): readonly Route[] {
  return (decision as { overDenied?: readonly Route[] }).overDenied ?? [];
}

const ellipsis = (s: string): string => (s.length > 80 ? `${s.slice(0, 60)}…(${s.length} chars)` : s);

/**
 * TOKEN soundness: whatever reading holds, an allowed (M, P) has its routed path (P, or P decoded) served by
 * at least one declared route for M, and every declared route for M that serves it is held.
 */
export function tokenOverAllows(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  statements: Statements,
  requests: readonly Request[],
) {
  const broken: object[] = [];
  for (const r of requests) {
    for (const reading of IAM_READINGS) {
      if (!policyAllows(statements, arnOf(r), reading)) continue;
      for (const routed of routedReadings(r.path)) {
        const serving = servingRoutes(table, r.method, routed);
        const unheld = serving.filter((s) => !holds(granted, s)).map(routeName);
        if (serving.length > 0 && unheld.length === 0) continue;
        const served = serving.length > 0 ? { unheld } : { servedBy: 'no declared route' };
        broken.push({
          reading,
          method: r.method,
          path: ellipsis(r.path),
          routed: ellipsis(routed),
          ...served,
        });
      }
    }
  }
  return broken;
}

/**
 * TOKEN completeness: a clean P that a held route for M serves and no refused one does is allowed under both
 * readings. A trailing `/` after a route that ends in a literal may be refused (a known over-deny). A route the
 * decision names in `overDenied` may be refused too; one it does not name may not (it is the list of held
 * routes some of whose requests the policy refuses), so with `overDenied` empty every such P is allowed.
 */
export function tokenOverDenies(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  statements: Statements,
  requests: readonly Request[],
  overDenied: readonly Route[] = [],
) {
  const named = new Set(overDenied.map(routeName));
  const broken: object[] = [];
  for (const r of requests) {
    if (!isClean(r.path)) continue;
    const serving = servingRoutes(table, r.method, r.path);
    if (serving.length === 0 || !serving.every((s) => holds(granted, s))) continue;
    if (r.path !== '/' && r.path.endsWith('/') && serving.some(endsInLiteral)) continue;
    if (serving.some((s) => named.has(routeName(s)))) continue;
    const v = verdicts(statements, r);
    if (!v.A || !v.B) {
      broken.push({ method: r.method, path: ellipsis(r.path), servedBy: serving.map(routeName), allowed: v });
    }
  }
  return broken;
}

/**
 * REQUEST soundness under any cache key: the policy decided for `called` allows (M, P) only if that route is
 * declared and held, is M's route at its resource, serves the routed path, and no declared route for M that
 * outranks it serves that path.
 */
export function requestOverAllows(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  called: { method: string; resourcePath: string },
  statements: Statements,
  requests: readonly Request[],
) {
  const decided = declaredRoute(table, called.method, called.resourcePath);
  const broken: object[] = [];
  for (const r of requests) {
    for (const reading of IAM_READINGS) {
      if (!policyAllows(statements, arnOf(r), reading)) continue;
      for (const routed of routedReadings(r.path)) {
        const why =
          decided === undefined
            ? 'undeclared route'
            : !holds(granted, decided)
              ? 'route not held'
              : !isRouteFor(table, decided, r.method)
                ? 'another method'
                : !routeServes(decided.path, routed)
                  ? 'route does not serve the path'
                  : routesFor(table, r.method)
                      .filter((g) => g !== decided && outranks(g, decided) && routeServes(g.path, routed))
                      .map((g) => `outranked by ${routeName(g)}`)[0];
        if (why !== undefined) {
          broken.push({ reading, method: r.method, path: ellipsis(r.path), routed: ellipsis(routed), why });
        }
      }
    }
  }
  return broken;
}

/**
 * REQUEST completeness for the construct's key (token, method, resourcePath): every clean P that API Gateway
 * routes to the held route is allowed under both readings. The trailing-`/` exemption of TOKEN mode applies
 * here too (a literal last part's `P/` may be refused).
 */
export function requestOverDenies(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  called: { method: string; resourcePath: string },
  statements: Statements,
  paths: readonly string[],
) {
  const decided = declaredRoute(table, called.method, called.resourcePath);
  if (decided === undefined || !holds(granted, decided)) return [];
  const broken: object[] = [];
  for (const path of paths) {
    if (!isClean(path) || routedTo(table, called.method, path) !== decided) continue;
    if (path !== '/' && path.endsWith('/') && endsInLiteral(decided)) continue;
    const v = verdicts(statements, { method: called.method, path });
    if (!v.A || !v.B) broken.push({ path: ellipsis(path), allowed: v });
  }
  return broken;
}

export function expectedReason(
  table: readonly Route[],
  granted: ReadonlySet<string>,
  called: { method: string; resourcePath: string },
): string {
  const decided = declaredRoute(table, called.method, called.resourcePath);
  if (decided === undefined) return 'UNDECLARED_ROUTE';
  return holds(granted, decided) ? 'ALLOWED' : 'INSUFFICIENT_SCOPE';
}

// ---- How far the generated cases get: the properties fail if most requests never reach a real question. ----

export interface Reach {
  requests: number;
  served: number;
  undeclared: number;
  allowed: number;
  clean: number;
  completenessAsked: number;
}

export const newReach = (): Reach => ({
  requests: 0,
  served: 0,
  undeclared: 0,
  allowed: 0,
  clean: 0,
  completenessAsked: 0,
});

export function count(
  reach: Reach,
  table: readonly Route[],
  granted: ReadonlySet<string>,
  statements: Statements,
  requests: readonly Request[],
): void {
  for (const r of requests) {
    reach.requests++;
    const serving = servingRoutes(table, r.method, r.path);
    if (serving.length > 0) reach.served++;
    else reach.undeclared++;
    if (policyAllows(statements, arnOf(r), 'A')) reach.allowed++;
    if (isClean(r.path)) reach.clean++;
    if (isClean(r.path) && serving.length > 0 && serving.every((s) => holds(granted, s))) {
      reach.completenessAsked++;
    }
  }
}

export const share = (part: number, whole: number): number => Math.round((100 * part) / whole) / 100;
