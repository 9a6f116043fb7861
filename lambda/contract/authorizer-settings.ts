// The authorizer Lambda's configuration contract, written once: the typed settings a deployment chooses and
// how they become the Lambda's environment variables and the files of its code asset. The construct renders
// its props through this module; parseConfig (lambda/authorizer/config.ts) reads the result back, and
// test/infra/config-round-trip.test.ts checks every prop both ways. CDK-free and dependency-free.
import { METRICS_NAMESPACE_VARIABLE, SERVICE_NAME_VARIABLE } from './authorizer-metrics';
import type { RouteRule } from './route-rules';

/**
 * The largest clock skew the authorizer accepts (CLOCK_SKEW_SECONDS, the construct's clockSkew): a revoked
 * token's entry must outlive its exp by this much, since the authorizer accepts it until exp plus its skew.
 */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** A required claim's accepted value: compared whole and by type. */
export type RequiredClaimValue = string | number | boolean;

/** Where an issuer's permissions and required claims are, and which claims the context carries. */
export interface ClaimRuleSettings {
  /** Claim names or dotted paths whose values grant permissions as scopes do. */
  readonly permissionClaims?: readonly string[];
  /** Claim name to the value (or one of the values) it must have. */
  readonly requiredClaims?: Readonly<Record<string, RequiredClaimValue | readonly RequiredClaimValue[]>>;
  /** Claims copied into the authorizer context. */
  readonly contextClaims?: readonly string[];
}

export interface IssuerSettings extends ClaimRuleSettings {
  /** The exact `iss`. */
  readonly issuer: string;
  /** Accepted audiences. */
  readonly audience: readonly string[];
  /** Absent: found through OIDC discovery at cold start. */
  readonly jwksUri?: string;
}

export interface CognitoSettings extends ClaimRuleSettings {
  readonly userPoolId: string;
  /** Accepted `client_id`s. */
  readonly clientIds: readonly string[];
  /** `<resource server id>/`: a scope with it also counts without it. */
  readonly scopePrefix?: string;
}

/**
 * A user pool's two issuer forms, as aws-jwt-verify 5.2 accepts them: the regional one, and the one user pools
 * with multi-Region replication put in their tokens (`issuer-cognito-idp.`, the pool's home region). Both
 * end in the pool id, so neither can name another pool.
 */
export function cognitoIssuers(poolId: string, region: string): { regional: string; multiRegion: string } {
  return {
    regional: `https://cognito-idp.${region}.amazonaws.com/${poolId}`,
    multiRegion: `https://issuer-cognito-idp.${region}.amazonaws.com/${poolId}`,
  };
}

/** Cognito's documented, fixed JWKS URI: the issuer URL plus `/.well-known/jwks.json`. */
export function cognitoJwksUri(issuer: string): string {
  return issuer.replace(/\/+$/, '') + '/.well-known/jwks.json';
}

/**
 * When the Lambda fetches every JWKS at init, before its first request, replacing seeded keys however fresh
 * (JWKS_WARM_UP): `auto` at an init Lambda runs ahead of traffic (provisioned concurrency), `init` at every
 * init for traffic, `off` never.
 */
export const JWKS_WARM_UP_MODES = ['auto', 'init', 'off'] as const;
export type JwksWarmUpMode = (typeof JWKS_WARM_UP_MODES)[number];

/** DPoP-bound tokens (RFC 9449): the Lambda's DPOP_* variables, read back by dpop-config.ts. */
export interface DpopSettings {
  /** DPOP_REQUIRED_ISSUERS: issuers whose tokens must be DPoP-bound (`*`: every issuer). */
  readonly requiredIssuers?: readonly string[];
  /** DPOP_PROOF_MAX_AGE_SECONDS. */
  readonly proofMaxAgeSeconds?: number;
  /** DPOP_REPLAY_TABLE: the table every instance records proofs' jti in (and, with nonces, their key). */
  readonly replayTableName?: string;
  /** DPOP_NONCES: server nonces (needs the replay table). */
  readonly nonces?: boolean;
  /** RESOURCE_METADATA_URL: with nonces, the RFC 9728 metadata URL the authorizer's own challenges name. */
  readonly resourceMetadataUrl?: string;
}

