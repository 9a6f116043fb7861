// JwtAuthorizer's props and method options: plain interfaces of readonly fields (strings, numbers, booleans,
// Durations, arrays, enums and classes with static factories, as aws-cdk-lib's are, so that a jsii build can
// carry them to other languages). Every `@default` names its value in JWT_AUTHORIZER_DEFAULTS (defaults.ts).
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { RouteRule } from '../../lambda/contract/route-rules';
import type { AuthorizerMonitoringOptions } from './authorizer-monitoring';
import type { CorsOrigin } from './cors-origin';
import type { Issuer } from './issuer';
import type { JwksSeed } from './jwks-seed';
import type { RevocationList } from './revocation-list';
import type { DpopProps, MutualTlsProps, ProtectedResourceProps } from './sender-constraint';
import type { TrustedCertificates } from './trusted-certificates';

/**
 * How API Gateway caches the authorizer's decisions. A token-cached policy must decide every route at once,
 * and IAM's `*` cannot express "one path segment": for tables like `GET /orgs/{org}` (read), `GET
 * /orgs/{org}/members` (admin), `GET /orgs/{org}/teams/{team}/members` (read), no single policy can refuse the
 * members route without also refusing the teams route.
 */
export enum CachingMode {
  /**
   * TOKEN unless the table has such routes; then per token and route, with a synth warning naming them (more
   * invocations, never a wrong answer).
   */
  AUTO = 'auto',
  /** One policy per token (a TOKEN authorizer); the synth fails for a table one policy cannot serve. */
  TOKEN = 'token',
  /**
   * One decision per token and route: a REQUEST authorizer keyed on the Authorization header,
   * `context.httpMethod` and `context.resourcePath`.
   */
  ROUTE = 'route',
}

/** The authorizer's log level: `INFO` logs one line per decision, `DEBUG` more, `SILENT` no line (metrics are still written). */
export enum LogLevel {
  DEBUG = 'debug',
  INFO = 'info',
  WARN = 'warn',
  ERROR = 'error',
  SILENT = 'silent',
}

/**
 * When the authorizer fetches its issuers' keys at init, before its first request, replacing a `jwksSeed`'s
 * however fresh (the Lambda's JWKS_WARM_UP). The instance's first TLS set-up goes with the fetch.
 */
export enum JwksWarmUp {
  /**
   * At an init Lambda runs ahead of traffic: provisioned concurrency. The fetch and the first TLS set-up then
   * cost no request, and the first request is decided with the live keys. An on-demand cold start is unchanged.
   */
  AUTO = 'auto',
  /**
   * At every init: an on-demand cold start also waits for the fetch, a seeded one too (the seed still serves
   * when the issuer cannot be reached). No new instance decides with seeded keys while the issuer answers.
   */
  INIT = 'init',
  /** Never: a seed serves as loaded, and keys are fetched as without a warm-up. */
  OFF = 'off',
}

