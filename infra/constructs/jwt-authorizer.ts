// JwtAuthorizer: an API Gateway REST TOKEN authorizer backed by this project's JWT-verifying Lambda, plus
// the way to protect methods with it so a route's scopes are declared exactly once.
import {
  Annotations,
  Aspects,
  Duration,
  Lazy,
  Stack,
  Token,
  Validations,
  type CfnResource,
} from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LogLevel } from '../../lambda/authorizer/log';
import type { RequiredClaimValue } from '../../lambda/authorizer/required-claims';
import { AUTHORIZER_HANDLER, authorizerBundleDir, type AuthorizerVariant } from './authorizer-bundle';
import { AuthorizerCode } from './authorizer-code';
import {
  AuthorizerMonitoring,
  metricsSettings,
  type AuthorizerDecision,
  type AuthorizerMetric,
  type AuthorizerMonitoringOptions,
} from './authorizer-monitoring';
import type { SeedTrust } from '../../lambda/authorizer/jwks-seed';
import { LoggedFunction } from './logged-function';
import { InfraConfigError } from './errors';
import { renderJwksSeed, type JwksSeed } from './jwks-seed';
import type { TrustedCertificates } from './trusted-certificates';
import { renderAuthorizerSettings, type AuthorizerSettings } from '../../lambda/contract/authorizer-settings';
import {
  AUTHORIZATION_HEADER,
  DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  IDENTITY_VALIDATION_EXPRESSION,
  MAX_RESULTS_CACHE_TTL_SECONDS,
  buildGatewayResponses,
  decideCaching,
  describeConflicts,
  describeRoute,
  gatewayResponseBody,
  type AuthorizerCaching,
  type CachingDecision,
  type GatewayResponseOptions,
  type HttpMethod,
  type RouteRule,
} from '../../lambda/contract';
import {
  claimRules,
  commaSafeList,
  durationSeconds,
  headerNames,
  httpsUrl,
  integerInRange,
  invalidProp,
  issuerId,
  noDuplicateRoute,
  routeTable,
  tokenTypes,
  uriPrefix,
} from './prop-checks';

export { ROUTES_FILE_NAME } from '../../lambda/contract/authorizer-settings';

/** Lambda's limit on all environment variables of a function together, in bytes. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

export type { AuthorizerCaching } from '../../lambda/contract/route-set';

/** The REQUEST authorizer's identity sources in per-route mode: the cache key is all three. */
export const PER_ROUTE_IDENTITY_SOURCES = [
  `method.request.header.${AUTHORIZATION_HEADER}`,
  'context.httpMethod',
  'context.resourcePath',
] as const;

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * What an issuer's claims mean beyond the standard checks. A claim name may be a dotted path into nested
 * claims (`realm_access.roles`); `\\.` in a name is a literal dot (`https://example\\.com/roles`).
 */
export interface IssuerClaimsProps {
  /**
   * Claims whose values grant permissions, exactly as `scope` and `scp` grant scopes for the route table:
   * a space-delimited string or an array of strings, e.g. `['roles']` for Entra ID app-only tokens,
   * `['realm_access.roles']` for Keycloak, `['permissions']` for Auth0 RBAC. `scope` and `scp` always count.
   * @default - only `scope` and `scp` grant permissions
   */
  readonly permissionClaims?: readonly string[];
  /**
   * Claims a token must carry with one of the given values (a string, number or boolean, or a list of
   * accepted ones), e.g. `{ email_verified: true, tid: '<tenant id>' }`. A token without one is refused
   * (401, MISSING_REQUIRED_CLAIM), and one with another value too (401, WRONG_CLAIM_VALUE). Numbers compare
   * exactly; an integer beyond ±9007199254740991, which JavaScript has already rounded, fails the synth.
   * @default - no claims are required beyond the standard checks
   */
  readonly requiredClaims?: Readonly<Record<string, RequiredClaimValue | readonly RequiredClaimValue[]>>;
  /**
   * Claims copied into the authorizer context for integrations, under a key with every character but
   * letters, digits and `_` made `_` (`cognito:groups` becomes `$context.authorizer.cognito_groups`).
   * Strings, numbers and booleans are copied as they are (a number beyond ±9007199254740991, or one a double
   * does not hold, as a string of its JSON text), arrays of strings without spaces joined with a space;
   * other shapes are left out.
   * @default - no claims are copied besides the built-in context
   */
  readonly contextClaims?: readonly string[];
}

/** One more issuer to trust, for APIs that accept tokens from several identity providers. */
export interface TrustedIssuerProps extends IssuerClaimsProps {
  /** The exact `iss` claim value. */
  readonly issuer: string;
  /** Accepted audiences; a token's `aud` must contain one of them. */
  readonly audience: readonly string[];
  /**
   * Where the issuer publishes its signing keys (https only).
   * @default - the `jwks_uri` of `issuer` + '/.well-known/openid-configuration', read by the Lambda once per
   * cold start (OIDC discovery; its `issuer` must equal `issuer` exactly)
   */
  readonly jwksUri?: string;
}

/** Method options the caller may set; authorization is always this authorizer's. */
export type ProtectedMethodOptions = Omit<
  apigw.MethodOptions,
  'authorizer' | 'authorizationType' | 'authorizationScopes'
>;

