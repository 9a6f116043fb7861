// The revocation check's one read, over the AWS SDK's DynamoDB client (imported lazily: dynamodb-table.ts), and
// kept out of the public type surface (its types name the SDK, an optional dependency of the package).
import type { BatchGetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { REVOCATION_TABLE_ATTRIBUTES } from '../contract/revocation-table';
import type { BatchGet } from './revocation';

const { partitionKey, revokedBeforeAttribute } = REVOCATION_TABLE_ATTRIBUTES;

/**
 * The entries at `keys` in `tableName`, and how many of the keys DynamoDB left unprocessed. The SDK module
 * is passed in because dynamodb-table.ts imports it lazily.
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