/** The props of a JwtAuthorizer. */
export interface JwtAuthorizerProps {
  /**
   * The token issuers to trust, e.g. `[Issuer.oidc('https://example.eu.auth0.com/', { audience: [...] })]`
   * or `[Issuer.cognito(userPool, { clients: [client] })]`; a token from any one of them passes the issuer
   * check. At most one Cognito user pool.
   */
  readonly issuers: Issuer[];
  /**
   * Routes whose API methods are created elsewhere but authorized by this authorizer. Prefer
   * `addRoutes()` or `addMethod()`: they create the method and record its scopes in one step. Every route
   * here and every route added later ships in the Lambda's code asset (`routes.json`). A route's `scopes: []`
   * lets any valid token of a trusted issuer call it.
   * @default - only the routes added with addRoutes() / addMethod()
   */
  readonly routes?: RouteRule[];
  /**
   * How long API Gateway caches the authorizer's decision. Zero turns caching off. Longer means fewer Lambda
   * invocations, but a token keeps its cached decision for this long. At most `Duration.hours(1)`.
   * @default Duration.minutes(5) - JWT_AUTHORIZER_DEFAULTS.resultsCacheTtl
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * How API Gateway caches decisions: per token, or per token and route (see CachingMode).
   * @default CachingMode.AUTO - JWT_AUTHORIZER_DEFAULTS.caching
   */
  readonly caching?: CachingMode;
  /**
   * Accepted JWT `typ` header values, e.g. `['at+jwt']` for RFC 9068 access tokens.
   * @default - the `typ` header is not checked
   */
  readonly tokenTypes?: string[];
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
   * @default LogLevel.INFO - JWT_AUTHORIZER_DEFAULTS.logLevel
   */
  readonly logLevel?: LogLevel;
  /**
   * The authorizer's metrics (always written, in CloudWatch Embedded Metric Format): their namespace and
   * service name, and the alarms and dashboard to create from them.
   * @default - metrics in the `BearerGate` namespace, `service` the construct's path; no alarms, no dashboard
   */
  readonly monitoring?: AuthorizerMonitoringOptions;
  /**
   * Name of the authorizer in API Gateway.
   * @default - generated from the construct path
   */
  readonly authorizerName?: string;

