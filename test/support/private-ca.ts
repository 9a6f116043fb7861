// A throwaway private CA and a server certificate it issued for 127.0.0.1: what an issuer behind a corporate
// CA serves. Neither is in Node's roots nor in the NODE_EXTRA_CA_CERTS that jest's workers start with.
import { generate } from 'selfsigned';

export interface Pems {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate. */
  readonly cert: string;
}

export interface PrivateCa {
  /** The CA's own certificate: the one to trust. */
  readonly ca: Pems;
  /** A server certificate the CA issued (CA:FALSE, for 127.0.0.1): the one a JWKS server presents. */
  readonly server: Pems;
}

const HOUR = 3600_000;

type Extensions = NonNullable<NonNullable<Parameters<typeof generate>[1]>['extensions']>;

const CA_EXTENSIONS: Extensions = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];

/** A server's extensions for 127.0.0.1; a self-signed one may also sign (itself). */
const serverExtensions = (selfSigned: boolean): Extensions => [
  { name: 'basicConstraints', cA: false },
  { name: 'keyUsage', digitalSignature: true, ...(selfSigned ? { keyCertSign: true } : {}) },
  { name: 'extKeyUsage', serverAuth: true },
  { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
];

/** One P-256 certificate, issued by `issuer` or self-signed, valid from a minute ago for a day by default. */
async function certificate(
  commonName: string,
  extensions: Extensions,
  issuer?: Pems,
  notBefore = new Date(Date.now() - 60_000),
  notAfter = new Date(Date.now() + 24 * HOUR),
): Promise<Pems> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: notBefore,
    notAfterDate: notAfter,
    ...(issuer === undefined ? {} : { ca: issuer }),
    extensions,
  });
  return { key: pems.private, cert: pems.cert };
}

/** A CA valid from `notBefore` to `notAfter` (default: from a minute ago, for a day). */
export function createCaCertificate(commonName: string, notBefore?: Date, notAfter?: Date): Promise<Pems> {
  return certificate(commonName, CA_EXTENSIONS, undefined, notBefore, notAfter);
}

/** A server certificate for 127.0.0.1, issued by `ca` (by default a new CA, valid for a day). */
export async function createPrivateCa(
  ca: Pems | Promise<Pems> = createCaCertificate('bearer-gate test private CA'),
): Promise<PrivateCa> {
  const issuer = await ca;
  return { ca: issuer, server: await certificate('127.0.0.1', serverExtensions(false), issuer) };
}

/** An intermediate CA's certificate, issued by `root` (CA:TRUE, not self-signed). */
export function createIntermediateCa(
  root: Pems,
  commonName = 'bearer-gate test intermediate CA',
): Promise<Pems> {
  return certificate(commonName, CA_EXTENSIONS, root);
}

/** A server's own self-signed certificate for 127.0.0.1 (CA:FALSE): its own trust anchor. */
export function createSelfSignedServer(): Promise<Pems> {
  return certificate('127.0.0.1', serverExtensions(true));
}
