// The pure parts of the items service and HTTP plumbing, without DynamoDB or events.
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createRouteHandler, problemResponse, HttpProblemError } from '../../lambda/http';
import {
  ITEMS_TABLE_SCHEMA,
  StorageUnavailableError,
  createItemsService,
  createItemsTableInput,
  parseConfig,
} from '../../lambda/items';
import { createItemIdGenerator, isItemId } from '../../lambda/items/item-id';
import { decodePageToken, encodePageToken } from '../../lambda/items/page-token';
import { isStorageUnavailable } from '../../lambda/items/storage-errors';
import { createLogger, setLogSink } from 'bearer-gate/authorizer';
import { apiEvent, newCaller, problemBody } from './events';

describe('item ids', () => {
  test('are 26 Crockford base32 characters that sort by time', () => {
    const next = createItemIdGenerator();
    const a = next(Date.UTC(2026, 0, 1));
    const b = next(Date.UTC(2026, 0, 2));
    expect(isItemId(a.id)).toBe(true);
    expect(a.id < b.id).toBe(true);
    expect(a.time).toBe(Date.UTC(2026, 0, 1));
  });

  test('strictly increase within one millisecond and when the clock steps back', () => {
    const next = createItemIdGenerator(() => Buffer.alloc(10, 0xff - 1));
    const ids = [next(1000), next(1000), next(999), next(1000)].map((x) => x.id);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(4);
  });

  test('encode the timestamp in the first 10 characters (the ULID layout)', () => {
    const next = createItemIdGenerator(() => Buffer.alloc(10, 0));
    expect(next(0).id).toBe('0'.repeat(26));
    expect(next(2 ** 48 - 1).id).toBe('7ZZZZZZZZZ' + '0'.repeat(16));
  });
});

describe('page tokens', () => {
  test('round-trip an item id', () => {
    expect(decodePageToken(encodePageToken('01ARZ3NDEKTSV4RRFFQ69G5FAV'))).toBe('01ARZ3NDEKTSV4RRFFQ69G5FAV');
  });
});

