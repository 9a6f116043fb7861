// How this API's gateway responses differ from the JwtAuthorizer's defaults: its own problem type URIs and the
// CORS headers its browser app sends and reads. The stack gives these to the construct and the local gateway
// to buildGatewayResponses(), so both answer with the same bytes.
import type { GatewayResponseOptions } from 'bearer-gate/contract';
import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS } from './cors';
import { PROBLEM_TYPE_BASE } from './problem';

export const GATEWAY_RESPONSE_OPTIONS = Object.freeze({
  corsAllowHeaders: CORS_ALLOW_HEADERS,
  corsExposeHeaders: CORS_EXPOSE_HEADERS,
  problemTypeBase: PROBLEM_TYPE_BASE,
} satisfies GatewayResponseOptions);
