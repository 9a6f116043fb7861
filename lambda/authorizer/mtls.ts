// Certificate-bound access tokens (RFC 8705 §3): the client certificate API Gateway passes in a REQUEST event
// (custom domain with mutual TLS: requestContext.identity.clientCert) must be the one the token names in
// cnf["x5t#S256"], the base64url SHA-256 of its DER encoding.
import { createHash, X509Certificate } from 'node:crypto';
import { field, type AuthorizerEvent } from './event';
import { TokenRejectedError } from './errors';

/** Longer than any certificate chain API Gateway's truststore limits allow a client to present. */
const MAX_PEM_CHARS = 16_384;

/** `requestContext.identity.clientCert.clientCertPem`; undefined when the request came without mTLS. */
function clientCertificatePem(event: AuthorizerEvent): unknown {
  return field(field(field(event.requestContext, 'identity'), 'clientCert'), 'clientCertPem');
}

/** RFC 8705 §3.1: base64url(SHA-256(DER of the certificate)). Throws MTLS_MALFORMED_CERTIFICATE. */
export function certificateThumbprint(pem: unknown): string {
  if (typeof pem !== 'string' || pem.length === 0 || pem.length > MAX_PEM_CHARS) {
    throw new TokenRejectedError('MTLS_MALFORMED_CERTIFICATE', 'the client certificate is not a PEM string');
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch (cause) {
    throw new TokenRejectedError('MTLS_MALFORMED_CERTIFICATE', 'the client certificate does not parse', {
      cause,
    });
  }
  return createHash('sha256').update(certificate.raw).digest('base64url');
}

/**
 * Throws unless the event's client certificate is the one `x5t` names. Only a REQUEST event carries the
 * certificate; a TOKEN authorizer's cached policy would also answer another certificate, so it is refused.
 */
export function checkCertificateBinding(event: AuthorizerEvent, x5t: string): void {
  if (event.type !== 'REQUEST') {
    throw new TokenRejectedError(
      'MTLS_NEEDS_REQUEST_EVENT',
      'a certificate-bound token reached a TOKEN authorizer, which cannot see the client certificate: ' +
        'deploy a REQUEST authorizer with caching off (the construct does this when mutualTls is set)',
    );
  }
  const pem = clientCertificatePem(event);
  if (pem === undefined || pem === null) {
    throw new TokenRejectedError(
      'MTLS_MISSING_CERTIFICATE',
      'a certificate-bound token came without a client certificate (is mutual TLS on for this domain?)',
    );
  }
  if (certificateThumbprint(pem) !== x5t) {
    throw new TokenRejectedError(
      'MTLS_CERTIFICATE_MISMATCH',
      'the client certificate is not the one the token is bound to (cnf x5t#S256)',
    );
  }
}
