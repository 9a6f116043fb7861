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
import { lambdaInvocation } from './invocation';

const authorizer = createAuthorizer(parseConfig(process.env, filesBesideHandler()));

export const handler = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  // The runtime sets _X_AMZN_TRACE_ID for each invocation.
  authorizer.authorize(event, lambdaInvocation(context, process.env._X_AMZN_TRACE_ID));