/** The claim props at the top level (`permissionClaims`, `requiredClaims`, `contextClaims`) apply to `issuer`. */
export interface JwtAuthorizerProps extends IssuerClaimsProps {
  /**
   * The token issuer to trust: the exact `iss` claim, e.g. `https://example.eu.auth0.com/`.
   * Give `issuer` with `audience`, or `issuers`, or `userPool` with `userPoolClients` (any combination).
   * @default - no single issuer
   */
  readonly issuer?: string;
  /**
   * Audiences accepted for `issuer`; a token's `aud` must contain one of them. Required with `issuer`.
   * @default - none
   */
  readonly audience?: readonly string[];
  /**
   * JWKS URL for `issuer` (https only).
   * @default - the `jwks_uri` of `issuer` + '/.well-known/openid-configuration', read by the Lambda once per
   * cold start (OIDC discovery; its `issuer` must equal `issuer` exactly)
   */
  readonly jwksUri?: string;
  /**
   * Further issuers to trust, each with its own audiences and JWKS.
   * @default - none
   */
  readonly issuers?: readonly TrustedIssuerProps[];
  /**
   * Cognito mode: trust access tokens of this user pool (`token_use` must be `access`).
   * @default - not in Cognito mode
   */
  readonly userPool?: cognito.IUserPool;
  /**
   * Cognito mode: the app clients whose access tokens are accepted (their `client_id`). Required with `userPool`.
   * @default - none
   */
  readonly userPoolClients?: readonly cognito.IUserPoolClient[];
  /**
   * Cognito mode: the resource server whose custom scopes the routes require. Cognito writes them as
   * `<identifier>/<scope>`; the authorizer then also counts `items-api/items:read` as `items:read`, the name
   * the route table uses (COGNITO_SCOPE_PREFIX).
   * @default - scopes must match the route table's names exactly
   */
  readonly userPoolResourceServer?: cognito.IUserPoolResourceServer;
  /**
   * Cognito mode: user pool groups grant permissions, as scopes do: adds `cognito:groups` to
   * `userPoolPermissionClaims`. Name the groups after the route table's scopes (e.g. `items:read`).
   * @default false
   */
  readonly userPoolGroupsAsPermissions?: boolean;
  /**
   * Cognito mode: further claims whose values grant permissions (see `permissionClaims`), e.g. a claim a
   * pre token generation trigger adds.
   * @default - only `scope` (and `cognito:groups` with `userPoolGroupsAsPermissions`)
   */
  readonly userPoolPermissionClaims?: readonly string[];
  /**
   * Cognito mode: claims the pool's access tokens must carry with one of the given values (see
   * `requiredClaims`).
   * @default - no claims are required beyond `token_use` and `client_id`
   */
  readonly userPoolRequiredClaims?: Readonly<
    Record<string, RequiredClaimValue | readonly RequiredClaimValue[]>
  >;
  /**
   * Cognito mode: claims copied into the authorizer context (see `contextClaims`), e.g. `['cognito:groups',
   * 'username']`.
   * @default - no claims are copied besides the built-in context
   */
  readonly userPoolContextClaims?: readonly string[];
  /**
   * Routes whose API methods are created elsewhere but authorized by this authorizer. Prefer
   * `addRoutes()` or `addMethod()`: they create the method and record its scopes in one step.
   * Every route here and every route added later reaches the Lambda as `ROUTES`.
   * @default - only the routes added with addRoutes() / addMethod()
   */
  readonly routes?: readonly RouteRule[];
  /**
   * How long API Gateway caches the authorizer's policy per token. Zero turns caching off.
   * Longer means fewer Lambda invocations, but a token keeps its cached policy for this long.
   * @default Duration.minutes(5)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * How API Gateway caches decisions. A token-cached policy must decide every route at once, and IAM's
   * `*` cannot express "one path segment": for tables like `GET /orgs/{org}` (read), `GET
   * /orgs/{org}/members` (admin), `GET /orgs/{org}/teams/{team}/members` (read), no single policy can refuse
   * the members route without also refusing the teams route. `auto` detects such tables at synth, names the
   * routes in a warning, and caches per token and route instead (more invocations, never a wrong answer);
   * `token` fails the synth for them instead.
   * @default 'auto'
   */
  readonly caching?: AuthorizerCaching;
  /**
   * Accepted JWT `typ` header values, e.g. `['at+jwt']` for RFC 9068 access tokens.
   * @default - the `typ` header is not checked
   */
  readonly tokenTypes?: readonly string[];
  /**
   * Leeway for `exp`, `nbf` and `iat` against the Lambda's clock (0 to 300 seconds).
   * @default - the authorizer's default, 30 seconds
   */
  readonly clockSkew?: Duration;
  /**
   * Largest accepted token in bytes (256 to 65536); larger ones are refused before any parsing.
   * @default - the authorizer's default, 8192
   */
  readonly maxTokenBytes?: number;
  /**
   * The authorizer's log level.
   * @default 'info'
   */
  readonly logLevel?: LogLevel;
  /**
   * The authorizer's metrics (always written, in CloudWatch Embedded Metric Format): their namespace and
   * service name, and the alarms and dashboard to create from them.
   * @default - metrics in the `BearerGate` namespace, `service` the construct's path; no alarms, no dashboard
   */
  readonly monitoring?: AuthorizerMonitoringOptions;
  /**
   * Retention of the authorizer's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Instruction set of the authorizer Lambda.
   * @default lambda.Architecture.ARM_64
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Memory of the authorizer Lambda in MiB (128 to 10240); CPU scales with it. The authorizer's process
   * holds about 51 MiB after its first decision (BENCHMARKS.md); the default buys CPU for its decisions,
   * and room for the revocation bundle's AWS SDK, more than memory.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Timeout of the authorizer Lambda (1 to 29 seconds; API Gateway gives up at 29 s).
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Name of the authorizer in API Gateway.
   * @default - generated from the construct path
   */
  readonly authorizerName?: string;
  /**
   * Token revocation: the table of revoked token ids and subject cut-offs (its schema is
   * REVOCATION_TABLE_SCHEMA, exported by this package). The authorizer gets read-only access to it (BatchGetItem, GetItem) and
   * refuses revoked tokens after the signature and claim checks; the result cache TTL is capped at
   * `maxRevocationDelay`.
   * @default - no revocation check
   */
  readonly revocationTable?: dynamodb.ITable;
  /**
   * With `revocationTable`: the longest a revoked token may still be served from API Gateway's result
   * cache. The cache TTL becomes the smaller of this and `resultsCacheTtl`. Shorter means a faster cut-off,
   * but more authorizer invocations and DynamoDB reads.
   * @default Duration.minutes(1)
   */
  readonly maxRevocationDelay?: Duration;
  /**
   * With `revocationTable`: refuse tokens without a `jti` (they cannot be revoked one by one). `false` lets
   * them through, checked against the subject cut-off only.
   * @default true
   */
  readonly revocationRequireJti?: boolean;
  /**
   * The trusted issuers' keys as the Lambda starts with them: a cold start decides its first request with
   * them, no network I/O (no JWKS fetch, no OIDC discovery), and fetches the live JWKS in the background to
   * replace them. While the issuer cannot be reached they keep serving, up to the seed's max age. Write it
   * with `npx bearer-gate-jwks-seed`; it ships as a file in the code asset (JWKS_SEED_FILE).
   * @default - no seed: every cold start fetches the keys before its first decision
   */
  readonly jwksSeed?: JwksSeed;
  /**
   * CA certificates to trust for the issuers' JWKS and OIDC discovery documents, in addition to the public
   * roots Node ships with: for an issuer whose TLS certificate a private CA issued. It ships as a file in the
   * code asset (TRUSTED_CA_FILE), read when the first fetch is made; unlike NODE_EXTRA_CA_CERTS, which Node
   * parses with its whole root store at every process start, before a seeded cold start's first decision.
   * @default - Node's bundled roots only
   */
  readonly trustedCertificates?: TrustedCertificates;
  /**
   * `Access-Control-Allow-Origin` on the gateway responses (401, 403, 503, ...), so browsers can read them.
   * `null` sends no CORS headers: no browser app may read them.
   * @default '*'
   */
  readonly corsAllowOrigin?: string | null;
  /**
   * `Access-Control-Allow-Headers` on the gateway responses: the request headers your browser clients send
   * (header names only, e.g. `['Authorization', 'Content-Type', 'Idempotency-Key']`).
   * @default - `Authorization` and `Content-Type` (DEFAULT_CORS_ALLOW_HEADERS)
   */
  readonly corsAllowHeaders?: readonly string[];
  /**
   * `Access-Control-Expose-Headers` on the gateway responses: the response headers browsers may read. Keep
   * `WWW-Authenticate` and `Retry-After` in the list: the 401, 403, 429 and 503 responses carry them.
   * @default - `WWW-Authenticate` and `Retry-After` (DEFAULT_CORS_EXPOSE_HEADERS)
   */
  readonly corsExposeHeaders?: readonly string[];
  /**
   * The prefix of the `type` URI in the gateway responses' problem bodies (RFC 9457): a response's `type` is
   * this prefix followed by its code in lower case with hyphens, e.g. `https://errors.example.com/` gives
   * `https://errors.example.com/invalid-token`. Use your API's own prefix, so that the authorizer's problems
   * and your handlers' share one vocabulary.
   * @default - `about:blank` for every response (RFC 9457 §4.2.1); clients tell them apart by `code`
   */
  readonly problemTypeBase?: string;
}

