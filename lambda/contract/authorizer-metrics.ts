// The authorizer's CloudWatch metrics, written once: the names, units and dimensions the Lambda writes in
// Embedded Metric Format, which the construct's metric…() methods, alarms and dashboard read back. CDK-free.

/** Where the metrics go unless POWERTOOLS_METRICS_NAMESPACE says otherwise. */
export const DEFAULT_METRICS_NAMESPACE = 'BearerGate';
/** The `service` of log lines and metrics unless POWERTOOLS_SERVICE_NAME says otherwise. */
export const DEFAULT_SERVICE_NAME = 'authorizer';

/** Powertools for AWS Lambda's variable names, which its users already know. */
export const METRICS_NAMESPACE_VARIABLE = 'POWERTOOLS_METRICS_NAMESPACE';
export const SERVICE_NAME_VARIABLE = 'POWERTOOLS_SERVICE_NAME';

/** Every metric has this dimension: the log lines' `service`. */
export const SERVICE_DIMENSION = 'service';
/** The decision metrics have it too, in a second dimension set: the decision line's `reason`. */
export const REASON_DIMENSION = 'reason';
/** ColdStart's second dimension, as Powertools writes it. */
export const FUNCTION_NAME_DIMENSION = 'function_name';

/**
 * A CloudWatch namespace: 1 to 255 of these characters, and not AWS's own (`AWS/…`). A service name: 1 to 255
 * of them as well, since it is a dimension value, a dashboard label and part of every log line.
 */
