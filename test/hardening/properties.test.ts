// Property-based tests (fast-check): header, token and scope parsing fail only through 401, and a token with
// a well-formed header and a hostile payload is refused for exactly the reason an oracle written from the
// documented rules (README "How a request is decided") expects. The policy's properties are in
// route-soundness.test.ts. PROPERTY_RUNS=<n> runs the token-decoding oracle property longer.
import fc from 'fast-check';
import { TokenRejectedError, grantedScopes, type RejectReason } from '../../lambda/authorizer';
import { parseBearer } from '../../lambda/authorizer/bearer';
import { decodeToken } from '../../lambda/authorizer/token';
import { b64url } from '../support/keys';

function failsOnlyAs401(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TokenRejectedError);
  }
}

test('Bearer parsing fails only through the 401 path, on any input', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.anything()), (header) => {
      failsOnlyAs401(() => parseBearer(header, 8192));
      // Only strings can follow the scheme (String() of an arbitrary object may itself throw, in the test).
      if (typeof header === 'string') failsOnlyAs401(() => parseBearer(`Bearer ${header}`, 8192));
    }),
    { numRuns: 2000 },
  );
});

test('token decoding fails only through the 401 path, on any three segments', () => {
  const json = fc.oneof(fc.json(), fc.string());
  fc.assert(
    fc.property(json, json, fc.string(), (header, payload, sig) => {
      failsOnlyAs401(() => decodeToken(`${b64url(header)}.${b64url(payload)}.${b64url(sig)}`));
      failsOnlyAs401(() => decodeToken(`${header}.${payload}.${sig}`));
    }),
    { numRuns: 2000 },
  );
});

test('scope parsing never throws and returns only non-empty strings, on any claim values', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.jsonValue(), (scope, scp) => {
      const granted = grantedScopes({ scope, scp } as never);
      for (const s of granted) expect(typeof s === 'string' && s.length > 0 && !s.includes(' ')).toBe(true);
    }),
    { numRuns: 2000 },
  );
});

// ---- The decoding oracle. Its model of JSON is a tree that keeps what JSON.parse loses (every member, in order,
// duplicates included, and how each key is spelled), serialized here with or without whitespace; the oracle
// reads only the tree, never the text or the decoder.

type Node =
  | { readonly kind: 'value'; readonly value: string | number | boolean | null }
  | { readonly kind: 'array'; readonly items: readonly Node[] }
  | { readonly kind: 'object'; readonly members: readonly Member[] };
interface Member {
  readonly key: string;
  /** Spell the key with a \uXXXX escape per UTF-16 unit: the same key to JSON.parse, other text. */
  readonly escaped: boolean;
  readonly value: Node;
}

/** The README's limits: JSON nests at most 16 levels; the asymmetric algorithms only. */
const MAX_LEVELS = 16;
const ACCEPTED_ALGS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];
const KEY_SOURCE_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'];
const TIME_CLAIMS = ['exp', 'nbf', 'iat'];
const STRING_CLAIMS = ['iss', 'sub', 'jti', 'client_id', 'azp', 'cid', 'token_use'];
const STRINGS_CLAIMS = ['aud', 'scope', 'scp'];

const leaf = (value: string | number | boolean | null): Node => ({ kind: 'value', value });
const object = (members: Member[]): Node => ({ kind: 'object', members });
const member = (key: string, value: Node, escaped = false): Member => ({ key, value, escaped });

