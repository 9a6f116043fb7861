// Public surface of the shared API-handler plumbing (problem+json, request parsing, identity, scope check).
export {
  HttpProblemError,
  PROBLEM_CONTENT_TYPE,
  internalError,
  PROBLEM_TYPE_BASE,
  problemResponse,
  problemType,
} from './problem';
export type { ProblemExtensions, ProblemInit } from './problem';
export { jsonResponse, noContentResponse } from './response';
export { readIdentity } from './identity';
export type { Identity } from './identity';
export { assertScopes, findRoute } from './scope-check';
export {
  MAX_BODY_BYTES,
  assertJsonContentType,
  badRequest,
  readJsonBody,
  readQuery,
  singleHeader,
} from './request';
export type { RequestParts } from './request';
export { createRouteHandler } from './route-handler';
export type { ApiHandler, ApiRequest, RouteHandlerOptions } from './route-handler';
export {
  CORS_ALLOW_HEADERS,
  CORS_EXPOSE_HEADERS,
  EXPOSED_HEADERS,
  parseAllowOrigin,
  withCorsOrigin,
} from './cors';
export { GATEWAY_RESPONSE_OPTIONS } from './gateway-options';