export const METRIC_NAME_PATTERN = /^[A-Za-z0-9 ._\-/#:@+=]{1,255}$/;

/** Whether CloudWatch takes `value` as a namespace (or a service name): METRIC_NAME_PATTERN, and not `AWS/…`. */
export function isMetricName(value: string): boolean {
  return METRIC_NAME_PATTERN.test(value) && !value.startsWith('AWS/');
}

/** What the decision line's `decision` says, and the metric each one counts in. */
export const DECISION_METRICS = Object.freeze({
  allow: 'Allowed',
  deny: 'Denied',
  unauthorized: 'Unauthorized',
  /** The authorizer could not decide: API Gateway answers 503 (through the construct's gateway responses). */
  error: 'Unavailable',
} as const);

export type DecisionOutcome = keyof typeof DECISION_METRICS;

/**
 * The `reason` of each outcome: a fixed set of codes, so no dimension ever holds text a token chose. The one
 * list of them: the authorizer's code types are derived from it (RejectReason and FailureCode in
 * lambda/authorizer/errors.ts, RouteReason in route-set.ts), so a code is added here and nowhere else.
 */
export const DECISION_REASONS = Object.freeze({
  allow: ['ALLOWED'],
  // The DPOP_NONCE_* denies are a proof answered with a server nonce (RFC 9449 §8): the 403 asks for a retry.
  deny: [
    'INSUFFICIENT_SCOPE',
    'UNDECLARED_ROUTE',
    'UNSAFE_PATH',
    'OVER_DENIED',
    'DPOP_NONCE_REQUIRED',
    'DPOP_NONCE_INVALID',
  ],
  unauthorized: [
    'MISSING_TOKEN',
    'MALFORMED_HEADER',
    'TOKEN_TOO_LARGE',
    'MALFORMED_TOKEN',
    'UNSUPPORTED_ALGORITHM',
    'FORBIDDEN_HEADER',
    'WRONG_TOKEN_TYPE',
    'MISSING_KID',
    'UNKNOWN_KID',
    'BAD_SIGNATURE',
    'INVALID_CLAIM',
    'MISSING_EXP',
    'TOKEN_EXPIRED',
    'TOKEN_NOT_YET_VALID',
    'ISSUED_IN_FUTURE',
    'WRONG_ISSUER',
    'WRONG_AUDIENCE',
    'WRONG_TOKEN_USE',
    'WRONG_CLIENT',
    'MISSING_REQUIRED_CLAIM',
    'WRONG_CLAIM_VALUE',
    'MISSING_JTI',
    'TOKEN_REVOKED',
    // Sender-constrained tokens (dpop.ts, sender-constraint.ts).
    'UNSUPPORTED_BINDING',
    'DPOP_REQUIRED',
    'DPOP_TOKEN_NOT_BOUND',
    'DPOP_BOUND_TOKEN_AS_BEARER',
    'DPOP_NEEDS_REQUEST_EVENT',
    'DPOP_MISSING_PROOF',
    'DPOP_MALFORMED_PROOF',
    'DPOP_UNSUPPORTED_ALGORITHM',
    'DPOP_BAD_KEY',
    'DPOP_BAD_SIGNATURE',
    'DPOP_KEY_MISMATCH',
    'DPOP_WRONG_METHOD',
    'DPOP_WRONG_URL',
    'DPOP_STALE_PROOF',
    'DPOP_WRONG_ATH',
    'DPOP_REPLAYED',
    // Certificate-bound tokens (mtls.ts).
    'MTLS_NEEDS_REQUEST_EVENT',
    'MTLS_MISSING_CERTIFICATE',
    'MTLS_MALFORMED_CERTIFICATE',
    'MTLS_CERTIFICATE_MISMATCH',
  ],
  error: [
    'JWKS_UNAVAILABLE',
    'REVOCATION_UNAVAILABLE',
    'DPOP_REPLAY_UNAVAILABLE',
    'DPOP_NONCE_KEY_UNAVAILABLE',
    'INVALID_EVENT',
    'INTERNAL',
  ],
} as const);

export type DecisionReason = (typeof DECISION_REASONS)[DecisionOutcome][number];

/** A unit from CloudWatch's list (MetricDatum.Unit); only these two are used. */
export type MetricUnit = 'Count' | 'Milliseconds';

/**
 * Every metric the authorizer writes, with its unit. All have the `service` dimension; the four decision
 * metrics also `service` and `reason`; ColdStart has `service` and `function_name` instead.
 */
export const AUTHORIZER_METRICS = Object.freeze({
  /** Decisions that allow the called request (API Gateway then calls the integration). */
  Allowed: 'Count',
  /** Decisions whose policy refuses the called request: 403. */
  Denied: 'Count',
  /** Tokens refused: 401. */
  Unauthorized: 'Count',
  /** Requests the authorizer could not decide: 503. */
  Unavailable: 'Count',
  /** From the invocation's start to its decision, for every outcome. */
  DecisionLatency: 'Milliseconds',
  /** Resources in an allow or deny decision's policy (Allow and Deny statements together). */
  PolicyResources: 'Count',
  /** Revocation table reads, one per decision that got that far, failed reads included. */
  RevocationLookups: 'Count',
  RevocationLatency: 'Milliseconds',
  /** The first invocation of an instance. */
  ColdStart: 'Count',
  /** JWKS requests made, failed ones included (a failure while a seed serves counts too). */
  JwksFetches: 'Count',
  JwksFetchFailures: 'Count',
  JwksFetchLatency: 'Milliseconds',
  /** Keys left out of a JWKS because they carry private or secret material. */
  JwksKeysRefused: 'Count',
  /** OIDC discovery requests, failed ones included. */
  Discoveries: 'Count',
  DiscoveryFailures: 'Count',
  DiscoveryLatency: 'Milliseconds',
  /** A fetch failed while the JWKS seed kept deciding requests: degraded, not down. */
  JwksSeedServing: 'Count',
  /** The seed grew too old to trust (at init, or while it served): from then on, keys must be fetched. */
  JwksSeedExpired: 'Count',
  /**
   * An init that failed (a configuration error, or any other): Lambda answers the invocation with an error, and
   * no decision is logged or counted. Written once per failed init, before the error is rethrown.
   */
  InitFailures: 'Count',
} satisfies Record<string, MetricUnit>);

export type AuthorizerMetricName = keyof typeof AUTHORIZER_METRICS;
