// The local gateway as a custom domain with mutual TLS, over real TLS on 127.0.0.1 with real certificates
// (selfsigned): what reaches REQUEST authorizers and integrations as requestContext.identity.clientCert, and
// what happens to a connection without a certificate or with one the truststore does not verify. The
// authorizers are small functions standing in for "any Lambda authorizer": what is under test is the
// gateway. The expected clientCert is built by this file from what it put in each certificate (subject,
// dates) and from its own DER and PEM decoding, independently of the gateway's X509Certificate reading.
import { request } from 'node:https';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import fc from 'fast-check';
import { generate } from 'selfsigned';
import { createLogger, setLogSink } from 'bearer-gate/authorizer';
import { createGateway, type Gateway, type TokenAuthorizer } from '../../local/gateway';
import { propertyRuns, propertyTimeout } from '../hardening/property-runs';

const API_ARN = 'arn:aws:execute-api:us-east-1:123456789012:local123ab/local';
const TOKEN = 'Bearer aaa.bbb.ccc';
const HOUR = 3600_000;

interface Pems {
  readonly key: string;
  readonly cert: string;
}
type Attribute = { name: 'countryName' | 'organizationName' | 'commonName'; value: string };
type Extensions = NonNullable<NonNullable<Parameters<typeof generate>[1]>['extensions']>;

const CA_EXTENSIONS: Extensions = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];
const CLIENT_EXTENSIONS: Extensions = [
  { name: 'basicConstraints', cA: false },
  { name: 'keyUsage', digitalSignature: true },
  { name: 'extKeyUsage', clientAuth: true },
];

/** Whole seconds: X.509 times carry no milliseconds. */
const second = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

