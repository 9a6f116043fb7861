// Property-based tests (fast-check) of the claim rules against payloads an attacker shapes: objects where
// lists belong, nested arrays, numbers beyond a double's precision, strings with spaces inside array
// elements, `__proto__` and `constructor` members. Each is checked against an oracle written from the
// README's rules, not from the code: JSON.parse'd values for names, and test/support/json-oracle.ts (its own
// parser, numbers kept as text and compared with BigInt) for values.
import fc from 'fast-check';
import { parseConfig } from '../../lambda/authorizer';
import { parseClaimPath, type ClaimPath } from '../../lambda/authorizer/claim-path';
import { contextClaimValues, parseContextClaims } from '../../lambda/authorizer/context-claims';
import { TokenRejectedError } from '../../lambda/authorizer/errors';
import { assertRequiredClaims } from '../../lambda/authorizer/required-claims';
import { grantedScopes } from '../../lambda/authorizer/scopes';
import { decodeToken } from '../../lambda/authorizer/token';
import {
  exactAsNumber,
  nodeAt,
  nudge,
  numberText,
  parseJsonText,
  respell,
  sameJsonValue,
  type JsonNode,
} from '../support/json-oracle';

// Payloads are JSON text built here and parsed, as the decoder parses a token: JSON.parse makes `__proto__`
// an own member (an object literal would set the prototype instead), which is what a hostile token carries.
const KEYS = [
  'scope',
  'scp',
  'roles',
  'realm_access',
  'groups',
  '__proto__',
  'constructor',
  'toString',
  'a.b',
  'a',
];
const text = fc.string({
  unit: fc.constantFrom('a', 'b', ':', ' ', '\t', '\u00a0', 'items:read', 'x'),
  maxLength: 12,
});

