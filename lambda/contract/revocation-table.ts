// The revocation table's shape and keys, declared once: the authorizer, the admin Lambda, the CDK stack and
// the local stack all read it. Deliberately free of the AWS SDK, so the authorizer can import it for nothing.

/**
 * One partition key, two kinds of entry:
 * - `token#<jti>`: that one token is revoked;
 * - `subject#<sub>` with `revokedBefore` (epoch seconds): every token of that subject issued before then is.
 * Both carry `expiresAt` (epoch seconds), DynamoDB's TTL attribute, set to when no token the entry covers
 * could still be valid, so the table never grows without bound.
 */
export const REVOCATION_TABLE_SCHEMA = Object.freeze({
  partitionKey: 'pk',
  timeToLiveAttribute: 'expiresAt',
  revokedBeforeAttribute: 'revokedBefore',
} as const);

export const tokenKey = (jti: string): string => `token#${jti}`;
export const subjectKey = (sub: string): string => `subject#${sub}`;

/** The CreateTable request, for DynamoDB Local (the CDK stack declares its own from the same names). */
export function createRevocationTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: REVOCATION_TABLE_SCHEMA.partitionKey, AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: REVOCATION_TABLE_SCHEMA.partitionKey, KeyType: 'HASH' as const }],
  };
}
