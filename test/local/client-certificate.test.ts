// The login client's certificate handling for `npm run login -- --mtls` and `npm run call -- --cert --key`:
// certificates issued by a real throwaway client CA, written to and read from real files, and the check that
// an issued token names the certificate (the expected thumbprint computed here from the PEM text).
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isBoundTo,
  newClientCertificate,
  readClientCertificate,
  requireMutualTls,
  writeClientCertificate,
  type ClientCertificate,
} from '../../local/login-client';
import type { LocalMutualTls } from '../../local/stack-file';
import { createClientCa, createLoopbackCertificate } from '../../local/tls';

let mtls: LocalMutualTls;
let apiCertificate: string;
let alice: ClientCertificate;
let bob: ClientCertificate;
// Made when the file loads: the failure table below names its paths.
const dir = mkdtempSync(join(tmpdir(), 'client-certificate-test-'));

/** An unsigned JWT with this payload: isBoundTo reads, it does not verify. */
const token = (payload: unknown): string =>
  `e30.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.c2ln`;

function x5tOf(pem: string): string {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '';
  return createHash('sha256')
    .update(Buffer.from(body.replace(/\s+/g, ''), 'base64'))
    .digest('base64url');
}

beforeAll(async () => {
  const [clientCa, server] = await Promise.all([createClientCa(), createLoopbackCertificate()]);
  mtls = { clientId: 'local-cli-mtls', clientCa };
  apiCertificate = server.cert;
  [alice, bob] = await Promise.all([newClientCertificate(mtls, 'alice'), newClientCertificate(mtls, 'bob')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('a new client certificate: issued by the client CA for clientAuth, with a subject of its own', () => {
  const certificate = new X509Certificate(alice.cert);
  const ca = new X509Certificate(mtls.clientCa.cert);
  expect(certificate.checkIssued(ca)).toBe(true);
  expect(certificate.verify(ca.publicKey)).toBe(true);
  expect(certificate.ca).toBe(false);
  expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
  expect(certificate.subject).toMatch(/^CN=alice\nO=bearer-gate local [0-9a-f-]{36}$/);
  expect(certificate.subject).not.toBe(new X509Certificate(bob.cert).subject);
  expect(ca.subject).toMatch(/^CN=bearer-gate local client CA\nO=bearer-gate local [0-9a-f-]{36}$/);
});

test('written to a new directory: the certificate, its key (mode 0600) and the API certificate; read back', () => {
  const files = writeClientCertificate(alice, apiCertificate);
  try {
    expect(statSync(files.keyFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(files.apiCaFile, 'utf8')).toBe(apiCertificate);
    expect(readClientCertificate(files.certFile, files.keyFile)).toEqual(alice);
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
  }
});

test.each<[string, () => [string, string], string]>([
  [
    'a missing certificate file',
    () => [join(dir, 'none.pem'), join(dir, 'none-key.pem')],
    `--cert cannot be read (${join(dir, 'none.pem')})`,
  ],
  [
    'a key file that holds a certificate',
    () => {
      writeFileSync(join(dir, 'c.pem'), alice.cert);
      return [join(dir, 'c.pem'), join(dir, 'c.pem')];
    },
    `--key is not a PEM file (${join(dir, 'c.pem')})`,
  ],
  [
    'a certificate file that holds a key',
    () => {
      writeFileSync(join(dir, 'k.pem'), alice.key);
      return [join(dir, 'k.pem'), join(dir, 'k.pem')];
    },
    `--cert is not a PEM file (${join(dir, 'k.pem')})`,
  ],
])('%s is refused, naming the flag', (_name, files, message) => {
  const [certFile, keyFile] = files();
  expect(() => readClientCertificate(certFile, keyFile)).toThrow(message);
});

test.each<[string, boolean, () => string]>([
  ['cnf x5t#S256 of this certificate', true, () => token({ cnf: { 'x5t#S256': x5tOf(alice.cert) } })],
  ["another certificate's thumbprint", false, () => token({ cnf: { 'x5t#S256': x5tOf(bob.cert) } })],
  ['no cnf (a bearer token)', false, () => token({ sub: 'alice' })],
  ['cnf.jkt only (DPoP-bound)', false, () => token({ cnf: { jkt: x5tOf(alice.cert) } })],
  ['a payload that is not JSON', false, () => 'e30.bm90IGpzb24.c2ln'],
  ['not a JWT', false, () => 'opaque-token'],
])('isBoundTo: %s → %s', (_name, bound, jwt) => {
  expect(isBoundTo(jwt(), alice)).toBe(bound);
});

test.each<[string, LocalMutualTls | null | undefined, string | null | undefined]>([
  ['a stack file without mtls', undefined, undefined],
  ['a stack started without MTLS=1', null, null],
])('requireMutualTls: %s is refused, naming the flag', (_name, stackMtls, stackApiCertificate) => {
  expect(() => requireMutualTls(stackMtls, stackApiCertificate, '--mtls')).toThrow(
    '--mtls needs the stack started with MTLS=1 (a gateway that requires client certificates)',
  );
});
