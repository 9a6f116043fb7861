// Exact JSON numbers for claims. JSON.parse rounds every number to a double, so 1234567890123456789 and
// 1234567890123456800 (two tenants, two users) become one value. This keeps, beside the parsed value, the
// text of each number a double does not hold exactly, so required claims compare and context claims copy the
// value the issuer signed. Such numbers are kept rather than refused: a token may carry an unrelated large
// id or a long fraction, and refusing the whole token for it would be wrong; what matters is that no rule
// compares or copies a rounded value.
//
// Works on Node 20 as on Node 24 (JSON.parse's `context.source` is not on Node 20). The decoder calls it only
// for texts JSON.stringify does not reproduce (one it reproduces spells every number as its double does),
// and it scans only texts where a number could need it (MAYBE_INEXACT): ordinary tokens pay nothing.

/** A JSON number kept as the text that spelled it, because a double does not hold that value exactly. */
export class JsonNumber {
  /** The number as the JSON text spells it, e.g. `1234567890123456789`. */
  readonly text: string;

  constructor(text: string) {
    this.text = text;
    Object.freeze(this);
  }

  /** Its decimal value in one spelling per value: `150`, `150.0` and `1.5e2` are all `15e1`. */
  get decimal(): string {
    // Worked out when compared, not when decoded: most kept numbers are only copied.
    return decimalValue(this.text);
  }
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The decimal value of a JSON number text (or of String(n) for a finite n), as `<sign><digits>e<exponent>`
 * with no leading or trailing zero digit; zero, negative or not, is `0`. Equal values give equal strings.
 */
export function decimalValue(text: string): string {
  const match = NUMBER.exec(text);
  // Callers pass JSON number texts only; anything else is its own value.
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 0x30) first++;
  if (first === digits.length) return '0';
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 0x30) end--;
  // BigInt: an exponent may have more digits than a double holds exactly.
  const scale = BigInt(exponent) - BigInt(fraction.length) + BigInt(digits.length - end);
  return `${sign}${digits.slice(first, end)}e${scale}`;
}

/**
 * Whether the double JSON.parse made of `text` stands for the number exactly: finite, the value the text
 * spells, and not an integer beyond ±(2^53 - 1), where neighbouring integers share one double.
 */
export function heldExactly(text: string, value: number): boolean {
  if (!Number.isFinite(value)) return false;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return false;
  // Any decimal of up to 15 significant digits comes back from a double unchanged (DBL_DIG), where the
  // double is well inside the normal range; only longer ones, and tiny ones, need their digits compared.
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-300 && significantDigits(text) <= 15) return true;
  const spelled = String(value);
  return text === spelled || decimalValue(text) === decimalValue(spelled);
}

/** Digits from the first non-zero one to the last non-zero one, before any exponent: `0.0120` has 2. */
function significantDigits(text: string): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x65 /* e */ || c === 0x45 /* E */) break;
    if (c < 0x30 || c > 0x39) continue;
    if (c !== 0x30) {
      if (first === -1) first = count;
      last = count;
    }
    count++;
  }
  return first === -1 ? 0 : last - first + 1;
}

/**
 * True for every JSON text holding a number that heldExactly refuses: such a number has an exponent, or 16
 * or more significant digits (at most 15 always survive a double: DBL_DIG), and a number follows `:`, `[`
 * or `,`. A string may match too; that only costs a scan.
 */
const MAYBE_INEXACT = /[:,[]\s*-?(?:\d(?:\.?\d){15}|\d+(?:\.\d+)?[eE])/;

const kept = new WeakMap<object, Map<string | number, JsonNumber>>();

interface Frame {
  readonly container: Record<string, unknown> | unknown[];
  /** The member name or array index the next value takes. */
  key: string | number;
  expectKey: boolean;
  /** What is kept for the container: looked up at its first number, null where nothing is. */
  numbers?: Map<string | number, JsonNumber> | null;
}

/**
 * Records, for `root` (JSON.parse's result for `text`, which must be valid JSON), every number heldExactly
 * refuses, by the object or array that holds it and its member name or index. Where the text has a member
 * twice, the last one wins, as in JSON.parse.
 */
export function noteExactNumbers(root: object, text: string): void {
  if (!MAYBE_INEXACT.test(text)) return;
  const frames: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const top = frames[frames.length - 1];
    if (c === 0x22 /* " */) {
      let j = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(j); d !== 0x22; d = text.charCodeAt(j)) {
        if (d === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else {
          j++;
        }
      }
      if (top?.expectKey === true) {
        top.key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const container = top === undefined ? root : memberOf(top);
      frames.push({
        container: container as Frame['container'],
        key: c === 0x5b ? 0 : '',
        expectKey: c === 0x7b,
      });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
    } else if (c === 0x2c /* , */ && top !== undefined) {
      if (Array.isArray(top.container)) top.key = (top.key as number) + 1;
      else top.expectKey = true;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < text.length && isNumberChar(text.charCodeAt(j))) j++;
      if (top !== undefined) keep(top, text.slice(i, j));
      i = j - 1;
    }
  }
}

function memberOf(frame: Frame): unknown {
  return (frame.container as Record<string | number, unknown>)[frame.key];
}

function isNumberChar(c: number): boolean {
  // digits . + - e E
  return (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x65 || c === 0x45;
}

function keep(frame: Frame, text: string): void {
  const value = memberOf(frame);
  // A duplicate member's earlier text may not match the value JSON.parse kept; the later one decides.
  if (typeof value !== 'number') return;
  frame.numbers ??= kept.get(frame.container) ?? null;
  if (heldExactly(text, value)) {
    frame.numbers?.delete(frame.key);
    return;
  }
  if (frame.numbers === null) {
    frame.numbers = new Map();
    kept.set(frame.container, frame.numbers);
  }
  frame.numbers.set(frame.key, new JsonNumber(text));
}

/** The exact number noteExactNumbers kept for this member, or undefined where the double is exact. */
export function exactNumberAt(container: object, key: string | number): JsonNumber | undefined {
  return kept.get(container)?.get(key);
}

/**
 * Whether two numbers have the same decimal value: each a JsonNumber, or a double that stands for the decimal
 * String spells (one heldExactly accepts, or one the text spelled as JSON.stringify does).
 */
export function sameNumber(a: number | JsonNumber, b: number | JsonNumber): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return decimalOf(a) === decimalOf(b);
}

function decimalOf(n: number | JsonNumber): string {
  return typeof n === 'number' ? decimalValue(String(n)) : n.decimal;
}