  /**
   * Instruction set of the authorizer Lambda.
   * @default lambda.Architecture.ARM_64 - JWT_AUTHORIZER_DEFAULTS.architecture
   */
  readonly architecture?: lambda.Architecture;
  /**
   * Memory of the authorizer Lambda in MiB (128 to 10240); CPU scales with it. The authorizer's process
   * holds about 53-58 MiB (RSS) after its first decision (BENCHMARKS.md); the default buys CPU for its decisions,
   * and room for the revocation bundle's AWS SDK, more than memory.
   * @default 256 - JWT_AUTHORIZER_DEFAULTS.memorySize
   */
  readonly memorySize?: number;
  /**
   * Timeout of the authorizer Lambda (1 to 29 seconds; API Gateway gives up at 29 s).
   * @default Duration.seconds(5) - JWT_AUTHORIZER_DEFAULTS.timeout
   */
  readonly timeout?: Duration;
  /**
   * Concurrent executions reserved for the authorizer (at least 1): it keeps this share of the account's
   * concurrency whatever other functions do, and never uses more. Requests beyond it are throttled and get
   * 503 AUTHORIZER_UNAVAILABLE.
   * @default - no reservation: the authorizer shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * X-Ray tracing of the authorizer Lambda. `lambda.Tracing.DISABLED` also leaves out the X-Ray permissions.
   * @default lambda.Tracing.ACTIVE - JWT_AUTHORIZER_DEFAULTS.tracing
   */
  readonly tracing?: lambda.Tracing;
  /**
   * The VPC to run the authorizer in: for an issuer (JWKS, OIDC discovery) or a revocation table reached
   * only from a private network. The subnets need a route to the issuer (a NAT gateway for a public one, or
   * VPC endpoints); the construct grants the network interface permissions Lambda needs.
   * @default - not in a VPC: the authorizer reaches the issuer over the internet
   */
  readonly vpc?: ec2.IVpc;
  /**
   * With `vpc`: where in it the authorizer runs.
   * @default - the VPC's private subnets (lambda.Function's default)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * With `vpc`: the security groups of the authorizer's network interfaces. They need outbound HTTPS to the
   * issuers (and to DynamoDB for revocation).
   * @default - one new security group that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * The log group the authorizer writes to, e.g. one with your retention, encryption key or subscription. The
   * authorizer's role may write to it (and to no other). Not with `logRetention` or `logRemovalPolicy`.
   * @default - a new log group with `logRetention` and `logRemovalPolicy`
   */
  readonly logGroup?: logs.ILogGroup;
  /**
   * Retention of the log group the construct creates.
   * @default logs.RetentionDays.ONE_MONTH - JWT_AUTHORIZER_DEFAULTS.logRetention
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group the construct creates when it leaves the stack.
   * @default RemovalPolicy.RETAIN - JWT_AUTHORIZER_DEFAULTS.logRemovalPolicy (logs outlive the stack)
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * Token revocation from a RevocationList (its table and admin function): the authorizer runs the revocable
   * bundle, reads the list's table (BatchGetItem, GetItem only) and refuses revoked tokens after the signature
   * and claim checks; the result cache TTL is capped at `maxRevocationDelay`.
   * @default - no revocation check
   */
  readonly revocation?: RevocationList;
  /**
   * Token revocation from a table of your own, without RevocationList's admin function (prefer `revocation`).
   * Its key schema must be REVOCATION_TABLE_SCHEMA's (exported by this package); another one fails synth.
   * The authorizer gets read-only access to it, as with `revocation`.
   * @default - no revocation check
   */
  readonly revocationTable?: dynamodb.ITable;
  /**
   * With `revocation` or `revocationTable`: the longest a revoked token may still be served from API
   * Gateway's result cache (1 second to 1 hour). The cache TTL becomes the smaller of this and
   * `resultsCacheTtl`. Shorter means a faster cut-off, but more authorizer invocations and DynamoDB reads.
   * @default Duration.minutes(1) - JWT_AUTHORIZER_DEFAULTS.maxRevocationDelay
   */
  readonly maxRevocationDelay?: Duration;
  /**
   * With `revocation` or `revocationTable`: refuse tokens without a `jti` (they cannot be revoked one by
   * one). `false` lets them through, checked against the subject cut-off only.
   * @default true - JWT_AUTHORIZER_DEFAULTS.revocationRequireJti
   */
  readonly revocationRequireJti?: boolean;
  /**
   * A claim whose value the authorizer returns as `usageIdentifierKey`, e.g. `client_id`: API Gateway usage
   * plans then meter and throttle each client by the API key whose value it is. The REST API's API key source
   * becomes AUTHORIZER when the authorizer is added to it; give methods `apiKeyRequired: true` to enforce the
   * plan. A token without the claim (or whose value is not a non-empty string) gets no usage identifier: API
   * Gateway refuses it on the methods that require an API key (403), and serves the others.
   * @default - no usage identifier: usage plans need the API keys in the x-api-key header
   */
  readonly usageIdentifierClaim?: string;
  /**
   * Accept DPoP-bound tokens (RFC 9449; see sender-constraint.ts). The authorizer becomes a REQUEST
   * authorizer with its result cache off (every request invokes it), and the 401 offers the DPoP scheme.
   * @default - no DPoP: a token with `cnf.jkt` is refused (it reaches a TOKEN authorizer, which cannot see proofs)
   */
  readonly dpop?: DpopProps;
  /**
   * Accept certificate-bound tokens (RFC 8705) on a custom domain with mutual TLS. The authorizer becomes a
   * REQUEST authorizer with its result cache off (every request invokes it).
   * @default - a token with `cnf["x5t#S256"]` reaching a TOKEN authorizer is refused (it cannot see the certificate)
   */
  readonly mutualTls?: MutualTlsProps;
  /**
   * Publish RFC 9728 protected-resource metadata, and point every 401 at it (`resource_metadata`).
   * @default - no metadata
   */
  readonly protectedResource?: ProtectedResourceProps;

