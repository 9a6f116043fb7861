// Property-based tests (fast-check) of the claim rules against payloads an attacker shapes: objects where
// lists belong, nested arrays, numbers, strings with spaces inside array elements, `__proto__` and
// `constructor` members. Each is checked against an oracle written from the README's rules, not from the code.
import fc from 'fast-check';
import { parseClaimPath, type ClaimPath } from '../../lambda/authorizer/claim-path';
import { contextClaimValues, parseContextClaims } from '../../lambda/authorizer/context-claims';
import { TokenRejectedError } from '../../lambda/authorizer/errors';
import { assertRequiredClaims, parseRequiredClaim } from '../../lambda/authorizer/required-claims';
import { grantedScopes } from '../../lambda/authorizer/scopes';

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
    { depthSize: 'small' },
    text.map((s) => JSON.stringify(s)),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => JSON.stringify(n)),
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
      const only = { scope: payload.scope, scp: payload.scp };
      expect([...grantedScopes(payload as never)]).toEqual([...grantedScopes(only as never)]);
    }),
    { numRuns: 500 },
  );
});

test('a required claim passes exactly when the oracle finds the same JSON value, and fails with its code', () => {
  const value = fc.oneof(text, fc.integer({ min: -2, max: 2 }), fc.boolean());
  fc.assert(
    fc.property(
      payloadText,
      fc.constantFrom(...PATHS),
      fc.array(value, { minLength: 1, maxLength: 3 }),
      (raw, name, accepted) => {
        const payload = JSON.parse(raw) as object;
        const rule = parseRequiredClaim(name, accepted, (problem) => {
          throw new Error(problem);
        });
        const found = oracleRead(payload, oracleSegments(name));
        const expected =
          found === undefined
            ? 'MISSING_REQUIRED_CLAIM'
            : accepted.includes(found as never)
              ? 'pass'
              : 'WRONG_CLAIM_VALUE';
        let outcome = 'pass';
        try {
          assertRequiredClaims(payload, [rule]);
        } catch (error) {
          if (!(error instanceof TokenRejectedError)) throw error;
          outcome = error.code;
        }
        expect(outcome).toBe(expected);
      },
    ),
    { numRuns: 1000 },
  );
});

test('context claims carry only strings, numbers and booleans, under their safe keys, and nothing inherited', () => {
  const contextClaims = parseContextClaims(
    ['roles', 'realm_access.roles', 'groups', 'a\\.b', 'toString'],
    (i, p) => {
      throw new Error(`${i}: ${p}`);
    },
  );
  fc.assert(
    fc.property(payloadText, (raw) => {
      const payload = JSON.parse(raw) as object;
      const context = contextClaimValues(payload, contextClaims);
      for (const [key, copied] of Object.entries(context)) {
        expect(['string', 'number', 'boolean']).toContain(typeof copied);
        expect(key).toMatch(/^[A-Za-z][A-Za-z0-9_]*$/);
        const claim = contextClaims.find((c) => c.key === key);
        const found = oracleRead(payload, oracleSegments(claim?.claim.name ?? ''));
        expect(copied).toBe(Array.isArray(found) ? found.join(' ') : found);
      }
      // A claim left out was missing, or of a shape that cannot be copied.
      for (const { key, claim } of contextClaims) {
        if (key in context) continue;
        const found = oracleRead(payload, oracleSegments(claim.name));
        const copyable =
          ['string', 'number', 'boolean'].includes(typeof found) ||
          (Array.isArray(found) &&
            found.every((v) => typeof v === 'string' && v.length > 0 && !WHITE.test(v)));
        expect(copyable).toBe(false);
      }
    }),
    { numRuns: 500 },
  );
});
