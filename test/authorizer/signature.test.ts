// The signature check on its own: real keys and real signatures, and JWKs an issuer might publish broken.
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { TokenRejectedError } from '../../lambda/authorizer';
import { verifySignature } from '../../lambda/authorizer/signature';
import { decodeToken, type DecodedToken } from '../../lambda/authorizer/token';
import { claims, createKey, signToken, type Alg } from '../support/keys';

const rsa = createKey('RS256');
const ec = createKey('ES256');

function decoded(key = rsa, header?: Record<string, unknown>): DecodedToken {
  return decodeToken(signToken(key, claims(), { header }));
}

function reasonOf(run: () => void): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenRejectedError) return error.code;
    throw error;
  }
  return undefined;
}

test.each<[Alg]>([['RS256'], ['RS384'], ['RS512'], ['ES256'], ['ES384'], ['EdDSA']])(
  'a genuine %s signature verifies',
  (alg) => {
    const key = createKey(alg);
    expect(reasonOf(() => verifySignature(decoded(key), key.jwk as unknown as JwkWithKid))).toBeUndefined();
  },
);

test.each<[string, string, () => [DecodedToken, Record<string, string>]]>([
  [
    'an alg outside the accepted list (the decoder refuses it first; this is the second line)',
    'UNSUPPORTED_ALGORITHM',
    () => [{ ...decoded(), header: { ...decoded().header, alg: 'HS256' } }, rsa.jwk],
  ],
  ['an RSA key without its modulus', 'BAD_SIGNATURE', () => [decoded(), { ...rsa.jwk, n: '' }]],
  ['a key meant for encryption', 'BAD_SIGNATURE', () => [decoded(), { ...rsa.jwk, use: 'enc' }]],
  ['an RSA modulus node:crypto cannot import', 'BAD_SIGNATURE', () => [decoded(), { ...rsa.jwk, n: 'AQAB' }]],
  [
    'an EC point that is not on the curve',
    'BAD_SIGNATURE',
    () => [decoded(ec), { ...ec.jwk, y: ec.jwk.x as string }],
  ],
  [
    'a JWK whose alg differs from the token',
    'UNSUPPORTED_ALGORITHM',
    () => [decoded(), { ...rsa.jwk, alg: 'RS512' }],
  ],
  ['a signature by another key', 'BAD_SIGNATURE', () => [decoded(createKey('RS256')), rsa.jwk]],
])('%s -> %s', (...[, reason, make]) => {
  const [token, jwk] = make();
  expect(reasonOf(() => verifySignature(token, jwk as unknown as JwkWithKid))).toBe(reason);
});
