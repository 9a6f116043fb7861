// Parses the authorizer's environment once, at cold start, into a frozen, typed configuration.
import { RouteTableError, validateRouteTable, type RouteRule } from '../contract/route-rules';
import {
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  isMetricName,
  METRICS_NAMESPACE_VARIABLE,
  SERVICE_NAME_VARIABLE,
} from '../contract/authorizer-metrics';
import {
  JWKS_WARM_UP_MODES,
  MAX_CLOCK_SKEW_SECONDS,
  cognitoIssuers,
  cognitoJwksUri,
  type JwksWarmUpMode,
} from '../contract/authorizer-settings';
import { parseClaimPath, type ClaimPath } from './claim-path';
import { parseLogLevel, type LogLevel } from './log';
import { ConfigError } from './errors';
import { parseDpopConfig, type DpopConfig } from './dpop-config';
import {
  claimVariables,
  issuerClaimRules,
  issuerClaimRulesFromVariables,
  type ClaimVariablesPrefix,
  type IssuerClaimRules,
} from './issuer-claims';
import { noteExactNumbers } from './json-number';
import { JwksSeedError, checkSeedTrust, parseJwksSeed, type JwksSeedEntry } from './jwks-seed';
import { TrustedCaError, parseTrustedCertificates } from './trusted-ca';

/** One issuer to trust; its claim rules (permission, required and context claims) are in IssuerClaimRules. */
export interface TrustedIssuer extends IssuerClaimRules {
  /** The exact `iss` value. */
  readonly issuer: string;
  /**
   * Further exact `iss` values that name this same issuer: Cognito's multi-Region form. A token with one is
   * this issuer's in every way (keys, rules), and is known by `issuer` downstream: in the context and in
   * revocation keys.
   */
  readonly alternateIssuers?: readonly string[];
  /** Accepted audiences (any one must be in `aud`); null only for Cognito access tokens, which carry no `aud`. */
  readonly audience: readonly string[] | null;
  /** null: found through OIDC discovery (`<issuer>/.well-known/openid-configuration`) at cold start. */
  readonly jwksUri: string | null;
  /** Cognito mode: `token_use` must be `access` and `client_id` one of these. */
  readonly cognitoClientIds?: readonly string[];
  /**
   * A prefix the issuer puts before every custom scope (Cognito: `<resource server id>/`). A granted
   * `items-api/items:read` then also counts as `items:read`, the name the route table uses.
   */
  readonly scopePrefix?: string;
}

/** Keys on hand at init (JWKS_SEED_FILE), served with no network I/O until a fetch replaces them. */
export interface JwksSeedConfig {
  readonly file: string;
  /** How long the seed is trusted without a successful fetch: from its fetchedAt, or from the cold start. */
  readonly maxAgeSeconds: number;
  readonly entries: readonly JwksSeedEntry[];
}

/** CA certificates the JWKS and discovery fetches trust besides Node's bundled roots (TRUSTED_CA_FILE). */
export interface TrustedCaConfig {
  readonly file: string;
  /** PEM, one certificate each. */
  readonly certificates: readonly string[];
}

export type MissingJtiPolicy = 'reject' | 'subject-cutoff';

export interface RevocationConfig {
  readonly tableName: string;
  /** What to do with a token that has no `jti` while revocation is on. */
  readonly missingJti: MissingJtiPolicy;
  /** Local only: a DynamoDB Local endpoint (DYNAMODB_ENDPOINT). */
  readonly endpoint: string | undefined;
}

