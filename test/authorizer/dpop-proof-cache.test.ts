// The cache of checked DPoP proof headers (dpop.ts): filled only by proofs whose signature verified for a
// token bound to their key, bounded, and never a way past a check: a header that differs in any way (another
// key, alg, member, typ) is checked afresh, a cached one still answers to each token's cnf.jkt, and every
// proof's signature is verified. Real keys and real proofs, judged through verifyDpopProof's exact outcome.
import { createKey, type TestKey } from '../support/keys';
import { makeProof, publicJwk, thumbprint, type ProofOptions } from '../support/dpop-proof';
import { TokenRejectedError } from '../../lambda/authorizer';
import { cachedProofHeaders, MAX_CACHED_PROOF_HEADERS, verifyDpopProof } from '../../lambda/authorizer/dpop';

const URL_ = 'https://abc123.execute-api.us-east-1.amazonaws.com/prod/items';
const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJl';
const client = createKey('ES256');
const other = createKey('ES256');

const proof = (options: Partial<ProofOptions> = {}, key: TestKey = client): string =>
  makeProof(key, { htm: 'GET', htu: URL_, token: TOKEN, ...options });

/** 'ok', or the rejection's code and message. */
function outcome(text: string, jkt: string = thumbprint(client.jwk)): 'ok' | [string, string] {
  try {
    verifyDpopProof(text, {
      method: 'GET',
      url: URL_,
      accessToken: TOKEN,
      jkt,
      nowSeconds: Math.floor(Date.now() / 1000),
      maxAgeSeconds: 60,
      clockSkewSeconds: 60,
    });
    return 'ok';
  } catch (error) {
    if (error instanceof TokenRejectedError) return [error.code, error.message];
    throw error;
  }
}

const MISMATCH: [string, string] = [
  'DPOP_KEY_MISMATCH',
  "the proof key's thumbprint is not the token's cnf.jkt",
];
const BAD_SIGNATURE: [string, string] = [
  'DPOP_BAD_SIGNATURE',
  'proof signature does not verify with its jwk',
];

test('a header is cached only with a proof it verified, for a token bound to its key, and once', () => {
  const key = createKey('ES256');
  const before = cachedProofHeaders();
  expect(outcome(proof({}, key))).toEqual(MISMATCH);
  expect(outcome(proof({ signWith: other }, key), thumbprint(key.jwk))).toEqual(BAD_SIGNATURE);
  expect(cachedProofHeaders()).toBe(before);
  expect(outcome(proof({}, key), thumbprint(key.jwk))).toBe('ok');
  expect(cachedProofHeaders()).toBe(before + 1);
  expect(outcome(proof({}, key), thumbprint(key.jwk))).toBe('ok');
  expect(cachedProofHeaders()).toBe(before + 1);
});

describe('with the client’s header cached', () => {
  beforeAll(() => {
    expect(outcome(proof())).toBe('ok');
  });

  test('a token bound to another key refuses it', () => {
    expect(outcome(proof(), thumbprint(other.jwk))).toEqual(MISMATCH);
  });

  test.each<[string, () => string]>([
    ['signed by another key', () => proof({ signWith: other })],
    ['whose payload changed after signing', () => tamperPayload(proof())],
  ])('a proof %s under that header is refused', (_name, make) => {
    expect(outcome(make())).toEqual(BAD_SIGNATURE);
  });

  test.each<[string, Partial<ProofOptions>, TestKey, [string, string]]>([
    ['another key’s jwk', {}, other, MISMATCH],
    [
      'the same jwk under ES384',
      { header: { alg: 'ES384' } },
      client,
      ['DPOP_BAD_KEY', 'the proof jwk does not fit alg ES384'],
    ],
    [
      'the same jwk with a private member',
      { header: { jwk: { ...publicJwk(client), d: 'AAAA' } } },
      client,
      ['DPOP_BAD_KEY', 'the proof jwk has the private member "d"'],
    ],
    [
      'the same jwk for encryption',
      { header: { jwk: { ...publicJwk(client), use: 'enc' } } },
      client,
      ['DPOP_BAD_KEY', 'the proof jwk is not for signing'],
    ],
    ['typ jwt', { header: { typ: 'jwt' } }, client, ['DPOP_MALFORMED_PROOF', 'proof typ must be dpop+jwt']],
    [
      'a jku beside the jwk',
      { header: { jku: 'https://attacker.example/jwks' } },
      client,
      ['DPOP_MALFORMED_PROOF', 'proof header parameter "jku" is not accepted'],
    ],
    [
      'alg none',
      { header: { alg: 'none' } },
      client,
      ['DPOP_UNSUPPORTED_ALGORITHM', 'proof alg is not an accepted asymmetric algorithm'],
    ],
  ])('a header with %s is checked afresh and refused, and not cached', (_name, options, key, expected) => {
    const before = cachedProofHeaders();
    expect(outcome(proof(options, key))).toEqual(expected);
    expect(cachedProofHeaders()).toBe(before);
  });
});

/** The proof with its payload's jti changed and its signature kept. */
function tamperPayload(text: string): string {
  const [header, payload, signature] = text.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  const changed = Buffer.from(JSON.stringify({ ...claims, jti: `${String(claims.jti)}x` })).toString(
    'base64url',
  );
  return `${header}.${changed}.${signature}`;
}

test(`at most ${MAX_CACHED_PROOF_HEADERS} headers are kept, however many keys prove`, () => {
  for (let i = 0; i < MAX_CACHED_PROOF_HEADERS + 20; i++) {
    const key = createKey('ES256');
    expect(outcome(proof({}, key), thumbprint(key.jwk))).toBe('ok');
  }
  expect(cachedProofHeaders()).toBe(MAX_CACHED_PROOF_HEADERS);
  // The client's header, used longest ago, was forgotten first: checked afresh, it is accepted again.
  expect(outcome(proof())).toBe('ok');
  expect(cachedProofHeaders()).toBe(MAX_CACHED_PROOF_HEADERS);
});
