// What DPoP server nonces (RFC 9449 §8) add to the authorizer's policies. A Lambda authorizer shapes no
// gateway response but ACCESS_DENIED, and that one only through the context of the Deny it returns, so with
// nonces on every policy carries the WWW-Authenticate value of its 403 (insufficient_scope, with the route's
// scopes where the decision is for one route: RFC 6750 §3), every DPoP-bound decision a fresh nonce, and a
// proof without a valid nonce gets a Deny whose context is the use_dpop_nonce challenge.
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { describeRoute, type RouteDecision } from '../contract/route-set';
import type { RouteRule } from '../contract/route-rules';
import { DPOP_NONCE_CONTEXT_KEYS, unauthorizedChallenge } from '../contract/sender-constraint';
import type { AuthorizerConfig } from './config';
import type { DpopNonceConfig } from './dpop-config';
import { DpopNonces, type NonceKeyStore } from './dpop-nonce';
import { ConfigError, type NonceChallengeError } from './errors';
import type { AuthorizerMetrics } from './metrics';
import { buildPolicy, type ContextValue, type MethodArn } from './policy';
import type { Binding } from './sender-constraint';

/** What a nonce challenge's policy allows: nothing (one stage-wide Deny, one resource). */
const NOTHING_ALLOWED: RouteDecision = Object.freeze({ allow: [], deny: [] });

type CalledRoute = { readonly method: string; readonly resourcePath: string } | null;

/** The insufficient_scope challenge of each route, made once at init in the schemes the static 401 offers. */
function deniedChallenges(
  routes: readonly RouteRule[],
  nonces: DpopNonceConfig,
): (called: CalledRoute, reason: string | undefined) => string {
  const challenge = (scope?: readonly string[]): string =>
    unauthorizedChallenge('insufficient_scope', {
      dpop: true,
      dpopRequired: nonces.dpopOnly,
      resourceMetadataUrl: nonces.resourceMetadataUrl,
      scope,
    });
  const general = challenge();
  const byRoute = new Map(routes.map((r) => [describeRoute(r), challenge(r.scopes)]));
  return (called, reason) =>
    called === null || reason !== 'INSUFFICIENT_SCOPE'
      ? general
      : (byRoute.get(describeRoute({ method: called.method, path: called.resourcePath })) ?? general);
}

export interface NonceDecisions {
  /** What the binding check asks every proof for. */
  readonly proofs: DpopNonces;
  /**
   * Adds to a decision's context what its 403 says and, for a DPoP-bound token, the nonce the next proof
   * must carry (for the 403, or for the integration's 200: RFC 9449 §8.2). `called` and `reason` are the
   * REQUEST-mode route and decideRoute()'s reason (null and undefined in TOKEN mode).
   */
  addTo(
    context: Record<string, ContextValue>,
    called: CalledRoute,
    reason: string | undefined,
    bound: Binding,
    nowSeconds: number,
  ): void | Promise<void>;
}

/**
 * The server nonces of a configuration, or undefined when DPOP_NONCES is off. Throws a ConfigError for nonces
 * without a key store rather than skip the check (the plain bundle has none).
 */
export function createNonceDecisions(
  config: AuthorizerConfig,
  keys: NonceKeyStore | undefined,
): NonceDecisions | undefined {
  const settings = config.dpop.nonces;
  if (settings === null) return undefined;
  if (keys === undefined) {
    throw new ConfigError(
      'DPOP_NONCES',
      'is true, but this bundle has no nonce key store: deploy lambda/authorizer/revocable-handler.ts',
    );
  }
  const proofs = new DpopNonces(keys);
  const denied = deniedChallenges(config.routes, settings);
  return {
    proofs,
    addTo(context, called, reason, bound, nowSeconds) {
      context[DPOP_NONCE_CONTEXT_KEYS.wwwAuthenticate] = denied(called, reason);
      if (bound !== 'dpop' && bound !== 'dpop+mtls') return undefined;
      const fresh = proofs.current(nowSeconds);
      if (!(fresh instanceof Promise)) {
        context[DPOP_NONCE_CONTEXT_KEYS.dpopNonce] = fresh;
        return undefined;
      }
      return fresh.then((nonce) => {
        context[DPOP_NONCE_CONTEXT_KEYS.dpopNonce] = nonce;
      });
    },
  };
}

/** What the challenge's decision line and metrics say besides the challenge. */
export interface ChallengedRequest {
  readonly arn: MethodArn;
  /** The verified token's subject: the policy's principal. */
  readonly sub: string;
  readonly kid: string | undefined;
  readonly latencyMs: number;
  readonly revocationMs: number | undefined;
  readonly coldStartOf: string | undefined;
}

/**
 * The Deny that answers a proof without a valid nonce, logged and counted as a deny with the challenge's reason:
 * ACCESS_DENIED maps its context to the 403's WWW-Authenticate and DPoP-Nonce.
 */
export function answerNonceChallenge(
  metrics: AuthorizerMetrics,
  challenge: NonceChallengeError,
  request: ChallengedRequest,
): APIGatewayAuthorizerResult {
  const { arn, sub, kid, latencyMs, revocationMs, coldStartOf } = request;
  const counts = metrics.decision('deny', challenge.code, {
    latencyMs,
    policyResources: 1,
    revocationMs,
    coldStartOf,
  });
  metrics.write(
    'info',
    'authorization',
    {
      decision: 'deny',
      reason: challenge.code,
      detail: challenge.message,
      route: `${arn.method} ${arn.path}`,
      sub,
      kid,
      latencyMs,
    },
    counts,
    challenge.code,
  );
  return buildPolicy(arn, sub, NOTHING_ALLOWED, {
    sub,
    [DPOP_NONCE_CONTEXT_KEYS.wwwAuthenticate]: challenge.challenge,
    [DPOP_NONCE_CONTEXT_KEYS.dpopNonce]: challenge.nonce,
  });
}