export interface AuthorizerConfig {
  readonly issuers: readonly TrustedIssuer[];
  readonly routes: readonly RouteRule[];
  /** Accepted `typ` header values, normalized (lower case, no `application/`); null = not checked. */
  readonly tokenTypes: readonly string[] | null;
  readonly clockSkewSeconds: number;
  readonly maxTokenBytes: number;
  readonly jwksTimeoutMs: number;
  /** JWKS_WARM_UP: when this Lambda's init fetches every JWKS ahead of the first request (see warmUpAtInit). */
  readonly jwksWarmUp: JwksWarmUpMode;
  /**
   * Whether this instance's init fetches every JWKS now, replacing seeded keys however fresh, and reads its
   * tables once, before the first request: JWKS_WARM_UP `init`, or `auto` at an init Lambda runs ahead of
   * traffic (AWS_LAMBDA_INITIALIZATION_TYPE `provisioned-concurrency`). Never at a SnapStart snapshot's init.
   */
  readonly warmUpAtInit: boolean;
  readonly logLevel: LogLevel;
  /** The CloudWatch namespace of the metrics (POWERTOOLS_METRICS_NAMESPACE). */
  readonly metricsNamespace: string;
  /** The `service` of every log line and metric (POWERTOOLS_SERVICE_NAME). */
  readonly serviceName: string;
  readonly revocation: RevocationConfig | null;
  /**
   * The claim whose value the authorizer returns as `usageIdentifierKey` (USAGE_IDENTIFIER_CLAIM), for API
   * Gateway usage plans whose API key source is AUTHORIZER; null: none is returned.
   */
  readonly usageIdentifierClaim: ClaimPath | null;
  readonly jwksSeed: JwksSeedConfig | null;
  readonly trustedCa: TrustedCaConfig | null;
  /** Sender-constrained tokens (RFC 9449): see dpop-config.ts. */
  readonly dpop: DpopConfig;
}

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the files the configuration names (ROUTES_FILE, JWKS_SEED_FILE): the handler reads them relative to
 * its own directory, tests and the local gateway pass what they have. Throws on a missing or unreadable file.
 */
export interface ConfigFiles {
  read(path: string): string;
}

/** For callers that configure everything through variables: any file named is an error. */
export const NO_CONFIG_FILES: ConfigFiles = {
  read(path) {
    throw new Error(`no configuration files are available here (asked for "${path}")`);
  },
};

/** A configuration file's text; a file that cannot be read fails the init with the variable and the path. */
export function readConfigFile(files: ConfigFiles, name: string, path: string): string {
  try {
    return files.read(path);
  } catch (cause) {
    const message = (cause as { message?: unknown } | null)?.message;
    const reason = typeof message === 'string' ? message : String(cause);
    throw new ConfigError(name, `names "${path}", which cannot be read: ${reason}`, { cause });
  }
}

const SCOPE_PREFIX = /^[\x21-\x7e]+$/;
const COGNITO_POOL_ID = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** A variable holding a non-empty JSON array of objects shaped like `shape`; yields each with its label. */
function jsonObjects(name: string, raw: string, shape: string): Array<[Record<string, unknown>, string]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigError(name, 'must be valid JSON', { cause });
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new ConfigError(name, `must be a non-empty JSON array of ${shape}`);
  }
  // Required claim values keep every digit their text spells (issuer-claims.ts reads them back).
  noteExactNumbers(parsed, raw);
  return parsed.map((entry: unknown, i) => {
    const at = `${name}[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new ConfigError(name, `${at} must be an object ${shape}`);
    }
    return [entry as Record<string, unknown>, at];
  });
}

function httpsUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new ConfigError(name, `must be an absolute https URL; got "${value}"`, { cause });
  }
  if (url.protocol !== 'https:') {
    throw new ConfigError(name, `must use https (JWKS over plain http can be tampered with); got "${value}"`);
  }
  return url.href;
}

/** Cognito's documented, fixed JWKS URI (the settings contract's; exported here under its older name). */
export const defaultJwksUri = cognitoJwksUri;

/** No JWKS URI given: discovery will find it, which needs an https issuer (OpenID Connect Discovery §4). */
function discovered(name: string, issuer: string): null {
  httpsUrl(name, issuer);
  return null;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}; got "${raw}"`);
  }
  return Number(raw);
}

