// The authorizer's runtime core (`bearer-gate/authorizer`), for wiring the Lambda yourself, a local gateway,
// tests and benchmarks. The Lambda entries are their own subpaths (`bearer-gate/authorizer/handler`,
// `bearer-gate/authorizer/revocable-handler`): they read their configuration when loaded.
export { createAuthorizer } from './authorizer';
export type { Authorizer, AuthorizerDeps, RevocationCheck } from './authorizer';
export type { AuthorizerEvent } from './event';
export { lambdaInvocation, traceRoot } from './invocation';
export type { Invocation, LambdaContextFields } from './invocation';
export { parseConfig, defaultJwksUri, NO_CONFIG_FILES } from './config';
export type { AuthorizerConfig, ConfigFiles, JwksSeedConfig, TrustedCaConfig, TrustedIssuer } from './config';
export { filesBesideHandler } from './config-files';
export {
  AuthorizerError,
  ConfigError,
  InvalidEventError,
  JwksUnavailableError,
  NonceKeyUnavailableError,
  RevocationUnavailableError,
  TokenRejectedError,
} from './errors';
export type { ChallengeReason, FailureCode, RejectReason } from './errors';
export { grantedScopes } from './scopes';
export { parseMethodArn, resourceMatches } from './policy';
export { RouteSet } from '../contract/route-set';
export { createRevocationCheck } from './revocation-loader';
export { MemoryReplayStore } from './dpop-replay';
export { createReplayStore } from './dpop-replay-loader';
export { createNonceKeyStore } from './dpop-nonce-loader';
export type { NonceKeyStore } from './dpop-nonce';
export type { ReplayStore } from './dpop-replay';
export { createLogger, observeLogs, parseLogLevel, setLogSink, writeLine } from './log';
export type { LogFields, LogLevel, LogSink, Logger } from './log';
export { BoundedFetcher } from './https-fetcher';
export { jwksUriFromConfiguration, openIdConfigurationUri } from './discovery';
export { JWKS_SEED_MAX_BYTES, JwksSeedError, formatJwksSeed, parseJwksSeed, seedJwksUri } from './jwks-seed';
export type { JwksSeedEntry } from './jwks-seed';
export {
  TRUSTED_CA_MAX_BYTES,
  TrustedCaError,
  formatTrustedCertificates,
  parseTrustedCertificates,
} from './trusted-ca';
export type { TrustedCertificate } from './trusted-ca';
