// Where the authorizer's keys come from, wired once per instance: the bounded HTTPS fetcher, the warm JWKS
// cache (seed, refresh, unknown-kid refetch) and OIDC discovery, each reporting what it does as log lines
// and metrics. createAuthorizer builds them; the verifier reads keys through them.
import type { Fetcher } from 'aws-jwt-verify/https';
import type { AuthorizerConfig } from './config';
import { OidcDiscovery } from './discovery';
import { BoundedFetcher } from './https-fetcher';
import { WarmJwksCache, type JwksFetchEvent, type JwksSeedEvent } from './jwks-cache';
import type { Logger } from './log';
import type { AuthorizerMetrics } from './metrics';

/** What a caller (tests, benchmarks, the local loop) may set about how keys are fetched and kept. */
export interface KeySourceDeps {
  /**
   * How JWKS and OIDC discovery documents are fetched.
   * @default a BoundedFetcher: https only, JWKS_TIMEOUT_MS for the whole exchange, bodies up to 128 KiB
   */
  readonly fetcher?: Fetcher;
  /**
   * At most one unknown-kid refetch per window; unknown kids inside it are refused at once and schedule one
   * trailing fetch at its end.
   * @default 2000
   */
  readonly jwksRefetchWindowMs?: number;
  /** @default 1000 */
  readonly jwksFailureBackoffMs?: number;
  /** @default 15 minutes */
  readonly jwksMaxAgeMs?: number;
}

export interface KeySources {
  readonly jwksCache: WarmJwksCache;
  readonly discovery: OidcDiscovery;
}

/** The JWKS cache and OIDC discovery of one authorizer, sharing one fetcher, logged and counted. */
export function createKeySources(
  config: AuthorizerConfig,
  deps: KeySourceDeps,
  log: Logger,
  metrics: AuthorizerMetrics,
): KeySources {
  const onFetch = (e: JwksFetchEvent): void => {
    const counts = metrics.event({
      JwksFetches: 1,
      JwksFetchFailures: e.ok ? 0 : 1,
      JwksFetchLatency: e.ms,
    });
    if (e.ok) metrics.write('info', 'jwks fetched', { ...e, reason: e.reason }, counts);
    else
      metrics.write(
        'error',
        'jwks fetch failed',
        { ...e, code: 'JWKS_UNAVAILABLE', fetchReason: e.reason, reason: undefined },
        counts,
      );
  };
  // Serving from a seed while the issuer is unreachable is degraded (warn); a seed too old to trust, an error.
  const onSeed = (e: JwksSeedEvent): void => {
    if (e.code === 'JWKS_SEED_EXPIRED') {
      metrics.write('error', 'jwks seed', e, metrics.event({ JwksSeedExpired: 1 }));
    } else if (e.code === 'JWKS_SEED_SERVING') {
      // In place of a failed fetch's event: the fetch counts, and its failure.
      const counts = metrics.event({ JwksSeedServing: 1, JwksFetches: 1, JwksFetchFailures: 1 });
      metrics.write('warn', 'jwks seed', e, counts);
    } else {
      log.info('jwks seed', e);
    }
  };
  const fetcher =
    deps.fetcher ??
    new BoundedFetcher({
      timeoutMs: config.jwksTimeoutMs,
      trustedCertificates: config.trustedCa?.certificates,
    });
  const failureBackoffMs = deps.jwksFailureBackoffMs ?? 1000;
  const jwksCache = new WarmJwksCache({
    fetcher,
    refetchWindowMs: deps.jwksRefetchWindowMs ?? 2000,
    failureBackoffMs,
    maxAgeMs: deps.jwksMaxAgeMs ?? 15 * 60_000,
    onFetch,
    onSeed,
    // An issuer publishing private or secret key material: its key is never used, and someone must act.
    onKeyRefused: (e) =>
      metrics.write('error', 'jwks key refused', { ...e }, metrics.event({ JwksKeysRefused: 1 })),
  });
  const discovery = new OidcDiscovery({
    fetcher,
    failureBackoffMs,
    onDiscovery: (e) => {
      const failed = e.code !== undefined;
      const counts = metrics.event({
        Discoveries: 1,
        DiscoveryFailures: failed ? 1 : 0,
        DiscoveryLatency: e.ms,
      });
      if (failed) metrics.write('error', 'oidc discovery failed', e, counts);
      else metrics.write('info', 'oidc discovery', e, counts);
    },
  });
  return { jwksCache, discovery };
}
