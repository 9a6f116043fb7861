// The authorizer's one way to reach a DynamoDB table (the revocation table's read, the DPoP replay table's
// write and nonce key): the AWS SDK imported lazily (external to the bundle, provided by the Lambda runtime),
// one client with bounded waits, and a failed load retried on the next request. Only the revocable bundle
// imports this module.
import type * as DynamoDb from '@aws-sdk/client-dynamodb';

/** The AWS SDK's DynamoDB module, as the lazy import gives it. */
export type DynamoDbSdk = typeof DynamoDb;

/** A table to reach, and (local only) the DynamoDB Local endpoint DYNAMODB_ENDPOINT names. */
export interface TableAddress {
  readonly tableName: string;
  readonly endpoint: string | undefined;
}

/** Makes a table's one operation from a client and the SDK module (passed in: it is imported lazily). */
export type TableOperation<T> = (
  client: Pick<DynamoDb.DynamoDBClient, 'send'>,
  sdk: DynamoDbSdk,
  tableName: string,
) => T;

/**
 * One client per endpoint for every table operation of this instance: the replay table's write and the nonce
 * key's read (one table) and the revocation read share its connections and its credentials, not one each.
 */
const clients = new Map<string | undefined, DynamoDb.DynamoDBClient>();

async function load<T>(table: TableAddress, operation: TableOperation<T>): Promise<T> {
  const sdk = await import('@aws-sdk/client-dynamodb');
  let client = clients.get(table.endpoint);
  if (client === undefined) {
    client = new sdk.DynamoDBClient({
      ...(table.endpoint === undefined ? {} : { endpoint: table.endpoint }),
      maxAttempts: 2,
      // Bounded: an unreachable table must become a quick 503, well inside API Gateway's authorizer timeout.
      requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
    });
    clients.set(table.endpoint, client);
  }
  return operation(client, sdk, table.tableName);
}

/**
 * The operation on `table`, loaded once: the load starts at once (at init, alongside the JWKS fetch), and a
 * failed import or client construction is retried on the next request rather than cached.
 */
export function lazyTableOperation<T>(table: TableAddress, operation: TableOperation<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  const loaded = (): Promise<T> => {
    loading ??= load(table, operation).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  void loaded().catch(() => undefined);
  return loaded;
}
