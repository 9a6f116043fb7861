// Certificate-bound tokens (RFC 8705) in the authorizer core: REQUEST events carrying real client certificates
// (made with selfsigned) the way API Gateway passes them on a mutual-TLS custom domain, real signed tokens,
// each failure with its exact reason code. The thumbprint oracle here decodes the PEM itself (RFC 7468) and
// hashes the DER, independently of the code under test (which parses with X509Certificate).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { claims, signToken, type TestKey, createKey } from '../support/keys';
import { makeProof, thumbprint } from '../support/dpop-proof';
import { createCaCertificate, type Pems } from '../support/private-ca';
import { propertyRuns } from '../hardening/property-runs';
import { API_ARN, lastDecision, startHarness, tokenEvent, type Harness } from './harness';
import { certificateThumbprint } from '../../lambda/authorizer/mtls';

const HOST = 'api.example.com';
const UNAUTHORIZED = /^Unauthorized$/;

let h: Harness;
let certA: Pems;
let certB: Pems;
let dpopKey: TestKey;
beforeAll(async () => {
  h = await startHarness();
  [certA, certB] = await Promise.all([
    createCaCertificate('mtls client A'),
    createCaCertificate('mtls client B'),
  ]);
  dpopKey = createKey('ES256');
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

/** RFC 8705 §3.1, computed from the PEM text: base64url(SHA-256(DER)). */
function x5tOf(pem: string): string {
  const body = pem
    .replace(/-----BEGIN CERTIFICATE-----/, '')
    .replace(/-----END CERTIFICATE-----[\s\S]*$/, '')
    .replace(/\s+/g, '');
  return createHash('sha256').update(Buffer.from(body, 'base64')).digest('base64url');
}

/**
 * A REQUEST event for GET https://HOST/items on a custom domain with mutual TLS; `clientCert` is what API
 * Gateway puts in requestContext.identity (null when the request came without a certificate).
 */
function requestEvent(authorization: string, clientCert: unknown, dpop?: string): Record<string, unknown> {
  const headers: Record<string, string> = { Authorization: authorization, Host: HOST };
  if (dpop !== undefined) headers.DPoP = dpop;
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/GET/items`,
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    requestContext: {
      httpMethod: 'GET',
      resourcePath: '/items',
      path: '/items',
      stage: 'prod',
      domainName: HOST,
      identity: { sourceIp: '203.0.113.9', clientCert },
    },
  };
}

/** The clientCert object API Gateway passes (its validity and issuer fields are not what is checked). */
const clientCert = (pem: unknown) => ({
  clientCertPem: pem,
  subjectDN: 'CN=client',
  issuerDN: 'CN=client',
  serialNumber: '1',
  validity: { notBefore: 'May 28 12:30:02 2019 GMT', notAfter: 'Aug  5 09:36:04 2031 GMT' },
});

const boundToken = (pem: string, extra: Record<string, unknown> = {}) =>
  signToken(h.keys.rsa, claims({ cnf: { 'x5t#S256': x5tOf(pem), ...extra } }));

test('the oracle and the code agree on a real certificate thumbprint', () => {
  expect(certificateThumbprint(certA.cert)).toBe(x5tOf(certA.cert));
  expect(x5tOf(certA.cert)).not.toBe(x5tOf(certB.cert));
});

test('a certificate-bound token with its certificate is allowed for the route', async () => {
  const token = boundToken(certA.cert);
  const policy = await h.authorizer().authorize(requestEvent(`Bearer ${token}`, clientCert(certA.cert)));
  expect(policy.policyDocument.Statement[0]).toEqual({
    Action: 'execute-api:Invoke',
    Effect: 'Allow',
    Resource: [`${API_ARN}/GET/items`, `${API_ARN}/GET/items/`],
  });
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
});

test('a token bound to a certificate and a DPoP key, with both, is allowed', async () => {
  const token = boundToken(certA.cert, { jkt: thumbprint(dpopKey.jwk) });
  const proof = makeProof(dpopKey, { htm: 'GET', htu: `https://${HOST}/items`, token });
  await expect(
    h.authorizer().authorize(requestEvent(`DPoP ${token}`, clientCert(certA.cert), proof)),
  ).resolves.toMatchObject({ principalId: 'user-1' });
});

// Each case: the request to make, and the exact reason the authorizer logs.
test.each<[string, () => Record<string, unknown>, string]>([
  [
    'no client certificate (clientCert null)',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, null),
    'MTLS_MISSING_CERTIFICATE',
  ],
  [
    'no identity in the request context',
    () => {
      const event = requestEvent(`Bearer ${boundToken(certA.cert)}`, null);
      delete (event.requestContext as Record<string, unknown>).identity;
      return event;
    },
    'MTLS_MISSING_CERTIFICATE',
  ],
  [
    'clientCert without clientCertPem',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, {}),
    'MTLS_MISSING_CERTIFICATE',
  ],
  [
    'another certificate',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, clientCert(certB.cert)),
    'MTLS_CERTIFICATE_MISMATCH',
  ],
  [
    'a PEM that is not a certificate',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, clientCert(certA.key)),
    'MTLS_MALFORMED_CERTIFICATE',
  ],
  [
    'a clientCertPem that is a number',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, clientCert(42)),
    'MTLS_MALFORMED_CERTIFICATE',
  ],
  [
    'a clientCertPem over 16 KiB',
    () => requestEvent(`Bearer ${boundToken(certA.cert)}`, clientCert(certA.cert + ' '.repeat(16_384))),
    'MTLS_MALFORMED_CERTIFICATE',
  ],
  [
    'the bound token in a TOKEN event',
    () => tokenEvent(`Bearer ${boundToken(certA.cert)}`),
    'MTLS_NEEDS_REQUEST_EVENT',
  ],
  [
    'cnf x5t#S256 that is no thumbprint',
    () =>
      requestEvent(
        `Bearer ${signToken(h.keys.rsa, claims({ cnf: { 'x5t#S256': 'short' } }))}`,
        clientCert(certA.cert),
      ),
    'INVALID_CLAIM',
  ],
  [
    'cnf x5t#S256 with a method this resource cannot check',
    () => requestEvent(`Bearer ${boundToken(certA.cert, { jwk: { kty: 'EC' } })}`, clientCert(certA.cert)),
    'UNSUPPORTED_BINDING',
  ],
  [
    'bound to a certificate and a DPoP key: the certificate, but no proof',
    () =>
      requestEvent(
        `Bearer ${boundToken(certA.cert, { jkt: thumbprint(dpopKey.jwk) })}`,
        clientCert(certA.cert),
      ),
    'DPOP_BOUND_TOKEN_AS_BEARER',
  ],
  [
    'bound to a certificate and a DPoP key: a good proof, another certificate',
    () => {
      const token = boundToken(certA.cert, { jkt: thumbprint(dpopKey.jwk) });
      const proof = makeProof(dpopKey, { htm: 'GET', htu: `https://${HOST}/items`, token });
      return requestEvent(`DPoP ${token}`, clientCert(certB.cert), proof);
    },
    'MTLS_CERTIFICATE_MISMATCH',
  ],
])('%s: 401 %s', async (_name, event, reason) => {
  await expect(h.authorizer().authorize(event())).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason });
});

