// The client certificate as API Gateway hands it to REQUEST authorizers and proxy integrations on a custom
// domain with mutual TLS: `requestContext.identity.clientCert`, built from the certificate the TLS handshake
// verified.
import type { X509Certificate } from 'node:crypto';
import type { APIGatewayEventClientCertificate } from 'aws-lambda';

/**
 * A distinguished name as API Gateway writes it: the RDNs in the certificate's own order (AWS's example reads
 * `C=US,ST=Washington,L=Seattle,O=Amazon Web Services,OU=Security,CN=My Client`), joined by commas. Node
 * gives one RDN per line with RFC 2253 escaping (a comma inside a value is `\,`), so the join is unambiguous.
 */
export function distinguishedName(nodeName: string): string {
  return nodeName.split('\n').join(',');
}

/**
 * The serial number as AWS's REST examples write it (`a1:a1:…`): lowercase hex, one pair per byte, colons
 * between. Node gives uppercase hex of whole bytes.
 */
export function serialNumber(nodeSerial: string): string {
  const hex = nodeSerial.toLowerCase();
  const even = hex.length % 2 === 0 ? hex : `0${hex}`;
  return (even.match(/../g) ?? []).join(':');
}

/**
 * `requestContext.identity.clientCert`. The validity dates are OpenSSL's `May 28 12:30:02 2019 GMT` form,
 * which is what AWS's examples show and what Node's validFrom/validTo already are.
 */
export function clientCertificateContext(certificate: X509Certificate): APIGatewayEventClientCertificate {
  return {
    clientCertPem: certificate.toString(),
    subjectDN: distinguishedName(certificate.subject),
    issuerDN: distinguishedName(certificate.issuer),
    serialNumber: serialNumber(certificate.serialNumber),
    validity: { notBefore: certificate.validFrom, notAfter: certificate.validTo },
  };
}
