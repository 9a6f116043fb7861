// The authorizer's core: header -> token -> verified claims -> (revocation) -> one cache-safe policy.
// It takes plain values and returns plain values; handler.ts only adapts it to the Lambda runtime.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { createLogger, type Logger } from './log';
import { parseCredentials } from './credentials';
import { MemoryReplayStore, type ReplayStore } from './dpop-replay';
import type { NonceKeyStore } from './dpop-nonce';
import { answerNonceChallenge, createNonceDecisions } from './dpop-nonce-policy';
import { createBindingCheck, type Binding } from './sender-constraint';
import type { AuthorizerConfig } from './config';
import { contextClaimValues } from './context-claims';
import { AuthorizerError, ConfigError, NonceChallengeError, TokenRejectedError } from './errors';
import type { WarmJwksCache } from './jwks-cache';
import { createKeySources, type KeySourceDeps } from './key-sources';
import { RouteSet, describeConflicts, describeRoute, type RouteDecision } from '../contract/route-set';
import { readEvent, type AuthorizerEvent } from './event';
import type { Invocation } from './invocation';
import { AuthorizerMetrics } from './metrics';
import { sourceMappedStack } from './stack-trace';
import { buildPolicy, parseMethodArn, type ContextValue } from './policy';
import { readClaim } from './claim-path';
import { grantedScopes } from './scopes';
import { decodeToken } from './token';
import { TokenVerifier } from './verifier';
import { warmUp, warmUpLimitMs } from './warm-up';

/** Times a read of the revocation table: each read it wraps counts in RevocationLookups and RevocationLatency. */
export type RevocationLookup = <T>(read: () => Promise<T>) => Promise<T>;

/** Checks a verified token against a revocation list; throws TokenRejectedError('TOKEN_REVOKED') or fails. */
export interface RevocationCheck {
  /**
   * `lookup` wraps the read of the revocation table, failed reads included; a decision the check makes
   * without reading it (MISSING_JTI) is not wrapped, so it reports no revocation latency.
   */
  check(payload: JwtPayload, lookup?: RevocationLookup): Promise<void>;
  /**
   * One read of the table for no token (JWKS_WARM_UP's init warm-up), so that the client's set-up and first
   * connection cost no request; rejects with RevocationUnavailableError.
   */
  warmUp?(): Promise<void>;
}

export interface AuthorizerDeps extends KeySourceDeps {
  /**
   * Where the log lines (and the metrics embedded in them) go; its service should be the configuration's
   * serviceName, the metrics' `service` dimension.
   * @default createLogger(config.serviceName, config.logLevel)
   */
  readonly logger?: Logger;
  readonly revocation?: RevocationCheck;
  /**
   * Where accepted DPoP proofs are remembered: createReplayStore(config.dpop) for DPOP_REPLAY_TABLE.
   * @default this instance's memory (refused when DPOP_REPLAY_TABLE is set)
   */
  readonly dpopReplay?: ReplayStore;
  /**
   * Where the DPoP server nonces' key is read: createNonceKeyStore(config.dpop) for DPOP_NONCES.
   * @default - none (refused when DPOP_NONCES is on)
   */
  readonly dpopNonceKeys?: NonceKeyStore;
}

export interface Authorizer {
  /**
   * Settles when the keys for the first request are on hand: at once with a JWKS seed, else when the
   * cold-start fetch has finished; with the init warm-up (config.warmUpAtInit), when it has finished or its
   * bound has passed. It never rejects; failures are logged.
   */
  readonly ready: Promise<void>;
  /**
   * Settles once no background work a request started (a seed's or a stale key set's refresh, a seeded
   * issuer's discovery) is still running: for tests and benchmarks.
   */
  settled(): Promise<void>;
  readonly jwksCache: WarmJwksCache;
  /**
   * Returns the policy, or throws exactly Error('Unauthorized') for any token problem (API Gateway's 401),
   * or an AuthorizerError that is not 'Unauthorized' when the authorizer cannot decide (API Gateway's 5xx).
   * `invocation` (from the Lambda context) puts the request id, the trace id and `cold_start` on every line
   * logged until the next invocation, and the function's name on the ColdStart metric.
   */
  authorize(event: AuthorizerEvent, invocation?: Invocation): Promise<APIGatewayAuthorizerResult>;
}