test('an unbound bearer token is decided as before, with or without a client certificate', async () => {
  const token = signToken(h.keys.rsa, claims());
  const a = h.authorizer();
  await expect(a.authorize(requestEvent(`Bearer ${token}`, null))).resolves.toMatchObject({
    principalId: 'user-1',
  });
  await expect(a.authorize(requestEvent(`Bearer ${token}`, clientCert(certB.cert)))).resolves.toMatchObject({
    principalId: 'user-1',
  });
});

test('property: a clientCertPem whose DER is not the bound certificate (a changed character, any string) is never allowed', async () => {
  const token = boundToken(certA.cert);
  const a = h.authorizer();
  const pem = certA.cert;
  const mutated = fc
    .tuple(fc.nat({ max: pem.length - 1 }), fc.string({ minLength: 1, maxLength: 1 }))
    .map(([i, c]) => pem.slice(0, i) + c + pem.slice(i + 1));
  await fc.assert(
    fc.asyncProperty(fc.oneof(mutated, fc.string({ maxLength: 200 })), async (candidate) => {
      // Oracle: only a PEM whose DER is certificate A's may pass. The oracle's base64 decoding is lenient
      // (a changed padding or whitespace character may leave the DER as it was); the code may refuse such a
      // PEM as malformed, which fails closed, but must never allow a PEM whose DER differs.
      const sameDer = /-----BEGIN CERTIFICATE-----/.test(candidate) && x5tOf(candidate) === x5tOf(pem);
      h.logs.length = 0;
      const outcome = await a.authorize(requestEvent(`Bearer ${token}`, clientCert(candidate))).then(
        () => 'allow',
        (error: Error) => error.message,
      );
      const reason = (lastDecision(h.logs) as { reason?: string } | undefined)?.reason;
      if (outcome === 'allow') {
        expect(sameDer).toBe(true);
      } else {
        expect(outcome).toBe('Unauthorized');
        expect(
          sameDer
            ? ['MTLS_MALFORMED_CERTIFICATE']
            : ['MTLS_MALFORMED_CERTIFICATE', 'MTLS_CERTIFICATE_MISMATCH'],
        ).toContain(reason);
      }
    }),
    { numRuns: propertyRuns(100, 0.05) },
  );
});
