// What API Gateway does in front of the authorizer, as plain values: the identity validation expression,
// the result-cache TTL bounds and the gateway responses. CDK-free on purpose: the JwtAuthorizer construct
// deploys these values and the local gateway (local/) reproduces them from this same module.
import { PROBLEM_CONTENT_TYPE, problemType } from '../../lambda/http/problem';

/** The request header the TOKEN authorizer reads (its identity source). */
export const AUTHORIZATION_HEADER = 'Authorization';

/**
 * API Gateway's identityValidationExpression: `Bearer <jwt>`, scheme case-insensitive (RFC 7235 §2.1),
 * one or more spaces (RFC 6750 `1*SP`), then three non-empty base64url parts. Anything else is answered
 * 401 by API Gateway before the Lambda runs, so junk headers cost nothing.
 *
 * Written without inline flags such as `(?i)`: API Gateway evaluates it as a Java regex, the local gateway
 * as a JavaScript one, and this form means the same in both.
 */
export const IDENTITY_VALIDATION_EXPRESSION =
  '^[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/** {@link IDENTITY_VALIDATION_EXPRESSION}, compiled for JavaScript callers. */
export const IDENTITY_VALIDATION_PATTERN = new RegExp(IDENTITY_VALIDATION_EXPRESSION);

/** True when API Gateway would pass this Authorization value to the authorizer at all. */
export function passesIdentityValidation(authorization: string | undefined): boolean {
  return (
    authorization !== undefined && authorization !== '' && IDENTITY_VALIDATION_PATTERN.test(authorization)
  );
}

/** The authorizer result cache TTL when none is given (API Gateway's own default too). */
export const DEFAULT_RESULTS_CACHE_TTL_SECONDS = 300;

/** API Gateway's ceiling for the authorizer result cache TTL. */
export const MAX_RESULTS_CACHE_TTL_SECONDS = 3600;

/**
 * With revocation on, the default cap on the result cache TTL, and so on how long a revoked token may still
 * be served from the cache: one minute trades one authorizer call and one DynamoDB read per token per minute
 * for a cut-off within a minute.
 */
export const DEFAULT_MAX_REVOCATION_DELAY_SECONDS = 60;

/** Seconds a client should wait before retrying after the authorizer could not decide (JWKS unreachable). */
export const AUTHORIZER_FAILURE_RETRY_AFTER_SECONDS = 5;

/** The API Gateway response types this project customizes (names as in AWS::ApiGateway::GatewayResponse). */
export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_FAILURE'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'BAD_REQUEST_BODY'
  | 'THROTTLED'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/** An RFC 9457 problem body, in the same shape the items API answers with (lambda/http/problem.ts). */
export interface GatewayProblem {
  readonly type: string;
  readonly title: string;
  /** Absent only on the DEFAULT_* responses, whose status varies with the error they stand for. */
  readonly status?: number;
  readonly detail: string;
  /** Stable and machine-readable: clients switch on it. */
  readonly code: string;
}

export interface GatewayResponseContract {
  readonly type: GatewayResponseType;
  /** The status API Gateway answers with; undefined keeps the status of the underlying error (DEFAULT_*). */
  readonly statusCode: number | undefined;
  /** Literal header values (the construct quotes them for API Gateway). */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: GatewayProblem;
}

export interface GatewayResponseOptions {
  /**
   * Value of `Access-Control-Allow-Origin` on every gateway response, so a browser can read the error.
   * `null` sends no CORS headers at all: no browser origin may read them.
   * @default '*'
   */
  readonly allowOrigin?: string | null;
}

/** CORS headers on every gateway response; WWW-Authenticate and Retry-After are exposed so browsers can act on them. */
export function corsHeaders(allowOrigin = '*'): Readonly<Record<string, string>> {
  return {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Headers': 'Authorization,Content-Type,Idempotency-Key',
    'Access-Control-Expose-Headers': 'WWW-Authenticate,Retry-After,Location',
  };
}

function problem(code: string, title: string, detail: string, status?: number): GatewayProblem {
  return status === undefined
    ? { type: problemType(code), title, detail, code }
    : { type: problemType(code), title, status, detail, code };
}

