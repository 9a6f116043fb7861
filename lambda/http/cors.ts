// CORS on the API's own answers. With a Lambda proxy integration API Gateway adds no CORS header to what the
// Lambda returns (only the preflight and the gateway responses get them), so without these a browser app
// could not read a single item.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

/** Request headers the browser app sends: the preflight and the gateway responses allow these. */
export const CORS_ALLOW_HEADERS: readonly string[] = Object.freeze([
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
]);

/**
 * Response headers the browser app may read: the authorizer's (WWW-Authenticate, Retry-After, and DPoP-Nonce
 * with DPoP server nonces) and the API's own (Location). The handlers, the preflight and the gateway responses
 * all expose these.
 */
export const CORS_EXPOSE_HEADERS: readonly string[] = Object.freeze([
  'WWW-Authenticate',
  'Retry-After',
  'DPoP-Nonce',
  'Location',
]);

/** {@link CORS_EXPOSE_HEADERS} as the header value. */
export const EXPOSED_HEADERS = CORS_EXPOSE_HEADERS.join(',');

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/**
 * Adds `Access-Control-Allow-Origin: <allowOrigin>` (one origin, never a list or a pattern) to every result.
 * `undefined` leaves results untouched: no browser origin may read them.
 */
export function withCorsOrigin<H extends Handler>(handler: H, allowOrigin: string | undefined): H {
  if (allowOrigin === undefined) return handler;
  const wrapped = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const result = await handler(event);
    return {
      ...result,
      headers: {
        ...result.headers,
        'Access-Control-Allow-Origin': allowOrigin,
        'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      },
    };
  };
  return wrapped as H;
}

/** Checks a CORS_ALLOW_ORIGIN value: exactly one serialized origin (scheme://host[:port]), not `*`. */
export function parseAllowOrigin(raw: string | undefined): string | undefined | Error {
  const value = (raw ?? '').trim();
  if (value === '') return undefined;
  let origin: string | undefined;
  try {
    origin = new URL(value).origin;
  } catch {
    origin = undefined;
  }
  if (origin !== value || (!value.startsWith('https://') && !value.startsWith('http://'))) {
    return new Error(
      `CORS_ALLOW_ORIGIN must be one origin such as https://app.example.com (no path, no "*"); got "${value}"`,
    );
  }
  return value;
}
