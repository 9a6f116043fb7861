// A compiled route table: which IAM statements one token's policy needs so that it is right for every route
// (TOKEN mode, cached per token), the one route a REQUEST-mode call is for, and, at synth, which tables no
// single policy can serve without refusing a route the token holds.
import { CONCRETE_METHODS, pathParts, type HttpMethod, type RouteRule } from './route-rules';
import {
  coveredPaths,
  iamPath,
  literalPrefix,
  overlaps,
  overlapsOutside,
  servedPaths,
} from './route-language';

type Automaton = ReturnType<typeof servedPaths>;

/** A route for one concrete method: `ANY /x` stands for every method `/x` does not define itself. */
interface ConcreteRoute {
  readonly method: Exclude<HttpMethod, 'ANY'>;
  readonly rule: RouteRule;
  readonly parts: readonly string[];
  /** `GET/orgs/*\/members`: the IAM resource after the stage. */
  readonly tail: string;
  /**
   * What a Deny of this route names: `tail`, and `tail/` unless it ends in `*` (which covers it already),
   * since API Gateway routes `/orgs/acme/members/` here too, with a methodArn that keeps the `/`.
   */
  readonly denyTails: readonly string[];
  /** Literal text before the first variable part, of the path and of its IAM pattern alike. */
  readonly prefix: string;
}

/** The IAM resource tails (after `arn:…/{stage}/`) one token's policy allows and denies. */
export interface RouteDecision {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

/** Two routes one token-cached policy cannot tell apart; see RouteSet.conflicts(). */
export interface RouteConflict {
  /** The route a token may be refused, whose Deny must be written. */
  readonly refused: RouteRule;
  /** The route whose allowed pattern reaches `refused`'s requests, so the Deny is needed. */
  readonly reachedBy: RouteRule;
  /** The route the same token holds, some of whose requests that Deny would refuse too. */
  readonly overDenied: RouteRule;
}

export function describeRoute(rule: { readonly method: string; readonly path: string }): string {
  return `${rule.method} ${rule.path}`;
}

/** Why a decision allows or refuses the called route: the `reason` of its log line. */
export type RouteReason = 'ALLOWED' | 'INSUFFICIENT_SCOPE' | 'UNDECLARED_ROUTE';

const NOTHING: RouteDecision = Object.freeze({ allow: Object.freeze([]), deny: Object.freeze([]) });

/** Held-set keys to decisions: tokens mostly come in a few shapes (scope sets), each decided once. */
const DECISION_CACHE_SIZE = 256;

function holdsAll(granted: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const s of required) if (!granted.has(s)) return false;
  return true;
}

/** Literal parts before variable ones before greedy ones: API Gateway's order when several resources match. */
function rank(part: string): number {
  return !part.startsWith('{') ? 0 : part.endsWith('+}') ? 2 : 1;
}

/**
 * Whether API Gateway picks `g` over `h` for a request both match: at the first part where they differ, the
 * more specific kind wins (at one position two different literals, or two variables, cannot both match).
 */
function outranks(g: readonly string[], h: readonly string[]): boolean {
  for (let i = 0; i < g.length && i < h.length; i++) {
    if (g[i] === h[i]) continue;
    return rank(g[i]!) < rank(h[i]!);
  }
  return false;
}

