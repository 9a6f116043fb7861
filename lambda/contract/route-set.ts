// A compiled route table and the closed-world policies it yields: a policy allows a request only if a declared
// route serves its path and the token holds that route's scopes, whatever wires the authorizer (the construct,
// SAM, hand-written CloudFormation) and whatever key API Gateway caches the policy under.
//
// How. An Allow of `GET/items/?*` also covers `/items/1/invoice`, since IAM's `*` spans `/`. So every Allow comes
// with the Denies that close it: each `{name}`-star written again as "two or more segments" (`GET/items/*\/?*`),
// and each declared route the token may not use that shares a path with an allowed one. (A star at the end is
// written `?*`, so it never covers the empty value: `GET/items/` is the path API Gateway routes to `/items`.)
// Paths whose routing IAM's pattern language cannot pin down are denied outright (UNSAFE_PATH_DENIES). Where a Deny needed to close one held route also covers another held
// route's requests, the policy refuses those requests (it never over-allows); such tables are what
// `conflicts()` reports, and per-route caching serves them exactly.
import type { DECISION_REASONS } from './authorizer-metrics';
import { CONCRETE_METHODS, pathParts, type RouteRule } from './route-rules';
import {
  ONE_OR_MORE,
  TWO_OR_MORE,
  coversSegments,
  outranks,
  partKind,
  renderPattern,
  routePattern,
  type PatternPart,
  type SegmentPattern,
} from './route-patterns';
import { RouteTree, type ConcreteRoute } from './route-tree';

/** The IAM resource tails (after `arn:…/{stage}/`) one policy allows and denies. */
export interface RouteDecision {
  readonly allow: readonly string[];
  readonly deny: readonly string[];
  /**
   * Held routes some of whose requests this policy refuses anyway, because a Deny that closes another route
   * covers them too (see RouteSet.conflicts()). Computed on first read; empty for most tables.
   */
  readonly overDenied?: readonly RouteRule[];
}

/** A held route whose requests a Deny written for another route also covers; see RouteSet.conflicts(). */
export interface RouteConflict {
  /** The route whose closing Deny is written (when held: its deeper paths; when refused: the route itself). */
  readonly closed: RouteRule;
  /** The route a token may hold whose requests that Deny covers too. */
  readonly overDenied: RouteRule;
}

export function describeRoute(rule: { readonly method: string; readonly path: string }): string {
  return `${rule.method} ${rule.path}`;
}

/**
 * Why a decision allows or refuses the called request: the `reason` of its log line. UNSAFE_PATH: the path has
 * characters whose routing a policy cannot pin down (see UNSAFE_PATH_DENIES).
 */
export type RouteReason = (typeof DECISION_REASONS)['allow' | 'deny'][number];

/**
 * Denied in every policy, for every method, since no pattern could tell where API Gateway routes such a path:
 * - `%`: the methodArn may carry the path raw while API Gateway routes it decoded (`/items/1%2Fadmin`,
 *   `/items/adm%69n`), or decoded; both readings must be sound.
 * - `:` before a later `/`: IAM may read a `*` that is not last in its `:`-separated segment as not crossing `:`
 *   (the IAM documentation's reading), which would let `/items/a:b/admin` slip past a Deny of `GET/items/*\/?*`
 *   while the Allow `GET/items/?*` (its `*` last) still covers it. With these paths refused, both readings agree
 *   on every other pattern here, since every other `*` this package writes ends before a `/` of the path.
 * - empty segments (`//`) and `.` / `..` segments: no route serves them, and a proxy may normalise them.
 * `*:*%*` covers a `%` after the last `:` in a value when a `*` cannot cross `:`.
 */
export const UNSAFE_PATH_DENIES: readonly string[] = Object.freeze([
  '*%*',
  '*:*%*',
  '*:*/*',
  '*//*',
  '*/./*',
  '*/../*',
  '*/.',
  '*/..',
]);

