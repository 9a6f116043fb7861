// A throwaway self-signed certificate for HTTPS servers on 127.0.0.1 (local issuer, test JWKS servers).
import { randomUUID } from 'node:crypto';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate, valid for 127.0.0.1 and localhost; trust it as its own CA. */
  readonly cert: string;
}

export async function createLoopbackCertificate(): Promise<TlsMaterial> {
  const now = Date.now();
  // A subject of its own: OpenSSL looks a certificate's issuer up by subject name, so two throwaway CAs both
  // named 127.0.0.1 in one trust store (NODE_EXTRA_CA_CERTS and another's, as Node 24 merges them) make the
  // wrong one be found and verification fail.
  const subject = [
    { name: 'commonName', value: '127.0.0.1' },
    { name: 'organizationName', value: `bearer-gate local ${randomUUID()}` },
  ];
  const pems = await generate(subject, {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 60_000),
    notAfterDate: new Date(now + 7 * 24 * 3600_000),
    extensions: [
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
  });
  return { key: pems.private, cert: pems.cert };
}