const { json } = fc.letrec<{ json: string }>((tie) => ({
  json: fc.oneof(
    // The decoder refuses JSON nested deeper than 16 levels; these stay well inside.
    { depthSize: 'small', maxDepth: 5 },
    text.map((s) => JSON.stringify(s)),
    numberText,
    fc.boolean().map(String),
    fc.constant('null'),
    fc.array(tie('json'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`),
    fc
      .uniqueArray(fc.tuple(fc.constantFrom(...KEYS), tie('json')), { maxLength: 4, selector: ([k]) => k })
      .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
}));

const payloadText = fc
  .uniqueArray(fc.tuple(fc.constantFrom(...KEYS.filter((k) => k !== '__proto__')), json), {
    maxLength: 6,
    selector: ([k]) => k,
  })
  .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`);

/** Configurable paths (the parser refuses `__proto__` and `constructor`, so these are all a config can say). */
const PATHS = ['roles', 'realm_access.roles', 'groups', 'a\\.b', 'a.b', 'toString', 'realm_access.toString'];
const paths = fc.subarray(PATHS).map((names) =>
  names.map((n) =>
    parseClaimPath(n, (problem) => {
      throw new Error(problem);
    }),
  ),
);

// ---- The oracle: the rules as the README states them, written without the authorizer's code. ----

/** Splits a path as configured: `\.` is a dot, `\\` a backslash, a bare dot separates. */
function oracleSegments(name: string): string[] {
  const segments = [''];
  for (const part of name.match(/\\.|[^\\]/g) ?? []) {
    if (part === '.') segments.push('');
    else segments[segments.length - 1] += part.length === 2 ? part.slice(1) : part;
  }
  return segments;
}

/** Follows members the JSON text itself declared; never into arrays, never anything inherited. */
function oracleRead(value: unknown, segments: string[]): unknown {
  for (const segment of segments) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.keys(value).includes(segment)) return undefined;
    value = Object.getOwnPropertyDescriptor(value, segment)?.value;
  }
  return value;
}

const WHITE = /[\s\u00a0\ufeff]/u;

function oracleNames(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s.length > 0);
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string' && v.length > 0 && !WHITE.test(v));
  }
  return [];
}

function oracleGranted(payload: object, configured: readonly ClaimPath[]): Set<string> {
  const names = [
    ...oracleNames(oracleRead(payload, ['scope'])),
    ...oracleNames(oracleRead(payload, ['scp'])),
  ];
  for (const path of configured) names.push(...oracleNames(oracleRead(payload, oracleSegments(path.name))));
  return new Set(names);
}

test('what a payload grants is exactly what the oracle reads from the configured claims', () => {
  fc.assert(
    fc.property(payloadText, paths, (raw, configured) => {
      const payload = JSON.parse(raw) as object;
      const granted = grantedScopes(payload as never, undefined, configured);
      expect([...granted].sort()).toEqual([...oracleGranted(payload, configured)].sort());
      for (const name of granted) {
        // Nothing invented: every name is written in the token itself, and none carries white space
        // from an array element.
        expect(raw).toContain(JSON.stringify(name).slice(1, -1));
        expect(name).not.toBe('');
      }
    }),
    { numRuns: 1000 },
  );
});

test('claims outside scope and scp grant nothing where no permission claim is configured', () => {
  fc.assert(
    fc.property(payloadText, (raw) => {
      const payload = JSON.parse(raw) as Record<string, unknown>;
      expect([...grantedScopes(payload as never)].sort()).toEqual([...oracleGranted(payload, [])].sort());
      // Without scope and scp, whatever else the payload holds (roles, groups, ...), nothing is granted.
      const { scope: _scope, scp: _scp, ...rest } = payload;
      expect([...grantedScopes(rest as never)]).toEqual([]);
    }),
    { numRuns: 500 },
  );
});

// ---- Values: required claims and context claims, read from tokens as the decoder reads them. ----

/** A token the decoder accepts around a payload's JSON text (decodeToken verifies no signature). */
function decodePayload(raw: string): object {
  const header = Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url');
  return decodeToken(`${header}.${Buffer.from(raw).toString('base64url')}.AAAA`).payload;
}

/** JSON text with the layout varied: compact, or with the spaces some issuers' serializers write. */
const layout = fc.constantFrom(
  { comma: ',', colon: ':' },
  { comma: ', ', colon: ': ' },
  { comma: ',\n  ', colon: ' : ' },
);
type Layout = typeof layout extends fc.Arbitrary<infer L> ? L : never;

function objectText(members: ReadonlyArray<readonly [string, string]>, l: Layout): string {
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}${l.colon}${v}`).join(l.comma)}}`;
}

function isNumberText(t: string): boolean {
  return /^-?\d/.test(t);
}

/** A value a configuration can require: numbers of every size and spelling, strings (some look like numbers), booleans. */
const requirable = fc.oneof(
  { weight: 3, arbitrary: numberText },
  text.map((t) => JSON.stringify(t)),
  numberText.map((t) => JSON.stringify(t)),
  fc.constantFrom('true', 'false', '"true"', '"null"'),
);

/** A value close to an accepted one that is not it: the next number, the text as a string or a number, in an array. */
function nearMiss(accepted: string): fc.Arbitrary<string> {
  if (isNumberText(accepted)) {
    return fc.constantFrom(
      nudge(accepted, 1n),
      nudge(accepted, -1n),
      // One more digit after the point: 1234567890123456789.1, 2.51e3.
      accepted.replace(
        /^([^eE.]+)(\.\d+)?/,
        (_m, whole: string, point?: string) => `${whole}${point ?? '.'}1`,
      ),
      JSON.stringify(accepted),
      `[${accepted}]`,
    );
  }
  if (accepted === 'true' || accepted === 'false') return fc.constantFrom(JSON.stringify(accepted), 'null');
  const inner = JSON.parse(accepted) as string;
  return fc.constantFrom(
    ...(isNumberText(inner) ? [inner] : []),
    JSON.stringify(`${inner} `),
    `[${accepted}]`,
    `{"value":${accepted}}`,
  );
}

