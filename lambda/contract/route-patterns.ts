// IAM resource patterns built from whole path segments: how they are written, and whether one covers a request's
// path. (Which routes a pattern covers is a walk of the route tree, in route-set.ts.)
//
// Every `*` this package writes stands for whole segments: it sits between two `/` (or after the last one), so on
// a path without empty segments it covers one or more whole segments, `/` included. That is what lets the engine
// reason segment by segment instead of character by character, in time that grows with the number of segments
// and not with the length of the values an attacker puts in them.

/** A literal segment, or a `*` that covers at least this many whole segments (3: a route's greedy part). */
export type PatternPart = string | typeof ONE_OR_MORE | typeof TWO_OR_MORE | typeof GREEDY;
/** `*`: one or more segments (a route's `{name}`; the Allow covers deeper paths too, so Denies close them). */
export const ONE_OR_MORE = 1;
/** `*\/*` in the middle, `*\/?*` at the end: two or more segments (what a `{name}` must never be). */
export const TWO_OR_MORE = 2;
/** `*` for a route's `{name+}`: one or more segments, all of them the route's own. */
export const GREEDY = 3;

export interface SegmentPattern {
  /** A concrete method, or `*` for every method. */
  readonly method: string;
  readonly parts: readonly PatternPart[];
  /** The path ends in `/` after the parts. */
  readonly trailing: boolean;
}

/**
 * The pattern as a resource tail after `{stage}/`: `GET/items/?*`, `GET/items/*\/?*`, `GET/orgs/*\/members`. A
 * star at the end is written `?*`: IAM's `*` also matches nothing, and `GET/items/` (an empty value) is the path
 * API Gateway routes to `/items`, not to `/items/{id}`. A star in the middle matching nothing leaves `//`, which
 * every policy refuses (UNSAFE_PATH_DENIES).
 */
export function renderPattern(pattern: SegmentPattern): string {
  const last = pattern.parts.length - 1;
  const star = (part: number, i: number): string =>
    part === TWO_OR_MORE ? (i === last ? '*/?*' : '*/*') : i === last ? '?*' : '*';
  const body = pattern.parts.map((part, i) => (typeof part === 'string' ? part : star(part, i))).join('/');
  return `${pattern.method}/${body}${pattern.trailing ? '/' : ''}`;
}

/** A route's part: 0 literal, 1 `{name}`, 2 `{name+}`. */
export function partKind(part: string): 0 | 1 | 2 {
  return !part.startsWith('{') ? 0 : part.endsWith('+}') ? 2 : 1;
}

/** The route's own pattern (what its Allow names): `{name}` and `{name+}` become `*`. */
export function routePattern(method: string, parts: readonly string[]): SegmentPattern {
  return {
    method,
    parts: parts.map((part) => {
      const kind = partKind(part);
      return kind === 0 ? part : kind === 1 ? ONE_OR_MORE : GREEDY;
    }),
    trailing: false,
  };
}

/**
 * Whether the pattern covers a request path already split into non-empty segments (`trailing`: it ended in
 * `/`). Linear in the number of segments: each literal run after a star is placed at its earliest position, which
 * is optimal for stars that cover "at least N" segments.
 */
export function coversSegments(
  pattern: SegmentPattern,
  method: string,
  segments: readonly string[],
  trailing: boolean,
): boolean {
  if (pattern.method !== '*' && pattern.method !== method) return false;
  const parts = pattern.parts;
  const endsWithStar = parts.length > 0 && typeof parts[parts.length - 1] !== 'string';
  // A star at the end also covers a trailing `/`; a literal end, or a pattern written with its own `/`, must
  // meet the path's end exactly.
  if (pattern.trailing ? !trailing : !endsWithStar && trailing) return false;
  let s = 0;
  let i = 0;
  // The literal run before the first star is anchored at the start.
  while (i < parts.length && typeof parts[i] === 'string') {
    if (segments[s] !== parts[i]) return false;
    s++;
    i++;
  }
  if (i === parts.length) return s === segments.length;
  while (i < parts.length) {
    const star = parts[i] as number;
    const min = star === TWO_OR_MORE ? 2 : 1;
    i++;
    let runEnd = i;
    while (runEnd < parts.length && typeof parts[runEnd] === 'string') runEnd++;
    const run = parts.slice(i, runEnd) as string[];
    if (runEnd === parts.length) {
      // The last run is anchored at the end; the star before it takes what lies between.
      const start = segments.length - run.length;
      if (start - s < min) return false;
      for (let k = 0; k < run.length; k++) if (segments[start + k] !== run[k]) return false;
      return true;
    }
    let found = -1;
    for (let at = s + min; at + run.length <= segments.length; at++) {
      let k = 0;
      while (k < run.length && segments[at + k] === run[k]) k++;
      if (k === run.length) {
        found = at;
        break;
      }
    }
    if (found === -1) return false;
    s = found + run.length;
    i = runEnd;
  }
  return true;
}

/**
 * Whether API Gateway picks route `a` over route `b` for the paths both serve: at the first part where they
 * differ, a literal before a `{name}` before a `{name+}`.
 */
export function outranks(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; i < a.length && i < b.length; i++) {
    if (a[i] === b[i]) continue;
    return partKind(a[i]!) < partKind(b[i]!);
  }
  return false;
}
