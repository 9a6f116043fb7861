// The signature algorithms the authorizer accepts and which keys fit each: a leaf module (it imports none of
// its neighbours), so decoding a token and checking its signature both read one table without importing
// each other.
import type { JwkWithKid } from 'aws-jwt-verify/jwk';

export interface Algorithm {
  /** The digest node:crypto hashes with; null for EdDSA, which hashes internally. */
  readonly hash: string | null;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** The curves the key may be on (RFC 7518 §3.4, RFC 8037 §3.1); RSA keys have none. */
  readonly crv?: readonly string[];
}

/** Asymmetric algorithms only: HS* would let a public key double as a shared secret (RFC 8725 §2.1). */
export const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map<string, Algorithm>([
  ['RS256', { hash: 'sha256', kty: 'RSA' }],
  ['RS384', { hash: 'sha384', kty: 'RSA' }],
  ['RS512', { hash: 'sha512', kty: 'RSA' }],
  ['ES256', { hash: 'sha256', kty: 'EC', crv: ['P-256'] }],
  ['ES384', { hash: 'sha384', kty: 'EC', crv: ['P-384'] }],
  ['ES512', { hash: 'sha512', kty: 'EC', crv: ['P-521'] }],
  ['EdDSA', { hash: null, kty: 'OKP', crv: ['Ed25519', 'Ed448'] }],
]);

export function isAcceptedAlgorithm(alg: unknown): alg is string {
  return typeof alg === 'string' && ALGORITHMS.has(alg);
}

/** Whether this key may verify this alg: of the alg's type and curve, and naming no other alg (RFC 7517 §4.4). */
export function keyFitsAlgorithm(jwk: JwkWithKid, alg: string | undefined): boolean {
  const algorithm = alg === undefined ? undefined : ALGORITHMS.get(alg);
  return (
    algorithm !== undefined &&
    (jwk.alg === undefined || jwk.alg === alg) &&
    jwk.kty === algorithm.kty &&
    (algorithm.crv === undefined || algorithm.crv.includes(jwk.crv as string))
  );
}
