// Wires the revocation check only when REVOCATION_TABLE is set. The AWS SDK is imported lazily (and is
// external to the bundle, provided by the Lambda runtime), so with revocation off it costs nothing in bundle
// size or cold start. With it on, the import starts at init, alongside the JWKS fetch.
import type { RevocationCheck } from './authorizer';
import type { AuthorizerConfig } from './config';
import { createRevocationCheckWith, type BatchGet } from './revocation';

async function loadBatchGet(tableName: string, endpoint: string | undefined): Promise<BatchGet> {
  const { DynamoDBClient, BatchGetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({
    ...(endpoint === undefined ? {} : { endpoint }),
    maxAttempts: 2,
    // Bounded: an unreachable table must become a quick 503, well inside API Gateway's authorizer timeout.
    requestHandler: { connectionTimeout: 500, requestTimeout: 1000 },
  });
  return async (keys) => {
    const out = await client.send(
      new BatchGetItemCommand({
        RequestItems: {
          [tableName]: {
            Keys: keys.map((k) => ({ pk: { S: k } })),
            ProjectionExpression: 'pk, revokedBefore',
          },
        },
      }),
    );
    return {
      items: (out.Responses?.[tableName] ?? []) as Array<Record<string, { S?: string; N?: string }>>,
      unprocessed: out.UnprocessedKeys?.[tableName]?.Keys?.length ?? 0,
    };
  };
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
  return createRevocationCheckWith(revocation, batchGet);
}
