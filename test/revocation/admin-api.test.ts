// The revocation admin function as the package ships it (lambda/revocation/admin-api.ts), against AWS's
// DynamoDB Local: the exact answers for a revocation, a caller without the configured scopes or without an
// authorizer context, a bad body and an unreachable store; its configuration as RevocationList renders it.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createLogger, setLogSink } from 'bearer-gate/authorizer';
import { renderRevocationAdminSettings } from 'bearer-gate/contract';
import {
  createRevocationHandler,
  createRevocationService,
  createRevocationTableInput,
  parseConfig,
  type RevocationHandler,
} from '../../lambda/revocation';
import { createDocumentClient } from '../../lambda/shared/dynamodb';
import { localClient } from '../setup/dynamodb-local';
import { apiEvent, type Caller } from '../items/events';

const TABLE = `revocations-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const NOW = Date.parse('2026-12-07T10:00:00Z');
const NOW_SECONDS = NOW / 1000;
const ISSUER = 'https://id.example.com/';
const PROBLEM_HEADERS = { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' };

const logs: Array<Record<string, unknown>> = [];
let restoreSink: () => void;
let handler: RevocationHandler;

function handlerFor(
  requiredScopes: readonly string[],
  client = DynamoDBDocumentClient.from(localClient(endpoint)),
) {
  return createRevocationHandler({
    service: createRevocationService({ client, tableName: TABLE, maxTokenLifetimeSeconds: 3600 }),
    logger: createLogger('revocations', 'info'),
    requiredScopes,
    now: () => NOW,
  });
}

beforeAll(async () => {
  restoreSink = setLogSink((line) => logs.push(JSON.parse(line) as Record<string, unknown>));
  await localClient(endpoint).send(new CreateTableCommand(createRevocationTableInput(TABLE)));
  handler = handlerFor(['tokens:revoke']);
});
afterAll(() => restoreSink());
beforeEach(() => {
  logs.length = 0;
});

/** POST <resource> as API Gateway delivers it, with the authorizer's context for `caller` (null: none). */
function post(caller: Caller | null, body: unknown, resource = '/revocations'): APIGatewayProxyEvent {
  return {
    ...apiEvent({
      method: 'POST',
      resource: '/items',
      caller,
      headers: { 'Content-Type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
    resource,
    path: resource,
  };
}

const admin: Caller = { sub: 'admin-1', scopes: ['tokens:revoke'], issuer: ISSUER };

async function entry(pk: string): Promise<Record<string, unknown> | undefined> {
  const out = await localClient(endpoint).send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }),
  );
  return out.Item;
}

test('revokes one token: 201 with the revocation, and the entry outlives exp by the largest clock skew', async () => {
  const tokenId = randomUUID();
  const expiresAt = NOW_SECONDS + 600;
  const result = await handler(post(admin, { tokenId, expiresAt }));
  expect(result).toEqual({
    statusCode: 201,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ kind: 'token', tokenId, expiresAt }),
  });
  expect(await entry(`token#${tokenId}`)).toEqual({
    pk: { S: `token#${tokenId}` },
    expiresAt: { N: String(expiresAt + 300) },
  });
  expect(logs.map((l) => [l.message, l.reason, l.kind ?? l.status])).toEqual([
    ['revoked', 'REVOKED', 'token'],
    ['request handled', 'OK', 201],
  ]);
});

test("revokes a subject's earlier tokens: 201 with the cut-off and when its entry expires", async () => {
  const subject = `user-${randomUUID()}`;
  const result = await handler(post(admin, { issuer: ISSUER, subject }));
  const revokedBefore = NOW_SECONDS + 1;
  const expiresAt = revokedBefore + 300 + 3600;
  expect([result.statusCode, JSON.parse(result.body)]).toEqual([
    201,
    { kind: 'subject', issuer: ISSUER, subject, revokedBefore, expiresAt },
  ]);
  expect(await entry(`issuer#${ISSUER}#subject#${subject}`)).toEqual({
    pk: { S: `issuer#${ISSUER}#subject#${subject}` },
    revokedBefore: { N: String(revokedBefore) },
    expiresAt: { N: String(expiresAt) },
  });
});