/**
 * A TOKEN authorizer that verifies OAuth 2.0 JWT access tokens and enforces per-route scopes.
 *
 * @example
 * const jwt = new JwtAuthorizer(this, 'Jwt', { issuer: 'https://example.eu.auth0.com/', audience: ['https://api.example.com'] });
 * jwt.addRoutes(api, [{ method: 'GET', path: '/orders', scopes: ['orders:read'] }], () => new LambdaIntegration(fn));
 */
export class JwtAuthorizer extends Construct {
  /** The Lambda that verifies tokens. */
  readonly function: lambda.IFunction;
  /** The prebuilt bundle `function` runs: `revocable` with a revocation table, else `plain` (no revocation code). */
  readonly variant: AuthorizerVariant;
  /**
   * The API Gateway authorizer; methods added with addMethod()/addRoutes() already use it. A TOKEN
   * authorizer, or a REQUEST authorizer when decisions are cached per route (see `caching`).
   */
  readonly authorizer: apigw.IAuthorizer;
  /** The result cache TTL in effect (with revocation on, at most `maxRevocationDelay`). */
  readonly resultsCacheTtl: Duration;
  /** With revocation on, the bound on how long a revoked token may still be accepted; undefined otherwise. */
  readonly maxRevocationDelay: Duration | undefined;
  /** The authorizer's metrics, and the alarms and dashboard `monitoring` asked for. */
  readonly monitoring: AuthorizerMonitoring;

