// Builds the authorizer the local gateway calls: the project's own authorizer core, configured through the
// same environment variables the Lambda reads, trusting the local issuer's throwaway certificate.
import {
  BoundedFetcher,
  createAuthorizer,
  createNonceKeyStore,
  createReplayStore,
  createRevocationCheck,
  lambdaInvocation,
  parseConfig,
  type AuthorizerDeps,
} from 'bearer-gate/authorizer';
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
 * The fetcher the Lambda ships (BoundedFetcher), trusting the local issuer's throwaway certificate as the
 * Lambda trusts a private CA (TRUSTED_CA_FILE): besides Node's roots, so a real tenant's JWKS still verifies.
 * `NODE_EXTRA_CA_CERTS` would be read only when Node starts, before the certificate exists.
 */
export function createLocalAuthorizer(env: Env, local: LocalIssuerTrust | null): TokenAuthorizer {
  const config = parseConfig(authorizerEnv(env, local));
  const deps: AuthorizerDeps = {
    revocation: createRevocationCheck(config),
    dpopReplay: createReplayStore(config.dpop),
    dpopNonceKeys: createNonceKeyStore(config.dpop),
  };
  const fetcher =
    local === null
      ? undefined
      : new BoundedFetcher({
          timeoutMs: config.jwksTimeoutMs,
          trustedCertificates: [...(config.trustedCa?.certificates ?? []), local.certificate],
        });
  const authorizer = createAuthorizer(config, fetcher === undefined ? deps : { ...deps, fetcher });
  // The gateway passes a Lambda context, as the runtime does: the lines carry its request id and cold_start.
  return (event, context) => authorizer.authorize(event, lambdaInvocation(context, undefined));
}
