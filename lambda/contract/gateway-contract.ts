// What API Gateway does in front of the authorizer, as plain values: the identity validation expression,
// the result-cache TTL bounds and the gateway responses. CDK-free on purpose: the JwtAuthorizer construct
// deploys these values and a local gateway (this repository's local/) reproduces them from this same module.
import {
  DPOP_HEADER,
  DPOP_NONCE_CONTEXT_KEYS,
  DPOP_NONCE_HEADER,
  unauthorizedChallenge,
} from './sender-constraint';

/** RFC 9457's media type for problem details. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** What a problem's `type` is when no base URI is given: RFC 9457 §4.2.1's "nothing beyond the status". */
export const BLANK_PROBLEM_TYPE = 'about:blank';

/** Request headers a browser may send cross-origin when nothing else is configured. */
export const DEFAULT_CORS_ALLOW_HEADERS: readonly string[] = Object.freeze(['Authorization', 'Content-Type']);

/** Response headers a browser may read when nothing else is configured: the ones the gateway responses carry. */
export const DEFAULT_CORS_EXPOSE_HEADERS: readonly string[] = Object.freeze([
  'WWW-Authenticate',
  'Retry-After',
]);

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
export const IDENTITY_VALIDATION_PATTERN = /* @__PURE__ */ new RegExp(IDENTITY_VALIDATION_EXPRESSION);

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

/** An RFC 9457 problem body, with the stable `code` extension member clients switch on. */
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
  /**
   * Headers API Gateway fills from the Lambda authorizer's `context` (header name -> context key; the
   * construct maps each to `context.authorizer.<key>`). Only ACCESS_DENIED has them, with `dpopNonces`.
   */
  readonly contextHeaders?: Readonly<Record<string, string>>;
  readonly body: GatewayProblem;
}

export interface GatewayResponseOptions {
  /**
   * Value of `Access-Control-Allow-Origin` on every gateway response, so a browser can read the error.
   * `null` sends no CORS headers at all: no browser origin may read them.
   * @default '*'
   */
  readonly allowOrigin?: string | null;
  /**
   * `Access-Control-Allow-Headers`: the request headers the API's browser clients send.
   * @default DEFAULT_CORS_ALLOW_HEADERS (Authorization, Content-Type)
   */
  readonly corsAllowHeaders?: readonly string[];
  /**
   * `Access-Control-Expose-Headers`: the response headers a browser may read.
   * @default DEFAULT_CORS_EXPOSE_HEADERS (WWW-Authenticate, Retry-After)
   */
  readonly corsExposeHeaders?: readonly string[];
  /**
   * The prefix of every problem `type` URI: `type` is this prefix followed by the code in lower case with
   * hyphens, e.g. `https://errors.example.com/invalid-token` for INVALID_TOKEN.
   * @default - every `type` is BLANK_PROBLEM_TYPE (`about:blank`); clients tell problems apart by `code`
   */
  readonly problemTypeBase?: string;
  /**
   * DPoP-bound tokens are accepted: the 401 and 403 offer the `DPoP` scheme with its `algs` (RFC 9449 §7.1),
   * and browsers may send the `DPoP` header (it joins the default allowed headers).
   * @default false
   */
  readonly dpop?: boolean;
  /**
   * Every token must be DPoP-bound: the challenges offer `DPoP` only.
   * @default false
   */
  readonly dpopRequired?: boolean;
  /**
   * The protected-resource metadata URL (RFC 9728 §3.1), put in every challenge as `resource_metadata`.
   * @default - no resource_metadata parameter
   */
  readonly resourceMetadataUrl?: string;
  /**
   * DPoP server nonces (RFC 9449 §8) are on: the 403 (ACCESS_DENIED) takes its `WWW-Authenticate` and
   * `DPoP-Nonce` from the authorizer's context (DPOP_NONCE_CONTEXT_KEYS), so one response answers both a nonce
   * challenge and an insufficient scope, and browsers may read `DPoP-Nonce` (it joins the default exposed
   * headers).
   * @default false
   */
  readonly dpopNonces?: boolean;
}

