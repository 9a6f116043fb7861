// Token revocation end to end on 127.0.0.1: `npm start` as a child process (the local issuer, DynamoDB Local
// with the revocation table, the gateway running the real authorizer with the revocation check and the real
// POST /revocations handler) and `npm run revoke`. Nothing is mocked. The result cache is on, capped at
// MAX_REVOCATION_DELAY_SECONDS (5 s, with margin for a busy CI machine); the only waits are for that cap to pass.
import { gatewayResponse, gatewayResponseBody, protectedResourceMetadataUrl } from 'bearer-gate/contract';
import { appGatewayResponses } from '../../local/construct-contract';
import { startDynamoDbLocal, type DynamoDbLocal } from '../setup/dynamodb-local';
import { loginToken, runRevoke, startStack, type StackProcess } from './stack-process';
import { payloadOf } from '../support/keys';

/** The stack's gateway responses: the app's, with the metadata URL (which holds the gateway's port). */
function stackResponses() {
  return appGatewayResponses('*', { resourceMetadataUrl: protectedResourceMetadataUrl(stack.info.api) });
}

jest.setTimeout(60_000);

const DELAY_SECONDS = 5;
/** CLOCK_SKEW_SECONDS: a subject cut-off also refuses tokens issued this long after it. Short, to wait less. */
const SKEW_SECONDS = 4;

let stack: StackProcess;
let api: string;
let admin: string;

interface Stats {
  authorizerInvocations: number;
  cacheHits: number;
}

async function stats(): Promise<Stats> {
  return (await (await fetch(`${api}/__local/stats`)).json()) as Stats;
}

function call(method: string, path: string, token: string, body?: string, base = api): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body,
  });
}

type RevocationClaims = { sub: string; jti: string; exp: number; iat: number };

async function expectGatewayResponse(
  res: Response,
  type: 'UNAUTHORIZED' | 'ACCESS_DENIED' | 'AUTHORIZER_CONFIGURATION_ERROR',
): Promise<void> {
  const expected = gatewayResponse(type, stackResponses());
  expect({ status: res.status, body: await res.text() }).toEqual({
    status: expected.statusCode,
    body: gatewayResponseBody(expected),
  });
  // The CORS headers carry the stack's allowed origin, which is not what these tests are about.
  for (const [name, value] of Object.entries(expected.headers)) {
    if (!name.startsWith('Access-Control-')) expect([name, res.headers.get(name)]).toEqual([name, value]);
  }
}

/** Waits until this epoch second has begun. */
async function until(epochSecond: number): Promise<void> {
  const wait = epochSecond * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** Waits until the result cache can no longer hold anything cached before `since` (ms). */
async function cacheCapPassed(since: number): Promise<void> {
  const wait = since + DELAY_SECONDS * 1000 + 100 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

beforeAll(async () => {
  stack = await startStack({
    // Free ports for everything the stack serves, so test files can run side by side.
    APP_PORT: '0',
    GATEWAY_STATS: '1',
    LOG_LEVEL: 'warn',
    ITEMS_TABLE: 'items-revocation-e2e',
    REVOCATION_TABLE: 'revocations-e2e',
    MAX_REVOCATION_DELAY_SECONDS: String(DELAY_SECONDS),
    CLOCK_SKEW_SECONDS: String(SKEW_SECONDS),
  });
  api = stack.info.api;
  admin = await loginToken(stack, 'admin');
}, 90_000);

afterAll(async () => {
  await stack?.cleanup();
});

test('npm start announces revocation on, with the cache TTL capped at the delay', () => {
  expect(stack.output()).toMatch(
    new RegExp(
      `^revocation: on \\(table revocations-e2e\\); MAX_REVOCATION_DELAY_SECONDS ${DELAY_SECONDS}, so the authorizer cache TTL is ${DELAY_SECONDS} s$`,
      'm',
    ),
  );
  expect(payloadOf<RevocationClaims>(admin)).toMatchObject({
    sub: 'admin',
    scope: 'items:read tokens:revoke',
  });
});

test('npm run revoke --token: that token gets 401, another token of the same user still works', async () => {
  const [revoked, other] = await Promise.all([loginToken(stack, 'alice'), loginToken(stack, 'alice')]);
  const { jti, exp } = payloadOf<RevocationClaims>(revoked);
  expect(jti).toEqual(expect.any(String));

  const run = await runRevoke(stack, ['--token', revoked]);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(run.stdout)).toEqual({ kind: 'token', tokenId: jti, expiresAt: exp });

  // Neither token was used before, so nothing is cached: the next request is decided afresh.
  await expectGatewayResponse(await call('GET', '/items', revoked), 'UNAUTHORIZED');
  expect((await call('GET', '/items', other)).status).toBe(200);
});

test('npm run revoke --subject: all earlier tokens of the user get 401, a token issued later works', async () => {
  const earlier = await Promise.all([loginToken(stack, 'bob'), loginToken(stack, 'bob')]);

  const run = await runRevoke(stack, ['--subject', 'bob']);
  expect(run.code).toBe(0);
  const result = JSON.parse(run.stdout) as { revokedBefore: number; expiresAt: number };
  expect(result).toEqual({
    kind: 'subject',
    issuer: stack.info.issuer,
    subject: 'bob',
    revokedBefore: expect.any(Number),
    expiresAt: expect.any(Number),
  });
  for (const token of earlier) {
    expect(payloadOf(token).iat).toBeLessThan(result.revokedBefore);
    await expectGatewayResponse(await call('GET', '/items', token), 'UNAUTHORIZED');
  }

  // Tokens issued in the cut-off's own second count as earlier, and so do those issued within the clock skew
  // after it (an issuer whose clock runs fast may have issued them before the cut-off).
  await until(result.revokedBefore);
  const withinSkew = await loginToken(stack, 'bob');
  expect(payloadOf(withinSkew).iat).toBeLessThan(result.revokedBefore + SKEW_SECONDS);
  await expectGatewayResponse(await call('GET', '/items', withinSkew), 'UNAUTHORIZED');

  await until(result.revokedBefore + SKEW_SECONDS);
  const later = await loginToken(stack, 'bob');
  expect(payloadOf(later).iat).toBeGreaterThanOrEqual(result.revokedBefore + SKEW_SECONDS);
  expect((await call('GET', '/items', later)).status).toBe(200);
});

test('a user without tokens:revoke gets 403 from POST /revocations', async () => {
  const alice = await loginToken(stack, 'alice');
  const before = await stats();
  await expectGatewayResponse(
    await call('POST', '/revocations', alice, JSON.stringify({ subject: 'bob' })),
    'ACCESS_DENIED',
  );
  expect((await stats()).authorizerInvocations).toBe(before.authorizerInvocations + 1);
});

describe('bad bodies get 400 with a stable code', () => {
  const soon = Math.floor(Date.now() / 1000) + 600;
  test.each<[string, string, string, string | undefined]>([
    ['not JSON', '{"subject":', 'INVALID_JSON', undefined],
    ['an array', '[]', 'INVALID_BODY', undefined],
    ['an empty object', '{}', 'INVALID_FIELD', 'tokenId'],
    ['a token id without expiry', '{"tokenId":"t-1"}', 'INVALID_FIELD', 'expiresAt'],
    ['an expiry as a string', `{"tokenId":"t-1","expiresAt":"${soon}"}`, 'INVALID_FIELD', 'expiresAt'],
    ['an expiry in the past', '{"tokenId":"t-1","expiresAt":1000}', 'INVALID_FIELD', 'expiresAt'],
    [
      'both kinds at once',
      `{"subject":"bob","tokenId":"t-1","expiresAt":${soon}}`,
      'INVALID_BODY',
      undefined,
    ],
    ['an unknown field', '{"subject":"bob","reason":"left"}', 'UNKNOWN_FIELD', 'reason'],
    ['a subject with a space', '{"subject":"bob smith"}', 'INVALID_FIELD', 'subject'],
    ['a subject without its issuer', '{"subject":"bob"}', 'INVALID_FIELD', 'issuer'],
  ])('%s', async (_name, body, code, field) => {
    const res = await call('POST', '/revocations', admin, body);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 400, code });
    expect(problem.field).toBe(field);
  });
});

