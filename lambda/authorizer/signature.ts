// Checks a JWS signature against the issuer's JWK: aws-jwt-verify checks it is a signing key, the key must
// fit the token's alg (type, curve, its own alg; algorithms.ts), and the signature must verify with
// node:crypto, as it does inside aws-jwt-verify's own Node verifier (PSS padding for PS*; jws-verify.ts).
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { assertIsSignatureJwk } from 'aws-jwt-verify/jwk';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { algorithmOf, keyFitsAlgorithm, MIN_RSA_BITS } from './algorithms';
import { TokenRejectedError } from './errors';
import { verifyJws } from './jws-verify';
import type { DecodedToken } from './token';

/**
 * KeyObjects by JWK object. A refetched JWKS brings new JWK objects, so a `kid` that an issuer reuses for
 * new key material gets a new KeyObject; keys dropped from the cache are collected with their JWKs.
 */
const keyObjects = new WeakMap<JwkWithKid, KeyObject>();

function keyObjectOf(jwk: JwkWithKid): KeyObject {
  let key = keyObjects.get(jwk);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    } catch (cause) {
      // e.g. a modulus or a point node:crypto refuses: no token can verify with this key.
      throw badSignature(`the key for kid "${jwk.kid}" cannot be imported`, cause);
    }
    const bits = key.asymmetricKeyDetails?.modulusLength;
    if (bits !== undefined && bits < MIN_RSA_BITS) {
      throw badSignature(
        `the RSA key for kid "${jwk.kid}" has ${bits} bits; at least ${MIN_RSA_BITS} are required`,
      );
    }
    keyObjects.set(jwk, key);
  }
  return key;
}

function badSignature(message: string, cause?: unknown): TokenRejectedError {
  return new TokenRejectedError('BAD_SIGNATURE', message, { cause });
}

/** Throws TokenRejectedError unless the token's signature verifies with this JWK. */
export function verifySignature(token: DecodedToken, jwk: JwkWithKid): void {
  const { alg } = token.header;
  const algorithm = algorithmOf(alg);
  if (alg === undefined || algorithm === undefined) {
    throw new TokenRejectedError('UNSUPPORTED_ALGORITHM', 'alg is not accepted');
  }
  try {
    assertIsSignatureJwk(jwk);
  } catch (cause) {
    throw badSignature(`the key for kid "${jwk.kid}" cannot verify signatures`, cause);
  }
  if (!keyFitsAlgorithm(jwk, alg)) {
    throw new TokenRejectedError(
      'UNSUPPORTED_ALGORITHM',
      `alg ${alg} does not fit the key for kid "${jwk.kid}"`,
    );
  }
  const key = keyObjectOf(jwk);
  let valid: boolean;
  try {
    valid = verifyJws(algorithm, key, Buffer.from(`${token.headerB64}.${token.payloadB64}`), token.signature);
  } catch (cause) {
    throw badSignature('signature could not be verified', cause);
  }
  if (!valid) throw badSignature('invalid signature');
}