describe('parseConfig', () => {
  test('reads the table and optional endpoint', () => {
    expect(parseConfig({ ITEMS_TABLE: ' items ', DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' })).toEqual({
      tableName: 'items',
      endpoint: 'http://127.0.0.1:8000',
      logLevel: 'info',
    });
    expect(parseConfig({ ITEMS_TABLE: 'items', LOG_LEVEL: 'warn' })).toEqual({
      tableName: 'items',
      logLevel: 'warn',
    });
  });

  test.each([
    [{}, 'ITEMS_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -); got ""'],
    [
      { ITEMS_TABLE: 'a b' },
      'ITEMS_TABLE must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -); got "a b"',
    ],
    [
      { ITEMS_TABLE: 'items', DYNAMODB_ENDPOINT: 'localhost:8000' },
      'DYNAMODB_ENDPOINT must be an http(s) URL; got "localhost:8000"',
    ],
    [
      { ITEMS_TABLE: 'items', DYNAMODB_ENDPOINT: 'ftp://x' },
      'DYNAMODB_ENDPOINT must be an http(s) URL; got "ftp://x"',
    ],
    [
      { ITEMS_TABLE: 'items', LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of debug, info, warn, error, silent; got "loud"',
    ],
  ])('refuses %j', (env, message) => {
    expect(() => parseConfig(env)).toThrow(
      expect.objectContaining({ name: 'ItemsConfigError', code: 'INVALID_CONFIG', message }),
    );
  });
});

describe('table schema', () => {
  test('one definition feeds CreateTable: pk/sk strings, on demand, TTL attribute named', () => {
    expect(createItemsTableInput('t')).toEqual({
      TableName: 't',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
    expect(ITEMS_TABLE_SCHEMA.timeToLiveAttribute).toBe('expiresAt');
  });
});

// DynamoDB Local cannot be made to throttle, so these cases build the SDK's own exception objects:
// this is the one place where AWS itself is mocked.
function serviceError(name: string, status: number): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

describe('which storage failures are "unavailable"', () => {
  test.each([
    [
      'throttled (ProvisionedThroughputExceededException)',
      serviceError('ProvisionedThroughputExceededException', 400),
      true,
    ],
    ['throttled (ThrottlingException)', serviceError('ThrottlingException', 400), true],
    ['request limit exceeded', serviceError('RequestLimitExceeded', 400), true],
    ['internal server error', serviceError('InternalServerError', 500), true],
    ['any 5xx', serviceError('SomethingNew', 503), true],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), true],
    [
      'no answer after retries',
      Object.assign(new Error('socket hang up'), { $metadata: { attempts: 3 } }),
      true,
    ],
    ['validation error (a bug here)', serviceError('ValidationException', 400), false],
    ['missing table (misconfiguration)', serviceError('ResourceNotFoundException', 400), false],
    ['a plain error before sending', new TypeError('marshalling failed'), false],
    ['not an error', 'boom', false],
  ])('%s', (_name, error, unavailable) => {
    expect(isStorageUnavailable(error)).toBe(unavailable);
  });

  test('a throttled write is StorageUnavailableError, never a success', async () => {
    const client = {
      send: () => Promise.reject(serviceError('ProvisionedThroughputExceededException', 400)),
    };
    const service = createItemsService({
      client: client as unknown as DynamoDBDocumentClient,
      tableName: 'items',
    });
    const owner = { issuer: 'https://issuer.test', sub: 'u' };
    await expect(service.create(owner, { name: 'n' })).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(service.create(owner, { name: 'n' }, { idempotencyKey: 'k' })).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
    await expect(service.remove(owner, '01ARZ3NDEKTSV4RRFFQ69G5FAV')).rejects.toBeInstanceOf(
      StorageUnavailableError,
    );
  });
});

describe('createRouteHandler', () => {
  const lines: string[] = [];
  let restore: () => void;
  beforeAll(() => {
    restore = setLogSink((line) => lines.push(line));
  });
  afterAll(() => restore());

  test('an unexpected error is a generic 500 problem; the detail goes to the log only', async () => {
    const handler = createRouteHandler({
      routeId: 'ListItems',
      logger: createLogger('test'),
      handle: () => Promise.reject(new Error('table items-prod: secret internal detail')),
    });
    const result = await handler(apiEvent({ method: 'GET', resource: '/items', caller: newCaller() }));
    expect(result.statusCode).toBe(500);
    expect(problemBody(result)).toEqual({
      type: 'tag:bearer-gate,2026:problem:internal-error',
      title: 'Internal server error',
      status: 500,
      detail: 'The server could not complete the request.',
      code: 'INTERNAL_ERROR',
    });
    expect(result.body).not.toContain('secret');
    const logged = JSON.parse(lines[lines.length - 1] ?? '{}') as Record<string, unknown>;
    expect(logged).toMatchObject({
      level: 'error',
      reason: 'INTERNAL_ERROR',
      status: 500,
      route: 'ListItems',
    });
    expect(logged.causeMessage).toBe('table items-prod: secret internal detail');
  });

  test('a route id missing from the route table fails at cold start', () => {
    expect(() =>
      createRouteHandler({
        routeId: 'NoSuchRoute',
        logger: createLogger('test'),
        handle: () => Promise.reject(new Error()),
      }),
    ).toThrow('route "NoSuchRoute" is not in the route table (lambda/routes/table.ts)');
  });

  test('extensions can never overwrite the standard problem members', () => {
    const result = problemResponse(
      new HttpProblemError({
        status: 400,
        code: 'X',
        title: 't',
        detail: 'd',
        extensions: { status: 999, code: 'Y' },
      }),
    );
    expect(JSON.parse(result.body)).toMatchObject({ status: 400, code: 'X' });
  });
});
