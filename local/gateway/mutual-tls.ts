// The local gateway as a custom domain with mutual TLS: HTTPS that asks every client for a certificate and
// verifies it against a truststore (the PEM bundle a domain's truststore.pem holds on AWS).
//
// What API Gateway does, and so what this does:
// - no client certificate: the connection is closed during the handshake, with no HTTP answer (a curl
//   transcript against a mutual-TLS domain shows the server closing right after the client's empty
//   Certificate message);
// - a certificate the truststore does not verify (unknown issuer, expired, self-signed): "the request is
//   denied with a 403 status code" (API Gateway developer guide, rest-api-mutual-tls), before any
//   authorizer; the execution log says why ("Access denied. Reason: ...");
// - a verified certificate: the request goes on, and the certificate reaches REQUEST authorizers and
//   integrations as requestContext.identity.clientCert.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { APIGatewayEventClientCertificate } from 'aws-lambda';
import { clientCertificateContext } from './client-certificate';

export interface GatewayMutualTls {
  /** The gateway's own private key (PEM). */
  readonly key: string;
  /** The gateway's own certificate (PEM): what clients trust, as they trust ACM's for a custom domain. */
  readonly cert: string;
  /** The CA certificates (PEM, one or more) whose client certificates are accepted: the truststore. */
  readonly truststore: string;
}

export type ClientCertificateCheck =
  | { readonly kind: 'verified'; readonly clientCert: APIGatewayEventClientCertificate }
  /** `reason` is OpenSSL's verification error (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_HAS_EXPIRED, ...). */
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'missing' };

/** What the handshake established about the client's certificate. */
export function checkClientCertificate(socket: TLSSocket): ClientCertificateCheck {
  const certificate = socket.getPeerX509Certificate();
  if (certificate === undefined) return { kind: 'missing' };
  if (!socket.authorized) {
    return { kind: 'refused', reason: String(socket.authorizationError ?? 'UNVERIFIED') };
  }
  return { kind: 'verified', clientCert: clientCertificateContext(certificate) };
}

/**
 * `rejectUnauthorized: false` so that a certificate the truststore refuses can still be answered with a 403;
 * a connection without any certificate is closed as soon as its handshake ends.
 */
export function createMutualTlsServer(
  tls: GatewayMutualTls,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer(
    { key: tls.key, cert: tls.cert, ca: tls.truststore, requestCert: true, rejectUnauthorized: false },
    listener,
  );
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.getPeerX509Certificate() === undefined) socket.destroy();
  });
  return server;
}
