// TrustedCertificates: the CA certificates a JwtAuthorizer's JWKS and OIDC discovery fetches trust besides
// Node's bundled roots, for an issuer whose TLS certificate a private CA issued. Checked at synth by the same
// module that reads it at init (lambda/authorizer/trusted-ca.ts); it reaches the Lambda as a file in its code
// asset (TRUSTED_CA_FILE), never as an environment variable, and never as NODE_EXTRA_CA_CERTS.
import { Token } from 'aws-cdk-lib';
import {
  TrustedCaError,
  formatTrustedCertificates,
  parseTrustedCertificates,
  type TrustedCertificate,
} from '../../lambda/authorizer/trusted-ca';
import { propFile, type PropProblem } from './prop-checks';

/** The bundle's file name in the authorizer's code asset, and the value of TRUSTED_CA_FILE. */
export { TRUSTED_CA_FILE_NAME } from '../../lambda/contract/authorizer-settings';

const PROP = 'trustedCertificates';
const FIX = "Pass the PEM certificates of the CAs that issued your issuers' TLS certificates.";

/**
 * CA certificates (PEM) to trust for the issuers' JWKS and discovery documents, in addition to the public
 * roots Node ships with: issuers with public certificates keep working beside a private one.
 *
 * @example
 * new JwtAuthorizer(this, 'Jwt', { issuer, audience, trustedCertificates: TrustedCertificates.fromFile('corp-ca.pem') });
 */
export class TrustedCertificates {
  /**
   * A PEM file, relative to the directory `cdk synth` runs in (as `lambda.Code.fromAsset` paths are). A file
   * that cannot be read or holds no usable certificate fails the synth of the authorizer it is given to.
   */
  static fromFile(path: string): TrustedCertificates {
    const file = propFile(PROP, path, 'a PEM file of CA certificates');
    if ('problem' in file) return new TrustedCertificates(`from "${path}"`, '', [file.problem]);
    return new TrustedCertificates(`from "${path}"`, file.text);
  }

  /** Certificates given as PEM text: one or more `-----BEGIN CERTIFICATE-----` blocks. */
  static fromPem(pem: string): TrustedCertificates {
    if (Token.isUnresolved(pem)) {
      return new TrustedCertificates('(a PEM string)', '', [
        { prop: PROP, problem: '(a PEM string) must be literal PEM, not a token', fix: FIX },
      ]);
    }
    return new TrustedCertificates('(a PEM string)', pem);
  }

  /** The certificates, checked: within the size cap, each one a CA's or self-signed, none expired. */
  readonly certificates: readonly TrustedCertificate[];
  /**
   * What is wrong with the certificates, reported by the authorizer they are given to (whose path names it).
   * @internal
   */
  readonly _problems: readonly PropProblem[];

  private constructor(
    /** Where the certificates came from, for error messages. */
    readonly source: string,
    text: string,
    problems: readonly PropProblem[] = [],
  ) {
    this._problems = problems;
    this.certificates = [];
    if (problems.length > 0) return;
    try {
      this.certificates = parseTrustedCertificates(text);
    } catch (error) {
      if (!(error instanceof TrustedCaError)) throw error;
      this._problems = [{ prop: PROP, problem: `${source} ${error.message}`, fix: FIX }];
      return;
    }
    // The Lambda keeps an expired CA (it fails only the fetches that need it); a deployment should not ship one.
    const now = Date.now();
    const expired = this.certificates.find((c) => c.validTo <= now);
    if (expired !== undefined) {
      this._problems = [
        {
          prop: PROP,
          problem: `${source} has a certificate (${expired.subject}) that expired on ${new Date(expired.validTo).toISOString()}`,
          fix: "Replace it with the CA's current certificate: no TLS connection can be verified with an expired one.",
        },
      ];
    }
  }

  /** The trusted CA file's text, as the code asset carries it. */
  get pem(): string {
    return formatTrustedCertificates(this.certificates);
  }
}
