// The signature check on its own: real keys and real signatures, and JWKs an issuer might publish broken.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { TokenRejectedError } from '../../lambda/authorizer';
import { verifySignature } from '../../lambda/authorizer/signature';
import { decodeToken, type DecodedToken } from '../../lambda/authorizer/token';
import { b64url, claims, createKey, signToken, type Alg } from '../support/keys';

const rsa = createKey('RS256');
const ec = createKey('ES256');

function decoded(key = rsa, header?: Record<string, unknown>): DecodedToken {
  return decodeToken(signToken(key, claims(), { header }));
}

/** The rejection's code and message, or undefined if the signature verified. */
function outcome(token: DecodedToken, jwk: Record<string, string>): [string, string] | undefined {
  try {
    verifySignature(token, jwk as unknown as JwkWithKid);
  } catch (error) {
    if (error instanceof TokenRejectedError) return [error.code, error.message];
    throw error;
  }
  return undefined;
}

/** A token signed with a key pair that test/support/keys.ts does not make (P-521, Ed448, short RSA). */
function signedWith(privateKey: KeyObject, publicKey: KeyObject, alg: string, hash: string | null) {
  const jwk = { ...(publicKey.export({ format: 'jwk' }) as Record<string, string>), kid: 'k', use: 'sig' };
  const input = `${b64url({ alg, kid: 'k' })}.${b64url(claims())}`;
  const signature = sign(hash, Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return { token: decodeToken(`${input}.${signature.toString('base64url')}`), jwk };
}

test.each<[Alg]>([['RS256'], ['RS384'], ['RS512'], ['ES256'], ['ES384'], ['EdDSA']])(
  'a genuine %s signature verifies',
  (alg) => {
    const key = createKey(alg);
    expect(outcome(decoded(key), key.jwk)).toBeUndefined();
  },
);

test('a genuine ES512 signature (P-521) verifies', () => {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const { token, jwk } = signedWith(pair.privateKey, pair.publicKey, 'ES512', 'sha512');
  expect(outcome(token, jwk)).toBeUndefined();
});

test('a genuine EdDSA signature on Ed448 verifies', () => {
  const pair = generateKeyPairSync('ed448');
  const { token, jwk } = signedWith(pair.privateKey, pair.publicKey, 'EdDSA', null);
  expect(outcome(token, jwk)).toBeUndefined();
});

test('an RSA key under 2048 bits is refused even when the signature is genuine (RFC 7518 §3.3)', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const { token, jwk } = signedWith(pair.privateKey, pair.publicKey, 'RS256', 'sha256');
  expect(outcome(token, jwk)).toEqual([
    'BAD_SIGNATURE',
    'the RSA key for kid "k" has 1024 bits; at least 2048 are required',
  ]);
});

test.each<[string, () => [DecodedToken, Record<string, string>], [string, string]]>([
  [
    'an alg outside the accepted list (the decoder refuses it first; this is the second line)',
    () => [{ ...decoded(), header: { ...decoded().header, alg: 'HS256' } }, rsa.jwk],
    ['UNSUPPORTED_ALGORITHM', 'alg is not accepted'],
  ],
  [
    'an RSA key without its modulus',
    () => [decoded(), { ...rsa.jwk, n: '' }],
    ['BAD_SIGNATURE', `the key for kid "${rsa.kid}" cannot verify signatures`],
  ],
  [
    'a key meant for encryption',
    () => [decoded(), { ...rsa.jwk, use: 'enc' }],
    ['BAD_SIGNATURE', `the key for kid "${rsa.kid}" cannot verify signatures`],
  ],
  [
    'a 17-bit RSA modulus',
    () => [decoded(), { ...rsa.jwk, n: 'AQAB' }],
    ['BAD_SIGNATURE', `the RSA key for kid "${rsa.kid}" has 17 bits; at least 2048 are required`],
  ],
  [
    'an EC point that is not on the curve',
    () => [decoded(ec), { ...ec.jwk, y: ec.jwk.x as string }],
    ['BAD_SIGNATURE', `the key for kid "${ec.kid}" cannot be imported`],
  ],
  [
    'a JWK whose alg differs from the token',
    () => [decoded(), { ...rsa.jwk, alg: 'RS512' }],
    ['UNSUPPORTED_ALGORITHM', `alg RS256 does not fit the key for kid "${rsa.kid}"`],
  ],
  [
    'a signature by another key',
    () => [decoded(createKey('RS256')), rsa.jwk],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
])('%s', (...[, make, expected]) => {
  const [token, jwk] = make();
  expect(outcome(token, jwk)).toEqual(expected);
});
