// resolveProps: JwtAuthorizer's props, parsed once into typed settings, as the Lambda's parseConfig parses its
// environment. Defaults are applied here, every rule across props runs here, and every problem is collected
// and thrown once, each line naming the construct's path and the prop. The construct only wires resources
// from what this returns.
import { Annotations, Duration, Token, type RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct, IConstruct } from 'constructs';
import {
  MAX_RESULTS_CACHE_TTL_SECONDS,
  type GatewayResponseOptions,
} from '../../lambda/contract/gateway-contract';
import { MAX_CLOCK_SKEW_SECONDS } from '../../lambda/contract/authorizer-settings';
import type { RouteRule } from '../../lambda/contract/route-rules';
import { resolveMonitoring, type ResolvedMonitoring } from './authorizer-monitoring';
import { CorsOrigin } from './cors-origin';
import { JWT_AUTHORIZER_DEFAULTS as DEFAULTS } from './defaults';
import {
  PropProblems,
  durationSeconds,
  headerNames,
  integerInRange,
  isListToken,
  show,
  tokenTypes,
  uriPrefix,
} from './prop-checks';
import { CachingMode, JwksWarmUp, LogLevel, type JwtAuthorizerProps } from './props';
import { usageIdentifierClaim } from './usage-identifier';
import { checkRouteTable } from './route-registry';
import {
  resolveSenderConstraint,
  senderConstrainedCacheTtl,
  type ResolvedSenderConstraint,
} from './sender-constraint';
import {
  resolveKeys,
  resolveTrust,
  type ResolvedKeys,
  type ResolvedTrust,
  type SynthWarning,
} from './resolve-trust';

/** The accepted ranges, in the props' units (seconds, bytes, MiB). */
const RANGES = {
  resultsCacheTtl: [0, MAX_RESULTS_CACHE_TTL_SECONDS],
  maxRevocationDelay: [1, MAX_RESULTS_CACHE_TTL_SECONDS],
  clockSkew: [0, MAX_CLOCK_SKEW_SECONDS],
  maxTokenBytes: [256, 65536],
  memorySize: [128, 10240],
  // API Gateway waits at most 29 seconds for an authorizer.
  timeout: [1, 29],
} as const;

