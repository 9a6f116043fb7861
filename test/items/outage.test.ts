// DynamoDB goes away mid-flight: every route answers 503 problem JSON, no write is reported as done, and
// after a restart nothing was lost and nothing half-written exists. Uses its own DynamoDB Local instance
// (on-disk, so a restart keeps the data), never the shared one.
import './local-aws-env';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { setLogSink } from 'bearer-gate/authorizer';
import type { DynamoDbLocal } from '../setup/dynamodb-local';
import { createItemsTable, startDynamoDbLocal } from '../setup/dynamodb-local';
import { apiEvent, createEvent, jsonBody, newCaller, problemBody } from './events';

type Handler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
interface Handlers {
  readonly create: Handler;
  readonly list: Handler;
  readonly get: Handler;
  readonly remove: Handler;
}

const TABLE = 'items-outage';
// Two JVM start-ups (about 3 s each, much more on a busy 2-core machine) need more than the default budget.
jest.setTimeout(120_000);
const logs: string[] = [];

/**
 * The handlers build their DynamoDB client once, at module load, from the environment (as in Lambda).
 * A fresh module registry per endpoint gives each instance of DynamoDB Local its own cold start.
 */
function coldStart(endpoint: string): Handlers {
  process.env.DYNAMODB_ENDPOINT = endpoint;
  process.env.ITEMS_TABLE = TABLE;
  let handlers: Handlers | undefined;
  jest.isolateModules(() => {
    const log = jest.requireActual<{ setLogSink: typeof setLogSink }>('bearer-gate/authorizer');
    log.setLogSink((line) => logs.push(line));
    handlers = {
      create: jest.requireActual<{ handler: Handler }>('../../lambda/items/create').handler,
      list: jest.requireActual<{ handler: Handler }>('../../lambda/items/list').handler,
      get: jest.requireActual<{ handler: Handler }>('../../lambda/items/get').handler,
      remove: jest.requireActual<{ handler: Handler }>('../../lambda/items/delete').handler,
    };
  });
  if (handlers === undefined) throw new Error('handlers did not load');
  return handlers;
}

const dataDir = mkdtempSync(join(tmpdir(), 'items-outage-'));
const savedEnv = { endpoint: process.env.DYNAMODB_ENDPOINT, table: process.env.ITEMS_TABLE };
const instances: DynamoDbLocal[] = [];

async function start(): Promise<DynamoDbLocal> {
  const instance = await startDynamoDbLocal({ dbPath: dataDir });
  instances.push(instance);
  return instance;
}

afterAll(async () => {
  for (const instance of instances) await instance.stop();
  rmSync(dataDir, { recursive: true, force: true });
  process.env.DYNAMODB_ENDPOINT = savedEnv.endpoint;
  process.env.ITEMS_TABLE = savedEnv.table;
});

test('DynamoDB stopped: 503 with Retry-After on every route, and nothing lost or half-written', async () => {
  const user = newCaller();
  const first = await start();
  await createItemsTable(first.client, TABLE);
  const before = coldStart(first.endpoint);

  const kept = await before.create(createEvent(user, { name: 'kept' }, { 'Idempotency-Key': 'before' }));
  expect(kept.statusCode).toBe(201);
  const keptItem = jsonBody(kept) as { id: string };

  await first.stop();

  const attempts: [string, Promise<APIGatewayProxyResult>][] = [
    ['POST with key', before.create(createEvent(user, { name: 'during' }, { 'Idempotency-Key': 'during' }))],
    ['POST without key', before.create(createEvent(user, { name: 'during' }))],
    ['GET /items', before.list(apiEvent({ method: 'GET', resource: '/items', caller: user }))],
    [
      'GET /items/{id}',
      before.get(apiEvent({ method: 'GET', resource: '/items/{id}', id: keptItem.id, caller: user })),
    ],
    [
      'DELETE',
      before.remove(apiEvent({ method: 'DELETE', resource: '/items/{id}', id: keptItem.id, caller: user })),
    ],
  ];
  for (const [what, attempt] of attempts) {
    const result = await attempt;
    expect([what, result.statusCode, result.headers?.['Retry-After']]).toEqual([what, 503, '1']);
    expect(problemBody(result)).toEqual({
      type: 'tag:bearer-gate,2026:problem:storage-unavailable',
      title: 'Service unavailable',
      status: 503,
      detail: 'The item store is temporarily unavailable; retry later.',
      code: 'STORAGE_UNAVAILABLE',
    });
  }
  const failures = logs
    .map((line) => JSON.parse(line) as { level: string; reason?: string; cause?: string })
    .filter((entry) => entry.reason === 'STORAGE_UNAVAILABLE');
  expect(failures).toHaveLength(attempts.length);
  expect(
    failures.every((entry) => entry.level === 'error' && entry.cause === 'StorageUnavailableError'),
  ).toBe(true);

  // Back up on the same data: the kept item survived the refused DELETE, and the refused POSTs left no
  // item and no idempotency record behind.
  const second = await start();
  const after = coldStart(second.endpoint);
  const listed = await after.list(apiEvent({ method: 'GET', resource: '/items', caller: user }));
  expect(jsonBody(listed)).toEqual({ items: [jsonBody(kept)] });
  const { Items: records = [] } = await second.client.send(new ScanCommand({ TableName: TABLE }));
  expect(records.map((r) => r.sk?.S).sort()).toEqual(['IDEMPOTENCY#before', `ITEM#${keptItem.id}`]);

  // The client's retry of the refused POST now succeeds exactly once.
  const retried = await after.create(createEvent(user, { name: 'during' }, { 'Idempotency-Key': 'during' }));
  const again = await after.create(createEvent(user, { name: 'during' }, { 'Idempotency-Key': 'during' }));
  expect(retried.statusCode).toBe(201);
  expect(jsonBody(again)).toEqual(jsonBody(retried));
  const final = jsonBody(await after.list(apiEvent({ method: 'GET', resource: '/items', caller: user })));
  expect(final).toEqual({ items: [jsonBody(retried), jsonBody(kept)] });
});