test.each<[string, readonly string[], readonly string[], string]>([
  ['without the default scope', ['tokens:revoke'], ['items:read'], 'tokens:revoke'],
  [
    'with only one of the configured scopes',
    ['admin', 'tokens:revoke'],
    ['tokens:revoke'],
    'admin tokens:revoke',
  ],
])(
  'a caller %s gets 403 naming the path and scopes, and nothing is written',
  async (_name, required, held, says) => {
    const tokenId = randomUUID();
    const result = await handlerFor(required)(
      post({ ...admin, scopes: held }, { tokenId, expiresAt: NOW_SECONDS + 600 }, '/admin/revocations'),
    );
    expect(result).toEqual({
      statusCode: 403,
      headers: {
        'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${says}"`,
        ...PROBLEM_HEADERS,
      },
      body: JSON.stringify({
        type: `tag:bearer-gate,2026:problem:insufficient-scope`,
        title: 'Insufficient scope',
        status: 403,
        detail: `POST /admin/revocations requires the scope(s): ${says}.`,
        code: 'INSUFFICIENT_SCOPE',
      }),
    });
    expect(await entry(`token#${tokenId}`)).toBeUndefined();
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'warn',
        message: 'request refused',
        status: 403,
        reason: 'INSUFFICIENT_SCOPE',
      }),
    ]);
  },
);

test('a request without an authorizer context gets 401', async () => {
  const result = await handler(post(null, { tokenId: 't', expiresAt: NOW_SECONDS + 600 }));
  expect([result.statusCode, result.headers, JSON.parse(result.body)]).toEqual([
    401,
    { 'WWW-Authenticate': 'Bearer', ...PROBLEM_HEADERS },
    {
      type: 'tag:bearer-gate,2026:problem:unauthenticated',
      title: 'Authentication required',
      status: 401,
      detail: 'The request carries no authorizer context.',
      code: 'UNAUTHENTICATED',
    },
  ]);
});

test.each<[string, number, string, string | undefined, string]>([
  ['not JSON', 400, 'INVALID_JSON', undefined, '{"tokenId":'],
  ['a subject without its issuer', 400, 'INVALID_FIELD', 'issuer', '{"subject":"bob"}'],
  [
    'an expiry in the past',
    400,
    'INVALID_FIELD',
    'expiresAt',
    `{"tokenId":"t","expiresAt":${NOW_SECONDS - 1}}`,
  ],
  [
    'a body over 16 KiB',
    413,
    'PAYLOAD_TOO_LARGE',
    undefined,
    JSON.stringify({ subject: 'x'.repeat(17_000) }),
  ],
])('%s: %i %s', async (_name, status, code, field, body) => {
  const result = await handler(post(admin, body));
  const problem = JSON.parse(result.body) as Record<string, unknown>;
  expect([result.statusCode, problem.code, problem.field]).toEqual([status, code, field]);
});

test('an unreachable store is a 503 with Retry-After, and the log names the cause', async () => {
  // A port that was free a moment ago: DynamoDB refuses the connection, as an endpoint that is down does.
  const port = await new Promise<number>((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => done(p));
    });
  });
  const down = handlerFor(['tokens:revoke'], createDocumentClient({ endpoint: `http://127.0.0.1:${port}` }));
  const result = await down(post(admin, { tokenId: randomUUID(), expiresAt: NOW_SECONDS + 600 }));
  expect([result.statusCode, result.headers, JSON.parse(result.body)]).toEqual([
    503,
    { 'Retry-After': '1', ...PROBLEM_HEADERS },
    {
      type: 'tag:bearer-gate,2026:problem:storage-unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The revocation store is temporarily unavailable; nothing was revoked. Retry later.',
      code: 'STORAGE_UNAVAILABLE',
    },
  ]);
  expect(logs).toEqual([
    expect.objectContaining({
      level: 'error',
      message: 'request failed',
      status: 503,
      reason: 'STORAGE_UNAVAILABLE',
      cause: 'RevocationStorageUnavailableError',
    }),
  ]);
});

describe('configuration', () => {
  test('what RevocationList renders, parseConfig reads back', () => {
    const env = renderRevocationAdminSettings({
      tableName: 'revocations-prod',
      maxTokenLifetimeSeconds: 3600,
      requiredScopes: ['admin', 'tokens:revoke'],
      logLevel: 'warn',
    });
    expect(parseConfig(env)).toEqual({
      tableName: 'revocations-prod',
      maxTokenLifetimeSeconds: 3600,
      requiredScopes: ['admin', 'tokens:revoke'],
      logLevel: 'warn',
    });
  });

  test('without REQUIRED_SCOPES the function requires tokens:revoke', () => {
    expect(parseConfig({ REVOCATION_TABLE: 'revocations' }).requiredScopes).toEqual(['tokens:revoke']);
  });

  test.each(['a"b', 'a\\b', 'tokens:revoke\tadmin', 'é'])('REQUIRED_SCOPES %j is refused', (value) => {
    expect(() => parseConfig({ REVOCATION_TABLE: 'revocations', REQUIRED_SCOPES: value })).toThrow(
      `REQUIRED_SCOPES must be scopes separated by spaces (RFC 6749 §3.3); got "${value}"`,
    );
  });
});
