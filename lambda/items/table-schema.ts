// The items table's shape, declared once: the CDK stack and the local DynamoDB setup both read it.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * One table holds every owner's items and idempotency records (single-table design):
 * - pk `ISSUER#<iss>#OWNER#<sub>`: a user's data is one partition, so listing is a Query, never a Scan; the
 *   issuer is part of it because two issuers' equal `sub`s are two people (`OWNER#<sub>` for items stored
 *   before that, for LEGACY_OWNER_ISSUER's callers only: keys.ts);
 * - sk `ITEM#<id>` for items (ids sort by creation time, so a descending Query is newest first),
 *   `IDEMPOTENCY#<key>` for idempotency records, which carry the TTL attribute.
 */
export const ITEMS_TABLE_SCHEMA = Object.freeze({
  partitionKey: Object.freeze({ name: 'pk', type: 'S' }),
  sortKey: Object.freeze({ name: 'sk', type: 'S' }),
  /** Epoch seconds; DynamoDB's TTL deletes idempotency records some time after this. Items never set it. */
  timeToLiveAttribute: 'expiresAt',
  billingMode: 'PAY_PER_REQUEST',
} as const);

/** The CreateTable request for the schema above, for DynamoDB Local and scripts (the CDK stack builds its own). */
export function createItemsTableInput(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey, billingMode } = ITEMS_TABLE_SCHEMA;
  return {
    TableName: tableName,
    BillingMode: billingMode,
    AttributeDefinitions: [
      { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
      { AttributeName: sortKey.name, AttributeType: sortKey.type },
    ],
    KeySchema: [
      { AttributeName: partitionKey.name, KeyType: 'HASH' },
      { AttributeName: sortKey.name, KeyType: 'RANGE' },
    ],
  };
}