function serialize(node: Node, ws: string): string {
  switch (node.kind) {
    case 'value':
      return JSON.stringify(node.value);
    case 'array':
      return `[${ws}${node.items.map((n) => serialize(n, ws)).join(`,${ws}`)}${ws}]`;
    case 'object': {
      const spell = (m: Member) =>
        m.escaped
          ? `"${Array.from({ length: m.key.length }, (_, i) => `\\u${m.key.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')}"`
          : JSON.stringify(m.key);
      const members = node.members.map((m) => `${spell(m)}:${ws}${serialize(m.value, ws)}`);
      return `{${ws}${members.join(`,${ws}`)}${ws}}`;
    }
  }
}

/** The JavaScript value of a tree without duplicate members. */
function valueOf(node: Node): unknown {
  if (node.kind === 'value') return node.value;
  if (node.kind === 'array') return node.items.map(valueOf);
  const result: Record<string, unknown> = {};
  for (const m of node.members)
    Object.defineProperty(result, m.key, { value: valueOf(m.value), enumerable: true });
  return result;
}

/** The first rule a segment breaks, reading its JSON text from left to right: too deep, or a repeated key. */
function firstStructuralFault(node: Node, level = 1): string | undefined {
  if (node.kind === 'value') return undefined;
  if (level > MAX_LEVELS) return 'is nested too deeply';
  if (node.kind === 'array') {
    for (const item of node.items) {
      const fault = firstStructuralFault(item, level + 1);
      if (fault) return fault;
    }
    return undefined;
  }
  const seen = new Set<string>();
  for (const m of node.members) {
    if (seen.has(m.key)) return `has duplicate member "${m.key.slice(0, 40)}"`;
    seen.add(m.key);
    const fault = firstStructuralFault(m.value, level + 1);
    if (fault) return fault;
  }
  return undefined;
}

interface Refusal {
  readonly code: RejectReason;
  readonly message: RegExp | string;
}

function segmentFault(what: string, node: Node): Refusal | undefined {
  if (node.kind !== 'object') return { code: 'MALFORMED_TOKEN', message: `${what} is not a JSON object` };
  const fault = firstStructuralFault(node);
  if (fault) return { code: 'MALFORMED_TOKEN', message: `${what} ${fault}` };
  if (node.members.some((m) => m.key === '__proto__'))
    return { code: 'MALFORMED_TOKEN', message: `${what} has a __proto__ member` };
  return undefined;
}

/** Why the header is refused, in the README's order, or undefined: decoding goes on to the payload. */
function headerRefusal(header: Node): Refusal | undefined {
  const fault = segmentFault('header', header);
  if (fault) return fault;
  const h = valueOf(header) as Record<string, unknown>;
  if (typeof h.alg !== 'string' || !ACCEPTED_ALGS.includes(h.alg))
    return { code: 'UNSUPPORTED_ALGORITHM', message: /^alg .* is not accepted$/ };
  if (KEY_SOURCE_HEADERS.some((name) => name in h))
    return { code: 'FORBIDDEN_HEADER', message: /is not accepted$/ };
  if (!('kid' in h)) return { code: 'MISSING_KID', message: 'header has no kid' };
  const kid = h.kid;
  if (
    typeof kid !== 'string' ||
    kid.length < 1 ||
    kid.length > 256 ||
    [...kid].some((c) => c < ' ' || c > '~')
  )
    return { code: 'MALFORMED_TOKEN', message: 'kid must be 1 to 256 printable characters' };
  if ('typ' in h && typeof h.typ !== 'string')
    return { code: 'MALFORMED_TOKEN', message: 'typ must be a string' };
  return undefined;
}

/** Why the payload is refused, or undefined: the token decodes. */
function payloadRefusal(payload: Node): Refusal | undefined {
  const fault = segmentFault('payload', payload);
  if (fault) return fault;
  const p = valueOf(payload) as Record<string, unknown>;
  const isStrings = (v: unknown) =>
    typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string'));
  const bad = [
    ...TIME_CLAIMS.filter((c) => c in p && !(Number.isSafeInteger(p[c]) && (p[c] as number) >= 0)),
    ...STRING_CLAIMS.filter((c) => c in p && typeof p[c] !== 'string'),
    ...STRINGS_CLAIMS.filter((c) => c in p && !isStrings(p[c])),
  ];
  if (bad.length > 0) return { code: 'INVALID_CLAIM', message: new RegExp(`^(${bad.join('|')}) must be `) };
  return undefined;
}

// ---- Generators: mostly well-formed headers, payloads with each hostile feature at a useful rate.

const scalar = fc
  .oneof(
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'grapheme', maxLength: 6 }),
    fc.integer({ min: -1_000_000, max: 1_000_000 }),
    fc.constantFrom(0.5, -2.25, 1e-7),
    fc.boolean(),
    fc.constant(null),
  )
  .map(leaf);

/** A chain of `levels` arrays or objects around a scalar: nesting near the limit, on either side of it. */
const nested = fc
  .tuple(fc.integer({ min: 0, max: MAX_LEVELS + 3 }), fc.boolean(), scalar)
  .map(([levels, arrays, inner]) => {
    let node = inner;
    for (let i = 0; i < levels; i++)
      node = arrays ? { kind: 'array', items: [node] } : object([member('n', node)]);
    return node;
  });

