// Checks of single prop values, and the list they report to: a problem names the prop, the bad value and the
// fix, and every problem of one construct is thrown together, naming the construct's path. Values that are
// CDK tokens (unknown until deploy) pass where CloudFormation can resolve them; the Lambda's parseConfig
// checks them again at cold start.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Token } from 'aws-cdk-lib';
import type { Duration } from 'aws-cdk-lib';
import { parseClaimPath } from '../../lambda/authorizer/claim-path';
import { parseContextClaims } from '../../lambda/authorizer/context-claims';
import { parseRequiredClaim, type RequiredClaimValue } from '../../lambda/authorizer/required-claims';
import { InfraConfigError, type InfraErrorCode } from './errors';

/** One thing wrong with a prop, before it is known which construct it belongs to (a factory's argument). */
export interface PropProblem {
  /** The prop, relative to the construct's props: `jwksSeed`, `issuers[0].audience`. */
  readonly prop: string;
  readonly problem: string;
  readonly fix: string;
}

/** `Stack/Jwt: <prop> <problem>. <fix>`: the one shape of every synth error the construct throws. */
export function propMessage(path: string, problem: PropProblem): string {
  return `${path}: ${problem.prop} ${problem.problem}. ${problem.fix}`;
}

/** An error that names the construct (its node path) and the prop, thrown at once (not collected). */
export function propError(path: string, code: InfraErrorCode, problem: PropProblem): InfraConfigError {
  return new InfraConfigError(code, problem.prop, propMessage(path, problem));
}

/** The problems found in one construct's props, thrown together once they are all known. */
export class PropProblems {
  private readonly found: PropProblem[] = [];

  /** `path`: the construct's node path, which every message starts with. */
  constructor(readonly path: string) {}

  add(prop: string, problem: string, fix: string): void {
    this.found.push({ prop, problem, fix });
  }

  /** Problems a factory recorded for a prop (`at` replaces the factory's own prop name). */
  addAll(problems: readonly PropProblem[], at?: string): void {
    for (const p of problems) this.found.push(at === undefined ? p : { ...p, prop: at });
  }

  get empty(): boolean {
    return this.found.length === 0;
  }

  /**
   * Throws one InfraConfigError for everything found: its subject is the first prop, its message one line
   * per problem, each naming the construct's path and the prop.
   */
  throwIfAny(): void {
    const [first] = this.found;
    if (first === undefined) return;
    throw new InfraConfigError(
      'INVALID_PROP',
      first.prop,
      this.found.map((p) => propMessage(this.path, p)).join('\n'),
    );
  }
}

/** A value as a message quotes it; a construct by its path, another circular object by its class. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  const path = (value as { node?: { path?: unknown } } | null)?.node?.path;
  if (typeof path === 'string') return `the construct ${path}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return `a ${(value as object).constructor?.name ?? typeof value}`;
  }
}

/** Whole seconds in [min, max]. */
export function durationSeconds(
  p: PropProblems,
  prop: string,
  value: Duration,
  range: readonly [number, number],
  fix: string,
): number {
  const [min, max] = range;
  const seconds = value.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) {
    p.add(prop, 'must be a literal Duration, not a token', fix);
    return min;
  }
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    p.add(prop, `must be a whole number of seconds from ${min} to ${max}; got ${seconds} seconds`, fix);
    return min;
  }
  return seconds;
}

/** A whole number in [min, max]; a token passes (CloudFormation resolves it, Lambda checks it). */
export function integerInRange(
  p: PropProblems,
  prop: string,
  value: number,
  range: readonly [number, number],
  fix: string,
): number {
  const [min, max] = range;
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
    p.add(prop, `must be a whole number from ${min} to ${max}; got ${value}`, fix);
  }
  return value;
}

/** An issuer identifier: no query or fragment (OpenID Connect Discovery §2). Tokens pass. */
export function issuerId(p: PropProblems, prop: string, value: string): string {
  if (Token.isUnresolved(value)) return value;
  if (value.trim() === '') {
    p.add(prop, 'must not be empty', 'Pass the issuer exactly as the `iss` claim has it.');
  } else if (/[#?]/.test(value)) {
    p.add(
      prop,
      `must be an issuer identifier without a query or fragment ("?", "#"); got ${show(value)}`,
      'Pass the issuer exactly as the `iss` claim has it; identifiers with a query or fragment are not valid issuers.',
    );
  }
  return value;
}

/** An absolute https URL (JWKS over plain http could be tampered with). Tokens pass. */
export function httpsUrl(p: PropProblems, prop: string, value: string, fix: string): string {
  if (Token.isUnresolved(value)) return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') p.add(prop, `must be an absolute https URL; got ${show(value)}`, fix);
  return value;
}

/**
 * Whether a string list is one encoded list token (a CfnParameter's `valueAsList`, `Fn.split(...)`), whose
 * entries are known only at deploy time.
 */
export function isListToken(value: readonly string[]): boolean {
  return Token.isUnresolved(value as string[]);
}

/**
 * A non-empty list of non-empty values without commas (they travel comma-separated in the environment).
 * Tokens among the entries pass; a list token is the caller's to allow or refuse first.
 */
export function commaSafeList(
  p: PropProblems,
  prop: string,
  value: readonly string[],
  fix: string,
): string[] {
  if (value.length === 0) p.add(prop, 'must not be empty', fix);
  for (const [i, item] of value.entries()) {
    if (Token.isUnresolved(item)) continue;
    if (item.trim() === '' || item.includes(',')) {
      p.add(`${prop}[${i}]`, `must be non-empty and contain no commas; got ${show(item)}`, fix);
    }
  }
  return [...value];
}

const TOKEN_TYPE = /^[A-Za-z0-9!#$&^_.+-]+(?:\/[A-Za-z0-9!#$&^_.+-]+)?$/;

export function tokenTypes(p: PropProblems, prop: string, value: readonly string[]): string[] {
  const fix = 'Use media type names such as "at+jwt" or "application/at+jwt" (RFC 9068).';
  const types = commaSafeList(p, prop, value, fix);
  for (const [i, t] of types.entries()) {
    if (!Token.isUnresolved(t) && !TOKEN_TYPE.test(t) && t.trim() !== '' && !t.includes(',')) {
      p.add(`${prop}[${i}]`, `must be a media type name; got ${show(t)}`, fix);
    }
  }
  return types;
}

// Header names as browsers and API Gateway both take them; the construct writes the list in single quotes.
const HEADER_NAME = /^[A-Za-z0-9-]+$/;
// An absolute URI (RFC 3986 scheme ":" ...) without characters that are unsafe in a static API Gateway
// template ($ and #) or that would need escaping in JSON.
const URI_PREFIX = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s"'\\$#<>{}|^`]*$/;

/** Header names for a CORS header list (literal: they are written into static gateway responses). */
export function headerNames(p: PropProblems, prop: string, value: readonly string[]): string[] {
  const fix = 'List each header name as its own entry, e.g. ["Authorization", "Content-Type"].';
  if (isListToken(value)) {
    p.add(prop, 'must be a literal list, not a token', fix);
    return [];
  }
  for (const [i, name] of value.entries()) {
    if (Token.isUnresolved(name) || !HEADER_NAME.test(name)) {
      p.add(`${prop}[${i}]`, `must be a header name (letters, digits and hyphens); got ${show(name)}`, fix);
    }
  }
  return [...value];
}

/** The prefix of problem `type` URIs (literal: written into static gateway responses). */
export function uriPrefix(p: PropProblems, prop: string, value: string): string {
  if (Token.isUnresolved(value) || !URI_PREFIX.test(value)) {
    p.add(
      prop,
      `must be an absolute URI without spaces, quotes, "$" or "#"; got ${show(value)}`,
      'Use a prefix such as "https://errors.example.com/" or "tag:example.com,2026:problem:".',
    );
  }
  return value;
}

/**
 * The text of a file a prop names, relative to the directory `cdk synth` runs in (as `lambda.Code.fromAsset`
 * paths are), or the problem that it cannot be read (`what` says what the file should be).
 */
export function propFile(
  prop: string,
  path: string,
  what: string,
): { readonly text: string } | { readonly problem: PropProblem } {
  try {
    return { text: readFileSync(resolve(path), 'utf8') };
  } catch (cause) {
    return {
      problem: {
        prop,
        problem: `names the file "${path}", which cannot be read (${(cause as Error).message})`,
        fix: `Pass the path of ${what}, relative to ${process.cwd()}.`,
      },
    };
  }
}

/** A required claim's accepted value or values, as a prop gives them. */
export type RequiredClaimProp = RequiredClaimValue | RequiredClaimValue[];

/** What one issuer's claim props become: the fields of an ISSUERS entry, or the values of its variables. */
export interface CheckedClaimRules {
  readonly permissionClaims?: string[];
  readonly requiredClaims?: Record<string, RequiredClaimProp>;
  readonly contextClaims?: string[];
}

/** One issuer's claim props, by their names (`issuers[0].permissionClaims`, ...), and their values. */
export interface ClaimRuleValues {
  readonly permissionClaims?: readonly string[];
  readonly requiredClaims?: { readonly [claim: string]: RequiredClaimProp };
  readonly contextClaims?: readonly string[];
}

const CLAIM_NAME_FIX = 'Use a claim name such as "roles", or a dotted path such as "realm_access.roles".';

/** The first problem the authorizer's own parser finds, or undefined: the parsers throw through `invalid`. */
function firstProblem(parse: (invalid: (problem: string) => never) => unknown): string | undefined {
  const found: { problem?: string } = {};
  try {
    parse((problem) => {
      found.problem = problem;
      throw found;
    });
  } catch (error) {
    if (error !== found) throw error;
  }
  return found.problem;
}

function claimNameList(p: PropProblems, prop: string, names: readonly string[]): boolean {
  let ok = true;
  names.forEach((name, i) => {
    const entry = `${prop}[${i}]`;
    if (Token.isUnresolved(name)) {
      p.add(entry, 'must be a literal claim name, not a token', CLAIM_NAME_FIX);
      ok = false;
      return;
    }
    const problem = firstProblem((invalid) => parseClaimPath(name, invalid));
    if (problem !== undefined) {
      p.add(entry, `${problem}; got ${show(name)}`, CLAIM_NAME_FIX);
      ok = false;
    }
  });
  return ok;
}

/** Whether every claim name of these rules can travel in a comma-separated variable. */
export function commaSafeClaims(rules: {
  readonly permissionClaims?: readonly string[];
  readonly contextClaims?: readonly string[];
}): boolean {
  return [...(rules.permissionClaims ?? []), ...(rules.contextClaims ?? [])].every((n) => !n.includes(','));
}

/**
 * Checks an issuer's permission, required and context claims with the authorizer's own parsers, so bad
 * configuration fails the synth naming the prop rather than the Lambda's init. `at` is the issuer's place
 * (`issuers[0]`).
 */
export function claimRules(p: PropProblems, at: string, values: ClaimRuleValues): CheckedClaimRules {
  const { permissionClaims, requiredClaims, contextClaims } = values;
  const checked: {
    permissionClaims?: string[];
    requiredClaims?: Record<string, RequiredClaimProp>;
    contextClaims?: string[];
  } = {};
  if (permissionClaims !== undefined && permissionClaims.length > 0) {
    const prop = `${at}.permissionClaims`;
    claimNameList(p, prop, permissionClaims);
    permissionClaims.forEach((name, i) => {
      if (name === 'scope' || name === 'scp') {
        p.add(`${prop}[${i}]`, `is "${name}", which always counts`, 'Leave it out.');
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
        ? `${at}.requiredClaims.${name}`
        : `${at}.requiredClaims[${JSON.stringify(name)}]`;
      if (Token.isUnresolved(name) || Token.isUnresolved(value)) {
        p.add(entry, 'must be literal, not a token', fix);
        continue;
      }
      const problem = firstProblem((invalid) => parseRequiredClaim(name, value, invalid));
      if (problem !== undefined) p.add(entry, problem, fix);
    }
    checked.requiredClaims = Object.fromEntries(
      Object.entries(requiredClaims).map(([name, value]) => [
        name,
        Array.isArray(value) ? [...(value as RequiredClaimValue[])] : value,
      ]),
    );
  }
  if (contextClaims !== undefined && contextClaims.length > 0) {
    const prop = `${at}.contextClaims`;
    if (claimNameList(p, prop, contextClaims)) {
      const found: { i?: number; problem?: string } = {};
      try {
        parseContextClaims(contextClaims, (i, problem) => {
          Object.assign(found, { i, problem });
          throw found;
        });
      } catch (error) {
        if (error !== found) throw error;
        p.add(
          `${prop}[${found.i}]`,
          `${found.problem}; got ${show(contextClaims[found.i ?? 0])}`,
          'Copy each claim once, and none that becomes a key the authorizer sets (sub, issuer, scope, ...).',
        );
      }
    }
    checked.contextClaims = [...contextClaims];
  }
  return checked;
}
