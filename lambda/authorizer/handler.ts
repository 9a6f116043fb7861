// Lambda entry point for the API Gateway TOKEN (or REQUEST, per-route cached) authorizer without revocation:
// configuration and JWKS warm-up happen once per cold start; each invocation only adapts the event to the
// core. The construct deploys revocable-handler.ts instead when a revocation table is given, so this bundle
// carries no revocation code.
import type {
  APIGatewayAuthorizerResult,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';
import { createAuthorizer } from './authorizer';
import { parseConfig } from './config';
import { filesBesideHandler } from './config-files';

const authorizer = createAuthorizer(parseConfig(process.env, filesBesideHandler()));

export const handler = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => authorizer.authorize(event);