/** Everything a deployment configures; absent optional values take the Lambda's defaults. */
export interface AuthorizerSettings {
  /** The single issuer of ISSUER/AUDIENCE/JWKS_URI. */
  readonly issuer?: IssuerSettings;
  /** Further issuers (ISSUERS). */
  readonly issuers?: readonly IssuerSettings[];
  readonly cognito?: CognitoSettings;
  /** The route table: a file of the code asset. */
  readonly routes: readonly RouteRule[];
  readonly tokenTypes?: readonly string[];
  readonly clockSkewSeconds?: number;
  readonly maxTokenBytes?: number;
  readonly jwksTimeoutMs?: number;
  /** JWKS_WARM_UP. */
  readonly jwksWarmUp?: JwksWarmUpMode;
  readonly logLevel?: string;
  /** POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME: where the metrics go, and the `service`. */
  readonly metricsNamespace?: string;
  readonly serviceName?: string;
  readonly revocation?: { readonly tableName: string; readonly requireJti: boolean };
  /** The claim returned as `usageIdentifierKey` (USAGE_IDENTIFIER_CLAIM), for usage plans. */
  readonly usageIdentifierClaim?: string;
  /** The JWKS seed file's text (already checked), and how long it is trusted without the issuer. */
  readonly jwksSeed?: { readonly text: string; readonly maxAgeSeconds?: number };
  /** The trusted CA file's text (PEM, already checked): CAs trusted for the JWKS and discovery fetches. */
  readonly trustedCertificates?: string;
  /** Sender-constrained tokens: DPoP's variables (none: bound tokens are still checked, none required). */
  readonly dpop?: DpopSettings;
}

/** The route table's file in the code asset (ROUTES_FILE). */
export const ROUTES_FILE_NAME = 'routes.json';

/** The JWKS seed's file in the code asset (JWKS_SEED_FILE). */
export const JWKS_SEED_FILE_NAME = 'jwks-seed.json';

/** The trusted CA bundle's file in the code asset (TRUSTED_CA_FILE). */
export const TRUSTED_CA_FILE_NAME = 'trusted-ca.pem';

/** What the Lambda gets: its environment (small values) and the files beside its handler (large ones). */
export interface RenderedSettings {
  readonly environment: Readonly<Record<string, string>>;
  readonly files: Readonly<Record<string, string>>;
}

function claimVariables(prefix: '' | 'COGNITO_', rules: ClaimRuleSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (rules.permissionClaims !== undefined)
    env[`${prefix}PERMISSION_CLAIMS`] = rules.permissionClaims.join(',');
  if (rules.requiredClaims !== undefined)
    env[`${prefix}REQUIRED_CLAIMS`] = JSON.stringify(rules.requiredClaims);
  if (rules.contextClaims !== undefined) env[`${prefix}CONTEXT_CLAIMS`] = rules.contextClaims.join(',');
  return env;
}

/** An ISSUERS entry: only the fields that are set. */
function issuerEntry(s: IssuerSettings): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries({
      issuer: s.issuer,
      audience: [...s.audience],
      jwksUri: s.jwksUri,
      permissionClaims: s.permissionClaims,
      requiredClaims: s.requiredClaims,
      contextClaims: s.contextClaims,
    }).filter(([, v]) => v !== undefined),
  );
}

