// Public surface of the local API Gateway emulator.
export { createGateway, METRICS_PATH, STATS_PATH } from './server';
export { LocalMetrics } from './metrics';
export type { LocalMetric } from './metrics';
export type {
  CorsPreflight,
  Gateway,
  GatewayOptions,
  GatewayRouteBinding,
  GatewayStats,
  TokenAuthorizer,
} from './server';
export { evaluatePolicy, arnMatches } from './policy-evaluation';
export type { PolicyDecision, EvaluablePolicy, PolicyStatement } from './policy-evaluation';
export { matchRoute } from './route-match';
export { ResultCache } from './result-cache';
export { parseAuthorizerOutput, requestContextAuthorizer } from './authorizer-result';
export type { AuthorizerOutput } from './authorizer-result';
export { compileValidationExpression, checkIdentitySource } from './identity-source';
export { renderGatewayResponse, GATEWAY_MESSAGES } from './gateway-responses';
export type { GatewayResponseSet, GatewayResponseSpec, GatewayResponseType } from './gateway-responses';
export { methodArn, proxyEvent, tokenAuthorizerEvent } from './proxy-event';
export { clientCertificateContext } from './client-certificate';
export type { GatewayMutualTls } from './mutual-tls';
export type { ApiIdentity, IncomingRequest } from './proxy-event';
export { parseProxyResult } from './proxy-result';
export type { LambdaHandler } from './lambda-invoke';
