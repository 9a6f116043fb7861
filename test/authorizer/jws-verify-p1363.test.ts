// The JWS signature call on its own. Its ES* path re-encodes r || s as DER by hand, so it is judged against
// node:crypto's own reading of the JWS form (`dsaEncoding: 'ieee-p1363'`), the oracle, on genuine signatures
// (r or s with leading zero bytes or the high bit set included) and on attacker-chosen bytes.
import { generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { algorithmOf, type Algorithm } from '../../lambda/authorizer/algorithms';
import { ecdsaSignatureToDer, verifyJws } from '../../lambda/authorizer/jws-verify';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 0) || 300;

interface Curve {
  readonly alg: 'ES256' | 'ES384' | 'ES512';
  readonly namedCurve: string;
  readonly size: number;
}

const CURVES: readonly Curve[] = [
  { alg: 'ES256', namedCurve: 'P-256', size: 32 },
  { alg: 'ES384', namedCurve: 'P-384', size: 48 },
  { alg: 'ES512', namedCurve: 'P-521', size: 66 },
];

function algorithm(alg: string): Algorithm {
  const found = algorithmOf(alg);
  if (found === undefined) throw new Error(`no algorithm ${alg}`);
  return found;
}

/** node:crypto verifying the JWS form itself: what verifyJwsSignature must agree with. */
function oracle(alg: Algorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return verify(alg.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
  } catch {
    return false;
  }
}

describe.each(CURVES)('$alg', ({ alg, namedCurve, size }) => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  const algo = algorithm(alg);
  const signed = (data: Buffer): Buffer =>
    sign(algo.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });

  test('genuine signatures verify, including those whose r or s starts with a zero byte or a high bit', () => {
    // Sign until every shape DER encodes differently has been seen (a zero first byte: 1 in 256 each).
    const seen = { rZero: 0, sZero: 0, rHigh: 0, sHigh: 0, plain: 0 };
    for (let i = 0; i < 6000 && (seen.rZero === 0 || seen.sZero === 0 || i < 50); i++) {
      const data = Buffer.from(`message ${i}`);
      const signature = signed(data);
      const r = signature[0]!;
      const s = signature[size]!;
      if (r === 0) seen.rZero++;
      if (s === 0) seen.sZero++;
      if (r >= 0x80) seen.rHigh++;
      if (s >= 0x80) seen.sHigh++;
      if (r > 0 && r < 0x80 && s > 0 && s < 0x80) seen.plain++;
      expect(verifyJws(algo, publicKey, data, signature)).toBe(true);
      expect(verifyJws(algo, publicKey, Buffer.from(`other ${i}`), signature)).toBe(false);
    }
    // P-521's r and s are 66 bytes of a 521-bit number: their first byte is 0 or 1, never high.
    if (size === 66) expect(seen.rHigh + seen.sHigh).toBe(0);
    else expect(Math.min(seen.rHigh, seen.sHigh, seen.plain)).toBeGreaterThan(0);
    expect(Math.min(seen.rZero, seen.sZero)).toBeGreaterThan(0);
  });

  test('attacker-chosen signature bytes are judged exactly as node:crypto judges the JWS form', () => {
    const data = Buffer.from('the signing input');
    const genuine = signed(data);
    fc.assert(
      fc.property(
        fc.oneof(
          // Bytes of any length, the right one included.
          fc.uint8Array({ minLength: 0, maxLength: 2 * size + 3 }),
          fc.uint8Array({ minLength: 2 * size, maxLength: 2 * size }),
          // The genuine signature with some bytes changed: zeroed, high-bit set, flipped.
          fc
            .array(fc.tuple(fc.nat(2 * size - 1), fc.constantFrom(0x00, 0x80, 0xff, 0x01)), {
              minLength: 1,
              maxLength: 4,
            })
            .map((edits) => {
              const bytes = Uint8Array.from(genuine);
              for (const [at, value] of edits) bytes[at] = value;
              return bytes;
            }),
          // r or s all zero, or the curve order's neighbourhood of all-ones.
          fc.constantFrom(
            new Uint8Array(2 * size),
            Uint8Array.from([...genuine.subarray(0, size), ...new Uint8Array(size)]),
            new Uint8Array(2 * size).fill(0xff),
          ),
        ),
        (bytes) => {
          const signature = Buffer.from(bytes);
          expect(verifyJws(algo, publicKey, data, signature)).toBe(oracle(algo, publicKey, data, signature));
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('a signature of the wrong length has no DER form and does not verify', () => {
    const data = Buffer.from('x');
    const genuine = signed(data);
    expect(ecdsaSignatureToDer(genuine.subarray(1), size)).toBeUndefined();
    expect(ecdsaSignatureToDer(Buffer.concat([genuine, Buffer.from([0])]), size)).toBeUndefined();
    expect(verifyJws(algo, publicKey, data, genuine.subarray(1))).toBe(false);
    // A DER signature in place of the JWS form is refused, as the JWS spec says it must be.
    const der = sign(algo.hash, data, privateKey);
    expect(verifyJws(algo, publicKey, data, der)).toBe(false);
  });
});

test('the DER form is canonical: minimal integers, a zero byte only before a high bit, long length when needed', () => {
  const r = Buffer.alloc(32);
  const s = Buffer.alloc(32);
  r[31] = 0x05; // r = 5
  s.fill(0xff); // s's first byte has the high bit
  expect(ecdsaSignatureToDer(Buffer.concat([r, s]), 32)?.toString('hex')).toBe(
    `3026020105022100${'ff'.repeat(32)}`,
  );
  // All zero: each integer is one zero byte.
  expect(ecdsaSignatureToDer(Buffer.alloc(64), 32)?.toString('hex')).toBe('3006020100020100');
  // P-521 at full width: a body over 127 bytes takes the long form (0x81).
  const wide = Buffer.alloc(132, 0x7f);
  const der = ecdsaSignatureToDer(wide, 66);
  expect(der?.subarray(0, 3).toString('hex')).toBe('308188'); // 136 = 2 × (2 + 66);
  expect(der?.length).toBe(3 + 2 * (2 + 66));
});

describe.each([
  ['RS256', 'rsa', { modulusLength: 2048 }],
  ['PS256', 'rsa', { modulusLength: 2048 }],
  ['EdDSA', 'ed25519', {}],
] as const)('%s keeps node:crypto’s own handling', (alg, type, options) => {
  const { privateKey, publicKey } = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
  const algo = algorithm(alg);
  const data = Buffer.from('the signing input');
  const signature = sign(
    algo.hash,
    data,
    algo.pss === undefined ? privateKey : { key: privateKey, ...algo.pss },
  );

  test('a genuine signature verifies; a changed byte does not', () => {
    expect(verifyJws(algo, publicKey, data, signature)).toBe(true);
    const changed = Buffer.from(signature);
    changed.writeUInt8(changed.readUInt8(changed.length - 1) ^ 1, changed.length - 1);
    expect(verifyJws(algo, publicKey, data, changed)).toBe(false);
    expect(verifyJws(algo, publicKey, Buffer.from('other input'), signature)).toBe(false);
  });
});

test('PS256 refuses a signature made with another salt length, as RFC 7518 §3.5 requires', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const algo = algorithm('PS256');
  const data = Buffer.from('x');
  const other = sign('sha256', data, { key: privateKey, padding: algo.pss!.padding, saltLength: 20 });
  expect(verifyJws(algo, publicKey, data, other)).toBe(false);
});