/** The required claim: top-level, nested, and a name with a literal dot. */
const REQUIRED_PATHS = ['tenant', 'org.id', 'a\\.b'] as const;

function placed(
  name: (typeof REQUIRED_PATHS)[number],
  value: string,
  misplaced: boolean,
  l: Layout,
): Array<[string, string]> {
  // Misplaced: beside the path (`tenants`; `org` itself; `a: {b}` for the literal `a.b`), so it is missing.
  if (name === 'tenant') return [[misplaced ? 'tenants' : 'tenant', value]];
  if (name === 'org.id') return [['org', misplaced ? value : objectText([['id', value]], l)]];
  return [misplaced ? ['a', objectText([['b', value]], l)] : ['a.b', value]];
}

/** The shape of what the token holds at the claim (from the oracle's parse), for the counts below. */
function kindOf(node: JsonNode | undefined): string {
  if (node === undefined) return 'missing';
  if (node.kind === 'number') {
    const n = Number(node.text);
    if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) return 'big integer';
    return /[.eE]/.test(node.text) ? 'decimal' : 'integer';
  }
  if (node.kind === 'string') return isNumberText(node.value) ? 'numeric string' : 'string';
  return node.kind;
}

test('a required claim passes exactly when the token holds the same JSON value as an accepted one', () => {
  const seen = new Map<string, number>();
  const count = (key: string): void => {
    seen.set(key, (seen.get(key) ?? 0) + 1);
  };
  const routes = JSON.stringify([{ method: 'GET', path: '/items', scopes: ['items:read'] }]);
  const scenario = fc
    .record({
      name: fc.constantFrom(...REQUIRED_PATHS),
      accepted: fc.array(requirable, { minLength: 1, maxLength: 3 }),
      single: fc.boolean(),
      layout,
      filler: fc.uniqueArray(fc.tuple(fc.constantFrom('roles', 'groups', 'b', 'email'), json), {
        maxLength: 3,
        selector: ([k]) => k,
      }),
    })
    .chain((s) =>
      fc.record({
        s: fc.constant(s),
        held: fc.oneof(
          // The same value, often spelled another way (2 as 2.0 or 20e-1; 1234567890123456789 as 1.234...e18).
          {
            weight: 5,
            arbitrary: fc
              .tuple(
                fc.constantFrom(...s.accepted),
                fc.nat(3),
                fc.constantFrom(0 as const, 1 as const, 2 as const),
              )
              .map(([t, zeros, style]) => (isNumberText(t) ? respell(t, zeros, style) : t)),
          },
          { weight: 2, arbitrary: fc.constantFrom(...s.accepted).chain(nearMiss) },
          { weight: 2, arbitrary: json },
          { weight: 1, arbitrary: fc.constant(undefined) },
        ),
        misplaced: fc.nat(5).map((n) => n === 0),
      }),
    );
  fc.assert(
    fc.property(scenario, ({ s, held, misplaced }) => {
      const { name, accepted, single, layout: l, filler } = s;
      const configured = single ? (accepted[0] as string) : `[${accepted.join(l.comma)}]`;
      const env = {
        ISSUER: 'https://issuer.test/',
        AUDIENCE: 'api',
        ROUTES: routes,
        REQUIRED_CLAIMS: objectText([[name, configured]], l),
      };
      const rules = parseConfig(env).issuers[0]?.requiredClaims ?? [];
      const raw = objectText([...filler, ...(held === undefined ? [] : placed(name, held, misplaced, l))], l);

      const found = nodeAt(parseJsonText(raw), oracleSegments(name));
      const acceptedNodes = (single ? accepted.slice(0, 1) : accepted).map(parseJsonText);
      const expected =
        found === undefined
          ? 'MISSING_REQUIRED_CLAIM'
          : acceptedNodes.some((a) => sameJsonValue(a, found))
            ? 'pass'
            : 'WRONG_CLAIM_VALUE';
      count(kindOf(found));
      count(expected);
      if (expected === 'pass') count(`pass: ${kindOf(found)}`);

      let outcome = 'pass';
      try {
        assertRequiredClaims(decodePayload(raw), rules);
      } catch (error) {
        if (!(error instanceof TokenRejectedError)) throw error;
        outcome = error.code;
        expect(error.message).toBe(
          outcome === 'MISSING_REQUIRED_CLAIM'
            ? `required claim "${name}" is missing`
            : `claim "${name}" does not hold an accepted value`,
        );
      }
      expect(outcome).toBe(expected);
    }),
    { numRuns: 1000 },
  );
  // Green means something only if the runs reach every outcome often and the token's value takes every
  // JSON shape. Of 1,000 runs about a third pass (60-70 with big integers, 80-100 with decimals).
  const atLeast = (what: string, n: number): void => {
    // The name in the object says which count fell short.
    expect({ [what]: (seen.get(what) ?? 0) > n }).toEqual({ [what]: true });
  };
  atLeast('pass', 250);
  atLeast('pass: big integer', 20);
  atLeast('pass: decimal', 20);
  atLeast('pass: numeric string', 10);
  atLeast('WRONG_CLAIM_VALUE', 250);
  atLeast('MISSING_REQUIRED_CLAIM', 100);
  for (const kind of ['null', 'array', 'object', 'decimal', 'big integer', 'numeric string', 'boolean']) {
    atLeast(kind, 15);
  }
});

