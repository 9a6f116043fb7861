// Exact JSON numbers (json-number.ts): which numbers keep their text beside JSON.parse's double, in any layout
// of the JSON text, and how two numbers compare. Judged by test/support/json-oracle.ts (BigInt arithmetic).
import fc from 'fast-check';
import {
  JsonNumber,
  decimalValue,
  exactNumberAt,
  heldExactly,
  noteExactNumbers,
  sameNumber,
} from '../../lambda/authorizer/json-number';
import { exactAsNumber, numberText, respell, sameDecimal } from '../support/json-oracle';

test.each<[string, string]>([
  ['0', '0'],
  ['-0', '0'],
  ['0.000', '0'],
  ['0e400', '0'],
  ['1', '1e0'],
  ['1.0', '1e0'],
  ['10e-1', '1e0'],
  ['0.1e1', '1e0'],
  ['150', '15e1'],
  ['1.5E2', '15e1'],
  ['-1.5e+2', '-15e1'],
  ['0.001', '1e-3'],
  ['1234567890123456789', '1234567890123456789e0'],
  ['1234567890123456800', '12345678901234568e2'],
  ['1234567890123456789.4', '12345678901234567894e-1'],
  ['1e400', '1e400'],
  ['1e99999999999999999999', '1e99999999999999999999'],
])('decimalValue(%s) is %s', (text, decimal) => {
  expect(decimalValue(text)).toBe(decimal);
});

test.each<[string, boolean]>([
  ['0', true],
  ['-0', true],
  ['42', true],
  ['1.0', true],
  ['0.1', true],
  ['9007199254740991', true],
  ['-9007199254740991', true],
  // 2^53 is a double exactly, but 2^53 + 1 rounds to it: an id this large cannot be told from its neighbour.
  ['9007199254740992', false],
  ['9007199254740993', false],
  ['1234567890123456789', false],
  ['1234567890123456800', false],
  ['1234567890123456789.4', false],
  ['0.10000000000000001', false],
  ['1e21', false],
  ['1e400', false],
  ['1e-400', false],
])('heldExactly(%s) is %s', (text, held) => {
  expect(heldExactly(text, JSON.parse(text) as number)).toBe(held);
});

/** Parses as the decoder does, and keeps what json-number.ts keeps. */
function parse(text: string): unknown {
  const value = JSON.parse(text) as object;
  noteExactNumbers(value, text);
  return value;
}

/** The object or array at a path of member names and indexes. */
function containerAt(root: unknown, path: ReadonlyArray<string | number>): object {
  return path.reduce<unknown>(
    (value, key) => (value as Record<string | number, unknown>)[key],
    root,
  ) as object;
}

test.each<[string, string, Array<string | number>, string | number, string | undefined]>([
  ['a top-level member', '{"tenant": 1234567890123456789}', [], 'tenant', '1234567890123456789'],
  ['an exact number', '{"n": 42.0 }', [], 'n', undefined],
  ['a nested member', '{ "org": {"id": 1e400} }', ['org'], 'id', '1e400'],
  ['an array element', '[1, [2, 0.10000000000000001]]', [1], 1, '0.10000000000000001'],
  ['after a string holding digits and e', '{"jti":"3e4-1234567890123456789", "n":1e-400}', [], 'n', '1e-400'],
  ['a member name with escapes', '{"a\\u0062\\"": 12345678901234567890}', [], 'ab"', '12345678901234567890'],
  ['a member given twice, the last exact', '{"n": 1234567890123456789, "n": 5}', [], 'n', undefined],
  [
    'a member given twice, the last not',
    '{"n": 5, "n": 1234567890123456789}',
    [],
    'n',
    '1234567890123456789',
  ],
  ['an object given twice', '{"o": {"n": 1e400}, "o": {"n": 7}}', ['o'], 'n', undefined],
])('noteExactNumbers: %s', (_name, text, path, key, kept) => {
  expect(exactNumberAt(containerAt(parse(text), path), key)?.text).toBe(kept);
});

test('a number a double holds is never kept, whatever the layout, and one it does not hold always is', () => {
  const layout = fc.constantFrom(
    (n: string) => `{"v":${n}}`,
    (n: string) => `{ "v" : ${n} }`,
    (n: string) => `{"s":"x:1e5,","v":\n${n}}`,
    (n: string) => `{"a":[1,{"b":"]"}],"v":${n},"z":null}`,
  );
  fc.assert(
    fc.property(numberText, layout, (text, wrap) => {
      const root = parse(wrap(text)) as { v: number };
      const kept = exactNumberAt(root, 'v');
      if (exactAsNumber(text)) {
        expect(kept).toBeUndefined();
      } else {
        expect(kept?.text).toBe(text);
      }
    }),
    { numRuns: 1000 },
  );
});

test('two numbers compare equal exactly when they spell the same decimal', () => {
  /** What the decoder gives for a number text: the double where it is exact, else the text. */
  const asDecoded = (text: string): number | JsonNumber =>
    exactAsNumber(text) ? Number(text) : new JsonNumber(text);
  const pair = fc.oneof(
    fc.tuple(numberText, numberText),
    fc
      .tuple(numberText, fc.nat(3), fc.constantFrom(0 as const, 1 as const, 2 as const))
      .map(([text, zeros, style]) => [text, respell(text, zeros, style)] as [string, string]),
  );
  let same = 0;
  fc.assert(
    fc.property(pair, ([a, b]) => {
      const expected = sameDecimal(a, b);
      if (expected) same++;
      expect(sameNumber(asDecoded(a), asDecoded(b))).toBe(expected);
    }),
    { numRuns: 1000 },
  );
  // Both outcomes are common: half the pairs are respellings of one value.
  expect(same).toBeGreaterThan(300);
});
