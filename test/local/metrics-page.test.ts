// The local loop's metrics: the project's real authorizer behind the local gateway, over real HTTP on
// 127.0.0.1, with its JWKS over real HTTPS; GET /__metrics shows what CloudWatch would count from the same
// log lines (one decision per authorizer invocation, none for a request answered from the result cache), and
// the summary `npm start` prints when it stops says the same. The metrics reader is also checked on its own.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createLogger } from 'bearer-gate/authorizer';
import { createLocalAuthorizer } from '../../local/authorizer-wiring';
import { constructContract } from '../../local/construct-contract';
import { createGateway, LocalMetrics, type Gateway, type LocalMetric } from '../../local/gateway';
import { allMetrics } from '../support/emf';
import { startJwksServer, tlsMaterial, type JwksServer } from '../support/jwks-server';
import { claims, createKey, signToken } from '../support/keys';
import { observeLogs } from '../../lambda/authorizer/log';

const key = createKey('RS256');
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'https://api.test';
let jwks: JwksServer;
let gateway: Gateway;
let api: string;
const lines: string[] = [];
let stopObserving: () => void;

beforeAll(async () => {
  jwks = await startJwksServer([key.jwk]);
  stopObserving = observeLogs((line) => lines.push(line));
  const contract = constructContract();
  const echo = (async (event: APIGatewayProxyEvent) => ({ statusCode: 200, body: event.path })) as never;
  gateway = createGateway({
    routes: [
      { id: 'ListItems', method: 'GET', path: '/items', handler: echo },
      { id: 'CreateItem', method: 'POST', path: '/items', handler: echo },
    ],
    authorizer: createLocalAuthorizer(
      { LOG_LEVEL: 'warn' },
      { issuer: ISSUER, audience: AUDIENCE, jwksUri: jwks.url, certificate: tlsMaterial().cert },
    ),
    identityValidationExpression: contract.identityValidationExpression,
    responses: contract.responses,
    cacheTtlSeconds: 300,
    metricsPage: true,
    logger: createLogger('local-gateway', 'silent'),
  });
  api = await gateway.listen(0);
});
afterAll(async () => {
  stopObserving();
  await gateway.close();
  await jwks.close();
});

const bearer = (overrides: Record<string, unknown>) => `Bearer ${signToken(key, claims(overrides))}`;

async function page(): Promise<LocalMetric[]> {
  const res = await fetch(`${api}/__metrics`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { metrics: LocalMetric[] }).metrics;
}

const sumOf = (metrics: LocalMetric[], name: string, dimensions: Record<string, string>) =>
  metrics.find((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions))?.sum;