/** The context key for a name as the README says: segments joined with `_`, other characters made `_`. */
function oracleKey(name: string): string {
  return oracleSegments(name)
    .join('_')
    .replace(/[^A-Za-z0-9_]/g, '_');
}

/** What the README says a claim's value becomes in the context; undefined where it is left out. */
function oracleContextValue(node: JsonNode | undefined): string | number | boolean | undefined {
  if (node === undefined) return undefined;
  if (node.kind === 'string' || node.kind === 'boolean') return node.value;
  if (node.kind === 'number') return exactAsNumber(node.text) ? Number(node.text) : node.text;
  if (node.kind !== 'array') return undefined;
  const names = node.items.map((item) => (item.kind === 'string' ? item.value : ''));
  return names.every((n) => n !== '' && !WHITE.test(n)) ? names.join(' ') : undefined;
}

test('context claims carry strings, booleans and exact numbers as they are, other numbers as their text, nothing inherited', () => {
  const names = ['roles', 'realm_access.roles', 'groups', 'a\\.b', 'toString', 'uid'];
  const contextClaims = parseContextClaims(names, (i, p) => {
    throw new Error(`${i}: ${p}`);
  });
  // `scope` and `scp` are left out: the decoder refuses them unless they are strings.
  const keys = [...KEYS.filter((k) => !['__proto__', 'scope', 'scp'].includes(k)), 'uid'];
  const payload = fc
    .tuple(
      fc.uniqueArray(fc.tuple(fc.constantFrom(...keys), json), { maxLength: 6, selector: ([k]) => k }),
      layout,
    )
    .map(([pairs, l]) => objectText(pairs, l));
  let numbersAsText = 0;
  fc.assert(
    fc.property(payload, (raw) => {
      const root = parseJsonText(raw);
      const expected: Record<string, unknown> = {};
      for (const name of names) {
        const value = oracleContextValue(nodeAt(root, oracleSegments(name)));
        if (value !== undefined) expected[oracleKey(name)] = value;
      }
      const context = contextClaimValues(decodePayload(raw), contextClaims);
      expect(context).toEqual(expected);
      for (const name of names) {
        const node = nodeAt(root, oracleSegments(name));
        if (node?.kind === 'number' && typeof context[oracleKey(name)] === 'string') numbersAsText++;
      }
    }),
    { numRuns: 500 },
  );
  expect(numbersAsText).toBeGreaterThan(20);
});
