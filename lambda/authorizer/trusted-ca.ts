// The trusted CA file's contract, written once: a PEM bundle of the certificates that the JWKS and OIDC
// discovery fetches trust besides Node's bundled roots (a private CA's). parseConfig reads it at init
// (TRUSTED_CA_FILE); the construct's TrustedCertificates checks it at synth with the same rules.
import { X509Certificate } from 'node:crypto';

/** Largest file accepted: a private CA's bundle is a few KB, and it is parsed on every cold start. */
export const TRUSTED_CA_MAX_BYTES = 256 * 1024;

export interface TrustedCertificate {
  /** The certificate as PEM, as OpenSSL writes it. */
  readonly pem: string;
  /** Its subject, one line (`CN=Corp Root CA, O=Corp`). */
  readonly subject: string;
  /** The end of its validity (epoch ms). */
  readonly validTo: number;
}

/** The file holds no certificate, a block that is not one, or a certificate no chain can end at. */
export class TrustedCaError extends Error {
  override readonly name = 'TrustedCaError';
  readonly code = 'INVALID_TRUSTED_CA';
}

const BEGIN = /-----BEGIN ([^\r\n-]+)-----/g;
const END = '-----END CERTIFICATE-----';

function fail(message: string): never {
  throw new TrustedCaError(message);
}

/** Signed by its own key: a root CA's, or a server's own self-signed certificate. */
function selfSigned(certificate: X509Certificate): boolean {
  return certificate.checkIssued(certificate) && certificate.verify(certificate.publicKey);
}

/** `issuer` signed `certificate`. */
function issued(issuer: X509Certificate, certificate: X509Certificate): boolean {
  return certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);
}

/**
 * The certificates of a PEM bundle, in file order; throws TrustedCaError naming what is wrong. Each must be
 * one a chain can end at: a self-signed certificate (a root CA's, or a server's own), or an intermediate CA's
 * with the CA that issued it in the file too; never a server certificate a CA issued. Text outside the
 * blocks (comments, `openssl x509 -text` output) is ignored, as OpenSSL ignores it. Expiry is not checked
 * here: an expired CA fails only the fetches that need it, with "certificate has expired".
 */
export function parseTrustedCertificates(text: string): TrustedCertificate[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > TRUSTED_CA_MAX_BYTES) {
    fail(
      `is ${bytes} bytes, over the ${TRUSTED_CA_MAX_BYTES}-byte limit; keep only the CAs that issued ` +
        "the issuers' TLS certificates",
    );
  }
  const certificates: TrustedCertificate[] = [];
  /** Each certificate, and whether it signed itself (checked once: a signature verification each). */
  const parsed: Array<{ certificate: X509Certificate; root: boolean }> = [];
  for (const begin of text.matchAll(BEGIN)) {
    const label = begin[1] as string;
    const n = certificates.length + 1;
    if (label !== 'CERTIFICATE') {
      fail(
        `has a "${label}" block: only CERTIFICATE blocks belong in it` +
          (label.includes('PRIVATE KEY') ? ' (and a private key never ships with the code)' : ''),
      );
    }
    const end = text.indexOf(END, begin.index);
    const next = text.indexOf('-----BEGIN ', begin.index + begin[0].length);
    if (end === -1 || (next !== -1 && next < end)) {
      fail(`has a certificate (number ${n}) without its ${END} line`);
    }
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(text.slice(begin.index, end + END.length));
    } catch (cause) {
      const reason = (cause as Error).message;
      throw new TrustedCaError(`has a certificate (number ${n}) that does not parse: ${reason}`, { cause });
    }
    const subject = certificate.subject.split('\n').join(', ');
    const root = selfSigned(certificate);
    if (!certificate.ca && !root) {
      fail(
        `has a certificate (number ${n}, ${subject}) that is neither a CA's nor self-signed, so no chain ` +
          'can end at it: put the CA certificate that issued it in the file instead',
      );
    }
    parsed.push({ certificate, root });
    certificates.push({ pem: certificate.toString(), subject, validTo: Date.parse(certificate.validTo) });
  }
  if (certificates.length === 0) {
    fail('has no certificate: it must hold at least one -----BEGIN CERTIFICATE----- block (PEM)');
  }
  // OpenSSL ends a chain only at a self-signed certificate: an intermediate CA's is trusted only with the CA
  // that issued it, else every fetch it should allow fails with "unable to get issuer certificate".
  parsed.forEach(({ certificate, root }, i) => {
    if (root || parsed.some((other, j) => j !== i && issued(other.certificate, certificate))) return;
    fail(
      `has a certificate (number ${i + 1}, ${certificates[i]?.subject}) of an intermediate CA without the ` +
        `CA that issued it (${certificate.issuer.split('\n').join(', ')}): TLS verification ends a chain ` +
        'only at a root, so add the certificate of the CA that issued it to the file',
    );
  });
  return certificates;
}

/** The file's text for these certificates: their PEM blocks, one after another. */
export function formatTrustedCertificates(certificates: readonly TrustedCertificate[]): string {
  return certificates.map((c) => (c.pem.endsWith('\n') ? c.pem : `${c.pem}\n`)).join('');
}