function dpopVariables(dpop: DpopSettings): Record<string, string> {
  const env: Record<string, string> = {};
  if (dpop.requiredIssuers !== undefined) env.DPOP_REQUIRED_ISSUERS = dpop.requiredIssuers.join(',');
  if (dpop.proofMaxAgeSeconds !== undefined) env.DPOP_PROOF_MAX_AGE_SECONDS = String(dpop.proofMaxAgeSeconds);
  if (dpop.replayTableName !== undefined) env.DPOP_REPLAY_TABLE = dpop.replayTableName;
  if (dpop.nonces === true) {
    env.DPOP_NONCES = 'true';
    if (dpop.resourceMetadataUrl !== undefined) env.RESOURCE_METADATA_URL = dpop.resourceMetadataUrl;
  }
  return env;
}

/**
 * The environment and files for these settings, in the names parseConfig reads. Values are not checked
 * here: the construct checks props before, and parseConfig checks everything again at init.
 */
export function renderAuthorizerSettings(settings: AuthorizerSettings): RenderedSettings {
  const env: Record<string, string> = { ROUTES_FILE: ROUTES_FILE_NAME };
  const files: Record<string, string> = { [ROUTES_FILE_NAME]: JSON.stringify(settings.routes) };
  if (settings.logLevel !== undefined) env.LOG_LEVEL = settings.logLevel;
  if (settings.metricsNamespace !== undefined) env[METRICS_NAMESPACE_VARIABLE] = settings.metricsNamespace;
  if (settings.serviceName !== undefined) env[SERVICE_NAME_VARIABLE] = settings.serviceName;
  if (settings.issuer !== undefined) {
    env.ISSUER = settings.issuer.issuer;
    env.AUDIENCE = settings.issuer.audience.join(',');
    if (settings.issuer.jwksUri !== undefined) env.JWKS_URI = settings.issuer.jwksUri;
    Object.assign(env, claimVariables('', settings.issuer));
  }
  if (settings.issuers !== undefined) env.ISSUERS = JSON.stringify(settings.issuers.map(issuerEntry));
  if (settings.cognito !== undefined) {
    env.COGNITO_USER_POOL_ID = settings.cognito.userPoolId;
    env.COGNITO_CLIENT_ID = settings.cognito.clientIds.join(',');
    if (settings.cognito.scopePrefix !== undefined) env.COGNITO_SCOPE_PREFIX = settings.cognito.scopePrefix;
    Object.assign(env, claimVariables('COGNITO_', settings.cognito));
  }
  if (settings.tokenTypes !== undefined) env.TOKEN_TYPES = settings.tokenTypes.join(',');
  if (settings.clockSkewSeconds !== undefined) env.CLOCK_SKEW_SECONDS = String(settings.clockSkewSeconds);
  if (settings.maxTokenBytes !== undefined) env.MAX_TOKEN_BYTES = String(settings.maxTokenBytes);
  if (settings.jwksTimeoutMs !== undefined) env.JWKS_TIMEOUT_MS = String(settings.jwksTimeoutMs);
  if (settings.jwksWarmUp !== undefined) env.JWKS_WARM_UP = settings.jwksWarmUp;
  if (settings.revocation !== undefined) {
    env.REVOCATION_TABLE = settings.revocation.tableName;
    env.REVOCATION_REQUIRE_JTI = String(settings.revocation.requireJti);
  }
  if (settings.usageIdentifierClaim !== undefined) env.USAGE_IDENTIFIER_CLAIM = settings.usageIdentifierClaim;
  if (settings.jwksSeed !== undefined) {
    env.JWKS_SEED_FILE = JWKS_SEED_FILE_NAME;
    files[JWKS_SEED_FILE_NAME] = settings.jwksSeed.text;
    if (settings.jwksSeed.maxAgeSeconds !== undefined) {
      env.JWKS_SEED_MAX_AGE_SECONDS = String(settings.jwksSeed.maxAgeSeconds);
    }
  }
  if (settings.trustedCertificates !== undefined) {
    env.TRUSTED_CA_FILE = TRUSTED_CA_FILE_NAME;
    files[TRUSTED_CA_FILE_NAME] = settings.trustedCertificates;
  }
  if (settings.dpop !== undefined) Object.assign(env, dpopVariables(settings.dpop));
  return { environment: env, files };
}