test('GET /__metrics counts each authorizer decision by outcome and reason, as CloudWatch would', async () => {
  const reader = bearer({ scope: 'items:read' });
  const statuses = [];
  for (const [method, authorization] of [
    ['GET', reader],
    // The same token again: API Gateway answers from its result cache, so the authorizer is not invoked.
    ['GET', reader],
    ['POST', bearer({ scope: 'items:read' })],
    ['GET', bearer({ exp: Math.floor(Date.now() / 1000) - 600 })],
    ['GET', 'Bearer not.a.token'],
  ] as const) {
    const res = await fetch(`${api}/items`, { method, headers: { Authorization: authorization } });
    statuses.push(res.status);
  }
  expect(statuses).toEqual([200, 200, 403, 401, 401]);
  expect(gateway.stats).toMatchObject({ authorizerInvocations: 4, cacheHits: 1 });

  const metrics = await page();
  const service = { service: 'authorizer' };
  expect(sumOf(metrics, 'Allowed', service)).toBe(1);
  expect(sumOf(metrics, 'Allowed', { reason: 'ALLOWED', ...service })).toBe(1);
  expect(sumOf(metrics, 'Denied', { reason: 'INSUFFICIENT_SCOPE', ...service })).toBe(1);
  expect(sumOf(metrics, 'Unauthorized', service)).toBe(2);
  expect(sumOf(metrics, 'Unauthorized', { reason: 'TOKEN_EXPIRED', ...service })).toBe(1);
  expect(sumOf(metrics, 'Unauthorized', { reason: 'MALFORMED_TOKEN', ...service })).toBe(1);
  expect(sumOf(metrics, 'Unavailable', service)).toBeUndefined();
  expect(sumOf(metrics, 'JwksFetches', service)).toBe(1);
  // The gateway passes a Lambda context: the first invocation is the cold start, named after the function.
  expect(sumOf(metrics, 'ColdStart', { function_name: 'authorizer', ...service })).toBe(1);
  const latency = metrics.find((m) => m.name === 'DecisionLatency');
  expect(latency).toMatchObject({ unit: 'Milliseconds', count: 4 });

  // The page is exactly what the log lines hold, read by the EMF specification's rules.
  const fromSpec = allMetrics(lines);
  for (const name of ['Allowed', 'Denied', 'Unauthorized', 'JwksFetches']) {
    expect(metrics.filter((m) => m.name === name).reduce((n, m) => n + m.sum, 0)).toBe(
      fromSpec.filter((m) => m.name === name).reduce((n, m) => n + m.values.reduce((a, b) => a + b, 0), 0),
    );
  }

  expect(gateway.metrics?.summary().split('\n')).toEqual(
    expect.arrayContaining([
      'metrics (what CloudWatch would count; every metric is at GET /__metrics):',
      '  Allowed [authorizer]: 1 (ALLOWED 1)',
      '  Denied [authorizer]: 1 (INSUFFICIENT_SCOPE 1)',
      '  Unauthorized [authorizer]: 2 (MALFORMED_TOKEN 1, TOKEN_EXPIRED 1)',
      '  JwksFetches [authorizer]: 1',
      expect.stringMatching(
        /^ {2}DecisionLatency \[authorizer\]: average \d+\.\d\d ms, max [\d.]+ ms, 4 measured$/,
      ),
    ]),
  );
});

test('a gateway without metricsPage has no such path: it is a route API Gateway does not know', async () => {
  const plain = createGateway({
    routes: [],
    authorizer: async () => ({}),
    cacheTtlSeconds: 0,
    logger: createLogger('local-gateway', 'silent'),
  });
  const url = await plain.listen(0);
  try {
    const res = await fetch(`${url}/__metrics`);
    expect(res.status).toBe(403);
    expect(plain.metrics).toBeUndefined();
  } finally {
    await plain.close();
  }
});

describe('LocalMetrics', () => {
  test.each([
    ['not JSON', '{"_aws": '],
    ['no directives', '{"_aws":{"Timestamp":1}}'],
    [
      'a directive without a namespace',
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[]}]}}',
    ],
  ])('%s is counted as unreadable, and nothing else', (_name, line) => {
    const metrics = new LocalMetrics();
    metrics.record(line);
    expect(metrics.snapshot()).toEqual({ metrics: [], unreadableLines: 1 });
  });

  test('a log line without _aws is not read; values that are not numbers are not counted', () => {
    const metrics = new LocalMetrics();
    metrics.record('{"level":"info","message":"hello"}');
    metrics.record(
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"N","Dimensions":[["d"]],' +
        '"Metrics":[{"Name":"A","Unit":"Count"},{"Name":"B"}]}]},"d":"x","A":[1,2,"3"],"B":"7"}',
    );
    expect(metrics.snapshot()).toEqual({
      metrics: [
        {
          namespace: 'N',
          name: 'A',
          unit: 'Count',
          dimensions: { d: 'x' },
          count: 2,
          sum: 3,
          min: 1,
          max: 2,
        },
      ],
      unreadableLines: 0,
    });
    expect(new LocalMetrics().summary()).toBe('metrics: none recorded');
  });
});
