// What an issuer's claims mean beyond the standard checks: which claims grant permissions, which must hold a
// given value, which are copied into the context. Read from an ISSUERS entry or from the variables that go
// with ISSUER (PERMISSION_CLAIMS, ...) or with COGNITO_USER_POOL_ID (COGNITO_PERMISSION_CLAIMS, ...).
import { parseClaimPath, type ClaimPath } from './claim-path';
import { parseContextClaims, type ContextClaim } from './context-claims';
import { ConfigError } from './errors';
import { exactNumberAt, noteExactNumbers } from './json-number';
import { parseRequiredClaim, type RequiredClaim } from './required-claims';

export interface IssuerClaimRules {
  /** Claims besides `scope`/`scp` whose names grant permissions for the route table. */
  readonly permissionClaims?: readonly ClaimPath[];
  /** Claims that must hold an accepted value, else 401 MISSING_REQUIRED_CLAIM / WRONG_CLAIM_VALUE. */
  readonly requiredClaims?: readonly RequiredClaim[];
  /** Claims copied into the authorizer context. */
  readonly contextClaims?: readonly ContextClaim[];
}

/** The fields of an ISSUERS entry this module reads. */
export interface IssuerClaimFields {
  readonly permissionClaims?: unknown;
  readonly requiredClaims?: unknown;
  readonly contextClaims?: unknown;
}

/** How errors name a setting: the variable, the setting as a whole, and one entry (list index or member). */
interface Source {
  readonly variable: string;
  readonly whole: string;
  entry(key: number | string, value: unknown): string;
}

function fail(source: Source, where: string, problem: string): never {
  throw new ConfigError(source.variable, where === '' ? problem : `${where} ${problem}`);
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? 'undefined';
}

/** An ISSUERS entry's field, e.g. `ISSUERS[1].permissionClaims[0] ("a..b")`. */
function issuersField(at: string, field: string): Source {
  const whole = `${at}.${field}`;
  return {
    variable: 'ISSUERS',
    whole,
    entry: (key, value) =>
      typeof key === 'number' ? `${whole}[${key}] (${show(value)})` : `${whole}.${key}`,
  };
}

/** A variable of its own, e.g. `PERMISSION_CLAIMS: entry 2 ("a..b")`. */
function variable(name: string): Source {
  return {
    variable: name,
    whole: '',
    entry: (key, value) => (typeof key === 'number' ? `entry ${key + 1} (${show(value)})` : show(key)),
  };
}

function permissionClaims(names: readonly unknown[], source: Source): ClaimPath[] {
  return names.map((name, i) => {
    const claim = parseClaimPath(name, (problem) => fail(source, source.entry(i, name), problem));
    if (name === 'scope' || name === 'scp') {
      fail(source, source.entry(i, name), 'always counts; leave it out');
    }
    return claim;
  });
}

function requiredClaims(object: unknown, source: Source): RequiredClaim[] {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    return fail(
      source,
      source.whole,
      `must be a JSON object of claim name to accepted value(s), e.g. {"email_verified": true}; got ${show(object)}`,
    );
  }
  return Object.entries(object).map(([name, value]) =>
    parseRequiredClaim(name, exactValues(object, name, value), (problem) =>
      fail(source, source.entry(name, value), problem),
    ),
  );
}

/**
 * A required value with each number its JSON text spelled beyond a double's precision as that text's
 * JsonNumber: noteExactNumbers has kept them for the object the variable's JSON text parsed to.
 */
function exactValues(object: object, name: string, value: unknown): unknown {
  if (typeof value === 'number') return exactNumberAt(object, name) ?? value;
  if (!Array.isArray(value)) return value;
  return value.map((v: unknown, i) => (typeof v === 'number' ? (exactNumberAt(value, i) ?? v) : v));
}

function contextClaims(names: readonly unknown[], source: Source): ContextClaim[] {
  return parseContextClaims(names, (i, problem) => fail(source, source.entry(i, names[i]), problem));
}

