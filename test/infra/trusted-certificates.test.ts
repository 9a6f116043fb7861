// TrustedCertificates and JwtAuthorizer's trustedCertificates prop: checked at synth by the module the Lambda
// reads them with, shipped as a file in the code asset (never an environment variable, never
// NODE_EXTRA_CA_CERTS), and read back by parseConfig unchanged. Real certificates from a throwaway CA.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lazy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import {
  Issuer,
  JwtAuthorizer,
  TRUSTED_CA_FILE_NAME,
  TrustedCertificates,
  type JwtAuthorizerProps,
} from '../../infra/constructs';
import { parseConfig } from '../../lambda/authorizer';
import {
  createCaCertificate,
  createIntermediateCa,
  createPrivateCa,
  type Pems,
  type PrivateCa,
} from '../support/private-ca';
import { authorizerAssetFiles, authorizerEnvironment, fastApp, synthError } from './synth-context';

const ROUTE = { method: 'GET' as const, path: '/orders', scopes: ['orders:read'] };
const DAY = 24 * 3600_000;
const FIX = "Pass the PEM certificates of the CAs that issued your issuers' TLS certificates.";
let pki: PrivateCa;
let second: Pems;
let expired: Pems;
let intermediate: Pems;
let dir: string;

beforeAll(async () => {
  pki = await createPrivateCa();
  second = await createCaCertificate('bearer-gate second CA');
  intermediate = await createIntermediateCa(pki.ca);
  expired = await createCaCertificate(
    'expired CA',
    new Date(Date.now() - 30 * DAY),
    new Date(Date.now() - DAY),
  );
  dir = mkdtempSync(join(tmpdir(), 'bearer-gate-trusted-certificates-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const canonical = (pem: string): string => new X509Certificate(pem).toString();

function authorizer(props: Partial<JwtAuthorizerProps>): Stack {
  const stack = new Stack(fastApp(), 'Test');
  const jwt = new JwtAuthorizer(stack, 'Jwt', {
    issuers: [Issuer.oidc('https://issuer.corp.example/', { audience: ['https://api.example.com'] })],
    ...props,
  });
  jwt.addRoutes(
    new apigw.RestApi(stack, 'Api', { deploy: false }),
    [ROUTE],
    () => new apigw.MockIntegration(),
  );
  return stack;
}

test.each<[string, () => TrustedCertificates]>([
  ['fromPem', () => TrustedCertificates.fromPem(pki.ca.cert + second.cert)],
  [
    'fromFile',
    () => {
      const file = join(dir, 'corp-ca.pem');
      writeFileSync(file, `# Corp CAs\n${pki.ca.cert}\n${second.cert}`);
      return TrustedCertificates.fromFile(file);
    },
  ],
])(
  '%s: the PEM ships in the code asset, the environment only names it, parseConfig reads it back',
  (_name, make) => {
    const stack = authorizer({ trustedCertificates: make() });
    const env = authorizerEnvironment(stack);
    const files = authorizerAssetFiles(stack);
    expect(env.TRUSTED_CA_FILE).toBe(TRUSTED_CA_FILE_NAME);
    expect(TRUSTED_CA_FILE_NAME).toBe('trusted-ca.pem');
    expect(files['trusted-ca.pem']).toBe(canonical(pki.ca.cert) + canonical(second.cert));
    expect(JSON.stringify(env)).not.toContain('BEGIN CERTIFICATE');
    expect(env.NODE_EXTRA_CA_CERTS).toBeUndefined();
    const config = parseConfig(env, { read: (path) => files[path] as string });
    expect(config.trustedCa).toEqual({
      file: 'trusted-ca.pem',
      certificates: [canonical(pki.ca.cert), canonical(second.cert)],
    });
  },
);

test('no trustedCertificates: no variable and no file', () => {
  const stack = authorizer({});
  expect(authorizerEnvironment(stack).TRUSTED_CA_FILE).toBeUndefined();
  expect(Object.keys(authorizerAssetFiles(stack)).sort()).toEqual([
    'index.mjs',
    'index.mjs.map',
    'routes.json',
  ]);
});

describe('certificates that cannot work fail the synth, naming the prop and the fix', () => {
  const cases: Array<[string, () => TrustedCertificates, () => string]> = [
    [
      'no certificate at all',
      () => TrustedCertificates.fromPem('subject=CN=Corp Root CA\n'),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has no certificate: it must hold at least one ' +
        `-----BEGIN CERTIFICATE----- block (PEM). ${FIX}`,
    ],
    [
      'a block that does not parse',
      () => TrustedCertificates.fromPem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has a certificate (number 1) that does not parse: ' +
        `error:068000A8:asn1 encoding routines::wrong tag. ${FIX}`,
    ],
    [
      'a private key',
      () => TrustedCertificates.fromPem(pki.ca.cert + pki.ca.key),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has a "PRIVATE KEY" block: only CERTIFICATE blocks ' +
        `belong in it (and a private key never ships with the code). ${FIX}`,
    ],
    [
      "the issuer's server certificate instead of its CA",
      () => TrustedCertificates.fromPem(pki.server.cert),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has a certificate (number 1, CN=127.0.0.1) that is ' +
        "neither a CA's nor self-signed, so no chain can end at it: put the CA certificate that issued it in " +
        `the file instead. ${FIX}`,
    ],
    [
      'an intermediate CA without the root that issued it',
      () => TrustedCertificates.fromPem(intermediate.cert),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has a certificate (number 1, CN=bearer-gate test ' +
        'intermediate CA) of an intermediate CA without the CA that issued it (CN=bearer-gate test private CA): ' +
        'TLS verification ends a chain only at a root, so add the certificate of the CA that issued it to the ' +
        `file. ${FIX}`,
    ],
    [
      'an expired CA',
      () => TrustedCertificates.fromPem(pki.ca.cert + expired.cert),
      () =>
        'Test/Jwt: trustedCertificates (a PEM string) has a certificate (CN=expired CA) that expired on ' +
        `${new Date(Date.parse(new X509Certificate(expired.cert).validTo)).toISOString()}. Replace it with the ` +
        "CA's current certificate: no TLS connection can be verified with an expired one.",
    ],
    [
      'a token',
      () => TrustedCertificates.fromPem(Lazy.string({ produce: () => pki.ca.cert })),
      () => `Test/Jwt: trustedCertificates (a PEM string) must be literal PEM, not a token. ${FIX}`,
    ],
    [
      'a file that cannot be read',
      () => TrustedCertificates.fromFile(join(dir, 'missing.pem')),
      () =>
        `Test/Jwt: trustedCertificates names the file "${join(dir, 'missing.pem')}", which cannot be read ` +
        `(ENOENT: no such file or directory, open '${join(dir, 'missing.pem')}'). Pass the path of a PEM file ` +
        `of CA certificates, relative to ${process.cwd()}.`,
    ],
    [
      'a file over the size cap',
      () => {
        const file = join(dir, 'huge.pem');
        writeFileSync(file, pki.ca.cert + '#'.repeat(256 * 1024));
        return TrustedCertificates.fromFile(file);
      },
      () =>
        `Test/Jwt: trustedCertificates from "${join(dir, 'huge.pem')}" is ` +
        `${Buffer.byteLength(pki.ca.cert) + 256 * 1024} bytes, over the 262144-byte limit; keep only the CAs ` +
        `that issued the issuers' TLS certificates. ${FIX}`,
    ],
  ];

  test.each(cases)('%s', (_name, make, message) => {
    // A factory's problem is reported by the authorizer the certificates are given to, naming its path.
    const error = synthError(() => authorizer({ trustedCertificates: make() }));
    expect([error.code, error.subject, error.message]).toEqual([
      'INVALID_PROP',
      'trustedCertificates',
      message(),
    ]);
  });
});
