// The DPoP nonce key's item in the replay table, over the AWS SDK's DynamoDB client: one item per key period
// (`dpop-nonce-key#<period>`), created by the first instance that needs it with a conditional put of a random
// key (the first writer wins; the others read the winner's key back with a consistent read), and removed by
// the table's TTL two periods after its period began. An item this code cannot read fails closed.
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { REVOCATION_TABLE_ATTRIBUTES } from '../contract/revocation-table';
import { NONCE_KEY_BYTES, NONCE_KEY_PERIOD_SECONDS } from './dpop-nonce';
import { NonceKeyUnavailableError } from './errors';

// The replay table has the revocation table's schema (one string key, TTL on expiresAt).
const { partitionKey, timeToLiveAttribute } = REVOCATION_TABLE_ATTRIBUTES;
/** The binary attribute that holds the key. */
export const NONCE_KEY_ATTRIBUTE = 'nonceKey';

/** The item's key: proof keys begin `dpop#` (dpop-replay.ts), so the two kinds of item never share one. */
export function nonceKeyItemKey(period: number): string {
  return `dpop-nonce-key#${period}`;
}

/** When the item may go: the end of the period after its own, once no nonce it signed can be accepted. */
export function nonceKeyExpiresAt(period: number): number {
  return (period + 2) * NONCE_KEY_PERIOD_SECONDS;
}

type Item = Record<string, { S?: string; N?: string; B?: Uint8Array } | undefined>;

/** The key an item holds, undefined for no item or one past its expiry, or a throw for one that is unusable. */
function keyOf(item: Item | undefined, period: number, nowSeconds: number): Buffer | undefined {
  if (item === undefined) return undefined;
  const expiresAt = Number(item[timeToLiveAttribute]?.N);
  // TTL deletion lags: an item past its expiry counts as absent (the put below may replace it).
  if (Number.isFinite(expiresAt) && expiresAt < nowSeconds) return undefined;
  const key = item[NONCE_KEY_ATTRIBUTE]?.B;
  if (key === undefined || key.length !== NONCE_KEY_BYTES || !Number.isFinite(expiresAt)) {
    throw new NonceKeyUnavailableError(
      `the DPoP nonce key item ${nonceKeyItemKey(period)} is not a ${NONCE_KEY_BYTES}-byte key with an expiry`,
    );
  }
  return Buffer.from(key);
}

export interface NonceKeySdk {
  readonly GetItemCommand: typeof GetItemCommand;
  readonly PutItemCommand: typeof PutItemCommand;
}

/** Reads (or creates) the key of one period in `tableName`; every instance gets the same key. */
export function nonceKeyLoaderWith(
  client: Pick<DynamoDBClient, 'send'>,
  sdk: NonceKeySdk,
  tableName: string,
): (period: number, nowSeconds: number) => Promise<Buffer> {
  const read = async (period: number, nowSeconds: number): Promise<Buffer | undefined> => {
    const { Item } = await client.send(
      new sdk.GetItemCommand({
        TableName: tableName,
        Key: { [partitionKey]: { S: nonceKeyItemKey(period) } },
        // The key another instance has just written must be seen at once, or two keys would sign one period.
        ConsistentRead: true,
      }),
    );
    return keyOf(Item as Item | undefined, period, nowSeconds);
  };
  return async (period, nowSeconds) => {
    const existing = await read(period, nowSeconds);
    if (existing !== undefined) return existing;
    const key = randomBytes(NONCE_KEY_BYTES);
    try {
      await client.send(
        new sdk.PutItemCommand({
          TableName: tableName,
          Item: {
            [partitionKey]: { S: nonceKeyItemKey(period) },
            [timeToLiveAttribute]: { N: String(nonceKeyExpiresAt(period)) },
            [NONCE_KEY_ATTRIBUTE]: { B: key },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #exp < :now',
          ExpressionAttributeNames: { '#pk': partitionKey, '#exp': timeToLiveAttribute },
          ExpressionAttributeValues: { ':now': { N: String(Math.floor(nowSeconds)) } },
        }),
      );
      return key;
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
    }
    // Another instance wrote first: its key is the period's key.
    const written = await read(period, nowSeconds);
    if (written === undefined) {
      throw new NonceKeyUnavailableError(`the DPoP nonce key item ${nonceKeyItemKey(period)} vanished`);
    }
    return written;
  };
}
