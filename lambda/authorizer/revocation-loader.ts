// Wires the revocation check only when REVOCATION_TABLE is set. The AWS SDK is imported lazily (and is
// external to the bundle, provided by the Lambda runtime), so with revocation off it costs nothing in bundle
// size or cold start. With it on, the import starts at init, alongside the JWKS fetch.
import type { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { REVOCATION_TABLE_SCHEMA } from '../contract/revocation-table';
import type { RevocationCheck } from './authorizer';
import type { AuthorizerConfig } from './config';
import { createRevocationCheckWith, type BatchGet } from './revocation';

const { partitionKey, revokedBeforeAttribute } = REVOCATION_TABLE_SCHEMA;

/**
 * The check's one read, over an SDK client: the entries at `keys` in `tableName`, and how many of the keys
 * DynamoDB left unprocessed. The SDK module is passed in because the loader imports it lazily.
 */
export function batchGetWith(
  client: Pick<DynamoDBClient, 'send'>,
  sdk: { readonly BatchGetItemCommand: typeof BatchGetItemCommand },
  tableName: string,
): BatchGet {
  return async (keys) => {
    const out = await client.send(
      new sdk.BatchGetItemCommand({
        RequestItems: {
          [tableName]: {
            Keys: keys.map((k) => ({ [partitionKey]: { S: k } })),
            ProjectionExpression: '#pk, #before',
            ExpressionAttributeNames: { '#pk': partitionKey, '#before': revokedBeforeAttribute },
          },
        },
      }),
    );
    return {
      items: out.Responses?.[tableName] ?? [],
      unprocessed: out.UnprocessedKeys?.[tableName]?.Keys?.length ?? 0,
    };
  };
}

async function loadBatchGet(tableName: string, endpoint: string | undefined): Promise<BatchGet> {
  const sdk = await import('@aws-sdk/client-dynamodb');
  const client = new sdk.DynamoDBClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    maxAttempts: 2,
    // Bounded: an unreachable table must become a quick 503, well inside API Gateway's authorizer timeout.
    requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
  });
  return batchGetWith(client, sdk, tableName);
}

export function createRevocationCheck(config: AuthorizerConfig): RevocationCheck | undefined {
  const revocation = config.revocation;
  if (revocation === null) return undefined;
  let loading: Promise<BatchGet> | undefined;
  const batchGet = (): Promise<BatchGet> => {
    // A failed import or client construction is retried on the next request rather than cached.
    loading ??= loadBatchGet(revocation.tableName, revocation.endpoint).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  void batchGet().catch(() => undefined);
  return createRevocationCheckWith(
    { missingJti: revocation.missingJti, clockSkewSeconds: config.clockSkewSeconds },
    batchGet,
  );
}
