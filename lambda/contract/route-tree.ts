// A route table as API Gateway's resource tree, one per method, and the three walks the policy engine makes
// of it: the routes that share a path with a route, the routes that serve a request path, and the routes some
// of whose paths a segment pattern covers. Each walk costs what it can reach, not the size of the table.
import type { HttpMethod, RouteRule } from './route-rules';
import { TWO_OR_MORE, partKind, type PatternPart, type SegmentPattern } from './route-patterns';

/** A route for one concrete method: `ANY /x` stands for every method `/x` does not define itself. */
export interface ConcreteRoute {
  readonly index: number;
  readonly method: Exclude<HttpMethod, 'ANY'>;
  readonly rule: RouteRule;
  readonly parts: readonly string[];
  readonly greedy: boolean;
  /** Its path as a pattern: `GET/orgs/*\/members`. */
  readonly pattern: SegmentPattern;
  readonly tail: string;
  /**
   * The pattern and, unless it ends in `*` (which covers it), its trailing-`/` form: API Gateway routes
   * `/orgs/acme/members/` here too, with a methodArn that keeps the `/`. What an Allow or a Deny of it names.
   */
  readonly forms: readonly SegmentPattern[];
  readonly tails: readonly string[];
}

/** One resource of a method's route tree: its children by part, and the route that ends here. */
interface TrieNode {
  readonly id: number;
  readonly literals: Map<string, TrieNode>;
  variable: TrieNode | undefined;
  /** The route whose `{name+}` part is this child. */
  greedy: ConcreteRoute | undefined;
  /** The non-greedy route whose path ends at this node. */
  route: ConcreteRoute | undefined;
}

export class RouteTree {
  private readonly tries = new Map<string, TrieNode>();
  private nodes = 0;

  private newNode(): TrieNode {
    return {
      id: this.nodes++,
      literals: new Map(),
      variable: undefined,
      greedy: undefined,
      route: undefined,
    };
  }

  insert(route: ConcreteRoute): void {
    let node = this.tries.get(route.method);
    if (node === undefined) {
      node = this.newNode();
      this.tries.set(route.method, node);
    }
    for (const part of route.parts) {
      const kind = partKind(part);
      if (kind === 2) {
        node.greedy = route;
        return;
      }
      if (kind === 1) node = node.variable ??= this.newNode();
      else {
        let next = node.literals.get(part);
        if (next === undefined) {
          next = this.newNode();
          node.literals.set(part, next);
        }
        node = next;
      }
    }
    node.route = route;
  }

  /** Every route in the subtree below `node` (excluding a route ending at `node` itself). */
  private below(node: TrieNode, out: ConcreteRoute[]): void {
    if (node.greedy !== undefined) out.push(node.greedy);
    const visit = (child: TrieNode): void => {
      if (child.route !== undefined) out.push(child.route);
      this.below(child, out);
    };
    for (const child of node.literals.values()) visit(child);
    if (node.variable !== undefined) visit(node.variable);
  }

  /** Declared routes of the same method that serve some path `route` serves too (a walk of the route tree). */
  sharing(route: ConcreteRoute): ConcreteRoute[] {
    const found: ConcreteRoute[] = [];
    const walk = (node: TrieNode, i: number): void => {
      if (i === route.parts.length) {
        if (node.route !== undefined) found.push(node.route);
        return;
      }
      const kind = partKind(route.parts[i]!);
      if (kind === 2) {
        // One or more segments of any value: every route below shares some.
        this.below(node, found);
        return;
      }
      // A greedy child takes this part and the rest, whatever they are.
      if (node.greedy !== undefined) found.push(node.greedy);
      if (kind === 0) {
        const next = node.literals.get(route.parts[i]!);
        if (next !== undefined) walk(next, i + 1);
      } else {
        for (const next of node.literals.values()) walk(next, i + 1);
      }
      if (node.variable !== undefined) walk(node.variable, i + 1);
    };
    walk(this.tries.get(route.method)!, 0);
    return found.filter((other) => other !== route);
  }

  /** The routes API Gateway could serve this path with (method's own routes; ANY was expanded). */
  /** `segments` may stop after maxParts + 1: the walk never goes deeper, and a greedy route needs only one more. */
  serving(method: string, segments: readonly string[]): ConcreteRoute[] {
    const serving: ConcreteRoute[] = [];
    const walk = (node: TrieNode, i: number): void => {
      if (node.greedy !== undefined && i < segments.length) serving.push(node.greedy);
      if (i === segments.length) {
        if (node.route !== undefined) serving.push(node.route);
        return;
      }
      const next = node.literals.get(segments[i]!);
      if (next !== undefined) walk(next, i + 1);
      if (node.variable !== undefined) walk(node.variable, i + 1);
    };
    const root = this.tries.get(method);
    if (root !== undefined) walk(root, 0);
    return serving;
  }

  /**
   * The routes of `method` some of whose paths the pattern covers: a walk of the route tree, each (node, part,
   * state) once, so a table of any size costs what the pattern can reach.
   */
  covered(method: string, pattern: readonly PatternPart[]): Set<ConcreteRoute> {
    const found = new Set<ConcreteRoute>();
    const root = this.tries.get(method);
    if (root === undefined) return found;
    const m = pattern.length;
    const seen = new Set<number>();
    // k: 0 outside a star; 1 inside star i having taken one segment; 2 having taken two or more.
    const walk = (node: TrieNode, i: number, k: number): void => {
      const key = (node.id * (m + 1) + i) * 3 + k;
      if (seen.has(key)) return;
      seen.add(key);
      const p = pattern[i];
      if (k > 0) {
        // End the star here (once it has taken enough), or let it take more; a greedy child can supply the
        // star and the rest of the pattern, whatever they need.
        if (k >= (p === TWO_OR_MORE ? 2 : 1)) walk(node, i + 1, 0);
        if (node.greedy !== undefined) found.add(node.greedy);
        for (const child of node.literals.values()) walk(child, i, 2);
        if (node.variable !== undefined) walk(node.variable, i, 2);
        return;
      }
      if (i === m) {
        if (node.route !== undefined) found.add(node.route);
        return;
      }
      // A greedy child supplies one or more segments for the rest of the pattern.
      if (node.greedy !== undefined) found.add(node.greedy);
      if (typeof p === 'string') {
        const next = node.literals.get(p);
        if (next !== undefined) walk(next, i + 1, 0);
        if (node.variable !== undefined) walk(node.variable, i + 1, 0);
        return;
      }
      for (const child of node.literals.values()) walk(child, i, 1);
      if (node.variable !== undefined) walk(node.variable, i, 1);
    };
    walk(root, 0, 0);
    return found;
  }
}
