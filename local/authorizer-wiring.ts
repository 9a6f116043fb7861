// Builds the authorizer the local gateway calls: the project's own authorizer core, configured through the
// same environment variables the Lambda reads, trusting the local issuer's throwaway certificate.
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { createAuthorizer, parseConfig, type AuthorizerDeps } from 'bearer-gate/authorizer';
import { createRevocationCheck } from 'bearer-gate/authorizer';
import { APP_ROUTES, toRouteRules } from '../lambda/routes';
import type { TokenAuthorizer } from './gateway';
import { SERVICE_ROLES_CLAIM } from './issuer/demo-users';
import type { Env } from './stack-settings';

export interface LocalIssuerTrust {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** PEM of the issuer's self-signed certificate. */
  readonly certificate: string;
}

/**
 * The authorizer's environment: the caller's own (LOG_LEVEL, CLOCK_SKEW_SECONDS, REVOCATION_TABLE, ...),
 * the route table as ROUTES, and, unless the caller names an issuer itself, the local issuer, whose machine
 * clients' permissions arrive in `roles` (PERMISSION_CLAIMS).
 */
export function authorizerEnv(env: Env, local: LocalIssuerTrust | null): Env {
  const routes = JSON.stringify(toRouteRules(APP_ROUTES));
  if (local === null) return { ...env, ROUTES: routes };
  return {
    ...env,
    ISSUER: local.issuer,
    AUDIENCE: local.audience,
    JWKS_URI: local.jwksUri,
    PERMISSION_CLAIMS: SERVICE_ROLES_CLAIM,
    ROUTES: routes,
  };
}

/**
 * `NODE_EXTRA_CA_CERTS` is read only when Node starts, so the local issuer's certificate is trusted through
 * the fetcher's `ca` option instead. Only the local issuer gets this fetcher: a `ca` replaces the system
 * roots, which a real tenant's JWKS needs.
 */
export function createLocalAuthorizer(env: Env, local: LocalIssuerTrust | null): TokenAuthorizer {
  const config = parseConfig(authorizerEnv(env, local));
  const deps: AuthorizerDeps = { revocation: createRevocationCheck(config) };
  const fetcher =
    local === null
      ? undefined
      : new SimpleFetcher({
          defaultRequestOptions: {
            ca: local.certificate,
            timeout: config.jwksTimeoutMs,
            responseTimeout: config.jwksTimeoutMs,
          },
        });
  const authorizer = createAuthorizer(config, fetcher === undefined ? deps : { ...deps, fetcher });
  return (event) => authorizer.authorize(event);
}
