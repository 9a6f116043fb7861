// Lambda entry point for the authorizer with DynamoDB: the revocation check (REVOCATION_TABLE), the DPoP
// replay table (DPOP_REPLAY_TABLE) and the DPoP server nonces' key in it (DPOP_NONCES). The same core as
// handler.ts; the AWS SDK import starts at init alongside the JWKS fetch.
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
import { createRevocationCheck } from './revocation-loader';
import { createReplayStore } from './dpop-replay-loader';
import { createNonceKeyStore } from './dpop-nonce-loader';

// A failed init writes its reason and counts in InitFailures before Lambda reports the error.
const { config, authorizer } = initialized(() => {
  const config = parseConfig(process.env, filesBesideHandler());
  const authorizer = createAuthorizer(config, {
    revocation: createRevocationCheck(config),
    dpopReplay: createReplayStore(config.dpop),
    dpopNonceKeys: createNonceKeyStore(config.dpop),
  });
  return { config, authorizer };
});

/**
 * The init warm-up (JWKS_WARM_UP) when this init does one, else undefined: the JWKS, one read of the revocation
 * table and the DPoP nonce key's read. The bundle's entry (revocable-handler-entry.mts) awaits it at its top
 * level, so that Lambda ends the init only once it has settled; this module, which the package also builds as
 * CommonJS, cannot.
 */
export const warmedUp: Promise<void> | undefined = config.warmUpAtInit ? authorizer.ready : undefined;

export const handler = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  // The runtime sets _X_AMZN_TRACE_ID for each invocation.
  authorizer.authorize(event, lambdaInvocation(context, process.env._X_AMZN_TRACE_ID));