test('the delay holds with the cache on: served from cache until the cap, refused after it', async () => {
  const token = await loginToken(stack, 'alice');
  const { jti, exp } = payloadOf<RevocationClaims>(token);
  const cachedAt = Date.now();
  expect((await call('GET', '/items', token)).status).toBe(200);

  const revoked = await call('POST', '/revocations', admin, JSON.stringify({ tokenId: jti, expiresAt: exp }));
  expect({ status: revoked.status, body: await revoked.json() }).toEqual({
    status: 201,
    body: { kind: 'token', tokenId: jti, expiresAt: exp },
  });

  // Inside the cap the cached Allow still decides: exactly the trade-off maxRevocationDelay bounds.
  const before = await stats();
  expect((await call('GET', '/items', token)).status).toBe(200);
  expect(await stats()).toMatchObject({
    authorizerInvocations: before.authorizerInvocations,
    cacheHits: before.cacheHits + 1,
  });

  await cacheCapPassed(cachedAt);
  await expectGatewayResponse(await call('GET', '/items', token), 'UNAUTHORIZED');
  expect((await stats()).authorizerInvocations).toBe(before.authorizerInvocations + 1);
});

describe('npm run revoke refuses bad flags', () => {
  test.each<[string, string[], RegExp]>([
    ['no flags', [], /revoke needs exactly one of --token JWT/],
    ['a token id without expiry', ['--token-id', 'x'], /--token-id needs --expires-at EPOCH/],
    ['a token that is not a JWT', ['--token', 'abc'], /--token must be a JWT/],
  ])('%s: exit 2 and a message naming the flag', async (_name, args, message) => {
    const run = await runRevoke(stack, args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });
});

describe('with DynamoDB down', () => {
  let dynamodb: DynamoDbLocal;
  let outage: StackProcess;

  beforeAll(async () => {
    dynamodb = await startDynamoDbLocal();
    outage = await startStack({
      APP_PORT: '0',
      LOG_LEVEL: 'silent',
      DYNAMODB_ENDPOINT: dynamodb.endpoint,
      AUTHORIZER_CACHE_TTL_SECONDS: '0',
    });
  }, 90_000);

  afterAll(async () => {
    await outage?.cleanup();
    await dynamodb?.stop();
  });

  // A Lambda authorizer that throws is answered with AUTHORIZER_CONFIGURATION_ERROR on AWS, which the
  // construct renders as 503 AUTHORIZER_UNAVAILABLE with Retry-After.
  test('the authorizer fails closed with the authorizer-failure response (503), not 401', async () => {
    const token = await loginToken(outage, 'alice');
    expect((await call('GET', '/items', token, undefined, outage.info.api)).status).toBe(200);

    await dynamodb.stop();
    await expectGatewayResponse(
      await call('GET', '/items', token, undefined, outage.info.api),
      'AUTHORIZER_CONFIGURATION_ERROR',
    );
  });
});
