// Constructor-time checks for JwtAuthorizer props. Each failure names the prop, the bad value and the fix.
// Values that are CDK tokens (unknown until deploy) are passed through; the Lambda's parseConfig checks
// them again at cold start.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Token } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { parseClaimPath } from '../../lambda/authorizer/claim-path';
import { parseContextClaims } from '../../lambda/authorizer/context-claims';
import { parseRequiredClaim, type RequiredClaimValue } from '../../lambda/authorizer/required-claims';
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

/** An issuer identifier: no query or fragment (OpenID Connect Discovery §2). Tokens pass through. */
export function issuerId(prop: string, value: string): string {
  if (!Token.isUnresolved(value) && /[#?]/.test(value)) {
    fail(
      prop,
      `must be an issuer identifier without a query or fragment ("?", "#"); got ${show(value)}`,
      'Pass the issuer exactly as the `iss` claim has it; identifiers with a query or fragment are not valid issuers.',
    );
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

/**
 * The text of a file a prop names, relative to the directory `cdk synth` runs in (as `lambda.Code.fromAsset`
 * paths are); a file that cannot be read fails the prop, `what` saying what the file should be.
 */
export function propFile(prop: string, path: string, what: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch (cause) {
    return fail(
      prop,
      `names the file "${path}", which cannot be read (${(cause as Error).message})`,
      `Pass the path of ${what}, relative to ${process.cwd()}.`,
    );
  }
}

/** What one issuer's claim props become: the fields of an ISSUERS entry, or the values of its variables. */
export interface CheckedClaimRules {
  readonly permissionClaims?: string[];
  readonly requiredClaims?: Record<string, RequiredClaimValue | RequiredClaimValue[]>;
  readonly contextClaims?: string[];
}

/** The props that hold one issuer's claim rules, by their names (`issuers[0].permissionClaims`, ...). */
export interface ClaimRuleProps {
  readonly permissionClaims: string;
  readonly requiredClaims: string;
  readonly contextClaims: string;
}

const CLAIM_NAME_FIX = 'Use a claim name such as "roles", or a dotted path such as "realm_access.roles".';

function claimNameList(prop: string, names: readonly string[], commaSafe: boolean): void {
  names.forEach((name, i) => {
    const entry = `${prop}[${i}]`;
    if (Token.isUnresolved(name)) fail(entry, 'must be a literal claim name, not a token', CLAIM_NAME_FIX);
    parseClaimPath(name, (problem) => fail(entry, `${problem}; got ${show(name)}`, CLAIM_NAME_FIX));
    // Variables carry these comma-separated (PERMISSION_CLAIMS, CONTEXT_CLAIMS); an ISSUERS entry does not.
    if (commaSafe && name.includes(',')) {
      fail(entry, `contains a comma; got ${show(name)}`, 'Give this issuer through `issuers` instead.');
    }
  });
}

/**
 * Checks an issuer's permission, required and context claims with the authorizer's own parsers, so bad
 * configuration fails the synth naming the prop rather than the Lambda's init. `commaSafe`: the values
 * travel in comma-separated variables.
 */
export function claimRules(
  props: ClaimRuleProps,
  values: {
    readonly permissionClaims?: readonly string[];
    readonly requiredClaims?: Readonly<Record<string, RequiredClaimValue | readonly RequiredClaimValue[]>>;
    readonly contextClaims?: readonly string[];
  },
  commaSafe: boolean,
): CheckedClaimRules {
  const { permissionClaims, requiredClaims, contextClaims } = values;
  const checked: {
    permissionClaims?: string[];
    requiredClaims?: Record<string, RequiredClaimValue | RequiredClaimValue[]>;
    contextClaims?: string[];
  } = {};
  if (permissionClaims !== undefined && permissionClaims.length > 0) {
    claimNameList(props.permissionClaims, permissionClaims, commaSafe);
    permissionClaims.forEach((name, i) => {
      if (name === 'scope' || name === 'scp') {
        fail(`${props.permissionClaims}[${i}]`, `is "${name}", which always counts`, 'Leave it out.');
      }
    });
    checked.permissionClaims = [...permissionClaims];
  }
  if (requiredClaims !== undefined && Object.keys(requiredClaims).length > 0) {
    // The same validator as the Lambda's init; a rounded integer is refused here, where its text is gone.
    const fix =
      'Require a string, a number (integers within ±9007199254740991, which JavaScript holds exactly), a ' +
      'boolean, or a list of accepted ones, e.g. { email_verified: true }.';
    for (const [name, value] of Object.entries(requiredClaims)) {
      const entry = /^[A-Za-z_$][\w$]*$/.test(name)
        ? `${props.requiredClaims}.${name}`
        : `${props.requiredClaims}[${JSON.stringify(name)}]`;
      if (Token.isUnresolved(name) || Token.isUnresolved(value)) {
        fail(entry, 'must be literal, not a token', fix);
      }
      parseRequiredClaim(name, value, (problem) => fail(entry, problem, fix));
    }
    checked.requiredClaims = Object.fromEntries(
      Object.entries(requiredClaims).map(([name, value]) => [
        name,
        Array.isArray(value) ? [...(value as RequiredClaimValue[])] : (value as RequiredClaimValue),
      ]),
    );
  }
  if (contextClaims !== undefined && contextClaims.length > 0) {
    claimNameList(props.contextClaims, contextClaims, commaSafe);
    parseContextClaims(contextClaims, (i, problem) =>
      fail(
        `${props.contextClaims}[${i}]`,
        `${problem}; got ${show(contextClaims[i])}`,
        'Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).',
      ),
    );
    checked.contextClaims = [...contextClaims];
  }
  return checked;
}
