// What the issuer's key set holds, through the whole authorizer and a real HTTPS JWKS endpoint: a document
// that is JSON but no JWKS, a key published for encryption only, and node:crypto failing inside verify.
// The module object itself (not a namespace copy), so that a spy on it is what signature.ts calls.
import crypto from 'node:crypto';
import { JwksUnavailableError } from '../../lambda/authorizer';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
  h.server.requests.length = 0;
});
afterEach(() => {
  h.server.jwksBody = undefined;
  h.server.keys = [h.keys.rsa.jwk, h.keys.ec.jwk];
});

const UNAUTHORIZED = /^Unauthorized$/;
const bearer = (key: TestKey, kid = key.kid) =>
  tokenEvent(`Bearer ${signToken(key, claims(), { header: { kid } })}`);

function lines(message: string): Array<Record<string, unknown>> {
  return h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === message);
}

describe('a JWKS that is valid JSON but not {"keys": [...]} is JWKS_UNAVAILABLE (503), never a 401', () => {
  const keys = () => JSON.stringify([h.keys.rsa.jwk]);
  test.each([
    ['an empty object', () => '{}'],
    ['an array of the keys', keys],
    ['null', () => 'null'],
    ['a string', () => '"keys"'],
    ['a number', () => '42'],
    ['keys as an object', () => '{"keys":{}}'],
    ['keys as a string', () => '{"keys":"k"}'],
    ['keys as null', () => '{"keys":null}'],
    ['keys holding a number', () => '{"keys":[1]}'],
    ['keys holding null', () => '{"keys":[null]}'],
    ['keys holding an array', () => `{"keys":[${keys()}]}`],
    ['the keys under another name', () => `{"Keys":${keys()}}`],
  ])('%s', async (_name, body) => {
    h.server.jwksBody = body();
    const attempt = h.authorizer().authorize(bearer(h.keys.rsa));
    await expect(attempt).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(attempt).rejects.not.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'JWKS_UNAVAILABLE' });
    // The cold-start fetch, and the request's own (the harness sets no failure backoff).
    const failed = expect.objectContaining({
      code: 'JWKS_UNAVAILABLE',
      ok: false,
      error: 'response is not a JWKS ({"keys": [...]})',
    });
    expect(lines('jwks fetch failed')).toEqual([failed, failed]);
  });
});

describe('a key published for encryption only (use: enc) never verifies a token', () => {
  test('the only key with the kid is an encryption key: 401 UNKNOWN_KID, after the one refetch', async () => {
    h.server.keys = [{ ...h.keys.rsa.jwk, use: 'enc' }, h.keys.ec.jwk];
    const authorizer = h.authorizer();
    await expect(authorizer.authorize(bearer(h.keys.rsa))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
    expect(h.server.requests).toEqual(['/.well-known/jwks.json', '/.well-known/jwks.json']);
    // Each fetch counted one usable key: the EC key; the encryption key is not one.
    expect(lines('jwks fetched').map((l) => l.keys)).toEqual([1, 1]);
    await expect(authorizer.authorize(bearer(h.keys.ec))).resolves.toMatchObject({ principalId: 'user-1' });
  });

  test('a kid shared by an encryption key and a signing key: only the signing key verifies', async () => {
    const encryption = createKey('RS256', 'shared-kid');
    const signing = createKey('RS256', 'shared-kid');
    h.server.keys = [{ ...encryption.jwk, use: 'enc' }, signing.jwk];
    const authorizer = h.authorizer();
    await expect(authorizer.authorize(bearer(encryption))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'BAD_SIGNATURE' });
    await expect(authorizer.authorize(bearer(signing))).resolves.toMatchObject({ principalId: 'user-1' });
  });
});

describe('key_ops (RFC 7517 §4.3): a key whose operations do not include verify never verifies a token', () => {
  test.each([
    ['encrypt only', ['encrypt']],
    ['sign only (a private-key operation)', ['sign']],
    ['empty', []],
    ['not an array', 'verify'],
  ])('key_ops %s: 401 UNKNOWN_KID; with verify listed, the key verifies', async (_name, keyOps) => {
    // key_ops as the issuer wrote it, right or wrong: the JWK type only knows the right shape.
    h.server.keys = [
      { ...h.keys.rsa.jwk, key_ops: keyOps } as unknown as typeof h.keys.rsa.jwk,
      h.keys.ec.jwk,
    ];
    const refusing = h.authorizer();
    await expect(refusing.authorize(bearer(h.keys.rsa))).rejects.toThrow(UNAUTHORIZED);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'UNKNOWN_KID' });
    h.server.keys = [
      { ...h.keys.rsa.jwk, key_ops: ['verify'] } as unknown as typeof h.keys.rsa.jwk,
      h.keys.ec.jwk,
    ];
    await expect(h.authorizer().authorize(bearer(h.keys.rsa))).resolves.toMatchObject({
      principalId: 'user-1',
    });
  });
});

describe('node:crypto throwing inside verify', () => {
  afterEach(() => jest.restoreAllMocks());

  test('is BAD_SIGNATURE (401): the token cannot be shown to be signed', async () => {
    // node:crypto throws from verify only when the key cannot take the digest or padding (verify returns
    // false for every bad signature), and the key's fit to the alg is checked before the call, so no real
    // key reaches it. The spy stands in for that fault with the error OpenSSL really raises for it.
    const ed = crypto.generateKeyPairSync('ed25519');
    let raised: unknown;
    try {
      crypto.verify('sha256', Buffer.from('x'), ed.publicKey, Buffer.alloc(64));
    } catch (error) {
      raised = error;
    }
    expect(raised).toMatchObject({ code: 'ERR_OSSL_INVALID_DIGEST' });
    const authorizer = h.authorizer();
    await authorizer.ready;
    const verify = jest.spyOn(crypto, 'verify').mockImplementationOnce(() => {
      throw raised;
    });
    await expect(authorizer.authorize(bearer(h.keys.rsa))).rejects.toThrow(UNAUTHORIZED);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(lastDecision(h.logs)).toMatchObject({
      decision: 'unauthorized',
      reason: 'BAD_SIGNATURE',
      detail: 'signature could not be verified',
    });
  });
});
