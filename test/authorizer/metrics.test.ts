// The authorizer's metrics in CloudWatch Embedded Metric Format: every line that carries them is checked against
// the specification (test/support/emf.ts); each decision counts once, by outcome and reason, at every LOG_LEVEL,
// inside its log line where the level writes it and as one compact line where it does not; the invocation's
// fields on every line; JWKS, discovery, seed and key events; and no dimension ever holds what a token chose.
// Real keys, real signed tokens, the JWKS over real HTTPS on 127.0.0.1.
import fc from 'fast-check';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import {
  DECISION_REASONS,
  type DecisionOutcome,
  type DecisionReason,
} from '../../lambda/contract/authorizer-metrics';
import type { RouteReason } from '../../lambda/contract/route-set';
import type { ChallengeReason, FailureCode, RejectReason } from '../../lambda/authorizer/errors';
import type { LogLevel } from '../../lambda/authorizer/log';
import { createAuthorizer, parseConfig, type Authorizer, type AuthorizerDeps } from '../../lambda/authorizer';
import { lambdaInvocation, traceRoot } from '../../lambda/authorizer/invocation';
import { createLogger } from '../../lambda/authorizer/log';
import { AuthorizerMetrics } from '../../lambda/authorizer/metrics';
import { allMetrics, emfLines, extractMetrics, pointsOf, type ExtractedMetric } from '../support/emf';
import { claims, signToken } from '../support/keys';
import { startJwksServer } from '../support/jwks-server';
import { API_ARN, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  h.server.mode = 'ok';
  h.server.discoveryMode = 'ok';
});

const SERVICE = 'orders-authorizer';
const NAMESPACE = 'Shop/Auth';
const METRICS_ENV = { POWERTOOLS_METRICS_NAMESPACE: NAMESPACE, POWERTOOLS_SERVICE_NAME: SERVICE };
const OUTCOME_METRIC: Record<DecisionOutcome, string> = {
  allow: 'Allowed',
  deny: 'Denied',
  unauthorized: 'Unauthorized',
  error: 'Unavailable',
};

