// The one set of JwtAuthorizer defaults, each named in its prop's `@default`. What the gateway in front of the
// Lambda does by default (the cache TTL, the revocation delay, the CORS lists) is the CDK-free contract's, which
// the local gateway reads too; this module gives those values their CDK types.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  DEFAULT_MAX_REVOCATION_DELAY_SECONDS,
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
} from '../../lambda/contract/gateway-contract';
import { CachingMode, JwksWarmUp, LogLevel } from './props';

export const JWT_AUTHORIZER_DEFAULTS = Object.freeze({
  /** API Gateway's result cache, per token (or token and route). */
  resultsCacheTtl: Duration.seconds(DEFAULT_RESULTS_CACHE_TTL_SECONDS),
  caching: CachingMode.AUTO,
  logLevel: LogLevel.INFO,
  architecture: lambda.Architecture.ARM_64,
  /**
   * The authorizer's process holds about 53-58 MiB (RSS) after its first decision (BENCHMARKS.md); the rest buys CPU
   * for its decisions, and room for the revocation bundle's AWS SDK.
   */
  memorySize: 256,
  timeout: Duration.seconds(5),
  tracing: lambda.Tracing.ACTIVE,
  logRetention: logs.RetentionDays.ONE_MONTH,
  /** Logs outlive the stack: they are the record of who was let in. */
  logRemovalPolicy: RemovalPolicy.RETAIN,
  maxRevocationDelay: Duration.seconds(DEFAULT_MAX_REVOCATION_DELAY_SECONDS),
  revocationRequireJti: true,
  /** Only where it costs no request: an init Lambda runs ahead of traffic. */
  jwksWarmUp: JwksWarmUp.AUTO,
});
