// Which request paths a route serves, and which an IAM resource pattern covers, as small automata, so that
// "can an allowed pattern reach a request a refused route serves?" is decided exactly, for every value an
// attacker could put in the path, instead of by testing one sample request.
//
// A route's path `/orgs/{org}/members` serves `/orgs/<s>/members` for any non-empty segment <s> without `/`;
// a greedy `{proxy+}` serves one or more such segments. API Gateway routes a request with one trailing `/`
// like the same path without it (`/orgs/acme/members/` to `/orgs/{org}/members`) and the methodArn keeps the
// `/`, so a route serves those paths too, and a Deny of the route must cover them. An IAM `*` matches any run
// of characters, `/` included, and the empty run. Both are regular languages over the path's characters; an intersection (or a difference)
// is empty exactly when no accepting state pair is reachable in their product.

/** A transition label: one literal character, any character but `/`, or any character. */
type Label = string | typeof NOT_SLASH | typeof ANY;
const NOT_SLASH = 0;
const ANY = 1;

interface Automaton {
  /** Transitions per state. */
  readonly edges: ReadonlyArray<ReadonlyArray<readonly [Label, number]>>;
  /** Epsilon moves per state (only IAM's `*` uses them). */
  readonly eps: ReadonlyArray<readonly number[]>;
  readonly accepting: ReadonlySet<number>;
  /** Literal characters the automaton distinguishes. */
  readonly chars: ReadonlySet<string>;
}

function accepts(label: Label, c: string): boolean {
  return label === ANY || (label === NOT_SLASH ? c !== '/' : label === c);
}

class Builder {
  readonly edges: Array<Array<[Label, number]>> = [[]];
  readonly eps: number[][] = [[]];
  readonly chars = new Set<string>();
  state = 0;

  add(): number {
    this.edges.push([]);
    this.eps.push([]);
    return this.edges.length - 1;
  }
  literal(text: string): void {
    for (const c of text) {
      const next = this.add();
      this.edges[this.state]!.push([c, next]);
      this.chars.add(c);
      this.state = next;
    }
  }
  done(...alsoAccepting: number[]): Automaton {
    return {
      edges: this.edges,
      eps: this.eps,
      accepting: new Set([this.state, ...alsoAccepting]),
      chars: this.chars,
    };
  }
  /** From the current (final) state, one more `/` also accepts. */
  trailingSlash(): number {
    const after = this.add();
    this.edges[this.state]!.push(['/', after]);
    this.chars.add('/');
    return after;
  }
}

/**
 * The request paths a route serves. `parts` are the resource path's parts (`pathParts()`); the automaton is
 * deterministic (each state has disjoint labels), which is what lets `differenceIsEmpty` complement it.
 */
export function servedPaths(parts: readonly string[]): Automaton {
  const b = new Builder();
  if (parts.length === 0) {
    b.literal('/');
    return b.done(b.trailingSlash());
  }
  let afterGreedySlash: number | undefined;
  for (const part of parts) {
    b.literal('/');
    if (!part.startsWith('{')) {
      b.literal(part);
      continue;
    }
    // One or more characters that are not `/`.
    const inSegment = b.add();
    b.edges[b.state]!.push([NOT_SLASH, inSegment]);
    b.edges[inSegment]!.push([NOT_SLASH, inSegment]);
    if (part.endsWith('+}')) {
      // Greedy, and always last: `/` followed by another non-empty segment, any number of times.
      const afterSlash = b.add();
      b.edges[inSegment]!.push(['/', afterSlash]);
      b.edges[afterSlash]!.push([NOT_SLASH, inSegment]);
      b.chars.add('/');
      // ... and one trailing `/` at the end (still deterministic: the same `/` edge).
      afterGreedySlash = afterSlash;
    }
    b.state = inSegment;
  }
  b.chars.add('/');
  return b.done(afterGreedySlash ?? b.trailingSlash());
}

/**
 * The paths an IAM resource pattern's path part covers: `*` is any run of characters, `/` included. With
 * `trailingSlash`, also the paths one more `/` after them (the pattern written a second time, with a `/`).
 */