function compatiblePrefixes(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

export class RouteSet {
  readonly routes: readonly RouteRule[];
  private readonly concrete: ConcreteRoute[] = [];
  private readonly served: Array<Automaton | undefined> = [];
  private readonly covered: Array<Automaton | undefined> = [];
  private readonly denied: Array<Automaton | undefined> = [];
  /** reaches[f * n + h]: 0 unknown, 1 no, 2 yes: h's allowed pattern covers a request f serves. */
  private readonly reaches: Uint8Array;
  private readonly decisions = new Map<string, RouteDecision>();
  /** `GET /items/{id}` to its concrete route: REQUEST mode looks one up per call. */
  private readonly byRoute = new Map<string, ConcreteRoute>();

  /** `routes` must have passed validateRouteTable(). */
  constructor(routes: readonly RouteRule[]) {
    this.routes = routes;
    const explicit = new Set(routes.filter((r) => r.method !== 'ANY').map((r) => describeRoute(r)));
    for (const rule of routes) {
      const parts = pathParts(rule.path);
      const methods =
        rule.method === 'ANY'
          ? CONCRETE_METHODS.filter((m) => !explicit.has(`${m} ${rule.path}`))
          : [rule.method];
      for (const method of methods) {
        const tail = `${method}/${iamPath(parts)}`;
        const route: ConcreteRoute = {
          method,
          rule,
          parts,
          tail,
          denyTails: tail.endsWith('*') ? [tail] : [tail, `${tail}/`],
          prefix: literalPrefix(parts),
        };
        this.concrete.push(route);
        this.byRoute.set(describeRoute({ method, path: rule.path }), route);
      }
    }
    this.reaches = new Uint8Array(this.concrete.length * this.concrete.length);
  }

  /**
   * TOKEN mode: allow every route whose scopes are all held; deny each refused route that an allowed
   * pattern could reach, for any path values (IAM's `*` also spans `/`). An explicit Deny wins in IAM, so the
   * policy never allows a request a refused route serves. It may refuse a held route's request that a Deny
   * also covers: the tables where that can happen are the ones `conflicts()` reports.
   */
  decide(granted: ReadonlySet<string>): RouteDecision {
    const held: number[] = [];
    const refused: number[] = [];
    this.concrete.forEach((route, i) => (holdsAll(granted, route.rule.scopes) ? held : refused).push(i));
    const key = held.join(',');
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;

    const deny = refused.filter((f) => held.some((h) => this.reachesPair(f, h)));
    const decision: RouteDecision = Object.freeze({
      allow: Object.freeze([...new Set(held.map((i) => this.concrete[i]!.tail))]),
      deny: Object.freeze([...new Set(deny.flatMap((i) => this.concrete[i]!.denyTails))]),
    });
    if (this.decisions.size >= DECISION_CACHE_SIZE) {
      this.decisions.delete(this.decisions.keys().next().value as string);
    }
    this.decisions.set(key, decision);
    return decision;
  }

  /**
   * REQUEST mode: the route API Gateway matched, from the event's method and resource path (`/items/{id}`).
   * A method's own route wins over the resource's `ANY`, as in API Gateway. Undefined: not in the table.
   */
  routeFor(
    method: string,
    resourcePath: string,
  ): { readonly rule: RouteRule; readonly tail: string } | undefined {
    const route = this.byRoute.get(describeRoute({ method, path: resourcePath }));
    return route === undefined ? undefined : { rule: route.rule, tail: route.tail };
  }

  /**
   * REQUEST mode's decision: API Gateway caches it for this route only, so it allows exactly the matched
   * route when its scopes are all held; a route the table does not declare is refused (fail closed).
   */
  decideRoute(
    method: string,
    resourcePath: string,
    granted: ReadonlySet<string>,
  ): { readonly decision: RouteDecision; readonly reason: RouteReason } {
    const route = this.byRoute.get(describeRoute({ method, path: resourcePath }));
    if (route === undefined) return { decision: NOTHING, reason: 'UNDECLARED_ROUTE' };
    return holdsAll(granted, route.rule.scopes)
      ? { decision: { allow: [route.tail], deny: [] }, reason: 'ALLOWED' }
      : { decision: NOTHING, reason: 'INSUFFICIENT_SCOPE' };
  }

  /**
   * Triples (refused, reachedBy, overDenied) for which some token holds `reachedBy` and `overDenied` but not
   * `refused`: its policy must deny `refused`'s IAM pattern, and that Deny also covers a request API Gateway
   * routes to `overDenied`. One token-cached policy cannot be exact for such a table; per-route caching can.
   * Conservative: it ignores that another refused route might serve that request too. Empty means: no
   * token is ever refused a request whose route it holds.
   */
  conflicts(): RouteConflict[] {
    const found: RouteConflict[] = [];
    const reported = new Set<string>();
    const n = this.concrete.length;
    for (let f = 0; f < n; f++) {
      const refused = this.concrete[f]!;
      for (let h = 0; h < n; h++) {
        const over = this.concrete[h]!;
        if (h === f || over.method !== refused.method || !this.overDenies(f, h)) continue;
        for (let a = 0; a < n; a++) {
          const via = this.concrete[a]!;
          if (via.method !== refused.method || a === f || !this.reachesPair(f, a)) continue;
          // A token holding exactly over's and via's scopes holds both; does it still lack one of f's?
          const granted = new Set([...over.rule.scopes, ...via.rule.scopes]);
          if (holdsAll(granted, refused.rule.scopes)) continue;
          const key = `${describeRoute(refused.rule)}|${describeRoute(over.rule)}`;
          if (reported.has(key)) continue;
          reported.add(key);
          found.push({ refused: refused.rule, reachedBy: via.rule, overDenied: over.rule });
          break;
        }
      }
    }
    return found;
  }

  private servedBy(i: number): Automaton {
    return (this.served[i] ??= servedPaths(this.concrete[i]!.parts));
  }

  /** The paths route i's Allow covers. */
  private coveredBy(i: number): Automaton {
    return (this.covered[i] ??= coveredPaths('/' + iamPath(this.concrete[i]!.parts)));
  }

  /** The paths route i's Deny covers (its `denyTails`). */
  private deniedBy(i: number): Automaton {
    return (this.denied[i] ??= coveredPaths('/' + iamPath(this.concrete[i]!.parts), true));
  }

  /** Whether route h's allowed IAM pattern covers some request route f serves (same method only). */
  private reachesPair(f: number, h: number): boolean {
    const slot = f * this.concrete.length + h;
    const known = this.reaches[slot];
    if (known !== 0) return known === 2;
    const a = this.concrete[f]!;
    const b = this.concrete[h]!;
    const result =
      a.method === b.method &&
      compatiblePrefixes(a.prefix, b.prefix) &&
      overlaps(this.servedBy(f), this.coveredBy(h));
    this.reaches[slot] = result ? 2 : 1;
    return result;
  }

  /**
   * Whether a Deny of f's pattern covers some request that API Gateway routes to h: one h matches and no
   * route that outranks h matches. (A request f matches too but h outranks f still belongs to h.)
   */
  private overDenies(f: number, h: number): boolean {
    const a = this.concrete[f]!;
    const b = this.concrete[h]!;
    if (!compatiblePrefixes(a.prefix, b.prefix)) return false;
    const outranking = this.concrete
      .map((g, i) => [g, i] as const)
      .filter(([g, i]) => i !== h && g.method === b.method && outranks(g.parts, b.parts))
      .filter(([g]) => compatiblePrefixes(g.prefix, b.prefix))
      .map(([, i]) => this.servedBy(i));
    return overlapsOutside(this.servedBy(h), this.deniedBy(f), outranking);
  }
}

/**
 * How API Gateway caches decisions: `token` (one policy per token, for every route), `route` (one decision
 * per token and route: a REQUEST authorizer keyed on the header, context.httpMethod and context.resourcePath),
 * or `auto`: `token` unless the table has conflicts one token-cached policy cannot serve.
 */
export type AuthorizerCaching = 'auto' | 'token' | 'route';

export interface CachingDecision {
  readonly perRoute: boolean;
  /** Why `auto` chose per-route caching, or why `token` cannot be exact; empty when there is nothing to say. */
  readonly conflicts: readonly RouteConflict[];
}

/** The one place the construct and the local gateway decide the authorizer type from the route table. */
export function decideCaching(routes: readonly RouteRule[], caching: AuthorizerCaching): CachingDecision {
  if (caching === 'route') return { perRoute: true, conflicts: [] };
  const conflicts = new RouteSet(routes).conflicts();
  return { perRoute: caching === 'auto' && conflicts.length > 0, conflicts };
}

/** The conflicts in words, for synth warnings and errors. */
export function describeConflicts(conflicts: readonly RouteConflict[]): string {
  return conflicts
    .map(
      (c) =>
        `a token holding ${describeRoute(c.reachedBy)} but not ${describeRoute(c.refused)} needs a Deny of ` +
        `${describeRoute(c.refused)} that also covers ${describeRoute(c.overDenied)}`,
    )
    .join('; ');
}
