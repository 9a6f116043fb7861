// A test oracle for JSON values as their text spells them, written apart from lambda/authorizer/json-number.ts
// (a recursive-descent parser and BigInt arithmetic, where the code under test scans and compares strings):
// numbers keep their text, so two numbers are equal exactly when the decimals they spell are.
import fc from 'fast-check';

export type JsonNode =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[] }
  | { readonly kind: 'object'; readonly members: ReadonlyMap<string, JsonNode> };

const NUMBER_AT = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING_AT = /"(?:[^"\\]|\\.)*"/y;
const SPACE_AT = /[ \t\n\r]*/y;

/** Parses JSON text that JSON.parse accepts; a member given twice keeps its last value, as JSON.parse does. */
export function parseJsonText(text: string): JsonNode {
  let at = 0;
  const skip = (): void => {
    SPACE_AT.lastIndex = at;
    SPACE_AT.exec(text);
    at = SPACE_AT.lastIndex;
  };
  const token = (pattern: RegExp): string => {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) throw new Error(`oracle: no JSON token at ${at}`);
    at = pattern.lastIndex;
    return match[0];
  };
  const value = (): JsonNode => {
    skip();
    const c = text[at];
    if (c === '{') {
      at++;
      const members = new Map<string, JsonNode>();
      skip();
      if (text[at] === '}') {
        at++;
        return { kind: 'object', members };
      }
      for (;;) {
        skip();
        const name = JSON.parse(token(STRING_AT)) as string;
        skip();
        at++; // :
        members.set(name, value());
        skip();
        if (text[at++] === '}') return { kind: 'object', members };
      }
    }
    if (c === '[') {
      at++;
      const items: JsonNode[] = [];
      skip();
      if (text[at] === ']') {
        at++;
        return { kind: 'array', items };
      }
      for (;;) {
        items.push(value());
        skip();
        if (text[at++] === ']') return { kind: 'array', items };
      }
    }
    if (c === '"') return { kind: 'string', value: JSON.parse(token(STRING_AT)) as string };
    for (const [literal, node] of [
      ['true', { kind: 'boolean', value: true }],
      ['false', { kind: 'boolean', value: false }],
      ['null', { kind: 'null' }],
    ] as const) {
      if (text.startsWith(literal, at)) {
        at += literal.length;
        return node;
      }
    }
    return { kind: 'number', text: token(NUMBER_AT) };
  };
  const root = value();
  skip();
  if (at !== text.length) throw new Error('oracle: text after the JSON value');
  return root;
}

/** The node at a path of member names; never into arrays. */
export function nodeAt(root: JsonNode, segments: readonly string[]): JsonNode | undefined {
  let node: JsonNode | undefined = root;
  for (const segment of segments) {
    if (node?.kind !== 'object') return undefined;
    node = node.members.get(segment);
  }
  return node;
}

/** A number text as sign × digits × 10^exponent, digits a BigInt. */
function rational(text: string): { digits: bigint; exponent: bigint } {
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (match === null) throw new Error(`oracle: not a number: ${text}`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const digits = BigInt(`${sign}${whole}${fraction}`);
  return { digits, exponent: BigInt(exponent) - BigInt(fraction.length) };
}

/** Whether two JSON number texts (or String(n) texts) spell the same decimal value. */
export function sameDecimal(a: string, b: string): boolean {
  const x = rational(a);
  const y = rational(b);
  const low = x.exponent < y.exponent ? x.exponent : y.exponent;
  return x.digits * 10n ** (x.exponent - low) === y.digits * 10n ** (y.exponent - low);
}

/**
 * Whether a JavaScript number carries the value a JSON number text spells without loss: finite, no integer
 * beyond ±(2^53 - 1), and the decimal its own spelling (String) names is the one the text names.
 */
export function exactAsNumber(text: string): boolean {
  const n = Number(text);
  if (!Number.isFinite(n)) return false;
  if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) return false;
  return sameDecimal(text, String(n));
}

/** Whether two nodes are one JSON value: same kind, and for numbers the same decimal. */
export function sameJsonValue(a: JsonNode, b: JsonNode): boolean {
  if (a.kind === 'number' && b.kind === 'number') return sameDecimal(a.text, b.text);
  if (a.kind === 'string' && b.kind === 'string') return a.value === b.value;
  if (a.kind === 'boolean' && b.kind === 'boolean') return a.value === b.value;
  if (a.kind === 'null' && b.kind === 'null') return true;
  if (a.kind === 'array' && b.kind === 'array') {
    return (
      a.items.length === b.items.length &&
      a.items.every((item, i) => sameJsonValue(item, b.items[i] as JsonNode))
    );
  }
  if (a.kind === 'object' && b.kind === 'object') {
    return (
      a.members.size === b.members.size &&
      [...a.members].every(([k, v]) => {
        const other = b.members.get(k);
        return other !== undefined && sameJsonValue(v, other);
      })
    );
  }
  return false;
}

// ---- Number texts for property tests: the spellings issuers and operators write, and the hard ones. ----

const sign = fc.constantFrom('', '-');
const digitRun = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));

/** JSON number texts: small and huge integers, integers at 2^53, long fractions, exponents up to ±400. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -3, max: 3 }).map(String),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
  fc.bigInt({ min: 2n ** 53n - 3n, max: 2n ** 53n + 3n }).map(String),
  fc
    .tuple(sign, fc.integer({ min: 0, max: 99_999 }), digitRun(1, 22))
    .map(([s, whole, fraction]) => `${s}${whole}.${fraction}`),
  fc
    .tuple(sign, fc.integer({ min: 1, max: 9 }), digitRun(0, 20), fc.constantFrom('e', 'E', 'e+', 'e-', 'E-'))
    .chain(([s, lead, rest, e]) =>
      fc.integer({ min: 0, max: 400 }).map((x) => `${s}${lead}${rest === '' ? '' : `.${rest}`}${e}${x}`),
    ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => JSON.stringify(n)),
);

/** Another JSON spelling of the same decimal value: trailing zeros, a moved point, an exponent. */
export function respell(text: string, zeros: number, style: 0 | 1 | 2): string {
  const { digits, exponent } = rational(text);
  const negative = digits < 0n || text.startsWith('-');
  if (digits === 0n) return [`${negative ? '-' : ''}0`, '0.0', `0e${zeros}`][style] as string;
  const magnitude = (digits < 0n ? -digits : digits).toString() + '0'.repeat(zeros);
  const scale = exponent - BigInt(zeros);
  const s = negative ? '-' : '';
  if (style === 0) return `${s}${magnitude}e${scale}`;
  if (style === 1)
    return `${s}${magnitude.slice(0, 1)}.${magnitude.slice(1) || '0'}E${scale + BigInt(magnitude.length - 1)}`;
  // A plain decimal where the exponent is small enough to write out.
  if (scale >= 0n && scale < 40n) return `${s}${magnitude}${'0'.repeat(Number(scale))}`;
  if (scale < 0n && scale > -40n) {
    const places = Number(-scale);
    const padded = magnitude.padStart(places + 1, '0');
    return `${s}${padded.slice(0, padded.length - places)}.${padded.slice(padded.length - places)}`;
  }
  return `${s}${magnitude}e${scale}`;
}

/** A number text whose value differs from the given one by one unit in its last digit (or more). */
export function nudge(text: string, by: 1n | -1n | 10n): string {
  const { digits, exponent } = rational(text);
  const next = digits + by;
  return `${next}e${exponent}`;
}