/** The same rule as UNSAFE_PATH_DENIES, on one request path (with its leading `/`). */
export function isUnsafePath(path: string): boolean {
  if (path.includes('%') || path.includes('//')) return true;
  const colon = path.indexOf(':');
  if (colon !== -1 && path.indexOf('/', colon) !== -1) return true;
  return /\/\.\.?(?:\/|$)/.test(path);
}

/**
 * A safe path's segments (no empty ones), and whether it ended in `/`; `/` has none. With `limit`, at most that
 * many segments (the rest is not split).
 */
function splitPath(path: string, limit?: number): { segments: string[]; trailing: boolean } {
  const trailing = path.length > 1 && path.endsWith('/');
  const body = path.slice(1, trailing ? -1 : undefined);
  return { segments: path === '/' ? [] : body.split('/', limit), trailing };
}

const NOTHING: RouteDecision = Object.freeze({ allow: Object.freeze([]), deny: Object.freeze([]) });

/** Held-set keys to decisions: tokens mostly come in a few shapes (scope sets), each decided once. */
const DECISION_CACHE_SIZE = 256;

function holdsAll(granted: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const s of required) if (!granted.has(s)) return false;
  return true;
}

/** A route's pattern, and its trailing-`/` form unless a `*` at the end covers that already (or it is `/`). */
function withTrailing(pattern: SegmentPattern): SegmentPattern[] {
  const last = pattern.parts[pattern.parts.length - 1];
  return last === undefined || typeof last !== 'string'
    ? [pattern]
    : [pattern, { ...pattern, trailing: true }];
}

/**
 * `GET/items/?*` -> the patterns that close it: each `{name}`-star again as "two or more segments" (for a route
 * that ends in a literal, in its trailing-`/` form too, which its Allow also names).
 */
function closingPatterns(route: ConcreteRoute): SegmentPattern[] {
  const out: SegmentPattern[] = [];
  const parts = route.pattern.parts;
  parts.forEach((part, i) => {
    if (part !== ONE_OR_MORE) return;
    // Before a greedy end with only stars between, a star spanning `/` is just another way to split a path the
    // route serves (`/x/{v}/{rest+}`): nothing to close.
    if (route.greedy && parts.slice(i + 1).every((p) => typeof p !== 'string')) return;
    const closing: PatternPart[] = [...parts];
    closing[i] = TWO_OR_MORE;
    out.push(...withTrailing({ method: route.method, parts: closing, trailing: false }));
  });
  return out;
}

function freezeDecision(
  allow: Iterable<string>,
  deny: Iterable<string>,
  overDenied: () => readonly RouteRule[],
): RouteDecision {
  const decision = { allow: Object.freeze([...allow]), deny: Object.freeze([...deny]) };
  let computed: readonly RouteRule[] | undefined;
  Object.defineProperty(decision, 'overDenied', {
    enumerable: false,
    get: () => (computed ??= Object.freeze(overDenied())),
  });
  return Object.freeze(decision);
}

export class RouteSet {
  readonly routes: readonly RouteRule[];
  private readonly concrete: ConcreteRoute[] = [];
  /** `GET /items/{id}` to its concrete route: REQUEST mode looks one up per call. */
  private readonly byRoute = new Map<string, ConcreteRoute>();
  private readonly tree = new RouteTree();
  private readonly sharing: Array<readonly ConcreteRoute[] | undefined> = [];
  private readonly closing: Array<readonly string[] | undefined> = [];
  private readonly closingSegments: Array<readonly SegmentPattern[] | undefined> = [];
  private readonly decisions = new Map<string, RouteDecision>();
  private readonly routeDecisions = new Map<number, RouteDecision>();
  /** The segment patterns behind each decision's Deny tails, for deciding one request's outcome. */
  private readonly denyPatterns = new WeakMap<RouteDecision, readonly SegmentPattern[]>();
  private readonly allowed = new WeakMap<RouteDecision, ReadonlySet<string>>();
  private deeperCovers: Array<readonly ConcreteRoute[]> | undefined;
  /** The most parts any route has. */
  private readonly maxParts: number;