/** CORS headers on every gateway response; WWW-Authenticate and Retry-After are exposed so browsers can act on them. */
export function corsHeaders(
  allowOrigin = '*',
  allowHeaders: readonly string[] = DEFAULT_CORS_ALLOW_HEADERS,
  exposeHeaders: readonly string[] = DEFAULT_CORS_EXPOSE_HEADERS,
): Readonly<Record<string, string>> {
  return {
    'Access-Control-Allow-Origin': allowOrigin,
    'Access-Control-Allow-Headers': allowHeaders.join(','),
    'Access-Control-Expose-Headers': exposeHeaders.join(','),
  };
}

/** The problem `type` URI of a code: `base` + `invalid-token` for INVALID_TOKEN, or `about:blank` without a base. */
export function problemTypeUri(code: string, base: string | undefined): string {
  return base === undefined ? BLANK_PROBLEM_TYPE : `${base}${code.toLowerCase().replaceAll('_', '-')}`;
}

/**
 * Every gateway response the construct deploys. Bodies are static JSON on purpose: API Gateway renders them
 * as templates, and static text means the local gateway can reproduce them byte for byte.
 */
export function buildGatewayResponses(
  options: GatewayResponseOptions = {},
): readonly GatewayResponseContract[] {
  const allowHeaders =
    options.corsAllowHeaders ??
    (options.dpop === true ? [...DEFAULT_CORS_ALLOW_HEADERS, DPOP_HEADER] : undefined);
  const exposeHeaders =
    options.corsExposeHeaders ??
    (options.dpopNonces === true ? [...DEFAULT_CORS_EXPOSE_HEADERS, DPOP_NONCE_HEADER] : undefined);
  const challenge = (error: string): string =>
    unauthorizedChallenge(error, {
      dpop: options.dpop === true,
      dpopRequired: options.dpopRequired,
      resourceMetadataUrl: options.resourceMetadataUrl,
    });
  const base = {
    ...(options.allowOrigin === null ? {} : corsHeaders(options.allowOrigin, allowHeaders, exposeHeaders)),
    'Content-Type': PROBLEM_CONTENT_TYPE,
    'Cache-Control': 'no-store',
  };
  const problem = (code: string, title: string, detail: string, status?: number): GatewayProblem => {
    const type = problemTypeUri(code, options.problemTypeBase);
    return status === undefined ? { type, title, detail, code } : { type, title, status, detail, code };
  };
  const responses: GatewayResponseContract[] = [
    {
      // Missing header, a header the identity validation expression refuses, or the authorizer's
      // Error('Unauthorized'). API Gateway cannot tell these apart in a header, so all say invalid_token.
      type: 'UNAUTHORIZED',
      statusCode: 401,
      headers: { ...base, 'WWW-Authenticate': challenge('invalid_token') },
      body: problem(
        'INVALID_TOKEN',
        'Unauthorized',
        'The access token is missing, malformed, expired or invalid.',
        401,
      ),
    },
    options.dpopNonces === true
      ? {
          // The authorizer's policy denies this method, and its context says why: the challenge of a proof
          // without the server nonce (RFC 9449 §9), or of a token without the route's scopes (RFC 6750 §3.1).
          // API Gateway answers a Deny only with this response, whose status is static: so a nonce challenge
          // is a 403, where RFC 9449 writes 401 (the README says why and which clients this suits).
          type: 'ACCESS_DENIED',
          statusCode: 403,
          headers: base,
          contextHeaders: {
            'WWW-Authenticate': DPOP_NONCE_CONTEXT_KEYS.wwwAuthenticate,
            [DPOP_NONCE_HEADER]: DPOP_NONCE_CONTEXT_KEYS.dpopNonce,
          },
          body: problem(
            'ACCESS_DENIED',
            'Forbidden',
            'The access token does not grant the scopes this operation requires, or the DPoP proof must ' +
              'carry the server nonce; WWW-Authenticate says which (insufficient_scope or use_dpop_nonce).',
            403,
          ),
        }
      : {
          // The authorizer's policy denies this method: the token is valid but lacks the route's scopes.
          type: 'ACCESS_DENIED',
          statusCode: 403,
          headers: { ...base, 'WWW-Authenticate': challenge('insufficient_scope') },
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
export const GATEWAY_RESPONSES: readonly GatewayResponseContract[] = /* @__PURE__ */ buildGatewayResponses();

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
