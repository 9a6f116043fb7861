// The revocation admin Lambda's entry point (POST /revocations): the package ships it prebuilt
// (dist/bundles/revocation-admin, deployed by RevocationList), and the local stack loads it from the route
// table. Everything is built once per cold start in runtime.ts; each invocation only runs the handler.
import { createRevocationHandler } from './admin-api';
import { config, logger, revocationService } from './runtime';

export const handler = createRevocationHandler({
  service: revocationService,
  logger,
  requiredScopes: config.requiredScopes,
});