  /** `routes` must have passed validateRouteTable(). */
  constructor(routes: readonly RouteRule[]) {
    this.routes = routes;
    let maxParts = 0;
    const explicit = new Set(routes.filter((r) => r.method !== 'ANY').map((r) => describeRoute(r)));
    for (const rule of routes) {
      const parts = pathParts(rule.path);
      const methods =
        rule.method === 'ANY'
          ? CONCRETE_METHODS.filter((m) => !explicit.has(`${m} ${rule.path}`))
          : [rule.method];
      for (const method of methods) {
        const pattern = routePattern(method, parts);
        const forms = withTrailing(pattern);
        const route: ConcreteRoute = {
          index: this.concrete.length,
          method,
          rule,
          parts,
          greedy: parts.length > 0 && partKind(parts[parts.length - 1]!) === 2,
          pattern,
          tail: renderPattern(pattern),
          forms,
          tails: forms.map(renderPattern),
        };
        this.concrete.push(route);
        maxParts = Math.max(maxParts, parts.length);
        this.byRoute.set(describeRoute({ method, path: rule.path }), route);
        this.tree.insert(route);
      }
    }
    this.maxParts = maxParts;
  }

  /**
   * TOKEN mode: one policy for every request of the token (API Gateway caches it by token alone). Allow each
   * held route; close each Allow; deny every refused declared route that shares a path with a held one
   * (whichever API Gateway would pick: this does not rely on its precedence rules); deny unsafe paths.
   */
  decide(granted: ReadonlySet<string>): RouteDecision {
    const held = new Uint8Array(this.concrete.length);
    let key = '';
    for (const route of this.concrete) {
      if (holdsAll(granted, route.rule.scopes)) {
        held[route.index] = 1;
        key += `${route.index},`;
      }
    }
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;

    const allow = new Set<string>();
    const deny = new Set<string>();
    const denySegments: SegmentPattern[] = [];
    const denyRoute = (route: ConcreteRoute): void => {
      if (deny.has(route.tail)) return;
      for (const tail of route.tails) deny.add(tail);
      denySegments.push(...route.forms);
    };
    let anyHeld = false;
    for (const route of this.concrete) {
      if (held[route.index] !== 1) continue;
      anyHeld = true;
      for (const tail of route.tails) allow.add(tail);
      this.closeRoute(route, deny, denySegments);
      for (const other of this.sharingOf(route)) if (held[other.index] !== 1) denyRoute(other);
    }
    const decision = anyHeld
      ? freezeDecision(allow, [...deny, ...UNSAFE_PATH_DENIES], () => this.overDeniedBy(held))
      : NOTHING;
    this.denyPatterns.set(decision, denySegments);
    if (this.decisions.size >= DECISION_CACHE_SIZE) {
      this.decisions.delete(this.decisions.keys().next().value as string);
    }
    this.decisions.set(key, decision);
    return decision;
  }

  /**
   * The declared route API Gateway matched, from a REQUEST event's method and resource path (`/items/{id}`):
   * a method's own route wins over the resource's `ANY`. Undefined: not in the table.
   */
  routeFor(
    method: string,
    resourcePath: string,
  ): { readonly rule: RouteRule; readonly tail: string } | undefined {
    const route = this.byRoute.get(describeRoute({ method, path: resourcePath }));
    return route === undefined ? undefined : { rule: route.rule, tail: route.tail };
  }

