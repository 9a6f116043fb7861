// Property-based tests (fast-check): header, token and scope parsing fail only through 401. The policy's
// properties are in route-soundness.test.ts.
import fc from 'fast-check';
import { TokenRejectedError, grantedScopes } from '../../lambda/authorizer';
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
