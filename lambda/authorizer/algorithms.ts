// The accepted JWS algorithms and which keys may verify each. A leaf: it imports none of its neighbours, so
// the decoder (token.ts), the key cache (jwks-cache.ts) and the signature check (signature.ts) all read it.
import { constants } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';

export interface Algorithm {
  /** The digest node:crypto hashes with; null for EdDSA, which hashes internally. */
  readonly hash: string | null;
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** The curves the key may be on (RFC 7518 §3.4, RFC 8037 §3.1); RSA keys have none. */
  readonly crv?: readonly string[];
  /** ECDSA: the bytes of each of R and S in the JWS signature, which is exactly twice this (RFC 7518 §3.4). */
  readonly ecdsaOctets?: number;
  /**
   * RSASSA-PSS (RFC 7518 §3.5): MGF1 with the same digest and a salt exactly as long as the digest. A
   * signature made with another salt length is refused rather than recovered (no RSA_PSS_SALTLEN_AUTO).
   */
  readonly pss?: { readonly padding: number; readonly saltLength: number };
  /** ECDSA: the bytes of each of r and s in a JWS signature (RFC 7518 §3.4); the signature is twice that. */
  readonly ecdsaBytes?: number;
}

function pss(saltLength: number): Algorithm['pss'] {
  return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength };
}

/** Asymmetric algorithms only: HS* would let a public key double as a shared secret (RFC 8725 §2.1). */
const ALGORITHMS: ReadonlyMap<string, Algorithm> = new Map<string, Algorithm>([
  ['RS256', { hash: 'sha256', kty: 'RSA' }],
  ['RS384', { hash: 'sha384', kty: 'RSA' }],
  ['RS512', { hash: 'sha512', kty: 'RSA' }],
  ['PS256', { hash: 'sha256', kty: 'RSA', pss: pss(32) }],
  ['PS384', { hash: 'sha384', kty: 'RSA', pss: pss(48) }],
  ['PS512', { hash: 'sha512', kty: 'RSA', pss: pss(64) }],
  ['ES256', { hash: 'sha256', kty: 'EC', crv: ['P-256'], ecdsaOctets: 32 }],
  ['ES384', { hash: 'sha384', kty: 'EC', crv: ['P-384'], ecdsaOctets: 48 }],
  ['ES512', { hash: 'sha512', kty: 'EC', crv: ['P-521'], ecdsaOctets: 66 }],
  ['EdDSA', { hash: null, kty: 'OKP', crv: ['Ed25519', 'Ed448'] }],
]);

/** RFC 7518 §3.3 and §3.5: RSA keys (RS* and PS* alike) of 2048 bits or more. */
export const MIN_RSA_BITS = 2048;

export function algorithmOf(alg: unknown): Algorithm | undefined {
  return typeof alg === 'string' ? ALGORITHMS.get(alg) : undefined;
}

export function isAcceptedAlgorithm(alg: unknown): alg is string {
  return algorithmOf(alg) !== undefined;
}

/** Whether this key may verify this alg: of the alg's type and curve, and naming no other alg (RFC 7517 §4.4). */
export function keyFitsAlgorithm(jwk: JwkWithKid, alg: string | undefined): boolean {
  const algorithm = algorithmOf(alg);
  return (
    algorithm !== undefined &&
    (jwk.alg === undefined || jwk.alg === alg) &&
    jwk.kty === algorithm.kty &&
    (algorithm.crv === undefined || algorithm.crv.includes(jwk.crv as string))
  );
}
