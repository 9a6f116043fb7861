// What the revocation check adds to the metrics, against AWS's DynamoDB Local: one lookup and its latency for
// every decision that read the table (allowed, revoked, or the table unreachable; a token without jti where
// subject cut-offs are read for it), none for a decision made without the read (MISSING_JTI, or a check of
// the app's own that decides without the table). Every line checked against the EMF specification.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TokenRejectedError, createAuthorizer, parseConfig } from 'bearer-gate/authorizer';
import { createRevocationCheck } from '../../lambda/authorizer/revocation-loader';
import { createRevocationService, createRevocationTableInput } from '../../lambda/revocation';
import { localClient } from '../setup/dynamodb-local';
import { allMetrics, pointsOf } from '../support/emf';
import { claims, signToken } from '../support/keys';
import { startHarness, tokenEvent, type Harness } from '../authorizer/harness';

const TABLE = `revocations-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const SERVICE = 'authorizer';
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await localClient(endpoint).send(new CreateTableCommand(createRevocationTableInput(TABLE)));
});
afterAll(() => h.close());

function authorizer(overrides: Record<string, string> = {}) {
  const config = parseConfig(h.env({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint, ...overrides }));
  return createAuthorizer(config, { fetcher: h.fetcher, revocation: createRevocationCheck(config) });
}

const revoked = claims({ jti: randomUUID() });

test.each([
  ['a token not revoked', () => claims(), {}, 'Allowed', 'ALLOWED'],
  ['a revoked token', () => revoked, {}, 'Unauthorized', 'TOKEN_REVOKED'],
  // Port 1 on loopback: nothing listens, so the connection is refused (a real network failure).
  [
    'a token without jti where subject cut-offs are read for it',
    () => claims({ jti: undefined }),
    { REVOCATION_REQUIRE_JTI: 'false' },
    'Allowed',
    'ALLOWED',
  ],
  [
    'a table that cannot be reached',
    () => claims(),
    { DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' },
    'Unavailable',
    'REVOCATION_UNAVAILABLE',
  ],
])(
  '%s: one lookup, its latency, and the decision by its reason',
  async (_name, payload, env, metric, reason) => {
    await createRevocationService({
      client: DynamoDBDocumentClient.from(localClient(endpoint)),
      tableName: TABLE,
      maxTokenLifetimeSeconds: 3600,
    }).revoke(
      { kind: 'token', tokenId: revoked.jti as string, expiresAt: revoked.exp as number },
      Math.floor(Date.now() / 1000),
    );
    const a = authorizer(env);
    await a.ready;
    h.logs.length = 0;
    await a
      .authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, payload())}`) as never)
      .catch(() => undefined);
    const metrics = allMetrics(h.logs);
    expect(pointsOf(metrics, metric, { service: SERVICE, reason })).toEqual([1]);
    expect(pointsOf(metrics, 'RevocationLookups', { service: SERVICE })).toEqual([1]);
    const [latency] = pointsOf(metrics, 'RevocationLatency', { service: SERVICE });
    const [decision] = pointsOf(metrics, 'DecisionLatency', { service: SERVICE });
    // Part of the decision, which took at least as long.
    expect(latency).toBeGreaterThan(0);
    expect(latency).toBeLessThanOrEqual(decision as number);
  },
);

test('a token refused before the table is read (MISSING_JTI) counts no lookup', async () => {
  const a = authorizer();
  await a.ready;
  h.logs.length = 0;
  await expect(
    a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ jti: undefined }))}`) as never),
  ).rejects.toThrow(/^Unauthorized$/);
  const metrics = allMetrics(h.logs);
  expect(pointsOf(metrics, 'Unauthorized', { service: SERVICE, reason: 'MISSING_JTI' })).toEqual([1]);
  expect(metrics.filter((m) => m.name.startsWith('Revocation'))).toEqual([]);
});

test('a check that decides without reading the table counts no lookup, whatever its reason', async () => {
  // Not a stand-in for AWS: a RevocationCheck of an app's own (deps.revocation is public) that refuses from
  // what it holds, before any read; the authorizer cannot see a read it was not given to time.
  const config = parseConfig(h.env({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint }));
  const a = createAuthorizer(config, {
    fetcher: h.fetcher,
    revocation: {
      check: () => Promise.reject(new TokenRejectedError('TOKEN_REVOKED', 'held as revoked')),
    },
  });
  await a.ready;
  h.logs.length = 0;
  await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims())}`) as never)).rejects.toThrow(
    /^Unauthorized$/,
  );
  const metrics = allMetrics(h.logs);
  expect(pointsOf(metrics, 'Unauthorized', { service: SERVICE, reason: 'TOKEN_REVOKED' })).toEqual([1]);
  expect(metrics.filter((m) => m.name.startsWith('Revocation'))).toEqual([]);
});
