// Wires the revocation check only when REVOCATION_TABLE is set. The AWS SDK is imported lazily
// (dynamodb-table.ts), so with revocation off it costs nothing in bundle size or cold start. With it on, the
// import starts at init, alongside the JWKS fetch.
import type { RevocationCheck } from './authorizer';
import type { AuthorizerConfig } from './config';
import { lazyTableOperation } from './dynamodb-table';
import { createRevocationCheckWith } from './revocation';
import { batchGetWith } from './revocation-dynamodb';

/**
 * The revocation check for createAuthorizer's `deps.revocation`, or undefined when REVOCATION_TABLE is not set.
 * It starts loading the AWS SDK's DynamoDB client at once; a failed load is retried on the next request.
 */
export function createRevocationCheck(config: AuthorizerConfig): RevocationCheck | undefined {
  const revocation = config.revocation;
  if (revocation === null) return undefined;
  const batchGet = lazyTableOperation(revocation, batchGetWith);
  // An administrator may name a subject's issuer in either of its forms (a Cognito pool's two).
  const forms = new Map<string, readonly string[]>();
  for (const trusted of config.issuers) {
    const all = [trusted.issuer, ...(trusted.alternateIssuers ?? [])];
    if (all.length > 1) for (const form of all) forms.set(form, all);
  }
  return createRevocationCheckWith(
    {
      missingJti: revocation.missingJti,
      clockSkewSeconds: config.clockSkewSeconds,
      issuerForms: (iss) => forms.get(iss) ?? [iss],
    },
    batchGet,
  );
}
