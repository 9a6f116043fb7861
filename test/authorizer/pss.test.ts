// PS256, PS384 and PS512 (RSASSA-PSS, RFC 7518 §3.5): real PSS signatures, the key-fitness rules RS* keys
// follow (RSA, 2048 bits or more, a JWK naming another alg refused), and the salt length held exactly.
import { constants, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { TokenRejectedError } from '../../lambda/authorizer';
import { isAcceptedAlgorithm, keyFitsAlgorithm } from '../../lambda/authorizer/algorithms';
import { verifySignature } from '../../lambda/authorizer/signature';
import { decodeToken } from '../../lambda/authorizer/token';
import { b64url, claims, createKey, signToken, type Alg } from '../support/keys';
import { ISSUER, lastDecision, startHarness, tokenEvent, type Harness } from './harness';

/** The rejection's code and message, or undefined if the signature verified. */
function outcome(token: string, jwk: Record<string, string>): [string, string] | undefined {
  try {
    verifySignature(decodeToken(token), jwk as unknown as JwkWithKid);
  } catch (error) {
    if (error instanceof TokenRejectedError) return [error.code, error.message];
    throw error;
  }
  return undefined;
}

/** A PS256 token signed with any RSA private key and any salt length (or PKCS#1 v1.5 when salt is null). */
function signedPs256(privateKey: KeyObject, saltLength: number | null, alg = 'PS256'): string {
  const input = `${b64url({ alg, kid: 'k', typ: 'at+jwt' })}.${b64url(claims())}`;
  const signer = createSign('sha256');
  signer.update(input);
  const signature =
    saltLength === null
      ? signer.sign(privateKey)
      : signer.sign({ key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
  return `${input}.${signature.toString('base64url')}`;
}

function publicJwk(publicKey: KeyObject, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...(publicKey.export({ format: 'jwk' }) as Record<string, string>),
    kid: 'k',
    use: 'sig',
    ...extra,
  };
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

test.each<[Alg]>([['PS256'], ['PS384'], ['PS512']])('a genuine %s signature verifies', (alg) => {
  const key = createKey(alg);
  expect(isAcceptedAlgorithm(alg)).toBe(true);
  expect(outcome(signToken(key, claims()), key.jwk)).toBeUndefined();
});

test('a PS256 signature verifies with an RSA JWK that names no alg', () => {
  expect(outcome(signedPs256(rsa.privateKey, 32), publicJwk(rsa.publicKey))).toBeUndefined();
});

test.each<[string, () => [string, Record<string, string>], [string, string]]>([
  [
    'an EC key (a PS256 token is never checked against EC)',
    () => {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return [signedPs256(rsa.privateKey, 32), publicJwk(ec.publicKey)];
    },
    ['UNSUPPORTED_ALGORITHM', 'alg PS256 does not fit the key for kid "k"'],
  ],
  [
    'a 1024-bit RSA key, though the signature is genuine',
    () => {
      const short = generateKeyPairSync('rsa', { modulusLength: 1024 });
      return [signedPs256(short.privateKey, 32), publicJwk(short.publicKey)];
    },
    ['BAD_SIGNATURE', 'the RSA key for kid "k" has 1024 bits; at least 2048 are required'],
  ],
  [
    'an RSA JWK that names RS256 (a key serves the alg it names only)',
    () => [signedPs256(rsa.privateKey, 32), publicJwk(rsa.publicKey, { alg: 'RS256' })],
    ['UNSUPPORTED_ALGORITHM', 'alg PS256 does not fit the key for kid "k"'],
  ],
  [
    'a salt shorter than the digest (RFC 7518 §3.5 fixes it at the digest length)',
    () => [signedPs256(rsa.privateKey, 20), publicJwk(rsa.publicKey)],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
  [
    'an empty salt',
    () => [signedPs256(rsa.privateKey, 0), publicJwk(rsa.publicKey)],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
  [
    'the longest salt the key allows',
    () => [signedPs256(rsa.privateKey, constants.RSA_PSS_SALTLEN_MAX_SIGN), publicJwk(rsa.publicKey)],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
  [
    'a PKCS#1 v1.5 (RS256) signature relabelled PS256',
    () => [signedPs256(rsa.privateKey, null), publicJwk(rsa.publicKey)],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
  [
    'a PSS signature relabelled RS256',
    () => [signedPs256(rsa.privateKey, 32, 'RS256'), publicJwk(rsa.publicKey)],
    ['BAD_SIGNATURE', 'invalid signature'],
  ],
])('PS256 with %s is refused', (...[, make, expected]) => {
  const [token, jwk] = make();
  expect(outcome(token, jwk)).toEqual(expected);
});

test('key fitness: PS* takes RSA keys only, and a JWK naming one PS alg serves that one only', () => {
  const jwk = (extra: Record<string, string>) => ({ ...publicJwk(rsa.publicKey), ...extra }) as JwkWithKid;
  expect(keyFitsAlgorithm(jwk({}), 'PS384')).toBe(true);
  expect(keyFitsAlgorithm(jwk({ alg: 'PS384' }), 'PS384')).toBe(true);
  expect(keyFitsAlgorithm(jwk({ alg: 'PS384' }), 'PS512')).toBe(false);
  expect(keyFitsAlgorithm(createKey('ES256').jwk as unknown as JwkWithKid, 'PS256')).toBe(false);
  expect(keyFitsAlgorithm(createKey('EdDSA').jwk as unknown as JwkWithKid, 'PS256')).toBe(false);
});

describe('through the authorizer, with the key from a real JWKS endpoint', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  test.each<[Alg]>([['PS256'], ['PS384'], ['PS512']])('a %s token is allowed', async (alg) => {
    const key = h.newKey(alg);
    h.server.keys = [...h.server.keys, key.jwk];
    const policy = await h.authorizer().authorize(tokenEvent(`Bearer ${signToken(key, claims())}`));
    expect(policy.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(policy.context).toMatchObject({ sub: 'user-1', issuer: ISSUER });
  });

  test('a PS256 token whose kid names an EC key is 401 UNSUPPORTED_ALGORITHM', async () => {
    const ec = h.newKey('ES256');
    h.server.keys = [...h.server.keys, ec.jwk];
    const forged = signToken({ ...h.newKey('PS256'), kid: ec.kid }, claims());
    await expect(h.authorizer().authorize(tokenEvent(`Bearer ${forged}`))).rejects.toThrow('Unauthorized');
    expect(lastDecision(h.logs)).toMatchObject({
      decision: 'unauthorized',
      reason: 'UNSUPPORTED_ALGORITHM',
      detail: `alg PS256 does not fit the key for kid "${ec.kid}"`,
    });
  });
});