/** The authorizer Lambda's own props, defaults applied. */
export interface ResolvedFunction {
  readonly architecture: lambda.Architecture;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly tracing: lambda.Tracing;
  readonly reservedConcurrentExecutions?: number;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups?: ec2.ISecurityGroup[];
  /** A log group the app brings; otherwise one is made with the retention and removal policy. */
  readonly logGroup?: logs.ILogGroup;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export interface ResolvedProps extends ResolvedKeys, ResolvedSenderConstraint {
  readonly trust: ResolvedTrust;
  /** The routes prop, checked by the route table validator. */
  readonly routes: readonly RouteRule[];
  readonly caching: CachingMode;
  /** The result cache TTL in effect: with revocation on, at most `maxRevocationDelay`; 0 with dpop or mutualTls. */
  readonly resultsCacheTtl: Duration;
  readonly maxRevocationDelay?: Duration;
  readonly revocation?: { readonly table: dynamodb.ITable; readonly requireJti: boolean };
  /** The claim returned as usageIdentifierKey (checked with the Lambda's claim-path parser). */
  readonly usageIdentifierClaim?: string;
  readonly tokenTypes?: readonly string[];
  readonly clockSkewSeconds?: number;
  readonly maxTokenBytes?: number;
  readonly logLevel: LogLevel;
  /** Set only when the prop is (the Lambda's default is the construct's). */
  readonly jwksWarmUp?: JwksWarmUp;
  readonly gatewayResponses: GatewayResponseOptions;
  readonly fn: ResolvedFunction;
  readonly authorizerName?: string;
  readonly monitoring: ResolvedMonitoring;
}

/**
 * The props, checked, defaults applied, as typed settings. Throws one InfraConfigError listing every problem,
 * each line `<scope path>: <prop> <problem>. <fix>`; adds warnings (an issuer form its provider does not
 * write, an undated seed) to `scope` once there is none.
 */
export function resolveProps(scope: IConstruct, props: JwtAuthorizerProps): ResolvedProps {
  const p = new PropProblems(scope.node.path);
  const warnings: SynthWarning[] = [];
  const given: Partial<JwtAuthorizerProps> = props ?? {};
  removedProps(p, given);

  const trust = resolveTrust(p, given.issuers, (id, message) => warnings.push({ id, message }));
  const routes = checkRouteTable(p, given.routes ?? [], 'routes');
  const { resultsCacheTtl, maxRevocationDelay, revocation } = resolveCache(p, given);
  const resolved: ResolvedProps = {
    trust,
    routes,
    caching: member(p, 'caching', CachingMode, 'CachingMode', given.caching, DEFAULTS.caching),
    resultsCacheTtl,
    ...(maxRevocationDelay === undefined ? {} : { maxRevocationDelay }),
    ...(revocation === undefined ? {} : { revocation }),
    ...resolveVerification(p, given),
    ...resolveKeys(p, given, trust, warnings),
    ...(given.jwksWarmUp === undefined
      ? {}
      : {
          jwksWarmUp: member(
            p,
            'jwksWarmUp',
            JwksWarmUp,
            'JwksWarmUp',
            given.jwksWarmUp,
            DEFAULTS.jwksWarmUp,
          ),
        }),
    ...resolveSenderConstraint(p, given),
    gatewayResponses: resolveGatewayResponses(p, given),
    fn: resolveFunction(p, given),
    monitoring: resolveMonitoring(p, scope.node.path, given.monitoring),
    ...(given.authorizerName === undefined ? {} : { authorizerName: given.authorizerName }),
    ...(given.usageIdentifierClaim === undefined
      ? {}
      : { usageIdentifierClaim: usageIdentifierClaim(scope as Construct, given.usageIdentifierClaim) }),
  };
  p.throwIfAny();
  for (const w of warnings) Annotations.of(scope).addWarningV2(w.id, w.message);
  return resolved;
}

/** Props of 0.2 that `issuers` replaced: a JavaScript app that still passes them is told how to move. */
const REMOVED_PROPS: Readonly<Record<string, string>> = {
  issuer: 'Issuer.oidc(issuer, { audience, jwksUri })',
  audience: 'Issuer.oidc(issuer, { audience })',
  jwksUri: 'Issuer.oidc(issuer, { audience, jwksUri })',
  permissionClaims: 'Issuer.oidc(issuer, { audience, permissionClaims })',
  requiredClaims: 'Issuer.oidc(issuer, { audience, requiredClaims })',
  contextClaims: 'Issuer.oidc(issuer, { audience, contextClaims })',
  userPool: 'Issuer.cognito(userPool, { clients })',
  userPoolClients: 'Issuer.cognito(userPool, { clients })',
  userPoolResourceServer: 'Issuer.cognito(userPool, { clients, resourceServer })',
  userPoolGroupsAsPermissions: 'Issuer.cognito(userPool, { clients, groupsAsPermissions })',
  userPoolPermissionClaims: 'Issuer.cognito(userPool, { clients, permissionClaims })',
  userPoolRequiredClaims: 'Issuer.cognito(userPool, { clients, requiredClaims })',
  userPoolContextClaims: 'Issuer.cognito(userPool, { clients, contextClaims })',
};

function removedProps(p: PropProblems, props: object): void {
  for (const [prop, replacement] of Object.entries(REMOVED_PROPS)) {
    if ((props as Record<string, unknown>)[prop] !== undefined) {
      p.add(
        prop,
        'is no longer a prop: every issuer is an entry of `issuers`',
        `Pass issuers: [${replacement}].`,
      );
    }
  }
}

/** A value of one of the props' enums (a JavaScript caller may pass anything); `fallback` is the default. */
function member<T extends string>(
  p: PropProblems,
  prop: string,
  values: Record<string, T>,
  name: string,
  value: T | undefined,
  fallback: T,
): T {
  const chosen = value ?? fallback;
  if (!Object.values(values).includes(chosen)) {
    const key = (v: T): string => `${name}.${Object.keys(values).find((k) => values[k] === v) ?? v}`;
    p.add(
      prop,
      `must be one of ${Object.values(values).map(key).join(', ')}; got ${show(chosen)}`,
      `Leave it out for ${key(fallback)}.`,
    );
  }
  return chosen;
}

/** The result cache TTL (off with dpop or mutualTls), and with revocation on, the cap on it and the table. */
function resolveCache(
  p: PropProblems,
  props: Partial<JwtAuthorizerProps>,
): Pick<ResolvedProps, 'resultsCacheTtl' | 'maxRevocationDelay' | 'revocation'> {
  const ttl = durationSeconds(
    p,
    'resultsCacheTtl',
    props.resultsCacheTtl ?? DEFAULTS.resultsCacheTtl,
    RANGES.resultsCacheTtl,
    "Use at most Duration.hours(1) (API Gateway's limit), or Duration.seconds(0) to turn the cache off.",
  );
  const senderConstrained = senderConstrainedCacheTtl(
    p,
    props,
    props.resultsCacheTtl === undefined ? undefined : ttl,
  );
  if (props.revocationTable === undefined) {
    for (const stray of ['maxRevocationDelay', 'revocationRequireJti'] as const) {
      if (props[stray] !== undefined) {
        p.add(
          stray,
          'is set without revocationTable, so it would do nothing',
          'Pass revocationTable to turn revocation on, or leave it out.',
        );
      }
    }
    return { resultsCacheTtl: senderConstrained ?? Duration.seconds(ttl) };
  }
  const delay = durationSeconds(
    p,
    'maxRevocationDelay',
    props.maxRevocationDelay ?? DEFAULTS.maxRevocationDelay,
    RANGES.maxRevocationDelay,
    'It caps the result cache TTL: use from Duration.seconds(1) to Duration.hours(1) (the cache maximum).',
  );
  return {
    // API Gateway keeps serving a cached Allow until its TTL runs out, revoked or not: the cap is what
    // bounds the delay between a revocation and refusal.
    resultsCacheTtl: senderConstrained ?? Duration.seconds(Math.min(ttl, delay)),
    maxRevocationDelay: Duration.seconds(delay),
    revocation: {
      table: props.revocationTable,
      requireJti: props.revocationRequireJti ?? DEFAULTS.revocationRequireJti,
    },
  };
}

/** What the Lambda checks besides issuer, audience and keys, and how much it logs. */
function resolveVerification(
  p: PropProblems,
  props: Partial<JwtAuthorizerProps>,
): Pick<ResolvedProps, 'tokenTypes' | 'clockSkewSeconds' | 'maxTokenBytes' | 'logLevel'> {
  return {
    logLevel: member(p, 'logLevel', LogLevel, 'LogLevel', props.logLevel, DEFAULTS.logLevel),
    ...(props.tokenTypes === undefined
      ? {}
      : {
          // A list token travels in TOKEN_TYPES as it is; CloudFormation joins it.
          tokenTypes: isListToken(props.tokenTypes)
            ? props.tokenTypes
            : tokenTypes(p, 'tokenTypes', props.tokenTypes),
        }),
    ...(props.clockSkew === undefined
      ? {}
      : {
          clockSkewSeconds: durationSeconds(
            p,
            'clockSkew',
            props.clockSkew,
            RANGES.clockSkew,
            'A few seconds to a minute covers real clock drift.',
          ),
        }),
    ...(props.maxTokenBytes === undefined
      ? {}
      : {
          maxTokenBytes: integerInRange(
            p,
            'maxTokenBytes',
            props.maxTokenBytes,
            RANGES.maxTokenBytes,
            'Typical access tokens are 1 to 4 KB.',
          ),
        }),
  };
}

/** The gateway responses' CORS headers and problem type URIs. */
function resolveGatewayResponses(
  p: PropProblems,
  props: Partial<JwtAuthorizerProps>,
): GatewayResponseOptions {
  const origin = props.corsAllowOrigin ?? CorsOrigin.ANY;
  let allowOrigin: string | null = '*';
  if (origin instanceof CorsOrigin) allowOrigin = origin._resolve(p, 'corsAllowOrigin');
  else {
    p.add(
      'corsAllowOrigin',
      `must be CorsOrigin.ANY, CorsOrigin.NONE or CorsOrigin.of(origin); got ${show(origin)}`,
      'Use CorsOrigin.of("https://app.example.com").',
    );
  }
  return {
    allowOrigin,
    ...(props.corsAllowHeaders === undefined
      ? {}
      : { corsAllowHeaders: headerNames(p, 'corsAllowHeaders', props.corsAllowHeaders) }),
    ...(props.corsExposeHeaders === undefined
      ? {}
      : { corsExposeHeaders: headerNames(p, 'corsExposeHeaders', props.corsExposeHeaders) }),
    ...(props.problemTypeBase === undefined
      ? {}
      : { problemTypeBase: uriPrefix(p, 'problemTypeBase', props.problemTypeBase) }),
  };
}

/** The Lambda's size, network, tracing and logs. */
function resolveFunction(p: PropProblems, props: Partial<JwtAuthorizerProps>): ResolvedFunction {
  const timeout = durationSeconds(
    p,
    'timeout',
    props.timeout ?? DEFAULTS.timeout,
    RANGES.timeout,
    'API Gateway waits at most 29 seconds for an authorizer.',
  );
  const fn: ResolvedFunction = {
    architecture: props.architecture ?? DEFAULTS.architecture,
    memorySize: integerInRange(
      p,
      'memorySize',
      props.memorySize ?? DEFAULTS.memorySize,
      RANGES.memorySize,
      'Lambda accepts 128 to 10240 MiB.',
    ),
    timeout: Duration.seconds(timeout),
    tracing: member(p, 'tracing', lambda.Tracing, 'lambda.Tracing', props.tracing, DEFAULTS.tracing),
    logRetention: props.logRetention ?? DEFAULTS.logRetention,
    logRemovalPolicy: props.logRemovalPolicy ?? DEFAULTS.logRemovalPolicy,
    ...(props.reservedConcurrentExecutions === undefined
      ? {}
      : { reservedConcurrentExecutions: reservedConcurrency(p, props.reservedConcurrentExecutions) }),
    ...(props.vpc === undefined ? {} : { vpc: props.vpc }),
    ...(props.vpcSubnets === undefined ? {} : { vpcSubnets: props.vpcSubnets }),
    ...(props.securityGroups === undefined ? {} : { securityGroups: props.securityGroups }),
    ...(props.logGroup === undefined ? {} : { logGroup: props.logGroup }),
  };
  if (props.vpc === undefined) {
    for (const stray of ['vpcSubnets', 'securityGroups'] as const) {
      if (props[stray] !== undefined) {
        p.add(stray, 'is set without vpc, so it would do nothing', 'Pass vpc too, or leave it out.');
      }
    }
  }
  if (props.logGroup !== undefined) {
    for (const stray of ['logRetention', 'logRemovalPolicy'] as const) {
      if (props[stray] !== undefined) {
        p.add(
          stray,
          'is set with logGroup, whose retention and removal policy are its own',
          'Set them on the log group you pass, or leave logGroup out.',
        );
      }
    }
  }
  return fn;
}

function reservedConcurrency(p: PropProblems, value: number): number {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < 1)) {
    p.add(
      'reservedConcurrentExecutions',
      `must be a whole number of at least 1; got ${value}`,
      "With 0 every request would be throttled (503); leave it out to share the account's concurrency.",
    );
  }
  return value;
}