async function certificate(
  subject: Attribute[],
  extensions: Extensions,
  issuer?: Pems,
  notBefore = second(Date.now() - 60_000),
  notAfter = second(Date.now() + 24 * HOUR),
): Promise<Pems> {
  const pems = await generate(subject, {
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

const cn = (value: string): Attribute[] => [{ name: 'commonName', value }];

// ---- the oracle ----------------------------------------------------------------------------------------

/** RFC 7468: the base64 between the armour lines. */
function der(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem)?.[1] ?? '';
  return Buffer.from(body.replace(/\s+/g, ''), 'base64');
}

/** One DER element at `at`: where its content starts and ends (short and long definite lengths). */
function element(bytes: Buffer, at: number): { tag: number; start: number; end: number } {
  const tag = bytes[at] as number;
  const first = bytes[at + 1] as number;
  if (first < 0x80) return { tag, start: at + 2, end: at + 2 + first };
  const count = first & 0x7f;
  const length = bytes.subarray(at + 2, at + 2 + count).reduce((n, b) => n * 256 + b, 0);
  return { tag, start: at + 2 + count, end: at + 2 + count + length };
}

/** Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version, serialNumber INTEGER, ... } ... } */
function serialBytes(pem: string): Buffer {
  const bytes = der(pem);
  const tbs = element(bytes, element(bytes, 0).start);
  const version = element(bytes, tbs.start);
  const serial = element(bytes, version.tag === 0xa0 ? version.end : tbs.start);
  let value = bytes.subarray(serial.start, serial.end);
  // DER keeps a leading 0x00 to keep a positive number positive; the number itself does not have it.
  while (value.length > 1 && value[0] === 0) value = value.subarray(1);
  return value;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');
/** `May 28 12:30:02 2019 GMT`, the day padded with a space, as in AWS's examples. */
function awsDate(at: Date): string {
  return (
    `${MONTHS[at.getUTCMonth()]} ${String(at.getUTCDate()).padStart(2, ' ')} ` +
    `${two(at.getUTCHours())}:${two(at.getUTCMinutes())}:${two(at.getUTCSeconds())} ${at.getUTCFullYear()} GMT`
  );
}

const SHORT: Record<Attribute['name'], string> = {
  countryName: 'C',
  organizationName: 'O',
  commonName: 'CN',
};
const dn = (attributes: Attribute[]): string =>
  attributes.map((a) => `${SHORT[a.name]}=${a.value}`).join(',');

function expectedClientCert(
  client: Pems,
  subject: Attribute[],
  issuer: Attribute[],
  notBefore: Date,
  notAfter: Date,
): Record<string, unknown> {
  return {
    subjectDN: dn(subject),
    issuerDN: dn(issuer),
    serialNumber: [...serialBytes(client.cert)].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    validity: { notBefore: awsDate(notBefore), notAfter: awsDate(notAfter) },
  };
}

// ---- the gateway and a client -------------------------------------------------------------------------

const CA_SUBJECT: Attribute[] = [
  { name: 'countryName', value: 'DE' },
  { name: 'organizationName', value: 'bearer-gate test' },
  { name: 'commonName', value: 'gateway-mtls truststore CA' },
];

let server: Pems;
let ca: Pems;
let gateway: Gateway;
let url: string;
const authorizerEvents: unknown[] = [];
const integrationEvents: APIGatewayProxyEvent[] = [];
const logs: Record<string, unknown>[] = [];
let restoreSink: () => void;

const allow: TokenAuthorizer = async (event) => {
  authorizerEvents.push(event);
  return {
    principalId: 'alice',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` }],
    },
  };
};

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function startGateway(authorizerType: 'TOKEN' | 'REQUEST'): Gateway {
  return createGateway({
    routes: [
      {
        id: 'Echo',
        method: 'GET',
        path: '/items/{id}',
        handler: (async (event: APIGatewayProxyEvent) => {
          integrationEvents.push(event);
          return { statusCode: 200, body: 'ok' };
        }) as never,
      },
    ],
    authorizer: allow,
    authorizerType,
    cacheTtlSeconds: 0,
    logger: createLogger('local-gateway', 'warn'),
    mutualTls: { key: server.key, cert: server.cert, truststore: ca.cert },
  });
}

/** One request on a fresh connection (no pooling: each case presents its own certificate or none). */
function call(client: Pems | null, base = url): Promise<Answer | { error: string | undefined }> {
  return new Promise((resolve) => {
    const req = request(
      `${base}/items/42`,
      {
        headers: { Authorization: TOKEN },
        ca: server.cert,
        agent: false,
        ...(client === null ? {} : { key: client.key, cert: client.cert }),
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code }));
    req.end();
  });
}

beforeAll(async () => {
  [server, ca] = await Promise.all([
    certificate(cn('127.0.0.1'), [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ]),
    certificate(CA_SUBJECT, CA_EXTENSIONS),
  ]);
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  gateway = startGateway('REQUEST');
  url = await gateway.listen(0);
});
afterAll(async () => {
  await gateway.close();
  restoreSink();
});
beforeEach(() => {
  authorizerEvents.length = 0;
  integrationEvents.length = 0;
  logs.length = 0;
});

test('listens on https://127.0.0.1:<port>', () => {
  expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
});

test('a verified certificate reaches the REQUEST authorizer and the integration as identity.clientCert', async () => {
  const subject: Attribute[] = [
    { name: 'countryName', value: 'US' },
    { name: 'organizationName', value: 'Example Corp' },
    { name: 'commonName', value: 'alice device' },
  ];
  const notBefore = second(Date.UTC(2026, 0, 5, 7, 8, 9));
  const notAfter = second(Date.UTC(2030, 10, 23, 22, 0, 1));
  const client = await certificate(subject, CLIENT_EXTENSIONS, ca, notBefore, notAfter);
  const answer = await call(client);
  expect(answer).toMatchObject({ status: 200, body: 'ok' });
  const expected = expectedClientCert(client, subject, CA_SUBJECT, notBefore, notAfter);
  expect(expected.validity).toEqual({
    notBefore: 'Jan  5 07:08:09 2026 GMT',
    notAfter: 'Nov 23 22:00:01 2030 GMT',
  });

  const [authorizerEvent] = authorizerEvents as APIGatewayRequestAuthorizerEvent[];
  const [integrationEvent] = integrationEvents;
  for (const event of [authorizerEvent, integrationEvent]) {
    const clientCert = event?.requestContext.identity.clientCert;
    expect(clientCert).toMatchObject(expected);
    expect(Object.keys(clientCert ?? {}).sort()).toEqual([
      'clientCertPem',
      'issuerDN',
      'serialNumber',
      'subjectDN',
      'validity',
    ]);
    // The very certificate the client sent, as PEM.
    expect(clientCert?.clientCertPem).toMatch(
      /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/,
    );
    expect(der(clientCert?.clientCertPem ?? '').equals(der(client.cert))).toBe(true);
    expect(event?.headers?.['X-Forwarded-Proto']).toBe('https');
  }
});

test('a TOKEN authorizer gets no certificate (its event has none); the integration still does', async () => {
  const tokenGateway = startGateway('TOKEN');
  const subject = cn('token-mode client');
  const client = await certificate(subject, CLIENT_EXTENSIONS, ca);
  try {
    expect(await call(client, await tokenGateway.listen(0))).toMatchObject({ status: 200 });
  } finally {
    await tokenGateway.close();
  }
  expect(authorizerEvents).toEqual([
    { type: 'TOKEN', authorizationToken: TOKEN, methodArn: `${API_ARN}/GET/items/42` },
  ]);
  expect(integrationEvents[0]?.requestContext.identity.clientCert).toMatchObject({ subjectDN: dn(subject) });
});

type Refusal = () => Promise<Pems | null>;
const otherCa = (): Promise<Pems> => certificate(cn('gateway-mtls other CA'), CA_EXTENSIONS);

test.each<[string, Refusal, { status: number; reason: string } | { error: string }]>([
  [
    'no client certificate: the connection is closed, nothing answers',
    async () => null,
    { error: 'ECONNRESET' },
  ],
  [
    'a certificate from a CA outside the truststore',
    async () => certificate(cn('stranger'), CLIENT_EXTENSIONS, await otherCa()),
    { status: 403, reason: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
  ],
  [
    'an expired certificate from the trusted CA',
    () =>
      certificate(
        cn('expired'),
        CLIENT_EXTENSIONS,
        ca,
        second(Date.now() - 48 * HOUR),
        second(Date.now() - HOUR),
      ),
    { status: 403, reason: 'CERT_HAS_EXPIRED' },
  ],
  [
    'a certificate from the trusted CA that is not valid yet',
    () =>
      certificate(
        cn('future'),
        CLIENT_EXTENSIONS,
        ca,
        second(Date.now() + HOUR),
        second(Date.now() + 48 * HOUR),
      ),
    { status: 403, reason: 'CERT_NOT_YET_VALID' },
  ],
  [
    'a self-signed certificate',
    () => certificate(cn('self'), CLIENT_EXTENSIONS),
    { status: 403, reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  ],
])('%s: refused before any authorizer', async (_name, make, outcome) => {
  const before = { ...gateway.stats };
  const answer = await call(await make());
  if ('error' in outcome) {
    expect(answer).toEqual({ error: outcome.error });
    expect(logs).toEqual([]);
  } else {
    expect(answer).toMatchObject({ status: 403, body: '{"message":"Forbidden"}' });
    expect((answer as Answer).headers['content-type']).toBe('application/json');
    expect((answer as Answer).headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        service: 'local-gateway',
        message: 'client certificate refused',
        code: 'MTLS_UNTRUSTED_CERTIFICATE',
        reason: outcome.reason,
      }),
    ]);
  }
  expect(gateway.stats).toEqual(before);
  expect(authorizerEvents).toEqual([]);
  expect(integrationEvents).toEqual([]);
});

describe('identity.clientCert for generated certificates', () => {
  const runs = propertyRuns(12, 0.01);
  const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 .-]{0,30}[A-Za-z0-9]$/);
  const dayMs = 24 * HOUR;
  test(
    'matches the oracle: subject and issuer DN, serial, validity, PEM',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            country: fc.stringMatching(/^[A-Z]{2}$/),
            organization: word,
            commonName: word,
            // From up to 5 years ago to a minute ago; valid for a day to 10 years.
            startsAgoMs: fc.integer({ min: 60_000, max: 5 * 365 * dayMs }),
            lastsMs: fc.integer({ min: dayMs, max: 10 * 365 * dayMs }),
          }),
          async ({ country, organization, commonName, startsAgoMs, lastsMs }) => {
            integrationEvents.length = 0;
            const subject: Attribute[] = [
              { name: 'countryName', value: country },
              { name: 'organizationName', value: organization },
              { name: 'commonName', value: commonName },
            ];
            const notBefore = second(Date.now() - startsAgoMs);
            const notAfter = second(notBefore.getTime() + Math.max(lastsMs, startsAgoMs + HOUR));
            const client = await certificate(subject, CLIENT_EXTENSIONS, ca, notBefore, notAfter);
            expect(await call(client)).toMatchObject({ status: 200 });
            const clientCert = integrationEvents[0]?.requestContext.identity.clientCert;
            expect(clientCert).toMatchObject(
              expectedClientCert(client, subject, CA_SUBJECT, notBefore, notAfter),
            );
            expect(der(clientCert?.clientCertPem ?? '').equals(der(client.cert))).toBe(true);
          },
        ),
        { numRuns: runs },
      );
    },
    propertyTimeout(runs, 100),
  );
});