  private readonly routeRules: RouteRule[] = [];
  private readonly corsAllowOrigin: string | null;
  private readonly gatewayResponseOptions: GatewayResponseOptions;
  private readonly caching: AuthorizerCaching;
  private readonly code = new AuthorizerCode();
  /** The seed file's text, rendered with the environment. */
  private readonly settings: Omit<AuthorizerSettings, 'routes'>;
  private restApi: apigw.IRestApi | undefined;
  private decidedMode: CachingDecision | undefined;

  constructor(scope: Construct, id: string, props: JwtAuthorizerProps) {
    super(scope, id);

    const ttlSeconds = durationSeconds(
      'resultsCacheTtl',
      props.resultsCacheTtl ?? Duration.seconds(DEFAULT_RESULTS_CACHE_TTL_SECONDS),
      0,
      MAX_RESULTS_CACHE_TTL_SECONDS,
      "Use at most Duration.hours(1) (API Gateway's limit), or Duration.seconds(0) to turn the cache off.",
    );
    const revocationDelaySeconds = maxRevocationDelaySeconds(props);
    this.maxRevocationDelay =
      revocationDelaySeconds === undefined ? undefined : Duration.seconds(revocationDelaySeconds);
    // API Gateway keeps serving a cached Allow until its TTL runs out, revoked or not: the cap is what
    // bounds the delay between POST /revocations and refusal.
    this.resultsCacheTtl = Duration.seconds(Math.min(ttlSeconds, revocationDelaySeconds ?? ttlSeconds));
    this.corsAllowOrigin = props.corsAllowOrigin === undefined ? '*' : props.corsAllowOrigin;
    if (
      this.corsAllowOrigin !== null &&
      (this.corsAllowOrigin === '' || /['\n\r]/.test(this.corsAllowOrigin))
    ) {
      invalidProp(
        'corsAllowOrigin',
        `must be "*" or an origin without quotes or line breaks; got "${this.corsAllowOrigin}"`,
        'Use "*" or an origin such as "https://app.example.com".',
      );
    }
    this.gatewayResponseOptions = {
      allowOrigin: this.corsAllowOrigin,
      ...(props.corsAllowHeaders === undefined
        ? {}
        : { corsAllowHeaders: headerNames('corsAllowHeaders', props.corsAllowHeaders) }),
      ...(props.corsExposeHeaders === undefined
        ? {}
        : { corsExposeHeaders: headerNames('corsExposeHeaders', props.corsExposeHeaders) }),
      ...(props.problemTypeBase === undefined
        ? {}
        : { problemTypeBase: uriPrefix('problemTypeBase', props.problemTypeBase) }),
    };
    this.caching = props.caching ?? 'auto';
    if (!['auto', 'token', 'route'].includes(this.caching)) {
      invalidProp(
        'caching',
        `must be "auto", "token" or "route"; got "${String(props.caching)}"`,
        'Leave it out for "auto".',
      );
    }
    for (const [i, route] of (props.routes ?? []).entries()) this.recordRoute(`routes[${i}]`, route);

    // Without revocation the bundle carries no revocation code at all: less to load at every cold start.
    this.variant = props.revocationTable === undefined ? 'plain' : 'revocable';
    const code = this.code;
    const metrics = metricsSettings(this, props.monitoring);
    this.settings = { ...this.settingsFrom(props), ...metrics };
    const handler = new LoggedFunction(this, 'Handler', {
      build: (fnScope, fnId, common) =>
        new lambda.Function(fnScope, fnId, { ...common, code, handler: AUTHORIZER_HANDLER }),
      description: 'Verifies JWT access tokens for API Gateway (TOKEN or per-route REQUEST authorizer)',
      environment: renderAuthorizerSettings({ ...this.settings, routes: [] }).environment,
      // The authorizer maps the one stack it logs (an INTERNAL failure) itself, when it logs it: Node's own
      // source maps would read and index the bundle's map once per instance (at load on Node 20, at the first
      // stack trace formatted, such as a 401's, on Node 24).
      nodeSourceMaps: false,
      architecture: props.architecture,
      memorySize: integerInRange(
        'memorySize',
        props.memorySize ?? 256,
        128,
        10240,
        'Lambda accepts 128 to 10240 MiB.',
      ),
      timeout: Duration.seconds(
        durationSeconds(
          'timeout',
          props.timeout ?? Duration.seconds(5),
          1,
          29,
          'API Gateway waits at most 29 seconds for an authorizer.',
        ),
      ),
      logRetention: props.logRetention,
    });
    this.function = handler.function;
    if (props.revocationTable !== undefined) {
      // Read-only, and only the two calls the check makes: a compromised authorizer cannot un-revoke anything.
      props.revocationTable.grant(this.function, 'dynamodb:BatchGetItem', 'dynamodb:GetItem');
      props.revocationTable.encryptionKey?.grantDecrypt(this.function);
    }

    this.monitoring = new AuthorizerMonitoring(this, 'Monitoring', {
      ...props.monitoring,
      ...metrics,
      function: this.function,
      revocation: props.revocationTable !== undefined,
      jwksSeed: props.jwksSeed !== undefined,
    });

    const authorizer = new apigw.TokenAuthorizer(this, 'Authorizer', {
      handler: this.function,
      identitySource: apigw.IdentitySource.header(AUTHORIZATION_HEADER),
      validationRegex: IDENTITY_VALIDATION_EXPRESSION,
      resultsCacheTtl: this.resultsCacheTtl,
      authorizerName: props.authorizerName,
    });
    this.authorizer = authorizer;
    // The type is only known once the route table is: a TOKEN or a per-route REQUEST authorizer, resolved at
    // synth. Both invoke the same Lambda (the handler reads either event), so only these three differ.
    const cfnAuthorizer = authorizer.node.defaultChild as apigw.CfnAuthorizer;
    cfnAuthorizer.type = Lazy.string({ produce: () => (this.mode().perRoute ? 'REQUEST' : 'TOKEN') });
    cfnAuthorizer.identitySource = Lazy.string({
      produce: () =>
        this.mode().perRoute
          ? PER_ROUTE_IDENTITY_SOURCES.join(',')
          : `method.request.header.${AUTHORIZATION_HEADER}`,
    });
    // API Gateway applies an identity validation expression to TOKEN authorizers only.
    cfnAuthorizer.identityValidationExpression = Lazy.string({
      produce: () => (this.mode().perRoute ? undefined : IDENTITY_VALIDATION_EXPRESSION),
    });

    // The code asset is made once every route is known: after construction, before the template resolves.
    Aspects.of(this).add({
      visit: (node) => {
        if (node === this && !this.code.materialized) {
          this.code.materialize(
            this,
            this.function.node.defaultChild as CfnResource,
            authorizerBundleDir(this.variant),
            this.assetFiles(),
          );
          this.annotateMode();
        }
      },
    });

    this.node.addValidation({ validate: () => this.validateRoutes() });
    this.node.addValidation({ validate: () => this.validateEnvironmentSize() });
  }

  /** Whether decisions are cached per route, and the conflicts that made `auto` choose it. */
  get cachedPerRoute(): boolean {
    return this.mode().perRoute;
  }

  /** Decided from the route table; remembered only once the table is final (the code asset is made). */
  private mode(): CachingDecision {
    if (!this.code.materialized) return decideCaching(this.routeRules, this.caching);
    this.decidedMode ??= decideCaching(this.routeRules, this.caching);
    return this.decidedMode;
  }

  private annotateMode(): void {
    const { conflicts } = this.mode();
    if (this.caching === 'auto' && conflicts.length > 0) {
      Annotations.of(this).addWarningV2(
        'bearer-gate:per-route-caching',
        `JwtAuthorizer caches decisions per token and route (a REQUEST authorizer), because one token-cached ` +
          `policy cannot tell these routes apart: ${describeConflicts(conflicts)}. Each route a token calls ` +
          `now costs one authorizer invocation per cache TTL. Set caching: 'route' to acknowledge this.`,
      );
    }
  }

  /** The files the Lambda reads at init, by name in the code asset. */
  private assetFiles(): Readonly<Record<string, string>> {
    return renderAuthorizerSettings({ ...this.settings, routes: this.routeRules }).files;
  }

  /**
   * Every method wired to this authorizer must have declared scopes: a method the route table does not know
   * would be allowed by any held wildcard without a scope check (TOKEN mode) or refused (REQUEST mode).
   */
  private validateRoutes(): string[] {
    const errors: string[] = [];
    if (this.routeRules.length === 0) {
      errors.push(
        `${this.node.path}: JwtAuthorizer has no routes, so every request would be denied. ` +
          'Protect methods with addRoutes() or addMethod(), or list them in the routes prop.',
      );
    }
    const declared = new Set(this.routeRules.map((r) => describeRoute(r)));
    for (const method of this.node.root.node.findAll()) {
      if (!(method instanceof apigw.Method)) continue;
      const cfn = method.node.defaultChild as apigw.CfnMethod;
      if (cfn.authorizerId !== this.authorizer.authorizerId) continue;
      const route = describeRoute({ method: method.httpMethod, path: method.resource.path });
      if (!declared.has(route)) {
        errors.push(
          `${method.node.path}: ${route} uses JwtAuthorizer ${this.node.path} but declares no scopes, so the ` +
            `authorizer cannot decide it. Create it with jwt.addMethod(resource, '${method.httpMethod}', ` +
            `integration, { scopes: [...] }) or jwt.addRoutes(...), or list it in the routes prop.`,
        );
      }
    }
    if (this.caching === 'token' && this.mode().conflicts.length > 0) {
      errors.push(
        `${this.node.path}: caching is 'token', but one token-cached policy cannot tell these routes apart: ` +
          `${describeConflicts(this.mode().conflicts)}. Use caching: 'route' (or 'auto'), or give the routes ` +
          'scopes that nest (a token that may call a route may call the routes its Deny would cover).',
      );
    }
    return errors;
  }

  /** Lambda refuses a function whose environment exceeds 4 KB; say so at synth, not at deploy. */
  private validateEnvironmentSize(): string[] {
    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    const resolved = Stack.of(this).resolve(cfn.environment) as
      { variables?: Record<string, unknown> } | undefined;
    const variables = resolved?.variables ?? {};
    // Unresolved values (a user pool id, a table name) are counted as their CloudFormation expression.
    const bytes = Object.entries(variables).reduce(
      (n, [k, v]) =>
        n + Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : JSON.stringify(v)),
      0,
    );
    return bytes <= LAMBDA_ENVIRONMENT_LIMIT_BYTES
      ? []
      : [
          `${this.node.path}: the authorizer's environment is ${bytes} bytes, over Lambda's limit of ` +
            `${LAMBDA_ENVIRONMENT_LIMIT_BYTES}. Trust fewer issuers or audiences per authorizer.`,
        ];
  }

  /** One of the authorizer's metrics besides decisions and cold starts (Sum or, for latencies, Average over 5 minutes). */
  metric(metric: AuthorizerMetric, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.metric(metric, props);
  }

  /** Decisions with this outcome; with a reason code (e.g. `TOKEN_EXPIRED`), those with that reason. */
  metricDecisions(
    decision: AuthorizerDecision,
    reason?: string,
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return this.monitoring.metricDecisions(decision, reason, props);
  }

  /** The function's cold starts (Powertools' ColdStart metric). */
  metricColdStarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.monitoring.metricColdStarts(props);
  }

