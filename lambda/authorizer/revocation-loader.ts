// Wires the revocation check only when REVOCATION_TABLE is set. The AWS SDK is imported lazily (and is
// external to the bundle, provided by the Lambda runtime), so with revocation off it costs nothing in bundle
// size or cold start. With it on, the import starts at init, alongside the JWKS fetch.
import type { RevocationCheck } from './authorizer';
import type { AuthorizerConfig } from './config';
import { createRevocationCheckWith, type BatchGet } from './revocation';
import { loadBatchGet } from './revocation-dynamodb';

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
