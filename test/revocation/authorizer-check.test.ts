// The authorizer's revocation check against AWS's DynamoDB Local: one token by jti, a subject cut-off (and
// the clock skew after it), tokens without jti, and a store that cannot be reached.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAuthorizer, RevocationUnavailableError } from 'bearer-gate/authorizer';
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

/** The authorizer with the revocation check, as revocable-handler.ts builds it. CLOCK_SKEW_SECONDS: 30. */
function authorizer(overrides: Record<string, string> = {}) {
  const config = h.config({ REVOCATION_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint, ...overrides });
  return createAuthorizer(config, { revocation: createRevocationCheck(config) });
}
const SKEW = 30;

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
  const a = authorizer();
  // Revoked 100 s ago (the service takes "now" as an argument), so that the tokens issued after the cut-off
  // below carry an iat that is not in the future.
  const t = now() - 100;
  const revocation = await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t);
  expect(revocation).toMatchObject({
    kind: 'subject',
    issuer: ISSUER,
    subject: sub,
    revokedBefore: t + 1,
    // Past the longest token lifetime, plus the largest clock skew a token's iat may carry after the cut-off.
    expiresAt: t + 1 + 300 + 3600,
  });

  // Before it; in its own second; and within the clock skew after it (an issuer whose clock runs fast may
  // have issued that one before the cut-off).
  for (const iat of [t - 60, t, t + SKEW]) {
    await expect(
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat }))}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
  }
  // The first second clear of it.
  const later = claims({ sub, iat: t + 1 + SKEW });
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
  const first = await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t - 100);
  await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t - 200);
  // Refused under the first cut-off (t - 99 + skew), allowed had the second one (t - 199 + skew) replaced it.
  const token = claims({ sub, iat: t - 150 });
  await expect(authorizer().authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, token)}`))).rejects.toThrow(
    UNAUTHORIZED,
  );
  expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
  expect(first).toMatchObject({ revokedBefore: t - 99 });
});

describe('a subject cut-off also covers the clock skew after it', () => {
  // Cut-offs in the past, so that each boundary iat is one the skew lets through as not in the future.
  test.each([0, 1, 30, 300])(
    'CLOCK_SKEW_SECONDS=%i: iat up to cut-off + skew - 1 is refused, iat = cut-off + skew is allowed',
    async (skew) => {
      const sub = `user-${randomUUID()}`;
      const t = now();
      const revocation = await service().revoke({ kind: 'subject', issuer: ISSUER, subject: sub }, t - 400);
      const cutOff = t - 399;
      expect(revocation).toMatchObject({ revokedBefore: cutOff });
      const a = authorizer({ CLOCK_SKEW_SECONDS: String(skew) });
      for (const iat of [cutOff - 1, cutOff + skew - 1]) {
        await expect(
          a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat }))}`)),
        ).rejects.toThrow(UNAUTHORIZED);
        expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'TOKEN_REVOKED' });
      }
      await expect(
        a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat: cutOff + skew }))}`)),
      ).resolves.toMatchObject({ principalId: sub });
    },
  );
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
    const t = now() - 100;
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
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat: t + SKEW }))}`)),
    ).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
    await expect(
      a.authorize(tokenEvent(`Bearer ${signToken(h.keys.rsa, claims({ sub, iat: t + 1 + SKEW }))}`)),
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
    expect(lastDecision(h.logs).reason).toBe('TOKEN_REVOKED');
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
  expect(createRevocationCheck(h.config())).toBeUndefined();
});

test('REVOCATION_TABLE set but no check wired: the authorizer refuses to start instead of skipping it', () => {
  const config = h.config({ REVOCATION_TABLE: TABLE });
  expect(() => createAuthorizer(config)).toThrow(
    expect.objectContaining({ name: 'ConfigError', code: 'INVALID_CONFIG', variable: 'REVOCATION_TABLE' }),
  );
});