const anyValue: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('node'), { maxLength: 3 }).map((items): Node => ({ kind: 'array', items })),
    fc
      .array(fc.tuple(fc.constantFrom('a', 'b', 'sub', 'x y', 'é', '__proto__'), tie('node')), {
        maxLength: 3,
      })
      .map((pairs) => object(pairs.map(([k, v]) => member(k, v)))),
  ),
})).node;

const now = 1_800_000_000;
/** A claim: mostly of the right type, sometimes of a wrong one. */
const claim = (name: string, good: fc.Arbitrary<Node>) =>
  fc.oneof(
    { weight: 8, arbitrary: good.map((v) => member(name, v)) },
    { weight: 1, arbitrary: anyValue.map((v) => member(name, v)) },
  );
const strings = fc.oneof(
  fc.string({ maxLength: 20 }).map(leaf),
  fc
    .array(fc.string({ maxLength: 8 }).map(leaf), { maxLength: 3 })
    .map((items): Node => ({ kind: 'array', items })),
);

const goodPayload = fc
  .tuple(
    claim('iss', fc.constant(leaf('https://issuer.test'))),
    claim('sub', fc.string({ minLength: 1, maxLength: 20 }).map(leaf)),
    claim('aud', strings),
    claim('exp', fc.integer({ min: now, max: now + 3600 }).map(leaf)),
    claim('iat', fc.integer({ min: 0, max: now }).map(leaf)),
    claim('scope', strings),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), fc.oneof(anyValue, nested)), { maxLength: 3 }),
  )
  .map(([iss, sub, aud, exp, iat, scope, extra]) => [
    iss,
    sub,
    aud,
    exp,
    iat,
    scope,
    // Keys the claims already use would be duplicates; those come from `hostile` below.
    ...extra
      .filter(([k]) => !['iss', 'sub', 'aud', 'exp', 'iat', 'scope', '__proto__'].includes(k))
      .map(([k, v]) => member(k, v)),
  ]);

/** One hostile change to a list of members, or none. */
const hostile = (members: Member[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(members) },
    // The same key twice, the second spelled plainly or with escapes; anywhere in the list.
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat(), fc.nat(), fc.boolean(), anyValue).map(([from, at, escaped, value]) => {
        if (members.length === 0) return members;
        const copy = [...members];
        const source = copy[from % copy.length] as Member;
        copy.splice(
          (from % copy.length) + 1 + (at % (copy.length - (from % copy.length))),
          0,
          member(source.key, value, escaped),
        );
        return copy;
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(nested, fc.nat()).map(([deep, at]) => insert(members, at, member('deep', deep))),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(anyValue, fc.nat()).map(([v, at]) => insert(members, at, member('__proto__', v))),
    },
    // A key spelled with escapes, the same key to JSON.parse.
    {
      weight: 1,
      arbitrary: fc
        .nat()
        .map((at) =>
          members.map((m, i) => (i === at % Math.max(members.length, 1) ? { ...m, escaped: true } : m)),
        ),
    },
  );

function insert(members: Member[], at: number, extra: Member): Member[] {
  const i = at % (members.length + 1);
  return [...members.slice(0, i), extra, ...members.slice(i)];
}

const printableKid = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 40,
});
const goodHeader = fc
  .tuple(
    fc.oneof(
      { weight: 30, arbitrary: fc.constantFrom(...ACCEPTED_ALGS) },
      { weight: 1, arbitrary: fc.constantFrom('none', 'HS256', 'rs256', 'ES256K') },
    ),
    fc.oneof(
      { weight: 30, arbitrary: printableKid.map((k): Node | undefined => leaf(k)) },
      { weight: 1, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.oneof(
          fc.constant(leaf('')),
          fc.constant(leaf('k'.repeat(257))),
          fc.constant(leaf('k\n')),
          anyValue,
        ),
      },
    ),
    fc.option(
      fc.oneof(
        { weight: 15, arbitrary: fc.constantFrom('at+jwt', 'JWT').map(leaf) },
        { weight: 1, arbitrary: anyValue },
      ),
      { nil: undefined },
    ),
    fc.oneof(
      { weight: 30, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...KEY_SOURCE_HEADERS), anyValue) },
    ),
  )
  .map(([alg, kid, typ, forbidden]) => [
    member('alg', leaf(alg)),
    ...(kid === undefined ? [] : [member('kid', kid)]),
    ...(typ === undefined ? [] : [member('typ', typ)]),
    ...(forbidden === undefined ? [] : [member(forbidden[0], forbidden[1])]),
  ]);

