// Lambda entry point for the API Gateway TOKEN authorizer: configuration and JWKS warm-up happen once per
// cold start; each invocation only adapts the event to the core.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer } from './authorizer';
import { parseConfig } from './config';
import { createRevocationCheck } from './revocation-loader';

const config = parseConfig(process.env);
const authorizer = createAuthorizer(config, { revocation: createRevocationCheck(config) });

export const handler = (event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> =>
  authorizer.authorize(event);
