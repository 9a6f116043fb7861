// Lambda entry point for the TOKEN authorizer with the revocation check (REVOCATION_TABLE): the same core as
// handler.ts, plus the DynamoDB-backed check, whose AWS SDK import starts at init alongside the JWKS fetch.
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
import { createRevocationCheck } from './revocation-loader';

const config = parseConfig(process.env, filesBesideHandler());
const authorizer = createAuthorizer(config, { revocation: createRevocationCheck(config) });

export const handler = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  context: Context,
): Promise<APIGatewayAuthorizerResult> =>
  // The runtime sets _X_AMZN_TRACE_ID for each invocation.
  authorizer.authorize(event, lambdaInvocation(context, process.env._X_AMZN_TRACE_ID));
