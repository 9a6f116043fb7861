// Verifies a decoded token: typ (when configured) and a trusted iss first, then the signature (signature.ts)
// with a key from the warm JWKS cache, then aws-jwt-verify's standard claim checks (iss, aud, exp, nbf),
// then the checks the library leaves optional: exp required, iat not in the future, sub, Cognito's
// token_use/client_id, and the issuer's required claims. It also brings the keys in at init: from the JWKS
// seed with no network I/O (refreshed after the first request), or fetched, after OIDC discovery for an
// issuer without a JWKS URI.
import type { JwtBaseError } from 'aws-jwt-verify/error';
import {
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtNotBeforeError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { validateJwtFields } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import type { AuthorizerConfig, TrustedIssuer } from './config';
import { normalizeTokenType } from './config';
import type { OidcDiscovery } from './discovery';
import { JwksUnavailableError, TokenRejectedError, type RejectReason } from './errors';
import type { WarmJwksCache } from './jwks-cache';
import { assertRequiredClaims } from './required-claims';
import { verifySignature } from './signature';
import type { DecodedToken } from './token';
import { quote } from './truncate';

/** aws-jwt-verify's claim options for one trusted issuer: `issuer` lists its every `iss` form. */
interface ClaimOptions {
  readonly issuer: string | string[];
  readonly audience: string[] | null;
  readonly graceSeconds: number;
}

interface Issuer {
  /** Configured, or found by discovery (or recorded in the seed); undefined until discovery answers. */
  jwksUri: string | undefined;
  /** Discovery is still to be asked, though the seed named a URI: on the first request. */
  rediscover: boolean;
  readonly claims: ClaimOptions;
  readonly trusted: TrustedIssuer;
}

const LIBRARY_REASONS: ReadonlyArray<[new (...args: never[]) => JwtBaseError, RejectReason]> = [
  [JwtExpiredError, 'TOKEN_EXPIRED'],
  [JwtNotBeforeError, 'TOKEN_NOT_YET_VALID'],
  [JwtInvalidIssuerError, 'WRONG_ISSUER'],
  [JwtInvalidAudienceError, 'WRONG_AUDIENCE'],
  [KidNotFoundInJwksError, 'UNKNOWN_KID'],
];

/**
 * Maps what aws-jwt-verify and the JWKS cache throw to our error family. Anything else is a fault of ours,
 * not the token's, and passes through unchanged: the authorizer logs it as INTERNAL and fails closed (5xx).
 */
export function toAuthorizerError(error: unknown): unknown {
  if (error instanceof JwksNotAvailableInCacheError) {
    return new JwksUnavailableError('JWKS not available', { cause: error });
  }
  for (const [type, reason] of LIBRARY_REASONS) {
    if (error instanceof type) return new TokenRejectedError(reason, error.message, { cause: error });
  }
  return error;
}

export class TokenVerifier {
  private readonly issuers = new Map<string, Issuer>();
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly config: AuthorizerConfig,
    private readonly jwksCache: WarmJwksCache,
    private readonly discovery: OidcDiscovery,
  ) {
    for (const trusted of config.issuers) {
      const alternates = trusted.alternateIssuers ?? [];
      const issuer: Issuer = {
        jwksUri: trusted.jwksUri ?? undefined,
        rediscover: false,
        claims: {
          issuer: alternates.length === 0 ? trusted.issuer : [trusted.issuer, ...alternates],
          audience: trusted.audience === null ? null : [...trusted.audience],
          graceSeconds: config.clockSkewSeconds,
        },
        trusted,
      };
      // Each form finds the one issuer: the same keys, rules and identity, exactly these strings and no others.
      for (const form of [trusted.issuer, ...alternates]) this.issuers.set(form, issuer);
    }
  }

  /**
   * Loads the seed, then fetches once the keys it does not hold (after discovery where no JWKS URI is
   * configured); rejects only if every one of those fetches fails. Seeded keys need nothing at init: the
   * first request decided with them once they are stale (at once for an undated seed) starts their refresh,
   * and a seeded issuer's discovery.
   */
  hydrate(): Promise<void> {
    this.loadSeed();
    const fetches: Array<Promise<unknown>> = [];
    const configured = new Set<string>();
    for (const issuer of new Set(this.issuers.values())) {
      const uri = issuer.trusted.jwksUri;
      if (uri === null) {
        if (issuer.jwksUri === undefined) {
          const discovered = this.discovery.jwksUri(issuer.trusted.issuer);
          fetches.push(discovered.then((found) => this.jwksCache.getJwks((issuer.jwksUri = found))));
        }
      } else if (!configured.has(uri) && !this.jwksCache.has(uri)) {
        configured.add(uri);
        fetches.push(this.jwksCache.getJwks(uri));
      }
    }
    return Promise.allSettled(fetches).then((results) => {
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed && results.every((r) => r.status === 'rejected')) throw toAuthorizerError(failed.reason);
    });
  }

  /**
   * `hydrate` for an init that runs ahead of traffic (JWKS_WARM_UP): loads the seed, then fetches every
   * issuer's keys now, after discovery for an issuer without a JWKS URI (a seed's recorded URI included),
   * replacing seeded keys however fresh. The instance's first TLS set-up is paid here rather than by a request,
   * and no request decides with seeded keys while the issuers answer. Never rejects: each failure is logged
   * where it happens, and the seed (or, without one, the first request's fetch) serves as without a warm-up.
   * Resolves with how many of its fetches (a discovery and its JWKS count as one) failed, of how many.
   */
  warmUp(): Promise<{ readonly fetches: number; readonly failed: number }> {
    this.loadSeed();
    const fetches: Array<Promise<unknown>> = [];
    const configured = new Set<string>();
    for (const issuer of new Set(this.issuers.values())) {
      const uri = issuer.trusted.jwksUri;
      if (uri === null) fetches.push(this.warmUpDiscovered(issuer));
      else if (!configured.has(uri)) {
        configured.add(uri);
        fetches.push(this.jwksCache.warmUp(uri));
      }
    }
    return Promise.allSettled(fetches).then((results) => ({
      fetches: results.length,
      failed: results.filter((r) => r.status === 'rejected').length,
    }));
  }

  /**
   * A discovered issuer's warm-up: discovery now, then its JWKS. The first request joins a fetch still running;
   * a seed's URI gives way to another one that discovery names once that one's keys are in. The seed's
   * deferred discovery is done once discovery and the fetch have both succeeded.
   */
  private async warmUpDiscovered(issuer: Issuer): Promise<void> {
    const found = await this.discovery.jwksUri(issuer.trusted.issuer);
    issuer.jwksUri ??= found;
    await this.jwksCache.warmUp(found);
    issuer.jwksUri = found;
    issuer.rediscover = false;
  }

  /** Puts the seed's keys (JWKS_SEED_FILE) in the cache, and a seeded issuer's recorded JWKS URI in place. */
  private loadSeed(): void {
    const seed = this.config.jwksSeed;
    const pinned = new Set(this.config.issuers.map((t) => t.jwksUri));
    for (const entry of seed?.entries ?? []) {
      const maxAgeMs = (seed?.maxAgeSeconds ?? 0) * 1000;
      const loaded = this.jwksCache.seed(entry.jwksUri, entry.jwks, entry.fetchedAt, maxAgeMs);
      const issuer = entry.issuer === null ? undefined : this.issuers.get(entry.issuer);
      // A recorded issuer stands in for discovery only: an issuer with a configured JWKS URI keeps it and is
      // never discovered, and a URI configured for some issuer serves only the issuers configured with it.
      // parseConfig refuses such a seed; this holds for a configuration built some other way too.
      if (loaded && issuer?.trusted.jwksUri === null && !pinned.has(entry.jwksUri)) {
        issuer.jwksUri = entry.jwksUri;
        issuer.rediscover = true;
      }
    }
  }

  /** Settles once no discovery or key fetch that a request started is still running. */
  async settled(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
    await this.jwksCache.settled();
  }

  /**
   * A seeded issuer's discovery, once, after the request that first found its seed stale or met a kid the seed
   * does not know has been answered. Should
   * it name another JWKS URI (the JWKS moved), the issuer switches to it once its keys are in; should it fail
   * (logged), the seed's URI stays.
   */
  private rediscover(issuer: Issuer): void {
    issuer.rediscover = false;
    const done = new Promise((resolve) => setImmediate(resolve))
      .then(() => this.discovery.jwksUri(issuer.trusted.issuer))
      .then(async (uri) => {
        if (uri === issuer.jwksUri) return;
        await this.jwksCache.getJwks(uri);
        issuer.jwksUri = uri;
      })
      .catch(() => {
        // Logged where it failed; the seed's URI keeps serving.
      })
      .finally(() => this.background.delete(done));
    this.background.add(done);
  }

  /** The trusted issuer of a payload this verifier accepted: its scope prefix and claim rules. */
  trustedIssuer(payload: JwtPayload): TrustedIssuer | undefined {
    return this.issuers.get(payload.iss as string)?.trusted;
  }

  /** Synchronous when the key is cached (the warm path), a promise only when keys must be fetched. */
  verify(token: DecodedToken, nowSeconds: number): JwtPayload | Promise<JwtPayload> {
    const { header, payload } = token;
    if (this.config.tokenTypes !== null) {
      const typ = typeof header.typ === 'string' ? normalizeTokenType(header.typ) : undefined;
      if (typ === undefined || !this.config.tokenTypes.includes(typ)) {
        throw new TokenRejectedError('WRONG_TOKEN_TYPE', `typ ${quote(header.typ)} is not accepted`);
      }
    }
    // Only a trusted issuer's token may cause a key lookup (and so, a JWKS fetch).
    const issuer = typeof payload.iss === 'string' ? this.issuers.get(payload.iss) : undefined;
    if (!issuer) throw new TokenRejectedError('WRONG_ISSUER', 'iss is not a trusted issuer');

    const jwksUri = issuer.jwksUri;
    // A fresh seed recorded its issuer's discovery as recently as its keys: checked again with their refresh.
    if (issuer.rediscover && (jwksUri === undefined || !this.jwksCache.isFresh(jwksUri)))
      this.rediscover(issuer);
    if (jwksUri === undefined) {
      return this.discovery
        .jwksUri(issuer.trusted.issuer)
        .then((uri) => this.jwksCache.getJwk((issuer.jwksUri = uri), token))
        .then(
          (fetched) => this.verifyWith(token, fetched, issuer, nowSeconds),
          (e: unknown) => {
            throw toAuthorizerError(e);
          },
        );
    }
    let jwk: JwkWithKid;
    try {
      jwk = this.jwksCache.getCachedJwk(jwksUri, token);
    } catch (error) {
      if (error instanceof KidNotFoundInJwksError || error instanceof JwksNotAvailableInCacheError) {
        // A kid the seed does not know: the issuer may have moved its JWKS too.
        if (issuer.rediscover) this.rediscover(issuer);
        return this.jwksCache.getJwk(jwksUri, token).then(
          (fetched) => this.verifyWith(token, fetched, issuer, nowSeconds),
          (e: unknown) => {
            throw toAuthorizerError(e);
          },
        );
      }
      throw toAuthorizerError(error);
    }
    return this.verifyWith(token, jwk, issuer, nowSeconds);
  }

  private verifyWith(token: DecodedToken, jwk: JwkWithKid, issuer: Issuer, now: number): JwtPayload {
    verifySignature(token, jwk);
    try {
      validateJwtFields(token.payload, issuer.claims);
    } catch (error) {
      throw toAuthorizerError(error);
    }
    return this.checkClaims(token.payload, issuer.trusted, now);
  }

  private checkClaims(payload: JwtPayload, issuer: TrustedIssuer, now: number): JwtPayload {
    if (payload.exp === undefined) throw new TokenRejectedError('MISSING_EXP', 'exp is required');
    if (payload.iat !== undefined && payload.iat > now + this.config.clockSkewSeconds) {
      throw new TokenRejectedError('ISSUED_IN_FUTURE', 'iat is in the future');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new TokenRejectedError('INVALID_CLAIM', 'sub is required');
    }
    if (issuer.cognitoClientIds) {
      if (payload.token_use !== 'access') {
        throw new TokenRejectedError('WRONG_TOKEN_USE', 'Cognito token_use must be "access"');
      }
      if (typeof payload.client_id !== 'string' || !issuer.cognitoClientIds.includes(payload.client_id)) {
        throw new TokenRejectedError('WRONG_CLIENT', 'Cognito client_id is not accepted');
      }
    }
    if (issuer.requiredClaims) assertRequiredClaims(payload, issuer.requiredClaims);
    return payload;
  }
}
