// The DPoP replay table's one write, over the AWS SDK's DynamoDB client: a put that succeeds only when no
// live entry holds the key. TTL deletion lags (up to days), so an entry past its expiresAt counts as absent.
import type { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { REVOCATION_TABLE_ATTRIBUTES } from '../contract/revocation-table';
import type { ConditionalPut } from './dpop-replay';

// The replay table has the revocation table's schema (one string key, TTL on expiresAt).
const { partitionKey, timeToLiveAttribute } = REVOCATION_TABLE_ATTRIBUTES;

export function conditionalPutWith(
  client: Pick<DynamoDBClient, 'send'>,
  sdk: { readonly PutItemCommand: typeof PutItemCommand },
  tableName: string,
): ConditionalPut {
  return async (key, expiresAt, nowSeconds) => {
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: tableName,
          Item: { [partitionKey]: { S: key }, [timeToLiveAttribute]: { N: String(Math.ceil(expiresAt)) } },
          ConditionExpression: 'attribute_not_exists(#pk) OR #exp < :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#exp': timeToLiveAttribute },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowSeconds)) } },
        }),
      );
      return true;
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
  };
}
