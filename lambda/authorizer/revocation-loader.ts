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
  return createRevocationCheckWith(
    { missingJti: revocation.missingJti, clockSkewSeconds: config.clockSkewSeconds },
    batchGet,
  );
}
