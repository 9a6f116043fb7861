// The revocation table's attributes and keys, declared once: the authorizer, the admin Lambda, the construct
// (RevocationList) and the local stack all read them. Free of the AWS SDK and of CDK, so the authorizer can
// import it for nothing; the CDK table props made from it are the package root's REVOCATION_TABLE_SCHEMA.

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
export const REVOCATION_TABLE_ATTRIBUTES = Object.freeze({
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

/** The CreateTable request, for DynamoDB Local (RevocationList declares its table from the same names). */
export function createRevocationTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: REVOCATION_TABLE_ATTRIBUTES.partitionKey, AttributeType: 'S' as const },
    ],
    KeySchema: [{ AttributeName: REVOCATION_TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' as const }],
  };
}

/** The scopes the revocation admin function requires when none are configured (REQUIRED_SCOPES unset). */
export const DEFAULT_REVOCATION_ADMIN_SCOPES: readonly string[] = Object.freeze(['tokens:revoke']);

/** What a deployment configures of the revocation admin function. */
export interface RevocationAdminSettings {
  readonly tableName: string;
  /** The longest access token lifetime of the trusted issuers: a subject cut-off is kept that long. */
  readonly maxTokenLifetimeSeconds: number;
  /** Scopes the caller's token must hold, checked again by the function. */
  readonly requiredScopes: readonly string[];
  readonly logLevel?: string;
}

/**
 * The admin function's environment for these settings, in the names its parseConfig
 * (lambda/revocation/config.ts) reads. Values are checked by the construct before and by parseConfig at init.
 */
export function renderRevocationAdminSettings(settings: RevocationAdminSettings): Record<string, string> {
  return {
    REVOCATION_TABLE: settings.tableName,
    MAX_TOKEN_LIFETIME_SECONDS: String(settings.maxTokenLifetimeSeconds),
    REQUIRED_SCOPES: settings.requiredScopes.join(' '),
    ...(settings.logLevel === undefined ? {} : { LOG_LEVEL: settings.logLevel }),
  };
}
