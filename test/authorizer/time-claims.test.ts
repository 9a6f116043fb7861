// Time claims (exp, nbf, iat, auth_time) at and beyond what a Date can hold, with real signed tokens: every
// value is decided as a token problem (401 and its reason) or allowed, never an authorizer failure (5xx).
import fc from 'fast-check';
import type { Authorizer } from '../../lambda/authorizer';
import { claims, signToken } from '../support/keys';
import { lastDecision, startHarness, tokenEvent, type Harness } from './harness';

let h: Harness;
let authorizer: Authorizer;
beforeAll(async () => {
  h = await startHarness();
  authorizer = h.authorizer({ CLOCK_SKEW_SECONDS: String(SKEW) });
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

/** The latest second a Date can hold: 8.64e15 ms (ECMA-262's time range). */
const LAST_DATE_SECOND = 8_640_000_000_000;
/** CLOCK_SKEW_SECONDS, as configured below. */
const SKEW = 30;
const CLAIMS = ['exp', 'nbf', 'iat', 'auth_time'] as const;
type TimeClaim = (typeof CLAIMS)[number];

const now = (): number => Math.floor(Date.now() / 1000);

/**
 * A token whose time claim is spelt exactly `literal` in the signed payload: JSON.stringify cannot write
 * 1e400 (which JSON.parse reads as Infinity) or 1.0.
 */
function tokenWith(claim: TimeClaim, literal: string): string {
  const { [claim]: _dropped, ...rest } = claims();
  return signToken(
    h.keys.rsa,
    {},
    { rawPayload: JSON.stringify(rest).replace(/}$/, `,"${claim}":${literal}}`) },
  );
}

/** The decision: 'ALLOWED' or the reason code of a 401. Anything else (a 5xx) fails the test. */
async function decide(token: string): Promise<string> {
  try {
    await authorizer.authorize(tokenEvent(`Bearer ${token}`));
    return 'ALLOWED';
  } catch (error) {
    expect(error).toEqual(new Error('Unauthorized'));
    const line = lastDecision(h.logs);
    expect(line.decision).toBe('unauthorized');
    return line.reason as string;
  }
}

describe('a time claim beyond what a Date can hold is INVALID_CLAIM (401), never a 503', () => {
  const beyond: Array<[string, string]> = [
    ['one second past the last a Date can hold', String(LAST_DATE_SECOND + 1)],
    ['9e15 (a safe integer)', '9000000000000000'],
    ['2^53 + 2 (beyond the safe integers)', '9007199254740994'],
    ['1e300', '1e300'],
    ['1e400 (Infinity once parsed)', '1e400'],
  ];
  test.each(CLAIMS.flatMap((claim) => beyond.map(([name, literal]) => [claim, name, literal] as const)))(
    '%s %s',
    async (claim, _name, literal) => {
      await expect(decide(tokenWith(claim, literal))).resolves.toBe('INVALID_CLAIM');
      expect(lastDecision(h.logs).detail).toBe(
        `${claim} must be a whole number of seconds from 0 to ${LAST_DATE_SECOND}`,
      );
    },
  );

  // Before: a signed nbf beyond it answered 503, logged INTERNAL (aws-jwt-verify's error message turns it
  // into a Date, and toISOString() throws a RangeError).
  test('nbf one second past it: 401 INVALID_CLAIM, not INTERNAL', async () => {
    await expect(decide(tokenWith('nbf', String(LAST_DATE_SECOND + 1)))).resolves.toBe('INVALID_CLAIM');
    expect(h.logs.some((line) => line.includes('"reason":"INTERNAL"'))).toBe(false);
  });
});

describe('the last second a Date can hold is a valid time', () => {
  test.each([
    ['exp', 'ALLOWED'],
    ['auth_time', 'ALLOWED'],
    // aws-jwt-verify formats it as a Date for its message: the last second still is one.
    ['nbf', 'TOKEN_NOT_YET_VALID'],
    ['iat', 'ISSUED_IN_FUTURE'],
  ] as const)('%s = 8640000000000 -> %s', async (claim, outcome) => {
    await expect(decide(tokenWith(claim, String(LAST_DATE_SECOND)))).resolves.toBe(outcome);
  });

  test.each(CLAIMS)('%s spelt 1.0e3 or 1000.0 is the whole number 1000', async (claim) => {
    // 1000 s after the epoch: long expired, long valid-from, long issued.
    const expected = claim === 'exp' ? 'TOKEN_EXPIRED' : 'ALLOWED';
    await expect(decide(tokenWith(claim, '1.0e3'))).resolves.toBe(expected);
    await expect(decide(tokenWith(claim, '1000.0'))).resolves.toBe(expected);
  });
});

describe('property: any number in a time claim is allowed or a 401 with the reason its value calls for', () => {
  /**
   * The oracle, from RFC 7519 §4.1 and the configured skew; it shares no code with the authorizer. Values
   * within minutes of a boundary are not generated, so the clock moving on cannot change the answer.
   */
  function expected(claim: TimeClaim, value: number, at: number): string {
    if (!Number.isInteger(value) || value < 0 || value > LAST_DATE_SECOND) return 'INVALID_CLAIM';
    if (claim === 'exp' && value + SKEW < at) return 'TOKEN_EXPIRED';
    if (claim === 'nbf' && value - SKEW > at) return 'TOKEN_NOT_YET_VALID';
    if (claim === 'iat' && value > at + SKEW) return 'ISSUED_IN_FUTURE';
    return 'ALLOWED';
  }

  const t = now();
  const clear = (v: number) => Math.abs(v - (t - SKEW)) > 300 && Math.abs(v - (t + SKEW)) > 300;
  const value = fc.oneof(
    fc.integer({ min: 0, max: 2 * t }).filter(clear),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fc.constantFrom(LAST_DATE_SECOND - 1, LAST_DATE_SECOND, LAST_DATE_SECOND + 1, 2 ** 53, 2 ** 63, 1e300),
    fc.double({ min: -1e20, max: 1e20, noNaN: true }).filter(clear),
    fc.integer({ min: -2 * t, max: -1 }),
  );

  test('exp, nbf, iat and auth_time', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CLAIMS), value, async (claim, v) => {
        const token = tokenWith(claim, JSON.stringify(v));
        expect(await decide(token)).toBe(expected(claim, v, now()));
      }),
      { numRuns: 300 },
    );
  });
});