/** A type that is `true` only when A and B are the same union. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

test('the reason dimension takes exactly the codes the authorizer has, each outcome its own', () => {
  // Checked by the compiler (npm test runs tsc): a code added to errors.ts or route-set.ts and not to the
  // contract, or the other way round, fails the type check here.
  const same: [
    Same<(typeof DECISION_REASONS.unauthorized)[number], RejectReason>,
    Same<(typeof DECISION_REASONS.error)[number], FailureCode>,
    Same<
      (typeof DECISION_REASONS.allow)[number] | (typeof DECISION_REASONS.deny)[number],
      RouteReason | ChallengeReason
    >,
    Same<DecisionReason, RejectReason | FailureCode | RouteReason | ChallengeReason>,
  ] = [true, true, true, true];
  expect(same).toEqual([true, true, true, true]);
  const all = Object.values(DECISION_REASONS).flat();
  expect(new Set(all).size).toBe(all.length);
  expect(all.every((r) => /^[A-Z_]{1,32}$/.test(r))).toBe(true);
});

function authorizerAt(
  level: LogLevel,
  deps: AuthorizerDeps = {},
  env: Record<string, string> = {},
): Authorizer {
  return h.authorizer({ LOG_LEVEL: level, ...METRICS_ENV, ...env }, deps);
}

const rsa = (overrides: Record<string, unknown> = {}) => signToken(h.keys.rsa, claims(overrides));

interface DecisionCase {
  readonly name: string;
  readonly outcome: DecisionOutcome;
  readonly reason: DecisionReason;
  event(): unknown;
}

const CASES: DecisionCase[] = [
  { name: 'a held route', outcome: 'allow', reason: 'ALLOWED', event: () => tokenEvent(`Bearer ${rsa()}`) },
  {
    name: 'a route the token lacks the scope for',
    outcome: 'deny',
    reason: 'INSUFFICIENT_SCOPE',
    event: () => tokenEvent(`Bearer ${rsa({ scope: 'items:write' })}`),
  },
  {
    name: 'a route the table does not declare',
    outcome: 'deny',
    reason: 'UNDECLARED_ROUTE',
    event: () => tokenEvent(`Bearer ${rsa()}`, 'GET', '/nowhere'),
  },
  {
    name: 'an expired token',
    outcome: 'unauthorized',
    reason: 'TOKEN_EXPIRED',
    event: () => tokenEvent(`Bearer ${rsa({ exp: Math.floor(Date.now() / 1000) - 3600 })}`),
  },
  {
    name: 'a Basic header',
    outcome: 'unauthorized',
    reason: 'MALFORMED_HEADER',
    event: () => tokenEvent('Basic dXNlcjpwYXNz'),
  },
  {
    name: 'a methodArn API Gateway would never send',
    outcome: 'error',
    reason: 'INVALID_EVENT',
    event: () => ({ type: 'TOKEN', authorizationToken: `Bearer ${rsa()}`, methodArn: 'arn:nothing' }),
  },
];

/** Decides once; resolves with the policy, or with the error the authorizer threw. */
async function decideOnce(a: Authorizer, event: unknown): Promise<APIGatewayAuthorizerResult | Error> {
  return a.authorize(event as never).catch((error: unknown) => error as Error);
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
/** The level each outcome's line is logged at. */
const LINE_LEVEL: Record<DecisionOutcome, LogLevel> = {
  allow: 'info',
  deny: 'info',
  unauthorized: 'warn',
  error: 'error',
};
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

describe.each(LEVELS)('LOG_LEVEL=%s', (level) => {
  test.each(CASES)('$name counts once in $outcome, with its reason', async ({ outcome, reason, event }) => {
    const a = authorizerAt(level);
    await a.ready;
    h.logs.length = 0;
    await decideOnce(a, event());

    const documents = emfLines(h.logs);
    const decisionDocs = documents.filter((l) => 'DecisionLatency' in (JSON.parse(l) as object));
    expect(decisionDocs).toHaveLength(1);
    const line = JSON.parse(decisionDocs[0]!) as Record<string, unknown>;
    const metrics = extractMetrics(decisionDocs[0]!);
    expect(pointsOf(metrics, OUTCOME_METRIC[outcome], { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, OUTCOME_METRIC[outcome], { service: SERVICE, reason })).toEqual([1]);
    // No other outcome counts.
    const counted = metrics.filter((m) => Object.values(OUTCOME_METRIC).includes(m.name));
    expect(new Set(counted.map((m) => m.name))).toEqual(new Set([OUTCOME_METRIC[outcome]]));
    expect(metrics.every((m) => m.namespace === NAMESPACE)).toBe(true);

    const written = RANK[LINE_LEVEL[outcome]] >= RANK[level];
    if (written) {
      // The decision line itself carries the metrics: no second write.
      expect(line).toMatchObject({ message: 'authorization', level: LINE_LEVEL[outcome], reason });
      expect(pointsOf(metrics, 'DecisionLatency', { service: SERVICE })).toEqual([line.latencyMs]);
    } else {
      // The compact line: the dimensions and the metrics, nothing a log reader would look for.
      expect(Object.keys(line).sort()).toEqual(
        [
          '_aws',
          'service',
          'reason',
          OUTCOME_METRIC[outcome],
          'DecisionLatency',
          ...(outcome === 'allow' || outcome === 'deny' ? ['PolicyResources'] : []),
        ].sort(),
      );
      expect(line).toMatchObject({ service: SERVICE, reason });
    }
    // Nothing else was written for this decision.
    expect(h.logs).toHaveLength(1);
  });
});

test('a policy counts its resources: what the returned policy holds, Allow and Deny statements together', async () => {
  const a = authorizerAt('info');
  await a.ready;
  for (const scope of ['items:read', 'items:read items:write items:delete', '']) {
    h.logs.length = 0;
    const policy = await a.authorize(tokenEvent(`Bearer ${rsa({ scope })}`) as never);
    const resources = policy.policyDocument.Statement.flatMap((s) => {
      const resource = (s as { Resource?: string | string[] }).Resource;
      return Array.isArray(resource) ? resource : [resource];
    });
    expect(pointsOf(allMetrics(h.logs), 'PolicyResources', { service: SERVICE })).toEqual([resources.length]);
  }
});

test('without POWERTOOLS_* the namespace is BearerGate and the service is authorizer, as the log lines say', async () => {
  const a = h.authorizer({ LOG_LEVEL: 'info' });
  await a.ready;
  h.logs.length = 0;
  await a.authorize(tokenEvent(`Bearer ${rsa()}`) as never);
  const [line] = emfLines(h.logs);
  expect(JSON.parse(line!)).toMatchObject({ service: 'authorizer', message: 'authorization' });
  expect(extractMetrics(line!).map((m) => [m.namespace, m.name, m.dimensions])).toEqual([
    ['BearerGate', 'Allowed', { service: 'authorizer' }],
    ['BearerGate', 'Allowed', { service: 'authorizer', reason: 'ALLOWED' }],
    ['BearerGate', 'DecisionLatency', { service: 'authorizer' }],
    ['BearerGate', 'PolicyResources', { service: 'authorizer' }],
  ]);
});

describe('the invocation', () => {
  const TRACE = 'Root=1-6762d1a0-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1';

  test('puts the request id, cold_start and the trace id on every line, and the ColdStart metric once', async () => {
    const a = authorizerAt('info');
    await a.ready;
    h.logs.length = 0;
    const context = (id: string) => ({ awsRequestId: id, functionName: 'orders-authorizer-fn' });
    await a.authorize(tokenEvent(`Bearer ${rsa()}`) as never, lambdaInvocation(context('req-1'), TRACE));
    await decideOnce(a, tokenEvent('Basic x'));
    // The next invocation, untraced.
    await a
      .authorize(tokenEvent('Basic y') as never, lambdaInvocation(context('req-2'), undefined))
      .catch(() => undefined);
    const lines = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.function_request_id, l.cold_start, l.xray_trace_id])).toEqual([
      ['req-1', true, '1-6762d1a0-0123456789abcdef01234567'],
      // Fields stay until the next invocation replaces them, as Powertools' addContext does.
      ['req-1', true, '1-6762d1a0-0123456789abcdef01234567'],
      ['req-2', false, undefined],
    ]);
    // Right after the envelope, as Powertools orders them.
    expect(Object.keys(lines[0]!).slice(0, 7)).toEqual([
      'level',
      'service',
      'message',
      'timestamp',
      'cold_start',
      'function_request_id',
      'xray_trace_id',
    ]);
    const metrics = allMetrics(h.logs);
    expect(
      pointsOf(metrics, 'ColdStart', { service: SERVICE, function_name: 'orders-authorizer-fn' }),
    ).toEqual([1]);
    expect(metrics.filter((m) => m.name === 'ColdStart')).toHaveLength(1);
  });

  test('a handler called without a context (not the Lambda runtime) decides as before, with no such fields', async () => {
    expect(lambdaInvocation(undefined, TRACE)).toBeUndefined();
    const a = authorizerAt('info');
    await a.ready;
    h.logs.length = 0;
    await a.authorize(tokenEvent(`Bearer ${rsa()}`) as never, undefined);
    const line = JSON.parse(h.logs[0]!) as Record<string, unknown>;
    expect(line).not.toHaveProperty('function_request_id');
    expect(line).not.toHaveProperty('cold_start');
    expect(allMetrics(h.logs).filter((m) => m.name === 'ColdStart')).toEqual([]);
  });

  test.each([
    [TRACE, '1-6762d1a0-0123456789abcdef01234567'],
    ['Root=1-a-b', '1-a-b'],
    ['Parent=53995c3f42cd8ad8;Root=1-x-y;Sampled=0', '1-x-y'],
    ['Parent=53995c3f42cd8ad8;Sampled=0', undefined],
    ['Root=', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('the trace header %p has the Root %p', (header, root) => {
    expect(traceRoot(header)).toBe(root);
  });
});

describe('key and issuer events', () => {
  test('a JWKS fetch counts with its latency; a failed one as a failure, and the decision it fails as JWKS_UNAVAILABLE', async () => {
    const a = authorizerAt('error');
    await a.ready;
    let metrics = allMetrics(h.logs);
    expect(pointsOf(metrics, 'JwksFetches', { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, 'JwksFetchFailures', { service: SERVICE })).toEqual([0]);
    expect(pointsOf(metrics, 'JwksFetchLatency', { service: SERVICE })).toHaveLength(1);
    // At LOG_LEVEL=error the success is a compact line: the metrics, no message.
    expect(JSON.parse(emfLines(h.logs)[0]!)).not.toHaveProperty('message');

    h.logs.length = 0;
    h.server.mode = 'down';
    const down = authorizerAt('info');
    await down.ready;
    await expect(down.authorize(tokenEvent(`Bearer ${rsa()}`) as never)).rejects.toMatchObject({
      code: 'JWKS_UNAVAILABLE',
    });
    metrics = allMetrics(h.logs);
    // The cold start's fetch, and the request's own attempt (the harness sets no failure backoff).
    expect(pointsOf(metrics, 'JwksFetches', { service: SERVICE })).toEqual([1, 1]);
    expect(pointsOf(metrics, 'JwksFetchFailures', { service: SERVICE })).toEqual([1, 1]);
    expect(pointsOf(metrics, 'Unavailable', { service: SERVICE, reason: 'JWKS_UNAVAILABLE' })).toEqual([1]);
    const failed = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'jwks fetch failed');
    expect(failed).toMatchObject({ level: 'error', code: 'JWKS_UNAVAILABLE', JwksFetchFailures: 1 });
  });

  test('OIDC discovery counts with its latency, and a failed one as a failure', async () => {
    const server = await startJwksServer([h.keys.rsa.jwk]);
    try {
      const env = { ISSUER: server.origin, JWKS_URI: '' };
      const found = authorizerAt('info', {}, env);
      await found.ready;
      let metrics = allMetrics(h.logs);
      expect(pointsOf(metrics, 'Discoveries', { service: SERVICE })).toEqual([1]);
      expect(pointsOf(metrics, 'DiscoveryFailures', { service: SERVICE })).toEqual([0]);
      expect(pointsOf(metrics, 'DiscoveryLatency', { service: SERVICE })).toHaveLength(1);

      h.logs.length = 0;
      server.discoveryMode = 'down';
      const failed = authorizerAt('silent', {}, env);
      await failed.ready;
      metrics = allMetrics(h.logs);
      expect(pointsOf(metrics, 'Discoveries', { service: SERVICE })).toEqual([1]);
      expect(pointsOf(metrics, 'DiscoveryFailures', { service: SERVICE })).toEqual([1]);
      // LOG_LEVEL=silent: metrics only.
      expect(h.logs.map((l) => JSON.parse(l)).filter((l) => 'message' in l)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  const seeded = (fetchedAt: string): Authorizer => {
    const seed = JSON.stringify({ [h.server.url]: { keys: [h.keys.rsa.jwk], fetchedAt } });
    const config = parseConfig(h.env({ ...METRICS_ENV, LOG_LEVEL: 'info', JWKS_SEED_FILE: 'seed.json' }), {
      read: () => seed,
    });
    return createAuthorizer(config, { fetcher: h.fetcher, jwksFailureBackoffMs: 0 });
  };
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  test('a seed serving while the issuer is down counts, with the failed fetch; one too old to trust, as expired', async () => {
    h.server.mode = 'down';
    const serving = seeded(daysAgo(1));
    await serving.ready;
    await serving.authorize(tokenEvent(`Bearer ${rsa()}`) as never);
    await serving.settled();
    let metrics = allMetrics(h.logs);
    expect(pointsOf(metrics, 'JwksSeedServing', { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, 'JwksFetches', { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, 'JwksFetchFailures', { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, 'Allowed', { service: SERVICE })).toEqual([1]);

    h.logs.length = 0;
    // Older than the default max age (7 days): refused at init, so the cold start fetches instead.
    const expired = seeded(daysAgo(8));
    await expired.ready;
    metrics = allMetrics(h.logs);
    expect(pointsOf(metrics, 'JwksSeedExpired', { service: SERVICE })).toEqual([1]);
    expect(pointsOf(metrics, 'JwksFetchFailures', { service: SERVICE })).toEqual([1]);
    expect(h.logs.map((l) => JSON.parse(l)).find((l) => l.code === 'JWKS_SEED_EXPIRED')).toMatchObject({
      level: 'error',
      message: 'jwks seed',
      JwksSeedExpired: 1,
    });
  });

  test('a JWKS key with private material counts as refused', async () => {
    const server = await startJwksServer([
      h.keys.rsa.jwk,
      { ...h.keys.ec.jwk, kid: 'leaked', d: 'c2VjcmV0' } as Record<string, string>,
    ]);
    try {
      const a = authorizerAt('warn', {}, { JWKS_URI: server.url });
      await a.ready;
      const metrics = allMetrics(h.logs);
      expect(pointsOf(metrics, 'JwksKeysRefused', { service: SERVICE })).toEqual([1]);
      expect(h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'jwks key refused')).toMatchObject({
        code: 'JWKS_KEY_REFUSED',
        JwksKeysRefused: 1,
      });
    } finally {
      await server.close();
    }
  });
});

test('a bug (INTERNAL) counts as Unavailable at every level, and is logged with its stack where errors are', async () => {
  // A fault of ours cannot be provoked through real parts: a revocation check that throws what no check
  // should stands in for one (as in authorizer.test.ts).
  const deps: AuthorizerDeps = {
    revocation: {
      check: () => {
        throw new TypeError('revocation store returned garbage');
      },
    },
  };
  for (const level of ['error', 'silent'] as const) {
    const a = authorizerAt(level, deps, { REVOCATION_TABLE: 'revocations' });
    await a.ready;
    h.logs.length = 0;
    await expect(a.authorize(tokenEvent(`Bearer ${rsa()}`) as never)).rejects.toThrow(/^Authorizer failure$/);
    expect(pointsOf(allMetrics(h.logs), 'Unavailable', { service: SERVICE, reason: 'INTERNAL' })).toEqual([
      1,
    ]);
    const [line] = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>);
    if (level === 'error') expect(line).toMatchObject({ message: 'authorization', reason: 'INTERNAL' });
    else expect(line).not.toHaveProperty('stack');
  }
});

test('a line cut to its 2 KB bound keeps its metrics whole', async () => {
  const a = authorizerAt('info');
  await a.ready;
  h.logs.length = 0;
  const long = { sub: 's'.repeat(3000), client_id: 'c'.repeat(1500) };
  await decideOnce(a, tokenEvent(`Bearer ${rsa(long)}`, 'GET', `/nowhere/${'x'.repeat(6000)}`));
  await decideOnce(a, tokenEvent(`Bearer ${rsa(long)}`, 'GET', `/items/${'x'.repeat(6000)}`));
  expect(h.logs).toHaveLength(2);
  for (const line of h.logs) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(2048);
  // The bound cut the long strings, not the metrics or their dimensions.
  expect(h.logs.every((l) => l.includes('…(+'))).toBe(true);
  const metrics = allMetrics(h.logs);
  expect(pointsOf(metrics, 'Denied', { service: SERVICE, reason: 'UNDECLARED_ROUTE' })).toEqual([1]);
  expect(pointsOf(metrics, 'Allowed', { service: SERVICE, reason: 'ALLOWED' })).toEqual([1]);
});

test('the embedded members are ASCII, so the logger can count their bytes by their length', () => {
  const metrics = new AuthorizerMetrics(createLogger(SERVICE, 'info'), {
    namespace: NAMESPACE,
    service: SERVICE,
  });
  const embedded = metrics.decision('allow', 'ALLOWED', { latencyMs: 1.5, coldStartOf: 'fünction-😀' });
  expect(embedded).toMatch(/^[\x20-\x7e]+$/);
  expect(JSON.parse(`{${embedded}}`)).toMatchObject({
    function_name: 'fünction-😀',
    Allowed: 1,
    ColdStart: 1,
  });
});

test('a reason outside the fixed set (none is expected) counts without the reason dimension', () => {
  const metrics = new AuthorizerMetrics(createLogger(SERVICE, 'info'), {
    namespace: NAMESPACE,
    service: SERVICE,
  });
  const embedded = metrics.decision('error', 'INVALID_CONFIG', { latencyMs: 1 });
  const line = JSON.stringify({ service: SERVICE, reason: 'INVALID_CONFIG', ...JSON.parse(`{${embedded}}`) });
  expect(extractMetrics(line).map((m) => [m.name, m.dimensions])).toEqual([
    ['Unavailable', { service: SERVICE }],
    ['DecisionLatency', { service: SERVICE }],
  ]);
});

describe('no dimension holds what a token chose', () => {
  const REASONS = new Set<string>(Object.values(DECISION_REASONS).flat());
  const allowedDimensions = (m: ExtractedMetric): boolean =>
    Object.entries(m.dimensions).every(([key, value]) =>
      key === 'service' ? value === SERVICE : key === 'reason' ? REASONS.has(value) : false,
    );

  test('hostile headers, tokens and paths: every dimension is the service or a reason code', async () => {
    const a = authorizerAt('warn');
    await a.ready;
    const json = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
    );
    const segment = fc.oneof(
      json.map((s) => Buffer.from(s).toString('base64url')),
      fc.string(),
      fc.constant(Buffer.from(JSON.stringify({ alg: 'RS256', kid: h.keys.rsa.kid })).toString('base64url')),
    );
    const header = fc.oneof(
      fc.string(),
      fc.tuple(segment, segment, segment).map(([x, y, z]) => `Bearer ${x}.${y}.${z}`),
      fc.dictionary(fc.string(), fc.jsonValue()).map((payload) => `Bearer ${signToken(h.keys.rsa, payload)}`),
    );
    const path = fc.stringMatching(/^\/[ -~]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(header, path, async (authorization, calledPath) => {
        h.logs.length = 0;
        await decideOnce(a, {
          type: 'TOKEN',
          authorizationToken: authorization,
          methodArn: `${API_ARN}/GET${calledPath}`,
        });
        const metrics = allMetrics(h.logs);
        const counted = metrics.filter((m) => Object.values(OUTCOME_METRIC).includes(m.name));
        // Each decision counts once (in two dimension sets), and only with fixed dimension values.
        expect(counted).toHaveLength(2);
        expect(metrics.every(allowedDimensions)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