function audienceList(name: string, value: unknown): string[] {
  const values = typeof value === 'string' ? list(value) : value;
  if (
    !Array.isArray(values) ||
    values.length === 0 ||
    values.some((a) => typeof a !== 'string' || !a.trim())
  ) {
    throw new ConfigError(name, 'audience must be a non-empty string or array of non-empty strings');
  }
  return values.map((a: string) => a.trim());
}

/** Claim variables for an issuer that is not configured would do nothing: refuse them rather than ignore them. */
function noStrayClaimVariables(
  env: Env,
  prefix: ClaimVariablesPrefix,
  issuerVariable: string,
  issuer: string | undefined,
): void {
  if (issuer !== undefined) return;
  const stray = claimVariables(prefix).find((name) => read(env, name) !== undefined);
  if (stray !== undefined) throw new ConfigError(issuerVariable, `is required when ${stray} is set`);
}

/**
 * An issuer identifier has no query or fragment (OpenID Connect Discovery 1.0 §2, RFC 8414 §2). The items
 * API and the revocation table key people by issuer and `#`, so a `#` would also make keys ambiguous.
 */
function issuerIdentifier(name: string, at: string, issuer: string): string {
  if (/[#?]/.test(issuer)) {
    throw new ConfigError(
      name,
      `${at} must be an issuer identifier without a query or fragment ("?", "#"); got "${issuer}"`,
    );
  }
  return issuer;
}

function parseIssuers(env: Env): TrustedIssuer[] {
  const issuers: TrustedIssuer[] = [];
  const single = read(env, 'ISSUER');
  const audience = read(env, 'AUDIENCE');
  const jwksUri = read(env, 'JWKS_URI');
  if (single !== undefined) {
    if (audience === undefined) {
      throw new ConfigError(
        'AUDIENCE',
        'is required with ISSUER (comma-separated list of accepted audiences)',
      );
    }
    issuers.push({
      issuer: issuerIdentifier('ISSUER', 'the issuer', single),
      audience: audienceList('AUDIENCE', audience),
      jwksUri: jwksUri === undefined ? discovered('ISSUER', single) : httpsUrl('JWKS_URI', jwksUri),
      ...issuerClaimRulesFromVariables((name) => read(env, name), ''),
    });
  } else if (audience !== undefined || jwksUri !== undefined) {
    throw new ConfigError('ISSUER', 'is required when AUDIENCE or JWKS_URI is set');
  }

  const many = read(env, 'ISSUERS');
  if (many !== undefined) {
    for (const [entry, at] of jsonObjects('ISSUERS', many, '{issuer, audience, jwksUri}')) {
      const { issuer, audience: aud, jwksUri: uri, scopePrefix, ...claimFields } = entry;
      const { permissionClaims, requiredClaims, contextClaims, ...rest } = claimFields;
      if (Object.keys(rest).length > 0) {
        throw new ConfigError('ISSUERS', `${at} has unknown field(s): ${Object.keys(rest).join(', ')}`);
      }
      if (typeof issuer !== 'string' || !issuer.trim()) {
        throw new ConfigError('ISSUERS', `${at}.issuer must be a non-empty string`);
      }
      if (uri !== undefined && typeof uri !== 'string') {
        throw new ConfigError('ISSUERS', `${at}.jwksUri must be a string`);
      }
      if (scopePrefix !== undefined && (typeof scopePrefix !== 'string' || !SCOPE_PREFIX.test(scopePrefix))) {
        throw new ConfigError(
          'ISSUERS',
          `${at}.scopePrefix must be a non-empty prefix without spaces, like "api/"`,
        );
      }
      issuers.push({
        issuer: issuerIdentifier('ISSUERS', `${at}.issuer`, issuer.trim()),
        audience: audienceList('ISSUERS', aud),
        jwksUri: uri === undefined ? discovered('ISSUERS', issuer.trim()) : httpsUrl('ISSUERS', uri),
        ...(scopePrefix === undefined ? {} : { scopePrefix }),
        ...issuerClaimRules({ permissionClaims, requiredClaims, contextClaims }, at),
      });
    }
  }

  const poolId = read(env, 'COGNITO_USER_POOL_ID');
  const clientId = read(env, 'COGNITO_CLIENT_ID');
  if (poolId !== undefined || clientId !== undefined) {
    if (poolId === undefined)
      throw new ConfigError('COGNITO_USER_POOL_ID', 'is required with COGNITO_CLIENT_ID');
    if (clientId === undefined)
      throw new ConfigError('COGNITO_CLIENT_ID', 'is required with COGNITO_USER_POOL_ID');
    const match = COGNITO_POOL_ID.exec(poolId);
    if (!match) {
      throw new ConfigError('COGNITO_USER_POOL_ID', `must look like "us-east-1_AbC123"; got "${poolId}"`);
    }
    const { regional: issuer, multiRegion } = cognitoIssuers(poolId, match[1] as string);
    const scopePrefix = read(env, 'COGNITO_SCOPE_PREFIX');
    if (scopePrefix !== undefined && !SCOPE_PREFIX.test(scopePrefix)) {
      throw new ConfigError(
        'COGNITO_SCOPE_PREFIX',
        `must be the resource server id and a slash, like "items-api/"; got "${scopePrefix}"`,
      );
    }
    issuers.push({
      issuer,
      // The same pool's keys sign tokens of either form (aws-jwt-verify caches one JWKS for both): one fetch,
      // from the regional URI, serves them, and a seed for it covers both.
      alternateIssuers: [multiRegion],
      audience: null,
      jwksUri: defaultJwksUri(issuer),
      cognitoClientIds: list(clientId),
      ...(scopePrefix === undefined ? {} : { scopePrefix }),
      ...issuerClaimRulesFromVariables((name) => read(env, name), 'COGNITO_'),
    });
  }
  noStrayClaimVariables(env, '', 'ISSUER', single);
  noStrayClaimVariables(env, 'COGNITO_', 'COGNITO_USER_POOL_ID', poolId);

  if (issuers.length === 0) {
    throw new ConfigError(
      'ISSUER',
      'no trusted issuer: set ISSUER and AUDIENCE, ISSUERS, or COGNITO_USER_POOL_ID and COGNITO_CLIENT_ID',
    );
  }
  const seen = new Set<string>();
  for (const { issuer, alternateIssuers } of issuers) {
    for (const form of [issuer, ...(alternateIssuers ?? [])]) {
      if (seen.has(form)) throw new ConfigError('ISSUERS', `issuer "${form}" is configured more than once`);
      seen.add(form);
    }
  }
  return issuers;
}

export function parseRoutes(raw: string | undefined, name = 'ROUTES'): RouteRule[] {
  if (raw === undefined || raw.trim() === '') {
    throw new ConfigError(name, 'is required: a JSON array of {method, path, scopes} (or set ROUTES_FILE)');
  }
  const entries = jsonObjects(name, raw, '{method, path, scopes}').map(([entry]) => entry);
  try {
    return validateRouteTable(entries, name);
  } catch (error) {
    if (error instanceof RouteTableError) throw new ConfigError(name, error.message, { cause: error });
    throw error;
  }
}

/** A namespace or service name (Powertools' variables): printable, bounded, and never AWS's own namespace. */
function metricName(env: Env, name: string, fallback: string, what: string): string {
  const value = read(env, name) ?? fallback;
  if (!isMetricName(value)) {
    throw new ConfigError(
      name,
      `must be ${what}: 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "${value}"`,
    );
  }
  return value;
}

/** Lower case, without the optional `application/` prefix (RFC 7515 §4.1.9). */
export function normalizeTokenType(typ: string): string {
  const lower = typ.trim().toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/** The route table, from ROUTES or from the file ROUTES_FILE names (one of them, not both). */
function routeTable(env: Env, files: ConfigFiles): RouteRule[] {
  const file = read(env, 'ROUTES_FILE');
  if (file === undefined) return parseRoutes(env.ROUTES);
  if (read(env, 'ROUTES') !== undefined) {
    throw new ConfigError('ROUTES_FILE', 'and ROUTES are both set: give the route table once');
  }
  return parseRoutes(readConfigFile(files, 'ROUTES_FILE', file), 'ROUTES_FILE');
}

/** The JWKS seed JWKS_SEED_FILE names: well formed, within its size cap, and only for trusted issuers. */
function jwksSeed(env: Env, files: ConfigFiles, issuers: readonly TrustedIssuer[]): JwksSeedConfig | null {
  const file = read(env, 'JWKS_SEED_FILE');
  const maxAgeSeconds = integer(env, 'JWKS_SEED_MAX_AGE_SECONDS', 7 * 86400, 60, 90 * 86400);
  if (file === undefined) {
    if (read(env, 'JWKS_SEED_MAX_AGE_SECONDS') !== undefined) {
      throw new ConfigError(
        'JWKS_SEED_MAX_AGE_SECONDS',
        'is set without JWKS_SEED_FILE, so it would do nothing',
      );
    }
    return null;
  }
  try {
    const entries = parseJwksSeed(readConfigFile(files, 'JWKS_SEED_FILE', file));
    checkSeedTrust(entries, issuers);
    return Object.freeze({ file, maxAgeSeconds, entries: Object.freeze(entries) });
  } catch (cause) {
    if (!(cause instanceof JwksSeedError)) throw cause;
    throw new ConfigError(
      'JWKS_SEED_FILE',
      `"${file}" ${cause.message} (regenerate it with npx bearer-gate-jwks-seed)`,
      { cause },
    );
  }
}

/** The CA bundle TRUSTED_CA_FILE names: within its size cap, and only certificates a chain can end at. */
function trustedCa(env: Env, files: ConfigFiles): TrustedCaConfig | null {
  const file = read(env, 'TRUSTED_CA_FILE');
  if (file === undefined) return null;
  try {
    const certificates = parseTrustedCertificates(readConfigFile(files, 'TRUSTED_CA_FILE', file));
    return Object.freeze({ file, certificates: Object.freeze(certificates.map((c) => c.pem)) });
  } catch (cause) {
    if (!(cause instanceof TrustedCaError)) throw cause;
    throw new ConfigError('TRUSTED_CA_FILE', `"${file}" ${cause.message}`, { cause });
  }
}

/**
 * JWKS_WARM_UP, and whether this init warms up. AWS_LAMBDA_INITIALIZATION_TYPE is reserved: Lambda sets it to
 * `on-demand`, `provisioned-concurrency` or `snap-start`. Provisioned concurrency initializes an instance before
 * traffic reaches it, so the warm-up costs no request there. A SnapStart snapshot's init runs ahead of traffic
 * too, but its keys would be restored days later and serve the first requests however old they are by then: a
 * fetched key set has no max age (a seed's does), so a warm-up would loosen the key-removal bound it is meant to
 * keep; neither `auto` nor `init` warms a snapshot.
 */
function jwksWarmUp(env: Env): Pick<AuthorizerConfig, 'jwksWarmUp' | 'warmUpAtInit'> {
  const mode = read(env, 'JWKS_WARM_UP') ?? 'auto';
  if (!(JWKS_WARM_UP_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError('JWKS_WARM_UP', `must be "auto", "init" or "off"; got "${mode}"`);
  }
  const initialization = read(env, 'AWS_LAMBDA_INITIALIZATION_TYPE');
  const warmUpAtInit =
    initialization !== 'snap-start' &&
    (mode === 'init' || (mode === 'auto' && initialization === 'provisioned-concurrency'));
  return { jwksWarmUp: mode as JwksWarmUpMode, warmUpAtInit };
}

/** USAGE_IDENTIFIER_CLAIM: a claim name or dotted path, as the other claim variables take them. */
function usageIdentifierClaim(env: Env): ClaimPath | null {
  const name = read(env, 'USAGE_IDENTIFIER_CLAIM');
  if (name === undefined) return null;
  return parseClaimPath(name, (problem) => {
    throw new ConfigError('USAGE_IDENTIFIER_CLAIM', `"${name}" ${problem}`);
  });
}

/**
 * The authorizer's configuration from its environment variables (the README's configuration reference), read
 * once at cold start: frozen, or a ConfigError naming the first variable that is missing or wrong. `files`
 * reads what ROUTES_FILE, JWKS_SEED_FILE and TRUSTED_CA_FILE name (see filesBesideHandler).
 */
export function parseConfig(env: Env, files: ConfigFiles = NO_CONFIG_FILES): AuthorizerConfig {
  const issuers = parseIssuers(env);
  const routes = routeTable(env, files);
  const types = read(env, 'TOKEN_TYPES');
  const tokenTypes = types === undefined ? null : list(types).map(normalizeTokenType);
  if (tokenTypes !== null && tokenTypes.length === 0) {
    throw new ConfigError('TOKEN_TYPES', 'must list at least one type, e.g. "at+jwt,application/at+jwt"');
  }
  const revocationTable = read(env, 'REVOCATION_TABLE');
  const requireJti = read(env, 'REVOCATION_REQUIRE_JTI') ?? 'true';
  if (requireJti !== 'true' && requireJti !== 'false') {
    throw new ConfigError('REVOCATION_REQUIRE_JTI', `must be "true" or "false"; got "${requireJti}"`);
  }
  let logLevel: LogLevel;
  try {
    logLevel = parseLogLevel(env.LOG_LEVEL);
  } catch (cause) {
    throw new ConfigError('LOG_LEVEL', (cause as Error).message, { cause });
  }
  return Object.freeze({
    issuers: Object.freeze(
      issuers.map((i) =>
        Object.freeze(
          i.alternateIssuers === undefined
            ? i
            : { ...i, alternateIssuers: Object.freeze([...i.alternateIssuers]) },
        ),
      ),
    ),
    routes: Object.freeze(routes),
    tokenTypes: tokenTypes && Object.freeze(tokenTypes),
    clockSkewSeconds: integer(env, 'CLOCK_SKEW_SECONDS', 30, 0, MAX_CLOCK_SKEW_SECONDS),
    maxTokenBytes: integer(env, 'MAX_TOKEN_BYTES', 8192, 256, 65536),
    jwksTimeoutMs: integer(env, 'JWKS_TIMEOUT_MS', 1500, 100, 10000),
    ...jwksWarmUp(env),
    logLevel,
    metricsNamespace: metricName(
      env,
      METRICS_NAMESPACE_VARIABLE,
      DEFAULT_METRICS_NAMESPACE,
      'a CloudWatch namespace',
    ),
    serviceName: metricName(env, SERVICE_NAME_VARIABLE, DEFAULT_SERVICE_NAME, 'a service name'),
    revocation:
      revocationTable === undefined
        ? null
        : Object.freeze({
            tableName: revocationTable,
            missingJti: requireJti === 'true' ? ('reject' as const) : ('subject-cutoff' as const),
            endpoint: read(env, 'DYNAMODB_ENDPOINT'),
          }),
    usageIdentifierClaim: usageIdentifierClaim(env),
    jwksSeed: jwksSeed(env, files, issuers),
    trustedCa: trustedCa(env, files),
    dpop: parseDpopConfig(
      (name) => read(env, name),
      issuers.map((i) => i.issuer),
    ),
  });
}
