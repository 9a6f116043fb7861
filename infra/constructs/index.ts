// The package's root entry (`bearer-gate`): the JwtAuthorizer construct, its props and the classes they take,
// where its prebuilt Lambda bundles are, and the CDK-free contract it deploys (also its own entry,
// `bearer-gate/contract`).
export { JwtAuthorizer } from './jwt-authorizer';
export type { IJwtAuthorizer } from './jwt-authorizer';
export { CachingMode, JwksWarmUp, LogLevel } from './props';
export type { AddMethodOptions, JwtAuthorizerProps, ProtectedMethodOptions } from './props';
export { JWT_AUTHORIZER_DEFAULTS } from './defaults';
export { Issuer } from './issuer';
export type { CognitoIssuerOptions, IssuerClaimsOptions, OidcIssuerOptions } from './issuer';
export { CorsOrigin } from './cors-origin';
export { AUTHORIZER_HANDLER, authorizerBundleDir } from './authorizer-bundle';
export { AuthorizerDecision, AuthorizerMetric, AuthorizerMonitoring } from './authorizer-monitoring';
export type {
  AuthorizerMonitoringFeatures,
  AuthorizerMonitoringOptions,
  AuthorizerMonitoringProps,
} from './authorizer-monitoring';
export type { AuthorizerVariant } from './authorizer-bundle';
export { LoggedFunction, FUNCTION_RUNTIME } from './logged-function';
export type { CommonFunctionProps, LoggedFunctionProps } from './logged-function';
export { InfraConfigError } from './errors';
export type { DpopProps, MutualTlsProps, ProtectedResourceProps } from './sender-constraint';
export type { InfraErrorCode } from './errors';
export * from '../../lambda/contract';
export { JwksSeed, JWKS_SEED_FILE_NAME, renderJwksSeed } from './jwks-seed';
export type { JwksSeedOptions } from './jwks-seed';
export { TrustedCertificates, TRUSTED_CA_FILE_NAME } from './trusted-certificates';
export { RevocationList, REVOCATION_TABLE_SCHEMA } from './revocation-list';
export type { RevocationListProps } from './revocation-list';