/**
 * Every gateway response the construct deploys. Bodies are static JSON on purpose: API Gateway renders them
 * as templates, and static text means the local gateway can reproduce them byte for byte.
 */
export function buildGatewayResponses(
  options: GatewayResponseOptions = {},
): readonly GatewayResponseContract[] {
  const base = {
    ...(options.allowOrigin === null ? {} : corsHeaders(options.allowOrigin)),
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  };
  const responses: GatewayResponseContract[] = [
    {
      // Missing header, a header the identity validation expression refuses, or the authorizer's
      // Error('Unauthorized'). API Gateway cannot tell these apart in a header, so all say invalid_token.
      type: 'UNAUTHORIZED',
      statusCode: 401,
      headers: { ...base, 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      body: problem(
        'INVALID_TOKEN',
        'Unauthorized',
        'The access token is missing, malformed, expired or invalid.',
        401,
      ),
    },
    {
      // The authorizer's policy denies this method: the token is valid but lacks the route's scopes.
      type: 'ACCESS_DENIED',
      statusCode: 403,
      headers: { ...base, 'WWW-Authenticate': 'Bearer error="insufficient_scope"' },
      body: problem(
        'INSUFFICIENT_SCOPE',
        'Forbidden',
        'The access token does not grant the scopes this operation requires.',
        403,
      ),
    },
    // When a Lambda authorizer throws anything but Error('Unauthorized') (JWKS or revocation table
    // unreachable), API Gateway answers AUTHORIZER_CONFIGURATION_ERROR; a timeout or an unusable result
    // (a context value that is an object) answers AUTHORIZER_FAILURE. Neither is the token's fault, and
    // clients cannot tell them apart usefully: both are a retryable 503 with one stable code.
    ...(['AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE'] as const).map((type) => ({
      type,
      statusCode: 503,
      headers: { ...base, 'Retry-After': String(AUTHORIZER_FAILURE_RETRY_AFTER_SECONDS) },
      body: problem(
        'AUTHORIZER_UNAVAILABLE',
        'Service unavailable',
        'The request could not be authorized right now. Retry later.',
        503,
      ),
    })),
    {
      // API Gateway's answer for a path or method that does not exist ("Missing Authentication Token").
      type: 'MISSING_AUTHENTICATION_TOKEN',
      statusCode: 404,
      headers: base,
      body: problem('ROUTE_NOT_FOUND', 'Not found', 'No such route.', 404),
    },
    {
      type: 'BAD_REQUEST_BODY',
      statusCode: 400,
      headers: base,
      body: problem(
        'INVALID_BODY',
        'Bad request',
        'The request body does not match the expected schema.',
        400,
      ),
    },
    {
      type: 'THROTTLED',
      statusCode: 429,
      headers: { ...base, 'Retry-After': '1' },
      body: problem(
        'THROTTLED',
        'Too many requests',
        'The request rate is over the limit. Retry later.',
        429,
      ),
    },
    {
      type: 'DEFAULT_4XX',
      statusCode: undefined,
      headers: base,
      body: problem('REQUEST_REJECTED', 'Request rejected', 'The API gateway rejected the request.'),
    },
    {
      type: 'DEFAULT_5XX',
      statusCode: undefined,
      headers: base,
      body: problem('GATEWAY_ERROR', 'Gateway error', 'The API gateway could not complete the request.'),
    },
  ];
  return Object.freeze(responses.map((r) => Object.freeze(r)));
}

/** The gateway responses with the default options (the ones the local gateway reproduces). */
export const GATEWAY_RESPONSES: readonly GatewayResponseContract[] = buildGatewayResponses();

/** Looks up one response; the local gateway uses this to answer as API Gateway would. */
export function gatewayResponse(
  type: GatewayResponseType,
  responses: readonly GatewayResponseContract[] = GATEWAY_RESPONSES,
): GatewayResponseContract {
  const found = responses.find((r) => r.type === type);
  if (!found) throw new RangeError(`no gateway response of type ${type}`);
  return found;
}

/** The exact body text API Gateway sends for a response (the template is this JSON, verbatim). */
export function gatewayResponseBody(response: GatewayResponseContract): string {
  return JSON.stringify(response.body);
}
