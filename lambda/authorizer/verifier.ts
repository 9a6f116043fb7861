// Verifies a decoded token with aws-jwt-verify (signature, iss, aud, exp, nbf) and then applies the checks
// the library leaves optional: exp required, iat not in the future, typ, sub, and Cognito's token_use/client_id.
import type { JwtBaseError } from 'aws-jwt-verify/error';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidTokenUseError,
  JwksNotAvailableInCacheError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  JwtNotBeforeError,
  JwtParseError,
  JwtWithoutValidKidError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import type { JwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JwtVerifierBase } from 'aws-jwt-verify/jwt-verifier';
import type { AuthorizerConfig, TrustedIssuer } from './config';
import { normalizeTokenType } from './config';
import { AuthorizerError, JwksUnavailableError, TokenRejectedError, type RejectReason } from './errors';
import type { DecodedToken } from './token';

type VerifyProps = { audience: string[] | null; graceSeconds: number };
type IssuerProps = VerifyProps & { issuer: string; jwksUri: string };

/**
 * aws-jwt-verify's verifier, fed tokens we have already decoded. Decoding ourselves lets us refuse more
 * (duplicate keys, float dates, forbidden headers) and accept more (`scope` as an array) without parsing twice.
 */
class DecodedTokenVerifier extends JwtVerifierBase<VerifyProps, IssuerProps, true> {
  constructor(issuers: IssuerProps[], jwksCache: JwksCache) {
    super(issuers, jwksCache);
  }

  verifyCached(token: DecodedToken, issuer: IssuerProps): JwtPayload {
    return this.verifyDecomposedJwtSync(token, issuer.jwksUri, issuer);
  }

  verifyFetching(token: DecodedToken, issuer: IssuerProps): Promise<JwtPayload> {
    return this.verifyDecomposedJwt(token, issuer.jwksUri, issuer);
  }
}

const LIBRARY_REASONS: ReadonlyArray<[new (...args: never[]) => JwtBaseError, RejectReason]> = [
  [JwtInvalidSignatureError, 'BAD_SIGNATURE'],
  [JwtInvalidSignatureAlgorithmError, 'UNSUPPORTED_ALGORITHM'],
  [JwtExpiredError, 'TOKEN_EXPIRED'],
  [JwtNotBeforeError, 'TOKEN_NOT_YET_VALID'],
  [JwtInvalidIssuerError, 'WRONG_ISSUER'],
  [JwtInvalidAudienceError, 'WRONG_AUDIENCE'],
  [KidNotFoundInJwksError, 'UNKNOWN_KID'],
  [JwtWithoutValidKidError, 'MISSING_KID'],
  [JwtParseError, 'MALFORMED_TOKEN'],
  [CognitoJwtInvalidTokenUseError, 'WRONG_TOKEN_USE'],
  [CognitoJwtInvalidClientIdError, 'WRONG_CLIENT'],
];

/** Maps anything thrown while verifying to our error family. Unknown library errors fail closed as 401. */
export function toAuthorizerError(error: unknown): AuthorizerError {
  if (error instanceof AuthorizerError) return error;
  if (error instanceof JwksNotAvailableInCacheError) {
    return new JwksUnavailableError('JWKS not available', { cause: error });
  }
  for (const [type, reason] of LIBRARY_REASONS) {
    if (error instanceof type) return new TokenRejectedError(reason, error.message, { cause: error });
  }
  // e.g. a JWK whose key type cannot verify this alg: the token does not verify, whatever the detail.
  return new TokenRejectedError('BAD_SIGNATURE', 'signature could not be verified', { cause: error });
}

export class TokenVerifier {
  private readonly verifier: DecodedTokenVerifier;
  private readonly issuers = new Map<string, { props: IssuerProps; trusted: TrustedIssuer }>();

  constructor(
    private readonly config: AuthorizerConfig,
    private readonly jwksCache: JwksCache,
  ) {
    const props = config.issuers.map((trusted): IssuerProps => ({
      issuer: trusted.issuer,
      jwksUri: trusted.jwksUri,
      audience: trusted.audience === null ? null : [...trusted.audience],
      graceSeconds: config.clockSkewSeconds,
    }));
    props.forEach((p, i) =>
      this.issuers.set(p.issuer, { props: p, trusted: config.issuers[i] as TrustedIssuer }),
    );
    this.verifier = new DecodedTokenVerifier(props, jwksCache);
  }

  /** Fetches every issuer's JWKS once. Rejects only if all of them fail. */
  async hydrate(): Promise<void> {
    const uris = [...new Set(this.config.issuers.map((i) => i.jwksUri))];
    const results = await Promise.allSettled(uris.map((uri) => this.jwksCache.getJwks(uri)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed && results.every((r) => r.status === 'rejected')) throw toAuthorizerError(failed.reason);
  }

  /** The trusted issuer's scope prefix, for a payload this verifier accepted. */
  scopePrefix(payload: JwtPayload): string | undefined {
    return this.issuers.get(payload.iss as string)?.trusted.scopePrefix;
  }

  /** Synchronous when the key is cached (the warm path), a promise only when keys must be fetched. */
  verify(token: DecodedToken, nowSeconds: number): JwtPayload | Promise<JwtPayload> {
    const { header, payload } = token;
    if (this.config.tokenTypes !== null) {
      const typ = typeof header.typ === 'string' ? normalizeTokenType(header.typ) : undefined;
      if (typ === undefined || !this.config.tokenTypes.includes(typ)) {
        throw new TokenRejectedError(
          'WRONG_TOKEN_TYPE',
          `typ ${JSON.stringify(header.typ ?? null)} is not accepted`,
        );
      }
    }
    // Only a trusted issuer's token may cause a key lookup (and so, a JWKS fetch).
    const issuer = typeof payload.iss === 'string' ? this.issuers.get(payload.iss) : undefined;
    if (!issuer) throw new TokenRejectedError('WRONG_ISSUER', 'iss is not a trusted issuer');

    let verified: JwtPayload;
    try {
      verified = this.verifier.verifyCached(token, issuer.props);
    } catch (error) {
      if (error instanceof KidNotFoundInJwksError || error instanceof JwksNotAvailableInCacheError) {
        return this.verifier.verifyFetching(token, issuer.props).then(
          (p) => this.checkClaims(p, issuer.trusted, nowSeconds),
          (e: unknown) => {
            throw toAuthorizerError(e);
          },
        );
      }
      throw toAuthorizerError(error);
    }
    return this.checkClaims(verified, issuer.trusted, nowSeconds);
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
    return payload;
  }
}
