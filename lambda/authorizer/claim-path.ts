// Claim names as configured (PERMISSION_CLAIMS, REQUIRED_CLAIMS, CONTEXT_CLAIMS): a top-level claim or a dotted
// path into nested objects (`realm_access.roles`), read from a verified payload through own properties only.
//
// A dot separates segments; `\.` is a literal dot and `\\` a literal backslash, so a namespaced claim such as
// Auth0's `https://example.com/roles` is written `https://example\.com/roles`. Segments that name parts of
// every JavaScript object (`__proto__`, `constructor`, `prototype`) are refused: no path can reach anything
// the token did not carry.
import { exactNumberAt } from './json-number';

export interface ClaimPath {
  /** As configured, escapes included: what errors and logs show. */
  readonly name: string;
  /** The member names to follow, unescaped. */
  readonly segments: readonly string[];
}

const MAX_NAME_LENGTH = 256;
/** As deep as a token's JSON may nest (token.ts). */
const MAX_SEGMENTS = 16;
const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
// eslint-disable-next-line no-control-regex -- the point is to find control characters
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Parses one configured claim name. `invalid` receives what is wrong (e.g. `has an empty segment`) and must
 * throw; the caller adds which variable or prop, and which entry, said it.
 */
export function parseClaimPath(name: unknown, invalid: (problem: string) => never): ClaimPath {
  if (typeof name !== 'string')
    return invalid(`must be a string; got ${JSON.stringify(name) ?? 'undefined'}`);
  if (name === '') return invalid('is an empty claim name');
  if (name.length > MAX_NAME_LENGTH) return invalid(`is longer than ${MAX_NAME_LENGTH} characters`);
  if (CONTROL.test(name)) return invalid('contains a control character');
  if (name.trim() !== name) return invalid('starts or ends with white space');
  const segments: string[] = [];
  let segment = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as string;
    if (c === '\\') {
      const next = name[i + 1];
      if (next !== '.' && next !== '\\') {
        return invalid('has a backslash that escapes neither "." nor "\\"');
      }
      segment += next;
      i++;
    } else if (c === '.') {
      segments.push(segment);
      segment = '';
    } else {
      segment += c;
    }
  }
  segments.push(segment);
  if (segments.some((s) => s === '')) {
    return invalid('has an empty segment (a leading, trailing or doubled dot; write \\. for a literal dot)');
  }
  if (segments.length > MAX_SEGMENTS) return invalid(`has more than ${MAX_SEGMENTS} segments`);
  const forbidden = segments.find((s) => FORBIDDEN_SEGMENTS.has(s));
  if (forbidden !== undefined) return invalid(`names "${forbidden}", which no claim path may follow`);
  return Object.freeze({ name, segments: Object.freeze(segments) });
}

/** The member of an object the token carries: own members only, never into arrays. */
function member(value: unknown, segment: string): unknown {
  if (
    typeof value !== 'object' ||
    value === null ||
    Array.isArray(value) ||
    !Object.prototype.hasOwnProperty.call(value, segment)
  ) {
    return undefined;
  }
  return (value as Record<string, unknown>)[segment];
}

/** The value at the path, or undefined where the payload does not carry it. Arrays are never walked into. */
export function readClaim(payload: object, path: ClaimPath): unknown {
  let value: unknown = payload;
  for (const segment of path.segments) value = member(value, segment);
  return value;
}

/**
 * As readClaim, but a number that a double does not hold exactly comes back as the JsonNumber its JSON text
 * spelled (json-number.ts), for the claims whose values are compared or copied.
 */
export function readExactClaim(payload: object, path: ClaimPath): unknown {
  let parent: unknown;
  let value: unknown = payload;
  for (const segment of path.segments) {
    parent = value;
    value = member(parent, segment);
  }
  if (typeof value !== 'number') return value;
  const last = path.segments[path.segments.length - 1] as string;
  return exactNumberAt(parent as object, last) ?? value;
}
