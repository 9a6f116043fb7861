// The revocation table's shape and keys, declared once: the authorizer, the admin Lambda, the CDK stack and
// the local stack all read it. Deliberately free of the AWS SDK, so the authorizer can import it for nothing.

/**
 * One partition key, two kinds of entry:
 * - `token#<jti>`: that one token is revoked;
 * - `issuer#<iss>#subject#<sub>` with `revokedBefore`, a number (N) of whole epoch seconds: every token of that
 *   subject, from that issuer, issued before then is (and, since the issuer's clock may run ahead, issued
 *   within the authorizer's clock skew after it). The same `sub` from another issuer is another person. An
 *   entry whose `revokedBefore` is missing or anything else fails the authorizer's decision closed (503).
 * The authorizer also honours `subject#<sub>` entries, written before subjects were issuer-qualified, for
 * every issuer (as they were meant then) until DynamoDB's TTL removes them.
 * Both carry `expiresAt` (epoch seconds), DynamoDB's TTL attribute, set to when no token the entry covers
 * could still be valid, so the table never grows without bound.
 */
export const REVOCATION_TABLE_SCHEMA = Object.freeze({
  partitionKey: 'pk',
  timeToLiveAttribute: 'expiresAt',
  revokedBeforeAttribute: 'revokedBefore',
} as const);

export const tokenKey = (jti: string): string => `token#${jti}`;
/** An issuer never contains `#` (the admin input refuses one), so the key names one (issuer, sub) pair. */
export const subjectKey = (issuer: string, sub: string): string => `issuer#${issuer}#subject#${sub}`;
/**
 * The key of a subject cut-off written before subjects were issuer-qualified; no longer written. Such an
 * entry lives at most MAX_TOKEN_LIFETIME_SECONDS, so this can go once every deployment has run that long.
 */
export const legacySubjectKey = (sub: string): string => `subject#${sub}`;

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