const segment = (members: fc.Arbitrary<Member[]>, hostility: number, notAnObject: number) =>
  fc.oneof(
    { weight: hostility, arbitrary: members.chain(hostile).map(object) },
    { weight: 100 - hostility, arbitrary: members.map(object) },
    { weight: notAnObject, arbitrary: anyValue },
  );

const whitespace = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  { weight: 2, arbitrary: fc.constantFrom(' ', '\n', '\t', ' \r\n ') },
);

const PROPERTY_RUNS = Number(process.env.PROPERTY_RUNS ?? 0) || 2000;

test("a well-formed header and a hostile payload: refused for exactly the oracle's reason, or decoded as written", () => {
  const seen = new Map<string, number>();
  let reachedPayload = 0;
  let nonCanonical = 0;
  const tooDeep = { canonical: 0, other: 0 };
  fc.assert(
    fc.property(
      segment(goodHeader, 5, 2),
      segment(goodPayload, 60, 5),
      whitespace,
      fc.uint8Array({ minLength: 1, maxLength: 80 }),
      (header, payload, ws, signature) => {
        const payloadText = serialize(payload, ws);
        const token = `${b64url(serialize(header, ws))}.${b64url(payloadText)}.${Buffer.from(signature).toString('base64url')}`;
        const headerRefused = headerRefusal(header);
        const want = headerRefused ?? payloadRefusal(payload);
        let got: { code: RejectReason; message: string } | undefined;
        try {
          const decoded = decodeToken(token);
          expect(decoded.header).toEqual(valueOf(header));
          expect(decoded.payload).toEqual(valueOf(payload));
        } catch (error) {
          if (!(error instanceof TokenRejectedError)) throw error;
          got = { code: error.code, message: error.message };
        }
        if (want === undefined) expect(got).toBeUndefined();
        else {
          expect(got?.code).toBe(want.code);
          if (typeof want.message === 'string') expect(got?.message).toBe(want.message);
          else expect(got?.message).toMatch(want.message);
        }
        if (headerRefused === undefined) reachedPayload++;
        const canonical = payload.kind !== 'value' && JSON.stringify(JSON.parse(payloadText)) === payloadText;
        if (!canonical) nonCanonical++;
        if (want?.message === 'payload is nested too deeply') tooDeep[canonical ? 'canonical' : 'other']++;
        // Tallied by check: the code and the message up to a quoted name.
        const label =
          want === undefined
            ? 'decoded'
            : typeof want.message === 'string'
              ? `${want.code} ${want.message.replace(/ ".*$/, '')}`
              : want.code;
        seen.set(label, (seen.get(label) ?? 0) + 1);
      },
    ),
    { numRuns: PROPERTY_RUNS },
  );
  // The runs must reach what the old property never did: payload decoding and each of its checks, through
  // both the canonical and the non-canonical JSON path.
  expect(reachedPayload / PROPERTY_RUNS).toBeGreaterThan(0.7);
  expect(nonCanonical / PROPERTY_RUNS).toBeGreaterThan(0.3);
  expect(tooDeep.canonical / PROPERTY_RUNS).toBeGreaterThan(0.01);
  expect(tooDeep.other / PROPERTY_RUNS).toBeGreaterThan(0.01);
  const share = (prefix: string) =>
    [...seen].filter(([label]) => label.startsWith(prefix)).reduce((n, [, count]) => n + count, 0) /
    PROPERTY_RUNS;
  expect(
    Object.fromEntries(
      [
        'decoded',
        'INVALID_CLAIM',
        'MALFORMED_TOKEN payload has duplicate member',
        'MALFORMED_TOKEN payload is nested too deeply',
        'MALFORMED_TOKEN payload has a __proto__ member',
        'MALFORMED_TOKEN payload is not a JSON object',
      ].map((label) => [label, share(label) >= 0.01]),
    ),
  ).toEqual({
    decoded: true,
    INVALID_CLAIM: true,
    'MALFORMED_TOKEN payload has duplicate member': true,
    'MALFORMED_TOKEN payload is nested too deeply': true,
    'MALFORMED_TOKEN payload has a __proto__ member': true,
    'MALFORMED_TOKEN payload is not a JSON object': true,
  });
});
