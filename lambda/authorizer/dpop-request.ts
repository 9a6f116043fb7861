// What a DPoP proof is checked against, read from API Gateway's REQUEST authorizer event: every `DPoP` header
// value, the method, and the URL the client sent (RFC 9449 §4.3's `htm` and `htu`).
import { field, headerValues, type AuthorizerEvent } from './event';
import { InvalidEventError } from './errors';
import { isLoopback } from '../contract/sender-constraint';

export interface ProofRequest {
  /** Every value of the DPoP header (RFC 9449 §4.3 step 1 wants exactly one). */
  readonly proofs: readonly unknown[];
  readonly method: string;
  /**
   * `https://` + requestContext.domainName + requestContext.path: the host the client called (the custom
   * domain or the execute-api host; API Gateway sets both fields, the client sets neither) and the path as
   * sent, with the stage (execute-api) or the base path (custom domain). No query, no fragment.
   */
  readonly url: string;
}

/**
 * Reads a REQUEST event. The scheme is https, API Gateway's only one; `X-Forwarded-Proto: http` is believed
 * for a loopback host only, which API Gateway never has: that is the local gateway, served over plain http.
 */
export function readProofRequest(event: AuthorizerEvent): ProofRequest {
  const context = event.requestContext;
  const method = field(context, 'httpMethod') ?? event.httpMethod;
  const domainName = field(context, 'domainName');
  const path = field(context, 'path');
  if (typeof method !== 'string' || typeof domainName !== 'string' || domainName === '') {
    throw new InvalidEventError('REQUEST event without requestContext.httpMethod and domainName');
  }
  if (typeof path !== 'string' || !path.startsWith('/')) {
    throw new InvalidEventError('REQUEST event without requestContext.path');
  }
  const hostname = domainName.replace(/:\d+$/, '').toLowerCase();
  const proto = isLoopback(hostname) ? headerValues(event, 'x-forwarded-proto') : [];
  const scheme = proto.length === 1 && proto[0] === 'http' ? 'http' : 'https';
  return { proofs: headerValues(event, 'dpop'), method, url: `${scheme}://${domainName}${path}` };
}
