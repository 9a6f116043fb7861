// Lambda entry point for the API Gateway TOKEN (or REQUEST, per-route cached) authorizer without revocation:
// configuration and JWKS warm-up happen once per cold start; each invocation only adapts the event to the
// core. The construct deploys revocable-handler.ts instead when a revocation table is given, so this bundle
// carries no revocation code.
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { createAuthorizer } from './authorizer';
import { parseConfig } from './config';
import { filesBesideHandler } from './config-files';
import { initialized } from './init-failure';
import { lambdaInvocation } from './invocation';

// A failed init writes its reason and counts in InitFailures before Lambda reports the error.
const { config, authorizer } = initialized(() => {
  const config = parseConfig(process.env, filesBesideHandler());
  return { config, authorizer: createAuthorizer(config) };
});

/**
 * The init warm-up (JWKS_WARM_UP) when this init does one, else undefined. The bundle's entry (handler-entry.mts)
 * awaits it at its top level, so that Lambda ends the init only once it has settled; this module, which the
 * package also builds as CommonJS, cannot.
 */
export const warmedUp: Promise<void> | undefined = config.warmUpAtInit ? authorizer.ready : undefined;

export const handler = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  // The runtime sets _X_AMZN_TRACE_ID for each invocation.
  authorizer.authorize(event, lambdaInvocation(context, process.env._X_AMZN_TRACE_ID));