  /** What the Lambda's route table (routes.json in its code asset) carries: every route given in props or added since. */
  get routes(): readonly RouteRule[] {
    return this.routeRules.map((r) => ({ ...r, scopes: [...r.scopes] }));
  }

  /**
   * Creates a method for every route of a route table, each protected by this authorizer, and records
   * each route's scopes for the Lambda. The table is the only place scopes are written.
   *
   * @param api the REST API to add the methods to (an authorizer serves one REST API)
   * @param routes the route table
   * @param integrationFor the backend of each route
   * @param optionsFor further method options per route (request validation, models, ...)
   * @returns the created methods, in route order
   */
  addRoutes<R extends RouteRule>(
    api: apigw.IRestApi,
    routes: readonly R[],
    integrationFor: (route: R) => apigw.Integration,
    optionsFor?: (route: R) => ProtectedMethodOptions,
  ): apigw.Method[] {
    return routes.map((route) =>
      this.addMethod(api.root.resourceForPath(route.path), route.method, integrationFor(route), {
        ...optionsFor?.(route),
        scopes: route.scopes,
      }),
    );
  }

  /**
   * Adds one method protected by this authorizer and records `scopes` as what it requires.
   * The route's path is the resource's path, so the rule and the method cannot disagree.
   */
  addMethod(
    resource: apigw.IResource,
    httpMethod: HttpMethod,
    integration: apigw.Integration,
    options: ProtectedMethodOptions & { readonly scopes: readonly string[] },
  ): apigw.Method {
    this.bindApi(resource.api);
    const { scopes, ...methodOptions } = options;
    this.recordRoute(`route ${httpMethod} ${resource.path}`, {
      method: httpMethod,
      path: resource.path,
      scopes,
    });
    const method = resource.addMethod(httpMethod, integration, {
      ...methodOptions,
      authorizationType: apigw.AuthorizationType.CUSTOM,
      authorizer: this.authorizer,
    });
    Validations.of(method).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Protected by JwtAuthorizer, a Lambda TOKEN authorizer that verifies JWTs from any OIDC issuer (Cognito ' +
        'included) and enforces per-route scopes, which a Cognito user pool authorizer cannot do for other issuers.',
    });
    return method;
  }

  /**
   * Adds the gateway responses (401, 403, 503 for authorizer failures, ...) to a REST API. addRoutes() and
   * addMethod() call this; call it yourself only for an API whose methods you created with `authorizer`.
   */
  addGatewayResponses(api: apigw.IRestApi): void {
    this.bindApi(api);
  }

  private bindApi(api: apigw.IRestApi): void {
    if (this.restApi === api) return;
    if (this.restApi !== undefined) {
      throw new InfraConfigError(
        'ROUTE_CONFLICT',
        api.node.path,
        `JwtAuthorizer: already serves the REST API at ${this.restApi.node.path}; an API Gateway authorizer ` +
          `belongs to one REST API, so ${api.node.path} needs its own JwtAuthorizer.`,
      );
    }
    this.restApi = api;
    const responses = new Construct(this, 'GatewayResponses');
    for (const response of buildGatewayResponses(this.gatewayResponseOptions)) {
      new apigw.GatewayResponse(responses, response.type, {
        restApi: api,
        type: apigw.ResponseType.of(response.type),
        statusCode: response.statusCode === undefined ? undefined : String(response.statusCode),
        // API Gateway reads header values as expressions; a literal is written in single quotes.
        responseHeaders: Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k, `'${v}'`])),
        templates: { 'application/json': gatewayResponseBody(response) },
      });
    }
  }

  private recordRoute(where: string, route: RouteRule): void {
    if (this.code.materialized) {
      throw new InfraConfigError(
        'ROUTE_CONFLICT',
        describeRoute(route),
        `JwtAuthorizer: ${describeRoute(route)} was added after synthesis began; add every route before synth.`,
      );
    }
    noDuplicateRoute(this.routeRules, route);
    this.routeRules.splice(0, this.routeRules.length, ...routeTable(where, [...this.routeRules, route]));
  }

  /**
   * The props, checked, as the Lambda's settings (lambda/contract/authorizer-settings.ts renders them). The
   * route table is added at synth, once every addRoutes()/addMethod() call has run.
   */
  private settingsFrom(props: JwtAuthorizerProps): Omit<AuthorizerSettings, 'routes'> {
    const settings: Mutable<Omit<AuthorizerSettings, 'routes'>> = { logLevel: props.logLevel ?? 'info' };
    if (!LOG_LEVELS.includes(settings.logLevel as LogLevel)) {
      invalidProp(
        'logLevel',
        `must be one of ${LOG_LEVELS.join(', ')}; got "${props.logLevel}"`,
        'Use "info" in production.',
      );
    }

    let trusted = 0;
    if (props.issuer !== undefined) {
      if (props.audience === undefined) {
        invalidProp(
          'audience',
          'is required with issuer; got undefined',
          "Pass the API's identifier, e.g. ['https://api.example.com'].",
        );
      }
      const audience = commaSafeList(
        'audience',
        props.audience,
        "Pass the API's identifier, e.g. ['https://api.example.com'].",
      );
      if (props.jwksUri === undefined) {
        httpsUrl('issuer', props.issuer, 'Use the https issuer URL, or pass jwksUri explicitly.');
      }
      settings.issuer = {
        issuer: issuerId('issuer', props.issuer),
        audience,
        ...(props.jwksUri === undefined
          ? {}
          : { jwksUri: httpsUrl('jwksUri', props.jwksUri, "Use the https URL of the issuer's JWKS.") }),
        ...claimRules(CLAIM_PROPS, props, true),
      };
      trusted++;
    } else {
      const stray = (['audience', 'jwksUri', ...CLAIM_PROP_NAMES] as const).find(
        (p) => props[p] !== undefined,
      );
      if (stray !== undefined) {
        invalidProp(
          'issuer',
          `is required when ${stray} is set; got undefined`,
          'Pass the issuer URL exactly as it appears in the `iss` claim.',
        );
      }
    }

    if (props.issuers !== undefined) {
      if (props.issuers.length === 0)
        invalidProp('issuers', 'must not be empty; got []', 'Leave it out, or list at least one issuer.');
      const seen = new Set<string>(props.issuer === undefined ? [] : [props.issuer]);
      const issuers = props.issuers.map((entry, i) => {
        const at = `issuers[${i}]`;
        if (seen.has(entry.issuer)) {
          invalidProp(
            `${at}.issuer`,
            `repeats "${entry.issuer}"`,
            'Trust each issuer once, with all its audiences.',
          );
        }
        seen.add(entry.issuer);
        issuerId(`${at}.issuer`, entry.issuer);
        const audience = commaSafeList(`${at}.audience`, entry.audience, 'List the accepted audiences.');
        const rules = claimRules(
          {
            permissionClaims: `${at}.permissionClaims`,
            requiredClaims: `${at}.requiredClaims`,
            contextClaims: `${at}.contextClaims`,
          },
          entry,
          false,
        );
        if (entry.jwksUri === undefined) {
          httpsUrl(`${at}.issuer`, entry.issuer, 'Use the https issuer URL, or pass jwksUri explicitly.');
          return { issuer: entry.issuer, audience, ...rules };
        }
        const jwksUri = httpsUrl(`${at}.jwksUri`, entry.jwksUri, "Use the https URL of the issuer's JWKS.");
        return { issuer: entry.issuer, audience, jwksUri, ...rules };
      });
      settings.issuers = issuers;
      trusted++;
    }

    if (props.userPool !== undefined) {
      if (props.userPoolClients === undefined || props.userPoolClients.length === 0) {
        invalidProp(
          'userPoolClients',
          `is required with userPool; got ${props.userPoolClients === undefined ? 'undefined' : '[]'}`,
          'Pass the app clients whose access tokens the API accepts.',
        );
      }
      const clientIds = props.userPoolClients.map((c) => c.userPoolClientId);
      const scopePrefix =
        props.userPoolResourceServer === undefined
          ? undefined
          : `${props.userPoolResourceServer.userPoolResourceServerId}/`;
      const rules = claimRules(
        USER_POOL_CLAIM_PROPS,
        {
          permissionClaims: props.userPoolPermissionClaims,
          requiredClaims: props.userPoolRequiredClaims,
          contextClaims: props.userPoolContextClaims,
        },
        true,
      );
      const permissionClaims = new Set([
        ...(props.userPoolGroupsAsPermissions === true ? ['cognito:groups'] : []),
        ...(rules.permissionClaims ?? []),
      ]);
      settings.cognito = {
        userPoolId: props.userPool.userPoolId,
        clientIds,
        ...(scopePrefix === undefined ? {} : { scopePrefix }),
        ...rules,
        ...(permissionClaims.size > 0 ? { permissionClaims: [...permissionClaims] } : {}),
      };
      trusted++;
    } else if (props.userPoolResourceServer !== undefined) {
      invalidProp(
        'userPoolResourceServer',
        'is set without userPool; got a resource server',
        'Pass userPool and userPoolClients too, or leave userPoolResourceServer out.',
      );
    } else if (USER_POOL_CLAIM_PROP_NAMES.some((p) => props[p] !== undefined)) {
      invalidProp(
        USER_POOL_CLAIM_PROP_NAMES.find((p) => props[p] !== undefined) as string,
        'is set without userPool, so it would do nothing',
        'Pass userPool and userPoolClients too, or leave it out.',
      );
    } else if (props.userPoolClients !== undefined) {
      invalidProp(
        'userPool',
        'is required when userPoolClients is set; got undefined',
        'Pass the user pool the clients belong to.',
      );
    }

    if (trusted === 0) {
      invalidProp(
        'issuer',
        'is missing: no trusted issuer was given',
        'Pass issuer and audience, issuers, or userPool and userPoolClients.',
      );
    }

    if (props.tokenTypes !== undefined) settings.tokenTypes = tokenTypes('tokenTypes', props.tokenTypes);
    if (props.clockSkew !== undefined) {
      settings.clockSkewSeconds = durationSeconds(
        'clockSkew',
        props.clockSkew,
        0,
        300,
        'A few seconds to a minute covers real clock drift.',
      );
    }
    if (props.maxTokenBytes !== undefined) {
      settings.maxTokenBytes = integerInRange(
        'maxTokenBytes',
        props.maxTokenBytes,
        256,
        65536,
        'Typical access tokens are 1 to 4 KB.',
      );
    }
    if (props.revocationTable !== undefined) {
      settings.revocation = {
        tableName: props.revocationTable.tableName,
        requireJti: props.revocationRequireJti ?? true,
      };
    }
    if (props.jwksSeed !== undefined) settings.jwksSeed = this.seedSettings(props.jwksSeed, props);
    if (props.trustedCertificates !== undefined) settings.trustedCertificates = props.trustedCertificates.pem;
    return settings;
  }

  /**
   * The JWKS seed: checked against the trusted issuers and rendered for the code asset; the Lambda learns
   * only the file's name (JWKS_SEED_FILE) and the seed's max age.
   */
  private seedSettings(
    seed: JwksSeed,
    props: JwtAuthorizerProps,
  ): NonNullable<AuthorizerSettings['jwksSeed']> {
    const normalized = (uri: string | undefined): string | null =>
      uri === undefined ? null : Token.isUnresolved(uri) ? uri : new URL(uri).href;
    const trusted: SeedTrust[] = [
      ...(props.issuer === undefined ? [] : [{ issuer: props.issuer, jwksUri: normalized(props.jwksUri) }]),
      ...(props.issuers ?? []).map((i) => ({ issuer: i.issuer, jwksUri: normalized(i.jwksUri) })),
    ];
    const poolId = props.userPool?.userPoolId;
    if (poolId !== undefined && !Token.isUnresolved(poolId)) {
      const issuer = `https://cognito-idp.${poolId.split('_')[0]}.amazonaws.com/${poolId}`;
      trusted.push({ issuer, jwksUri: `${issuer}/.well-known/jwks.json` });
    }
    // An issuer given as a token cannot be compared at synth; the Lambda checks the seed again at init.
    const literal = trusted.every(
      (t) => !Token.isUnresolved(t.issuer) && !Token.isUnresolved(t.jwksUri ?? ''),
    );
    const text = renderJwksSeed(
      seed,
      literal ? trusted : null,
      poolId !== undefined && Token.isUnresolved(poolId),
    );
    let maxAgeSeconds: number | undefined;
    if (seed.options.maxAge !== undefined) {
      maxAgeSeconds = durationSeconds(
        'jwksSeed maxAge',
        seed.options.maxAge,
        60,
        90 * 86400,
        'Use from Duration.minutes(1) to Duration.days(90); the seed is trusted that long without the issuer.',
      );
    }
    if (seed.entries.some((e) => e.fetchedAt === null)) {
      Annotations.of(this).addWarningV2(
        'bearer-gate:jwks-seed-undated',
        'jwksSeed has entries without fetchedAt: their age counts from each cold start, so maxAge cannot bound ' +
          'how long a key the issuer withdrew keeps serving while the issuer is unreachable. Write the seed ' +
          'with `npx bearer-gate-jwks-seed`, which records fetchedAt.',
      );
    }
    return maxAgeSeconds === undefined ? { text } : { text, maxAgeSeconds };
  }
}