function nameList(value: unknown, source: Source): readonly unknown[] {
  if (!Array.isArray(value)) {
    return fail(source, source.whole, `must be an array of claim names; got ${show(value)}`);
  }
  return value;
}

/** A comma-separated variable. An empty entry is refused, not dropped: "roles,,groups" is likely a typo. */
function commaList(raw: string): string[] {
  return raw.split(',').map((n) => n.trim());
}

function rules(
  permission: ClaimPath[] | undefined,
  required: RequiredClaim[] | undefined,
  context: ContextClaim[] | undefined,
): IssuerClaimRules {
  return {
    ...(permission === undefined || permission.length === 0
      ? {}
      : { permissionClaims: Object.freeze(permission) }),
    ...(required === undefined || required.length === 0 ? {} : { requiredClaims: Object.freeze(required) }),
    ...(context === undefined || context.length === 0 ? {} : { contextClaims: Object.freeze(context) }),
  };
}

/** The claim rules of one ISSUERS entry (`at` is e.g. `ISSUERS[1]`). Absent fields mean none. */
export function issuerClaimRules(fields: IssuerClaimFields, at: string): IssuerClaimRules {
  const permission = issuersField(at, 'permissionClaims');
  const required = issuersField(at, 'requiredClaims');
  const context = issuersField(at, 'contextClaims');
  return rules(
    fields.permissionClaims === undefined
      ? undefined
      : permissionClaims(nameList(fields.permissionClaims, permission), permission),
    fields.requiredClaims === undefined ? undefined : requiredClaims(fields.requiredClaims, required),
    fields.contextClaims === undefined
      ? undefined
      : contextClaims(nameList(fields.contextClaims, context), context),
  );
}

/** The variables for one issuer given by variables: '' for ISSUER's, 'COGNITO_' for the user pool's. */
export type ClaimVariablesPrefix = '' | 'COGNITO_';

/** The names of the claim variables that go with ISSUER ('') or COGNITO_USER_POOL_ID ('COGNITO_'). */
export function claimVariables(prefix: ClaimVariablesPrefix): readonly string[] {
  return [`${prefix}PERMISSION_CLAIMS`, `${prefix}REQUIRED_CLAIMS`, `${prefix}CONTEXT_CLAIMS`];
}

/**
 * The claim rules from variables: `<prefix>PERMISSION_CLAIMS` and `<prefix>CONTEXT_CLAIMS` comma-separated,
 * `<prefix>REQUIRED_CLAIMS` a JSON object. `read` returns a trimmed value, or undefined for unset or empty.
 */
export function issuerClaimRulesFromVariables(
  read: (name: string) => string | undefined,
  prefix: ClaimVariablesPrefix,
): IssuerClaimRules {
  const permission = variable(`${prefix}PERMISSION_CLAIMS`);
  const required = variable(`${prefix}REQUIRED_CLAIMS`);
  const context = variable(`${prefix}CONTEXT_CLAIMS`);
  const permissionRaw = read(permission.variable);
  const requiredRaw = read(required.variable);
  const contextRaw = read(context.variable);
  let requiredObject: unknown;
  if (requiredRaw !== undefined) {
    try {
      requiredObject = JSON.parse(requiredRaw);
    } catch (cause) {
      throw new ConfigError(required.variable, 'must be valid JSON, e.g. {"email_verified": true}', {
        cause,
      });
    }
    if (typeof requiredObject === 'object' && requiredObject !== null) {
      noteExactNumbers(requiredObject, requiredRaw);
    }
  }
  return rules(
    permissionRaw === undefined ? undefined : permissionClaims(commaList(permissionRaw), permission),
    requiredRaw === undefined ? undefined : requiredClaims(requiredObject, required),
    contextRaw === undefined ? undefined : contextClaims(commaList(contextRaw), context),
  );
}
