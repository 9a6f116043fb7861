// A throwaway self-signed certificate for HTTPS servers on 127.0.0.1 (local issuer, test JWKS servers).
import { generate } from 'selfsigned';

export interface TlsMaterial {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate, valid for 127.0.0.1 and localhost; trust it as its own CA. */
  readonly cert: string;
}

export async function createLoopbackCertificate(): Promise<TlsMaterial> {
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
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
