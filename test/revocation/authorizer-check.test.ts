// The authorizer's revocation check against AWS's DynamoDB Local: one token by jti, a subject cut-off,
// tokens without jti, and a store that cannot be reached.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer, parseConfig, RevocationUnavailableError } from 'bearer-gate/authorizer';
import { createRevocationCheck } from '../../lambda/authorizer/revocation-loader';
import { createRevocationService, createRevocationTableInput } from '../../lambda/revocation';
import { localClient } from '../setup/dynamodb-local';
import { claims, signToken } from '../support/keys';
import { ISSUER, lastDecision, startHarness, tokenEvent, type Harness } from '../authorizer/harness';

const TABLE = `revocations-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
let h: Harness;
const service = () =>
  createRevocationService({
    client: DynamoDBDocumentClient.from(localClient(endpoint)),
    tableName: TABLE,
    maxTokenLifetimeSeconds: 3600,
  });

beforeAll(async () => {
  h = await startHarness();
  await localClient(endpoint).send(new CreateTableCommand(createRevocationTableInput(TABLE)));
});
afterAll(() => h.close());

function authorizer(overrides: Record<string, string> = {}) {
  const env = h.env({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint, ...overrides });
  const config = parseConfig(env);
  return createAuthorizer(config, { fetcher: h.fetcher, revocation: createRevocationCheck(config) });
}

const now = () => Math.floor(Date.now() / 1000);
const UNAUTHORIZED = /^Unauthorized$/;

test('revoking one token refuses it, and other tokens of the same user still work', async () => {
  const sub = `user-${randomUUID()}`;
  const revoked = claims({ sub, jti: randomUUID() });
  const other = claims({ sub, jti: randomUUID() });
  const a = authorizer();
  await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, revoked)}`))).resolves.toMatchObject({
    principalId: sub,
  });

  await service().revoke(
    { kind: 'token', tokenId: revoked.jti as string, expiresAt: revoked.exp as number },
    now(),
  );

  await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, revoked)}`))).rejects.toThrow(
    UNAUTHORIZED,
  );
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
  await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, other)}`))).resolves.toMatchObject({
    principalId: sub,
  });
});

test('revoking a subject refuses all of its earlier tokens, and a token issued later works', async () => {
  const sub = `user-${randomUUID()}`;
  const before = claims({ sub, iat: now() - 60 });
  const sameSecond = claims({ sub, iat: now() });
  const a = authorizer();
  const t = now();
  const revocation = await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t);
  expect(revocation).toMatchObject({
    kind: 'subject',
    issuer: ISSUER,
    subject: sub,
    revokedBefore: t + 1,
    expiresAt: t + 1 + 3600,
  });

  for (const payload of [before, sameSecond]) {
    await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`))).rejects.toThrow(
      UNAUTHORIZED,
    );
    expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
  }
  const later = claims({ sub, iat: revocation.kind === 'subject' ? revocation.revokedBefore : 0 });
  await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, later)}`))).resolves.toMatchObject({
    principalId: sub,
  });
  // Another user is untouched.
  await expect(
    a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub: 'someone-else' }))}`)),
  ).resolves.toMatchObject({
    principalId: 'someone-else',
  });
});

test('a later revocation never moves a subject cut-off back', async () => {
  const sub = `user-${randomUUID()}`;
  const t = now();
  const first = await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t + 100);
  await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t);
  const token = claims({ sub, iat: t + 50 });
  await expect(authorizer().authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, token)}`))).rejects.toThrow(
    UNAUTHORIZED,
  );
  expect(first).toMatchObject({ revokedBefore: t + 101 });
});

describe('subjects are qualified by their issuer', () => {
  const OTHER = 'https://other-issuer.test';
  // Two trusted issuers whose keys happen to be served by the same JWKS endpoint.
  const twoIssuers = () =>
    authorizer({
      ISSUERS: JSON.stringify([{ issuer: OTHER, audience: ['https://api.test'], jwksUri: h.server.url }]),
    });

  test("revoking one issuer's subject leaves the same sub from another issuer alone", async () => {
    const sub = `user-${randomUUID()}`;
    const a = twoIssuers();
    await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, now());
    const earlier = now() - 60;
    await expect(
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat: earlier }))}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
    await expect(
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ iss: OTHER, sub, iat: earlier }))}`)),
    ).resolves.toMatchObject({ principalId: sub, context: { issuer: OTHER } });
  });

  test('a cut-off written before subjects were qualified (subject#<sub>) still holds, for every issuer', async () => {
    const sub = `user-${randomUUID()}`;
    const t = now();
    // Written as the earlier version wrote it; its TTL removes it within MAX_TOKEN_LIFETIME_SECONDS.
    await DynamoDBDocumentClient.from(localClient(endpoint)).send(
      new PutCommand({
        TableName: TABLE,
        Item: { pk: `subject#${sub}`, revokedBefore: t + 1, expiresAt: t + 3600 },
      }),
    );
    const a = twoIssuers();
    for (const iss of [ISSUER, OTHER]) {
      await expect(
        a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ iss, sub, iat: t - 60 }))}`)),
      ).rejects.toThrow(UNAUTHORIZED);
      expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
    }
    await expect(
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat: t + 1 }))}`)),
    ).resolves.toMatchObject({ principalId: sub });
  });
});

describe('a token with no jti', () => {
  const noJti = () => claims({ sub: `user-${randomUUID()}`, jti: undefined });

  test('is refused by default (REVOCATION_REQUIRE_JTI=true)', async () => {
    await expect(
      authorizer().authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, noJti())}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('MISSING_JTI');
  });

  test('falls back to the subject cut-off with REVOCATION_REQUIRE_JTI=false', async () => {
    const payload = noJti();
    const a = authorizer({ REVOCATION_REQUIRE_JTI: 'false' });
    await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`))).resolves.toMatchObject({
      principalId: payload.sub,
    });
    await service().revoke({ kind: 'subject', issuer: ISSUER, subject: payload.sub as string }, now());
    await expect(a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, payload)}`))).rejects.toThrow(
      UNAUTHORIZED,
    );
  });
});

test('an unreachable revocation table fails closed with a distinct error, not Unauthorized', async () => {
  // Port 1 on loopback: nothing listens, so the connection is refused (a real network failure).
  const a = authorizer({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' });
  const attempt = a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims())}`));
  await expect(attempt).rejects.toBeInstanceOf(RevocationUnavailableError);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'REVOCATION_UNAVAILABLE' });
});

test('revocation off: no check is wired at all', () => {
  expect(createRevocationCheck(parseConfig(h.env()))).toBeUndefined();
});

test('REVOCATION_TABLE set but no check wired: the authorizer refuses to start instead of skipping it', () => {
  const config = parseConfig(h.env({ REVOCATION_TABLE: TABLE }));
  expect(() => createAuthorizer(config, { fetcher: h.fetcher })).toThrow(
    expect.objectContaining({ name: 'ConfigError', code: 'INVALID_CONFIG', variable: 'REVOCATION_TABLE' }),
  );
});