  /**
   * REQUEST mode's decision for the route API Gateway matched (`resourcePath` is its template, `/items/{id}`).
   * Exact for that route under the construct's cache key (token, method, resource), and still sound when API
   * Gateway reuses it for any other request of the token (a key of the Authorization header alone): it allows
   * only the route's own paths, minus the paths of declared routes that API Gateway would pick over it.
   * A route the table does not declare, or whose scopes are not all held, is refused (fail closed).
   */
  decideRoute(
    method: string,
    resourcePath: string,
    granted: ReadonlySet<string>,
  ): { readonly decision: RouteDecision; readonly reason: RouteReason } {
    const route = this.byRoute.get(describeRoute({ method, path: resourcePath }));
    if (route === undefined) return { decision: NOTHING, reason: 'UNDECLARED_ROUTE' };
    if (!holdsAll(granted, route.rule.scopes)) return { decision: NOTHING, reason: 'INSUFFICIENT_SCOPE' };
    let decision = this.routeDecisions.get(route.index);
    if (decision === undefined) {
      const deny = new Set<string>();
      const denySegments: SegmentPattern[] = [];
      this.closeRoute(route, deny, denySegments);
      const outranking = this.sharingOf(route).filter((other) => outranks(other.parts, route.parts));
      for (const other of outranking) {
        for (const tail of other.tails) deny.add(tail);
        denySegments.push(...other.forms);
      }
      const self = route;
      decision = freezeDecision(route.tails, [...deny, ...UNSAFE_PATH_DENIES], () =>
        // A Deny of a route that outranks this one covers this route's requests where its star spans `/`.
        outranking.some((other) => this.deeperCoversOf(other).includes(self)) ||
        this.deeperCoversOf(self).includes(self)
          ? [self.rule]
          : [],
      );
      this.denyPatterns.set(decision, denySegments);
      this.routeDecisions.set(route.index, decision);
    }
    return { decision, reason: 'ALLOWED' };
  }

  /**
   * The outcome of one request under a decision this set made, for the log line: the same answer API Gateway
   * reaches with the policy, found by routing the path instead of matching every pattern, so it costs the same
   * for an 8 KB path as for a short one.
   */
  outcome(method: string, path: string, decision: RouteDecision): RouteReason {
    if (isUnsafePath(path)) return 'UNSAFE_PATH';
    // No route has more parts than the deepest one: past that, only a greedy route can serve, and it needs to
    // know only that more segments follow. So a long path is split only as far as the routes reach.
    const { segments: head, trailing } = splitPath(path, this.maxParts + 1);
    const serving = this.tree.serving(method, head);
    if (serving.length === 0) return 'UNDECLARED_ROUTE';
    const allowed = this.allowedSet(decision);
    if (serving.some((route) => !allowed.has(route.tail))) {
      // Refused either way; but if API Gateway would pick a held route (a literal `/items/export` over a refused
      // `/items/{id}`), the token may make this request and only a token-cached policy cannot say so.
      const picked = serving.find((route) =>
        serving.every((o) => o === route || outranks(route.parts, o.parts)),
      );
      return picked !== undefined && allowed.has(picked.tail) ? 'OVER_DENIED' : 'INSUFFICIENT_SCOPE';
    }
    const segments = head.length <= this.maxParts ? head : splitPath(path).segments;
    return this.denies(decision, method, segments, trailing) ? 'OVER_DENIED' : 'ALLOWED';
  }

  private allowedSet(decision: RouteDecision): ReadonlySet<string> {
    let set = this.allowed.get(decision);
    if (set === undefined) {
      set = new Set(decision.allow);
      this.allowed.set(decision, set);
    }
    return set;
  }

  /**
   * REQUEST mode: whether the policy decideRoute() allowed really lets this request of its route through (API
   * Gateway routed the path there, so only an unsafe path or a conflict's Deny can still refuse it).
   */
  routeOutcome(method: string, path: string, decision: RouteDecision): RouteReason {
    if (decision.allow.length === 0) return 'INSUFFICIENT_SCOPE';
    if (isUnsafePath(path)) return 'UNSAFE_PATH';
    const { segments, trailing } = splitPath(path);
    return this.denies(decision, method, segments, trailing) ? 'OVER_DENIED' : 'ALLOWED';
  }

  private denies(decision: RouteDecision, method: string, segments: string[], trailing: boolean): boolean {
    const patterns = this.denyPatterns.get(decision) ?? [];
    return patterns.some((p) => coversSegments(p, method, segments, trailing));
  }