/** The revocation delay in whole seconds when revocation is on; a revocation prop without the table is an error. */
function maxRevocationDelaySeconds(props: JwtAuthorizerProps): number | undefined {
  if (props.revocationTable === undefined) {
    const stray =
      props.maxRevocationDelay !== undefined
        ? 'maxRevocationDelay'
        : props.revocationRequireJti !== undefined
          ? 'revocationRequireJti'
          : undefined;
    if (stray !== undefined) {
      invalidProp(
        stray,
        'is set without revocationTable, so it would do nothing',
        'Pass revocationTable to turn revocation on, or leave it out.',
      );
    }
    return undefined;
  }
  return durationSeconds(
    'maxRevocationDelay',
    props.maxRevocationDelay ?? Duration.seconds(DEFAULT_MAX_REVOCATION_DELAY_SECONDS),
    1,
    MAX_RESULTS_CACHE_TTL_SECONDS,
    'It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).',
  );
}

const CLAIM_PROP_NAMES = ['permissionClaims', 'requiredClaims', 'contextClaims'] as const;
const CLAIM_PROPS = {
  permissionClaims: 'permissionClaims',
  requiredClaims: 'requiredClaims',
  contextClaims: 'contextClaims',
} as const;
const USER_POOL_CLAIM_PROP_NAMES = [
  'userPoolGroupsAsPermissions',
  'userPoolPermissionClaims',
  'userPoolRequiredClaims',
  'userPoolContextClaims',
] as const;
const USER_POOL_CLAIM_PROPS = {
  permissionClaims: 'userPoolPermissionClaims',
  requiredClaims: 'userPoolRequiredClaims',
  contextClaims: 'userPoolContextClaims',
} as const;

/** T with its properties writable, to build a settings object field by field. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };
