// The one signature check tokens and proofs share: JWS ECDSA signatures (R || S) turned into DER as X.690
// writes INTEGERs, judged by an encoder written here from the standard; real keys and real signatures of
// every accepted algorithm verify, and altered or mis-sized ones do not.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { algorithmOf, type Algorithm } from '../../lambda/authorizer/algorithms';
import { ecdsaSignatureToDer, verifyJws } from '../../lambda/authorizer/jws-verify';
import { propertyRuns } from '../hardening/property-runs';

/** X.690 §8.3: an INTEGER's content is the shortest two's complement form; R and S are never negative. */
function derInteger(unsigned: Uint8Array): number[] {
  let value = 0n;
  for (const byte of unsigned) value = (value << 8n) | BigInt(byte);
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
  if ((bytes[0] as number) >= 0x80) bytes.unshift(0);
  return [0x02, bytes.length, ...bytes];
}

/** RFC 3279 §2.2.3's Ecdsa-Sig-Value: SEQUENCE { r INTEGER, s INTEGER }, X.690 length octets. */
function oracleDer(signature: Uint8Array, octets: number): number[] {
  const body = [...derInteger(signature.subarray(0, octets)), ...derInteger(signature.subarray(octets))];
  const length = body.length < 0x80 ? [body.length] : [0x81, body.length];
  return [0x30, ...length, ...body];
}

const OCTETS = [32, 48, 66];

/** R || S with the leading zeros and top bits a real signature has only rarely. */
const signatureBytes = (octets: number) =>
  fc
    .tuple(
      fc.uint8Array({ minLength: octets, maxLength: octets }),
      fc.uint8Array({ minLength: octets, maxLength: octets }),
      fc.nat({ max: octets }),
      fc.nat({ max: octets }),
    )
    .map(([r, s, rZeros, sZeros]) => {
      r.fill(0, 0, rZeros);
      s.fill(0, 0, sZeros);
      return Uint8Array.from([...r, ...s]);
    });

test.each(OCTETS)('R || S of %i octets each becomes the DER the oracle writes', (octets) => {
  fc.assert(
    fc.property(signatureBytes(octets), (signature) => {
      expect([...(ecdsaSignatureToDer(signature, octets) as Buffer)]).toEqual(oracleDer(signature, octets));
    }),
    { numRuns: propertyRuns(300) },
  );
});

test.each([
  ['R and S with their top bit set', Buffer.from([...Array(32).fill(0xff), ...Array(32).fill(0x80)])],
  ['R and S all zero', Buffer.alloc(64)],
  ['R zero but its last byte', Buffer.from([...Array(31).fill(0), 7, ...Array(32).fill(0x11)])],
])('%s', (_name, signature) => {
  expect([...(ecdsaSignatureToDer(signature, 32) as Buffer)]).toEqual(oracleDer(signature, 32));
});

test.each([
  [0, 32],
  [63, 32],
  [65, 32],
  [64, 48],
  [131, 66],
])('a signature of %i bytes is not ES* with %i-octet R and S: no DER', (length, octets) => {
  expect(ecdsaSignatureToDer(Buffer.alloc(length, 1), octets)).toBeUndefined();
});

interface Signer {
  readonly algorithm: Algorithm;
  readonly publicKey: KeyObject;
  sign(input: Buffer): Buffer;
}

function signer(alg: string): Signer {
  const algorithm = algorithmOf(alg) as Algorithm;
  const curve = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }[alg];
  const pair =
    curve !== undefined
      ? generateKeyPairSync('ec', { namedCurve: curve })
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519')
        : generateKeyPairSync('rsa', { modulusLength: 2048 });
  // What a JWS signer hands over: R || S for ECDSA (RFC 7518 §3.4), PSS with a digest-long salt (§3.5).
  const options =
    algorithm.pss !== undefined
      ? { key: pair.privateKey, ...algorithm.pss }
      : { key: pair.privateKey, dsaEncoding: 'ieee-p1363' as const };
  return {
    algorithm,
    publicKey: pair.publicKey,
    sign: (input) => sign(algorithm.hash, input, options),
  };
}

const ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
const signers = new Map(ALGS.map((alg) => [alg, signer(alg)]));
const input = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ');

test.each(ALGS)('a genuine %s signature verifies', (alg) => {
  const { algorithm, publicKey, sign: signWith } = signers.get(alg) as Signer;
  expect(verifyJws(algorithm, publicKey, input, signWith(input))).toBe(true);
});

test.each(ALGS)('a %s signature over other bytes, or with one bit flipped, does not', (alg) => {
  const { algorithm, publicKey, sign: signWith } = signers.get(alg) as Signer;
  const signature = signWith(input);
  const flipped = Buffer.from(signature);
  const middle = flipped.length >> 1;
  flipped.writeUInt8(flipped.readUInt8(middle) ^ 0x01, middle);
  expect(verifyJws(algorithm, publicKey, Buffer.from(`${input.toString()}x`), signature)).toBe(false);
  expect(verifyJws(algorithm, publicKey, input, flipped)).toBe(false);
});

test.each(['ES256', 'ES384', 'ES512'])(
  'a %s signature one byte short or long (a DER one, say) is false, not an error',
  (alg) => {
    const { algorithm, publicKey, sign: signWith } = signers.get(alg) as Signer;
    const signature = signWith(input);
    expect(verifyJws(algorithm, publicKey, input, signature.subarray(1))).toBe(false);
    expect(verifyJws(algorithm, publicKey, input, Buffer.concat([signature, Buffer.of(0)]))).toBe(false);
  },
);

test('ES256 signatures whose R or S starts with zero bytes or a set top bit verify (as node:crypto signs them)', () => {
  const { algorithm, publicKey, sign: signWith } = signers.get('ES256') as Signer;
  const seen = { leadingZero: false, topBit: false };
  // About 1 in 128 signatures has a zero first byte in R or S; 2,000 make missing one vanishingly unlikely.
  for (let i = 0; i < 2000 && !(seen.leadingZero && seen.topBit); i++) {
    const message = Buffer.from(`${input.toString()}.${i}`);
    const signature = signWith(message);
    const leadingZero = signature[0] === 0 || signature[32] === 0;
    const topBit = (signature[0] as number) >= 0x80 || (signature[32] as number) >= 0x80;
    if (leadingZero || topBit) expect(verifyJws(algorithm, publicKey, message, signature)).toBe(true);
    seen.leadingZero ||= leadingZero;
    seen.topBit ||= topBit;
  }
  expect(seen).toEqual({ leadingZero: true, topBit: true });
});
