// The DPoP server nonce on the API's own answers (RFC 9449 §8.2): with nonces on, the authorizer puts the nonce
// the client's next proof must carry in its context, and API Gateway gives the integration that context, not a
// header; so each answer returns it as `DPoP-Nonce`, and a DPoP client keeps going without a challenge.
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DPOP_NONCE_CONTEXT_KEYS, DPOP_NONCE_HEADER } from 'bearer-gate/contract';

// What the authorizer hands out (base64url); anything else is not echoed into a header.
const NONCE = /^[A-Za-z0-9_-]{1,256}$/;

/** `result` with the context's nonce as `DPoP-Nonce`, or `result` itself when the context has none. */
export function withDpopNonce(
  event: Pick<APIGatewayProxyEvent, 'requestContext'>,
  result: APIGatewayProxyResult,
): APIGatewayProxyResult {
  const context: unknown = event.requestContext?.authorizer;
  const nonce =
    typeof context === 'object' && context !== null
      ? (context as Record<string, unknown>)[DPOP_NONCE_CONTEXT_KEYS.dpopNonce]
      : undefined;
  if (typeof nonce !== 'string' || !NONCE.test(nonce)) return result;
  return { ...result, headers: { ...result.headers, [DPOP_NONCE_HEADER]: nonce } };
}
