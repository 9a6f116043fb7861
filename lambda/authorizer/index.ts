// Public surface of the authorizer for the local gateway, tests and benchmarks.
export { createAuthorizer } from './authorizer';
export type { Authorizer, AuthorizerDeps, RevocationCheck, TokenAuthorizerEvent } from './authorizer';
export { parseConfig, defaultJwksUri, NO_CONFIG_FILES } from './config';
export type { AuthorizerConfig, ConfigFiles, JwksSeedConfig, TrustedIssuer } from './config';
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
export { BoundedFetcher, MAX_RESPONSE_BYTES } from './https-fetcher';
export { jwksUriFromConfiguration, openIdConfigurationUri } from './discovery';
export {
  JWKS_SEED_MAX_BYTES,
  JwksSeedError,
  checkSeedTrust,
  formatJwksSeed,
  parseJwksSeed,
  seedJwksUri,
} from './jwks-seed';
export type { JwksSeedEntry, SeedTrust } from './jwks-seed';
