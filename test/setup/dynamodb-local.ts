// DynamoDB Local for tests: the runtime's own starter (local/dynamodb-local.ts) plus what only tests need:
// the SDK retry setting for the handlers under test, a longer start-up bound, and the shared items table.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createItemsTableInput } from '../../lambda/items';
import {
  LOCAL_AWS_ENV as RUNTIME_AWS_ENV,
  ensureTable,
  localClient,
  startDynamoDbLocal as startRuntimeDynamoDbLocal,
  type DynamoDbLocal,
} from '../../local/dynamodb-local';

export { localClient };
export type { DynamoDbLocal };

/**
 * DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones. Test files that
 * call the handlers (which build their client from the environment) apply them with applyLocalAwsEnv().
 */
export const LOCAL_AWS_ENV = Object.freeze({
  ...RUNTIME_AWS_ENV,
  // One retry is enough to show the retry path works and keeps an outage test from waiting on backoff.
  AWS_MAX_ATTEMPTS: '2',
});

export function applyLocalAwsEnv(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, LOCAL_AWS_ENV);
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
}

export interface StartOptions {
  /** Keep the data in this directory (so a restart finds it) instead of in memory. */
  readonly dbPath?: string;
  /** @default a free port */
  readonly port?: number;
}

// About 3 s on an idle machine; generous because CI machines are often busy.
const READY_TIMEOUT_MS = 60_000;

export function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  return startRuntimeDynamoDbLocal({ ...options, readyTimeoutMs: READY_TIMEOUT_MS });
}

/** Creates the items table; unlike the runtime's ensureItemsTable, an existing table is an error here. */
export async function createItemsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if ((await ensureTable(client, createItemsTableInput(tableName))) === 'existed') {
    throw new Error(`table ${tableName} already exists`);
  }
}

/** Global setup: the shared instance with the items table; workers find it through the environment. */
export async function startItemsDynamoDb(): Promise<() => Promise<void>> {
  const local = await startDynamoDbLocal();
  const tableName = 'items-test';
  await createItemsTable(local.client, tableName);
  process.env.DYNAMODB_ENDPOINT = local.endpoint;
  process.env.ITEMS_TABLE = tableName;
  return local.stop;
}