  /**
   * The held routes that a token-cached policy cannot serve exactly: pairs where the Deny that closes (or
   * refuses) `closed` also covers requests of `overDenied`, for some token that holds `overDenied`. Empty
   * means every TOKEN-mode policy for this table is exact. Per-route caching serves such tables exactly.
   */
  conflicts(): RouteConflict[] {
    const found: RouteConflict[] = [];
    const seen = new Set<string>();
    const report = (closed: ConcreteRoute, over: ConcreteRoute): void => {
      const key = `${describeRoute(closed.rule)}|${describeRoute(over.rule)}`;
      if (seen.has(key)) return;
      seen.add(key);
      found.push({ closed: closed.rule, overDenied: over.rule });
    };
    const deeper = this.allDeeperCovers();
    for (const route of this.concrete) {
      for (const over of deeper[route.index]!) report(route, over);
      // A token that holds this route but not a sibling API Gateway would never pick over it (a literal
      // `/items/export` beside `/items/{id}`): the sibling's Deny covers this route's requests too.
      for (const other of this.sharingOf(route)) {
        if (
          outranks(route.parts, other.parts) &&
          !other.rule.scopes.every((s) => route.rule.scopes.includes(s))
        ) {
          report(other, route);
        }
      }
    }
    return found;
  }

  /** The route's closing patterns, made once. */
  private closingOf(route: ConcreteRoute): readonly SegmentPattern[] {
    return (this.closingSegments[route.index] ??= closingPatterns(route));
  }

  /** The Denies that close an allowed route's pattern. */
  private closeRoute(route: ConcreteRoute, deny: Set<string>, denySegments: SegmentPattern[]): void {
    const segments = this.closingOf(route);
    this.closing[route.index] ??= segments.map(renderPattern);
    for (const tail of this.closing[route.index]!) deny.add(tail);
    denySegments.push(...segments);
  }

  /** Declared routes of the same method that serve some path `route` serves too. */
  private sharingOf(route: ConcreteRoute): readonly ConcreteRoute[] {
    return (this.sharing[route.index] ??= this.tree.sharing(route));
  }

  /** Routes some of whose requests the route's closing Denies cover. */
  private deeperCoversOf(route: ConcreteRoute): readonly ConcreteRoute[] {
    return this.allDeeperCovers()[route.index]!;
  }

  /**
   * Per route, the routes some of whose requests its closing Denies cover (the route itself included, where a
   * greedy end lets one of its own paths be split another way: `/x/{v}/lit/{rest+}` and `/x/a/lit/lit/b`).
   */
  private allDeeperCovers(): Array<readonly ConcreteRoute[]> {
    if (this.deeperCovers !== undefined) return this.deeperCovers;
    this.deeperCovers = this.concrete.map((route) => {
      const found = new Set<ConcreteRoute>();
      for (const closing of this.closingOf(route)) {
        for (const other of this.tree.covered(route.method, closing.parts)) found.add(other);
      }
      return [...found];
    });
    return this.deeperCovers;
  }

  /** For one TOKEN decision: held routes some of whose requests a Deny of this decision covers. */
  private overDeniedBy(held: Uint8Array): RouteRule[] {
    const deeper = this.allDeeperCovers();
    const over = new Set<ConcreteRoute>();
    const refusedDenied = new Set<ConcreteRoute>();
    for (const route of this.concrete) {
      if (held[route.index] !== 1) continue;
      for (const other of this.sharingOf(route)) if (held[other.index] !== 1) refusedDenied.add(other);
    }
    for (const route of this.concrete) {
      if (held[route.index] !== 1) continue;
      for (const other of this.sharingOf(route)) {
        if (held[other.index] !== 1 && outranks(route.parts, other.parts)) over.add(route);
      }
    }
    for (const closer of this.concrete) {
      if (held[closer.index] !== 1 && !refusedDenied.has(closer)) continue;
      for (const g of deeper[closer.index]!) if (held[g.index] === 1) over.add(g);
    }
    return [...over].map((route) => route.rule);
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

/** The conflicts in words, for synth warnings, errors and the authorizer's init warning. */
export function describeConflicts(conflicts: readonly RouteConflict[]): string {
  return conflicts
    .map(
      (c) =>
        `the Deny that closes ${describeRoute(c.closed)} also covers requests of ${describeRoute(c.overDenied)}`,
    )
    .join('; ');
}