  /**
   * The trusted issuers' keys as the Lambda starts with them: a cold start decides its first request with
   * them, no network I/O (no JWKS fetch, no OIDC discovery), and fetches the live JWKS in the background to
   * replace them. While the issuer cannot be reached they keep serving, up to the seed's max age. Write it
   * with `npx bearer-gate-jwks-seed`; it ships as a file in the code asset (JWKS_SEED_FILE).
   * @default - no seed: every cold start fetches the keys before its first decision
   */
  readonly jwksSeed?: JwksSeed;
  /**
   * When the authorizer fetches the issuers' keys at init, ahead of its first request, replacing the
   * `jwksSeed`'s (see JwksWarmUp). With revocation (or DPoP nonces) on, the init also reads the table once, so
   * that the DynamoDB connection is set up too. Bounded: an issuer that does not answer in time leaves the init
   * to the seed, or to the first request's fetch.
   * @default JwksWarmUp.AUTO - JWT_AUTHORIZER_DEFAULTS.jwksWarmUp (at a provisioned-concurrency init)
   */
  readonly jwksWarmUp?: JwksWarmUp;
  /**
   * CA certificates to trust for the issuers' JWKS and OIDC discovery documents, in addition to the public
   * roots Node ships with: for an issuer whose TLS certificate a private CA issued. It ships as a file in the
   * code asset (TRUSTED_CA_FILE), read when the first fetch is made.
   * @default - Node's bundled roots only
   */
  readonly trustedCertificates?: TrustedCertificates;

  /**
   * `Access-Control-Allow-Origin` on the gateway responses (401, 403, 503, ...), so browsers can read them.
   * `CorsOrigin.NONE` sends no CORS headers.
   * @default CorsOrigin.ANY - `*`
   */
  readonly corsAllowOrigin?: CorsOrigin;
  /**
   * `Access-Control-Allow-Headers` on the gateway responses: the request headers your browser clients send
   * (header names only, e.g. `['Authorization', 'Content-Type', 'Idempotency-Key']`).
   * @default - `Authorization` and `Content-Type` (DEFAULT_CORS_ALLOW_HEADERS)
   */
  readonly corsAllowHeaders?: string[];
  /**
   * `Access-Control-Expose-Headers` on the gateway responses: the response headers browsers may read. Keep
   * `WWW-Authenticate` and `Retry-After` in the list: the 401, 403, 429 and 503 responses carry them.
   * @default - `WWW-Authenticate` and `Retry-After` (DEFAULT_CORS_EXPOSE_HEADERS)
   */
  readonly corsExposeHeaders?: string[];
  /**
   * The prefix of the `type` URI in the gateway responses' problem bodies (RFC 9457): a response's `type` is
   * this prefix followed by its code in lower case with hyphens, e.g. `https://errors.example.com/` gives
   * `https://errors.example.com/invalid-token`.
   * @default - `about:blank` for every response (RFC 9457 §4.2.1); clients tell them apart by `code`
   */
  readonly problemTypeBase?: string;
}

/** Method options the caller may set on a protected method; authorization is always the JwtAuthorizer's. */
export interface ProtectedMethodOptions {
  /**
   * A friendly operation name for the method, e.g. `ListOrders`.
   * @default - no operation name
   */
  readonly operationName?: string;
  /**
   * Whether clients must also send a valid API key.
   * @default false
   */
  readonly apiKeyRequired?: boolean;
  /**
   * The responses the method can send.
   * @default - none
   */
  readonly methodResponses?: apigw.MethodResponse[];
  /**
   * Request parameters API Gateway accepts (`method.request.querystring.page`: whether it is required).
   * @default - none
   */
  readonly requestParameters?: { [param: string]: boolean };
  /**
   * Models of the request body by content type, e.g. `{ 'application/json': model }`.
   * @default - none
   */
  readonly requestModels?: { [contentType: string]: apigw.IModel };
  /**
   * The request validator for `requestModels` and `requestParameters`.
   * @default - no validation
   */
  readonly requestValidator?: apigw.IRequestValidator;
  /**
   * Options of a new request validator (instead of `requestValidator`).
   * @default - no validation
   */
  readonly requestValidatorOptions?: apigw.RequestValidatorOptions;
}

/** addMethod()'s options: the method's own, and the scopes its route requires. */
export interface AddMethodOptions extends ProtectedMethodOptions {
  /**
   * The scopes a token must all hold to call the method. `[]` means any valid token of a trusted issuer
   * (signature, issuer, audience, lifetime and required claims are still checked).
   */
  readonly scopes: string[];
}
