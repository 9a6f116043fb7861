// Public surface of the infra constructs: the JwtAuthorizer and the plain gateway contract it deploys.
export { JwtAuthorizer, AUTHORIZER_ENTRY, REVOCABLE_AUTHORIZER_ENTRY } from './jwt-authorizer';
export type {
  AuthorizerCaching,
  IssuerClaimsProps,
  JwtAuthorizerProps,
  ProtectedMethodOptions,
  TrustedIssuerProps,
} from './jwt-authorizer';
export { BundledFunction, FUNCTION_RUNTIME, PROJECT_ROOT } from './bundled-function';
export type { BundledFunctionProps } from './bundled-function';
export { InfraConfigError } from './errors';
export type { InfraErrorCode } from './errors';
export * from './gateway-contract';
