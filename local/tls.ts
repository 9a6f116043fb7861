// Throwaway certificates for the local loop on 127.0.0.1: the HTTPS servers' own (local issuer, local gateway,
// test JWKS servers), and a client CA with the client certificates it issues for mutual TLS (MTLS=1).
import { randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate. For a loopback certificate: valid for 127.0.0.1 and localhost; trust it as its own CA. */
  readonly cert: string;
}

type Extensions = NonNullable<NonNullable<Parameters<typeof generate>[1]>['extensions']>;

const DAY_MS = 24 * 3600_000;

/**
 * A subject of its own for every certificate that signs: OpenSSL looks a certificate's issuer up by subject
 * name, so two throwaway CAs both named 127.0.0.1 in one trust store (NODE_EXTRA_CA_CERTS and another's, as
 * Node 24 merges them) make the wrong one be found and verification fail.
 */
function uniqueSubject(commonName: string): { name: string; value: string }[] {
  return [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: `bearer-gate local ${randomUUID()}` },
  ];
}

async function certificate(
  subject: { name: string; value: string }[],
  extensions: Extensions,
  validDays: number,
  issuer?: TlsMaterial,
): Promise<TlsMaterial> {
  const now = Date.now();
  const pems = await generate(subject, {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + validDays * DAY_MS),
    ...(issuer === undefined ? {} : { ca: issuer }),
    extensions,
  });
  return { key: pems.private, cert: pems.cert };
}

export function createLoopbackCertificate(): Promise<TlsMaterial> {
  return certificate(
    uniqueSubject('127.0.0.1'),
    [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
    7,
  );
}

/**
 * The local gateway's truststore (what a custom domain's truststore.pem holds on AWS): a CA that signs
 * client certificates. No extended key usage: OpenSSL would hold a CA limited to serverAuth unfit to issue
 * client certificates.
 */
export function createClientCa(): Promise<TlsMaterial> {
  return certificate(
    uniqueSubject('bearer-gate local client CA'),
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
    7,
  );
}

/** A client certificate (CA:FALSE, clientAuth) that `ca` issued to `commonName`, valid for a day. */
export function issueClientCertificate(ca: TlsMaterial, commonName: string): Promise<TlsMaterial> {
  return certificate(
    uniqueSubject(commonName),
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
    1,
    ca,
  );
}
