// TOKEN_TYPES: the header `typ` a token must carry when set (RFC 9068 access tokens say `at+jwt`), compared
// case-insensitively and without `application/`; unset, `typ` is not checked but must still be a string.
import { claims, signToken } from '../support/keys';
import { lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

const TYPES = { TOKEN_TYPES: 'at+jwt,application/at+jwt' };
/** A real signed token; `typ: undefined` leaves the header without one. */
const bearer = (typ: unknown) => `Bearer ${signToken(h.keys.rsa, claims(), { header: { typ } })}`;

describe.each([
  ['TOKEN_TYPES set', TYPES],
  ['TOKEN_TYPES unset', {}],
] as const)('%s', (...[name, env]) => {
  const set = name === 'TOKEN_TYPES set';
  test.each([
    ['at+jwt', 'at+jwt', 'allow'],
    ['application/at+jwt, in any case', 'Application/AT+JWT', 'allow'],
    ['JWT', 'JWT', set ? 'WRONG_TOKEN_TYPE' : 'allow'],
    ['no typ', undefined, set ? 'WRONG_TOKEN_TYPE' : 'allow'],
    ['an empty typ', '', set ? 'WRONG_TOKEN_TYPE' : 'allow'],
    ['a number', 42, 'MALFORMED_TOKEN'],
    ['an array holding the accepted type', ['at+jwt'], 'MALFORMED_TOKEN'],
    ['null', null, 'MALFORMED_TOKEN'],
  ] as const)('typ %s -> %s', async (...[, typ, outcome]) => {
    const authorizer = h.authorizer(env);
    if (outcome === 'allow') {
      const result = await authorizer.authorize(tokenEvent(bearer(typ)));
      expect(result.principalId).toBe('user-1');
      expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
    } else {
      await expect(authorizer.authorize(tokenEvent(bearer(typ)))).rejects.toThrow(/^Unauthorized$/);
      expect(lastDecision(h.logs)).toMatchObject({
        decision: 'unauthorized',
        reason: outcome,
        detail:
          outcome === 'MALFORMED_TOKEN'
            ? 'typ must be a string'
            : `typ ${typ === undefined ? 'null' : JSON.stringify(typ)} is not accepted`,
      });
    }
  });
});

test('a typ too long to quote is refused with its first 64 characters in the detail', async () => {
  const typ = 'x'.repeat(2000);
  await expect(h.authorizer(TYPES).authorize(tokenEvent(bearer(typ)))).rejects.toThrow(/^Unauthorized$/);
  expect(lastDecision(h.logs)).toMatchObject({
    reason: 'WRONG_TOKEN_TYPE',
    detail: `typ "${'x'.repeat(63)}…(+1938 chars) is not accepted`,
  });
});