function clientIdOf(payload: JwtPayload): string | undefined {
  for (const claim of ['client_id', 'azp', 'cid'] as const) {
    const value = payload[claim];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

/**
 * Milliseconds since `started` (process.hrtime.bigint()), to the microsecond. Not performance.now(): the
 * `performance` global loads node:perf_hooks on first use, about ten of Node's modules that a cold start's
 * first decision would otherwise load.
 */
function millisecondsSince(started: bigint): number {
  return Math.round(Number(process.hrtime.bigint() - started) / 1000) / 1000;
}

/**
 * What a decision measured on its way, for its metrics: set while deciding, read by whichever line ends it.
 * `revocationMs` is set exactly when the revocation table was read (RevocationCheck's `lookup`).
 */
interface DecisionTrace {
  revocationMs: number | undefined;
}

/** Resources in the policy buildPolicy() makes for this decision: one stage-wide Deny when nothing is allowed. */
function policyResources(decision: RouteDecision): number {
  return decision.allow.length === 0 ? 1 : decision.allow.length + decision.deny.length;
}

/**
 * The authorizer for a parsed configuration: it starts the cold-start JWKS fetch (or loads the seed) at once.
 * A configuration with a revocation table needs `deps.revocation` (createRevocationCheck), and one with a DPoP
 * replay table `deps.dpopReplay`; without it this throws a ConfigError rather than skip the check.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDeps = {}): Authorizer {
  // Revocation configured but not wired (e.g. REVOCATION_TABLE on the plain handler's bundle) must not
  // silently accept revoked tokens: refuse to start, so every request fails closed.
  if (config.revocation !== null && deps.revocation === undefined) {
    throw new ConfigError(
      'REVOCATION_TABLE',
      'is set, but this bundle has no revocation check: deploy lambda/authorizer/revocable-handler.ts',
    );
  }
  // Likewise a replay table configured but not wired would silently fall back to per-instance memory.
  if (config.dpop.replayTable !== null && deps.dpopReplay === undefined) {
    throw new ConfigError(
      'DPOP_REPLAY_TABLE',
      'is set, but this bundle has no replay table store: deploy lambda/authorizer/revocable-handler.ts',
    );
  }
  const log = deps.logger ?? createLogger(config.serviceName, config.logLevel);
  const metrics = new AuthorizerMetrics(log, {
    namespace: config.metricsNamespace,
    service: config.serviceName,
  });
  const { jwksCache, discovery } = createKeySources(config, deps, log, metrics);
  const verifier = new TokenVerifier(config, jwksCache, discovery);
  const nonces = createNonceDecisions(config, deps.dpopNonceKeys);
  const binding = createBindingCheck(config, deps.dpopReplay ?? new MemoryReplayStore(), nonces?.proofs);
  const routes = new RouteSet(config.routes);
  // Said once per instance: whoever wired this Lambda (SAM, CloudFormation, Terraform) may have chosen a TOKEN
  // authorizer, whose one cached policy per token refuses some held requests of such a table.
  const conflicts = routes.conflicts();
  if (conflicts.length > 0) {
    log.warn('route table', {
      code: 'TOKEN_POLICY_OVER_DENIES',
      detail:
        `a TOKEN authorizer (one policy per token) refuses some requests a token may make: ` +
        `${describeConflicts(conflicts.slice(0, 5))}${conflicts.length > 5 ? ` (and ${conflicts.length - 5} more)` : ''}`,
      fix:
        'cache per route: a REQUEST authorizer with identity sources method.request.header.Authorization, ' +
        'context.httpMethod and context.resourcePath (the construct does this with caching auto or route)',
    });
  }

  // Started at init so the first request normally finds the keys on hand; failures surface per request.
  let warmed = false;
  const init = config.warmUpAtInit
    ? warmUp(
        {
          jwks: () => verifier.warmUp(),
          revocation: deps.revocation?.warmUp?.bind(deps.revocation),
          dpopNonceKeys: deps.dpopNonceKeys,
        },
        { log, limitMs: warmUpLimitMs(config.jwksTimeoutMs) },
      )
    : verifier.hydrate();
  const ready = init.then(
    () => {
      warmed = true;
    },
    () => {
      warmed = true;
    },
  );

  async function decide(
    event: AuthorizerEvent,
    started: bigint,
    trace: DecisionTrace,
    coldStartOf: string | undefined,
  ): Promise<APIGatewayAuthorizerResult> {
    const { authorization, route: called } = readEvent(event);
    const { scheme, token } = parseCredentials(authorization, config.maxTokenBytes);
    const arn = parseMethodArn(event.methodArn);
    const decoded = decodeToken(token);
    const kid = decoded.header.kid;
    const nowSeconds = Math.floor(Date.now() / 1000);
    let payload: JwtPayload;
    let trusted: ReturnType<typeof verifier.trustedIssuer>;
    // The trusted issuer as configured, whichever of its forms the token carries (Cognito's two).
    let issuer: string;
    let bound: Binding;
    try {
      const result = verifier.verify(decoded, nowSeconds);
      payload = result instanceof Promise ? await result : result;
      if (deps.revocation) {
        await deps.revocation.check(payload, async (read) => {
          const asked = process.hrtime.bigint();
          try {
            return await read();
          } finally {
            trace.revocationMs = millisecondsSince(asked);
          }
        });
      }
      trusted = verifier.trustedIssuer(payload);
      issuer = trusted?.issuer ?? (payload.iss as string);
      const checked = binding.check({ event, scheme, token, payload, issuer, nowSeconds });
      bound = checked instanceof Promise ? await checked : checked;
    } catch (error) {
      if (error instanceof NonceChallengeError) {
        // Thrown only once the token has verified, so its sub is the verified one: a 403 asking for a retry.
        return answerNonceChallenge(metrics, error, {
          arn,
          sub: decoded.payload.sub as string,
          kid,
          latencyMs: millisecondsSince(started),
          revocationMs: trace.revocationMs,
          coldStartOf,
        });
      }
      if (error instanceof AuthorizerError) Object.assign(error, { kid });
      throw error;
    }

    const sub = payload.sub as string;
    const granted = grantedScopes(payload, trusted?.scopePrefix, trusted?.permissionClaims);
    // TOKEN mode: one decision for every route (its reason only matters to the log line, below). REQUEST
    // mode: the one route API Gateway matched.
    const { decision, reason } =
      called === null
        ? { decision: routes.decide(granted), reason: undefined }
        : routes.decideRoute(called.method, called.resourcePath, granted);
    const clientId = clientIdOf(payload);
    // Copied claims first: config refuses any that would take a built-in key, and the built-ins win regardless.
    const context: Record<string, ContextValue> = {
      ...(trusted?.contextClaims && contextClaimValues(payload, trusted.contextClaims)),
      sub,
      scope: [...granted].join(' '),
      issuer,
      expiresAt: payload.exp as number,
    };
    if (clientId !== undefined) context.clientId = clientId;
    if (typeof payload.jti === 'string') context.tokenId = payload.jti;
    const nonced = nonces?.addTo(context, called, reason, bound, nowSeconds);
    if (nonced instanceof Promise) await nonced;

    // What the policy does with this request, found by routing its path (not by matching every pattern).
    const outcome =
      reason === undefined
        ? routes.outcome(arn.method, arn.path, decision)
        : reason === 'ALLOWED'
          ? routes.routeOutcome(arn.method, arn.path, decision)
          : reason;
    const allowed = outcome === 'ALLOWED';
    const latencyMs = millisecondsSince(started);
    const counts = metrics.decision(allowed ? 'allow' : 'deny', outcome, {
      latencyMs,
      policyResources: policyResources(decision),
      revocationMs: trace.revocationMs,
      coldStartOf,
    });
    if (log.enabled('info')) {
      log.info(
        'authorization',
        {
          decision: allowed ? 'allow' : 'deny',
          reason: outcome,
          route: `${arn.method} ${arn.path}`,
          ...(called === null
            ? {}
            : { resource: describeRoute({ method: called.method, path: called.resourcePath }) }),
          sub,
          clientId,
          kid,
          allowedRoutes: decision.allow.length,
          latencyMs,
        },
        counts,
      );
    } else {
      metrics.writeOnly(counts, outcome);
    }
    const policy = buildPolicy(arn, sub, decision, context);
    // What a usage plan with API key source AUTHORIZER meters by; without it, API Gateway refuses (403) the
    // methods that require an API key, and serves the others.
    const usageKey = config.usageIdentifierClaim && readClaim(payload, config.usageIdentifierClaim);
    return typeof usageKey === 'string' && usageKey !== ''
      ? { ...policy, usageIdentifierKey: usageKey }
      : policy;
  }

  let invoked = false;

  async function authorize(
    event: AuthorizerEvent,
    invocation?: Invocation,
  ): Promise<APIGatewayAuthorizerResult> {
    const started = process.hrtime.bigint();
    const coldStart = !invoked;
    invoked = true;
    if (invocation !== undefined) {
      log.setContext({
        cold_start: coldStart,
        function_request_id: invocation.requestId,
        xray_trace_id: invocation.traceId,
      });
    }
    const coldStartOf = coldStart ? invocation?.functionName : undefined;
    const trace: DecisionTrace = { revocationMs: undefined };
    if (!warmed) await ready;
    try {
      return await decide(event ?? {}, started, trace, coldStartOf);
    } catch (error) {
      const latencyMs = millisecondsSince(started);
      const kid = (error as { kid?: string } | null)?.kid;
      const code = error instanceof AuthorizerError ? error.code : 'INTERNAL';
      const measures = { latencyMs, revocationMs: trace.revocationMs, coldStartOf };
      if (error instanceof TokenRejectedError) {
        metrics.write(
          'warn',
          'authorization',
          { decision: 'unauthorized', reason: code, detail: error.message, kid, latencyMs },
          metrics.decision('unauthorized', code, measures),
          code,
        );
        // API Gateway answers 401 only for this exact message; anything else becomes a 5xx.
        throw new Error('Unauthorized', { cause: error });
      }
      const counts = metrics.decision('error', code, measures);
      if (error instanceof AuthorizerError) {
        metrics.write(
          'error',
          'authorization',
          { decision: 'error', reason: code, detail: error.message, kid, latencyMs },
          counts,
          code,
        );
        throw error;
      }
      if (!log.enabled('error')) {
        metrics.writeOnly(counts, code);
        throw new Error('Authorizer failure', { cause: error });
      }
      log.error(
        'authorization',
        {
          decision: 'error',
          reason: code,
          detail: error instanceof Error ? `${error.name}: ${error.message}` : 'non-error thrown',
          // Where it was thrown, in the TypeScript sources: the only stack this failure leaves (the error
          // thrown to the runtime below is a new one).
          stack: await sourceMappedStack(error),
          latencyMs,
        },
        counts,
      );
      throw new Error('Authorizer failure', { cause: error });
    }
  }

  return { ready, settled: () => verifier.settled(), jwksCache, authorize };
}
