// Public surface of the authorizer for the local gateway, tests and benchmarks.
export { createAuthorizer } from './authorizer';
export type { Authorizer, AuthorizerDeps, RevocationCheck } from './authorizer';
export type { AuthorizerEvent } from './event';
export { parseConfig, defaultJwksUri, NO_CONFIG_FILES } from './config';
export type { AuthorizerConfig, ConfigFiles, TrustedIssuer } from './config';
export { filesBesideHandler } from './config-files';
export {
  AuthorizerError,
  ConfigError,
  InvalidEventError,
  JwksUnavailableError,
  RevocationUnavailableError,
  TokenRejectedError,
} from './errors';
export type { FailureCode, RejectReason } from './errors';
export { grantedScopes } from './scopes';
export { parseMethodArn, resourceMatches } from './policy';
export { RouteSet } from '../contract/route-set';
