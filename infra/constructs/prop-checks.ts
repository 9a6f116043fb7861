// Constructor-time checks for JwtAuthorizer props. Each failure names the prop, the bad value and the fix.
// Values that are CDK tokens (unknown until deploy) are passed through; the Lambda's parseConfig checks
// them again at cold start.
import { Token } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { RouteTableError, validateRouteTable, type RouteRule } from '../../lambda/contract';
import { InfraConfigError } from './errors';

const WHO = 'JwtAuthorizer';
const TOKEN_TYPE = /^[A-Za-z0-9!#$&^_.+-]+(?:\/[A-Za-z0-9!#$&^_.+-]+)?$/;

function fail(prop: string, problem: string, fix: string): never {
  throw new InfraConfigError('INVALID_PROP', prop, `${WHO}: ${prop} ${problem}. ${fix}`);
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

/** Whole seconds in [min, max]; `unit` describes the bound in the message. */
export function durationSeconds(
  prop: string,
  value: Duration,
  min: number,
  max: number,
  fix: string,
): number {
  if (Token.isUnresolved(value.toSeconds({ integral: false }))) {
    fail(prop, 'must be a literal Duration, not a token', fix);
  }
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    fail(prop, `must be a whole number of seconds from ${min} to ${max}; got ${seconds} seconds`, fix);
  }
  return seconds;
}

export function integerInRange(prop: string, value: number, min: number, max: number, fix: string): number {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
    fail(prop, `must be a whole number from ${min} to ${max}; got ${value}`, fix);
  }
  return value;
}

/** An absolute https URL (JWKS over plain http could be tampered with). Tokens pass through. */
export function httpsUrl(prop: string, value: string, fix: string): string {
  if (Token.isUnresolved(value)) return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') fail(prop, `must be an absolute https URL; got ${show(value)}`, fix);
  return value;
}

/** A non-empty list of non-empty values without commas (they travel comma-separated in the environment). */
export function commaSafeList(prop: string, value: readonly string[], fix: string): string[] {
  if (value.length === 0) fail(prop, 'must not be empty', fix);
  for (const item of value) {
    if (Token.isUnresolved(item)) continue;
    if (item.trim() === '' || item.includes(',')) {
      fail(prop, `entries must be non-empty and contain no commas; got ${show(item)}`, fix);
    }
  }
  return [...value];
}

export function tokenTypes(prop: string, value: readonly string[]): string[] {
  const fix = 'Use media type names such as "at+jwt" or "application/at+jwt" (RFC 9068).';
  const types = commaSafeList(prop, value, fix);
  for (const t of types)
    if (!TOKEN_TYPE.test(t)) fail(prop, `entries must be media type names; got ${show(t)}`, fix);
  return types;
}

// Header names as browsers and API Gateway both take them; the construct writes the list in single quotes.
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// An absolute URI (RFC 3986 scheme ":" ...) without characters that are unsafe in a static API Gateway
// template ($ and #) or that would need escaping in JSON.
const URI_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"'\\$#<>{}|^`]*$/;

/** Header names for a CORS header list; returns a copy. */
export function headerNames(prop: string, value: readonly string[]): string[] {
  for (const [i, name] of value.entries()) {
    if (!HEADER_NAME.test(name)) {
      fail(
        `${prop}[${i}]`,
        `must be a header name (letters, digits and hyphens); got ${show(name)}`,
        'List each header name as its own entry, e.g. ["Authorization", "Content-Type"].',
      );
    }
  }
  return [...value];
}

/** The prefix of problem `type` URIs. */
export function uriPrefix(prop: string, value: string): string {
  if (!URI_PREFIX.test(value)) {
    fail(
      prop,
      `must be an absolute URI without spaces, quotes, "$" or "#"; got ${show(value)}`,
      'Use a prefix such as "https://errors.example.com/" or "tag:example.com,2026:problem:".',
    );
  }
  return value;
}

/** Checks one route and returns a plain copy (the shape of the ROUTES variable). */
/**
 * The table with `route` appended, checked by the same validator the Lambda runs at init (methods, API
 * Gateway's path rules, one variable child per resource, scope names). `where` names the new route.
 */
export function routeTable(where: string, table: readonly RouteRule[]): RouteRule[] {
  try {
    return validateRouteTable(table, 'routes');
  } catch (error) {
    if (!(error instanceof RouteTableError)) throw error;
    const last = `routes[${table.length - 1}]`;
    const at = error.at.startsWith(last) ? where + error.at.slice(last.length) : error.at;
    return fail(at, error.problem, 'Fix the route table.');
  }
}

export function noDuplicateRoute(existing: readonly RouteRule[], route: RouteRule): void {
  if (existing.some((r) => r.method === route.method && r.path === route.path)) {
    throw new InfraConfigError(
      'ROUTE_CONFLICT',
      `${route.method} ${route.path}`,
      `${WHO}: route ${route.method} ${route.path} is declared twice. Declare each method and path once in the route table.`,
    );
  }
}

export { fail as invalidProp };
