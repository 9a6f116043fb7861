// The CDK-free contract the authorizer and the construct share (`bearer-gate/contract`): the route table, its
// validator and how a table becomes IAM policies; what API Gateway does in front of the authorizer; the
// revocation table's shape.
export {
  CONCRETE_METHODS,
  RouteTableError,
  isScopeToken,
  pathParts,
  validateRouteTable,
} from './route-rules';
export type { HttpMethod, RouteRule } from './route-rules';
export { MAX_CLOCK_SKEW_SECONDS } from './authorizer-settings';
export {
  RouteSet,
  UNSAFE_PATH_DENIES,
  decideCaching,
  describeConflicts,
  describeRoute,
  isUnsafePath,
} from './route-set';
export type {
  AuthorizerCaching,
  CachingDecision,
  RouteConflict,
  RouteDecision,
  RouteReason,
} from './route-set';
export {
  AUTHORIZATION_HEADER,
  AUTHORIZER_FAILURE_RETRY_AFTER_SECONDS,
  BLANK_PROBLEM_TYPE,
  DEFAULT_CORS_ALLOW_HEADERS,
  DEFAULT_CORS_EXPOSE_HEADERS,
  DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  IDENTITY_VALIDATION_PATTERN,
  MAX_RESULTS_CACHE_TTL_SECONDS,
  PROBLEM_CONTENT_TYPE,
  buildGatewayResponses,
  corsHeaders,
  gatewayResponse,
  gatewayResponseBody,
  passesIdentityValidation,
  problemTypeUri,
} from './gateway-contract';
export type {
  GatewayProblem,
  GatewayResponseContract,
  GatewayResponseOptions,
  GatewayResponseType,
} from './gateway-contract';
export {
  DEFAULT_REVOCATION_ADMIN_SCOPES,
  REVOCATION_TABLE_ATTRIBUTES,
  createRevocationTableInput,
  legacySubjectKey,
  renderRevocationAdminSettings,
  subjectKey,
  tokenKey,
} from './revocation-table';
export {
  AUTHORIZER_METRICS,
  DECISION_METRICS,
  DECISION_REASONS,
  DEFAULT_METRICS_NAMESPACE,
  DEFAULT_SERVICE_NAME,
  FUNCTION_NAME_DIMENSION,
  METRICS_NAMESPACE_VARIABLE,
  REASON_DIMENSION,
  SERVICE_DIMENSION,
  SERVICE_NAME_VARIABLE,
  isMetricName,
} from './authorizer-metrics';
export type { AuthorizerMetricName, DecisionOutcome, DecisionReason, MetricUnit } from './authorizer-metrics';
export type { RevocationAdminSettings } from './revocation-table';
export {
  DEFAULT_DPOP_PROOF_MAX_AGE_SECONDS,
  DPOP_HEADER,
  DPOP_SCHEME,
  DPOP_NONCE_CONTEXT_KEYS,
  DPOP_NONCE_HEADER,
  DPOP_NONCE_WINDOW_SECONDS,
  DPOP_SIGNING_ALGORITHMS,
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadata,
  protectedResourceMetadataPath,
  protectedResourceMetadataUrl,
  unauthorizedChallenge,
  useDpopNonceChallenge,
} from './sender-constraint';
export type { ChallengeOptions, ProtectedResourceOptions } from './sender-constraint';