export function coveredPaths(pattern: string, trailingSlash = false): Automaton {
  const b = new Builder();
  for (const c of pattern) {
    if (c === '*') {
      const after = b.add();
      b.edges[b.state]!.push([ANY, b.state]);
      b.eps[b.state]!.push(after);
      b.state = after;
    } else {
      b.literal(c);
    }
  }
  return trailingSlash ? b.done(b.trailingSlash()) : b.done();
}

function closure(a: Automaton, states: Iterable<number>): number[] {
  const out = new Set<number>(states);
  const stack = [...out];
  while (stack.length > 0) {
    for (const next of a.eps[stack.pop()!]!) {
      if (!out.has(next)) {
        out.add(next);
        stack.push(next);
      }
    }
  }
  return [...out];
}

/** A character standing for every character no automaton names (it is not `/`). */
const OTHER = '\u0000';

function alphabet(automata: readonly Automaton[]): string[] {
  const chars = new Set<string>(['/', OTHER]);
  for (const a of automata) for (const c of a.chars) chars.add(c);
  return [...chars];
}

/**
 * Whether some string is accepted by every automaton in `all` and by none in `none` (each of `none` must be
 * deterministic, as `servedPaths` is). A breadth-first search over tuples of states.
 */
function someStringIn(all: readonly Automaton[], none: readonly Automaton[] = []): boolean {
  const sigma = alphabet([...all, ...none]);
  // A tuple: one state per `all` automaton, then one per `none` automaton (-1: fallen off, so not accepted).
  const start: number[][] = all.map((a) => closure(a, [0]));
  const seen = new Set<string>();
  const queue: number[][] = [];
  const push = (tuple: number[]): void => {
    const key = tuple.join(',');
    if (!seen.has(key)) {
      seen.add(key);
      queue.push(tuple);
    }
  };
  for (const combo of product(start)) push([...combo, ...none.map(() => 0)]);
  while (queue.length > 0) {
    const tuple = queue.shift()!;
    const k = all.length;
    if (
      all.every((a, i) => a.accepting.has(tuple[i]!)) &&
      none.every((a, j) => !a.accepting.has(tuple[k + j]!))
    ) {
      return true;
    }
    for (const c of sigma) {
      const nexts: number[][] = [];
      let dead = false;
      for (let i = 0; i < k && !dead; i++) {
        const a = all[i]!;
        const targets = a.edges[tuple[i]!]!.filter(([label]) => accepts(label, c)).map(([, to]) => to);
        const reached = closure(a, targets);
        if (reached.length === 0) dead = true;
        nexts.push(reached);
      }
      if (dead) continue;
      const rest = none.map((a, j) => {
        const state = tuple[k + j]!;
        if (state === -1) return -1;
        const edge = a.edges[state]!.find(([label]) => accepts(label, c));
        return edge === undefined ? -1 : edge[1];
      });
      for (const combo of product(nexts)) push([...combo, ...rest]);
    }
  }
  return false;
}

function* product(sets: readonly number[][]): Generator<number[]> {
  if (sets.length === 0) {
    yield [];
    return;
  }
  const [first, ...rest] = sets;
  for (const head of first!) for (const tail of product(rest)) yield [head, ...tail];
}

/** Some request path is both served by the route and covered by the pattern. */
export function overlaps(served: Automaton, covered: Automaton): boolean {
  return someStringIn([served, covered]);
}

/** Some request path is served by `served` and covered by `covered`, and served by none of `except`. */
export function overlapsOutside(
  served: Automaton,
  covered: Automaton,
  except: readonly Automaton[],
): boolean {
  return someStringIn([served, covered], except);
}

/** `/orgs/{org}/members` -> `orgs/*\/members`: the IAM resource path part that covers every request of a route. */
export function iamPath(parts: readonly string[]): string {
  return parts.map((part) => (part.startsWith('{') ? '*' : part)).join('/');
}

/** The route's characters up to its first variable part: a pattern that shares no prefix with it cannot meet it. */
export function literalPrefix(parts: readonly string[]): string {
  let prefix = '/';
  for (const part of parts) {
    if (part.startsWith('{')) return prefix;
    prefix += part + '/';
  }
  return parts.length === 0 ? '/' : prefix.slice(0, -1);
}
