// Required claims per issuer (REQUIRED_CLAIMS, `requiredClaims`): a claim, or a dotted path to one, that must
// hold exactly one of the configured JSON values, such as `email_verified: true` or a tenant id `tid`.
//
// Numbers compare by the decimal value their JSON text spells, never after rounding to a double: a
// configured 1234567890123456789 accepts neither 1234567890123456800 nor 1234567890123456789.4, while 2,
// 2.0 and 2e0 are one value. Configuration read from JSON text (REQUIRED_CLAIMS, ISSUERS) keeps every digit
// (json-number.ts); a JavaScript number (the construct's props) beyond ±(2^53 - 1) may have been rounded
// before anything here sees it, so it is refused.
import { parseClaimPath, readExactClaim, type ClaimPath } from './claim-path';
import { TokenRejectedError } from './errors';
import { JsonNumber, sameNumber } from './json-number';

/** What the construct's props can say. */
export type RequiredClaimValue = string | number | boolean;

/** What configuration read from JSON text can say besides: a number a double does not hold exactly. */
export type AcceptedClaimValue = RequiredClaimValue | JsonNumber;

export interface RequiredClaim {
  readonly claim: ClaimPath;
  /** The token's value must be one of these, with the same JSON type (`"true"` is not `true`). */
  readonly accepted: readonly AcceptedClaimValue[];
}

/** Checked already, by their own settings: requiring them here could only disagree with those. */
const CHECKED_ELSEWHERE: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat']);

function isClaimValue(value: unknown): value is AcceptedClaimValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    value instanceof JsonNumber ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** An integer a JavaScript number may hold only after rounding: its neighbours share its double. */
function isRounded(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);
}

/**
 * One entry of a required-claims object. `invalid` receives what is wrong, with the field's place in the
 * configuration already said by the caller (e.g. `.tid`), and must throw. A number JSON text spelled beyond
 * a double's precision arrives as a JsonNumber (issuer-claims.ts); a plain number is what JavaScript holds.
 */
export function parseRequiredClaim(
  name: string,
  value: unknown,
  invalid: (problem: string) => never,
): RequiredClaim {
  const claim = parseClaimPath(name, invalid);
  if (claim.segments.length === 1 && CHECKED_ELSEWHERE.has(name)) {
    return invalid('is checked already by the issuer, audience and expiry checks; leave it out');
  }
  const values: unknown[] = Array.isArray(value) ? value : [value];
  if (values.length === 0) return invalid('must list at least one accepted value; got []');
  const at = values.findIndex((v) => !isClaimValue(v));
  if (at !== -1) {
    const bad = values[at];
    return invalid(
      `must be a string, a number, a boolean or an array of them; got ${JSON.stringify(bad) ?? 'undefined'}` +
        (typeof bad === 'object' && bad !== null ? ' (objects and nested arrays cannot be required)' : ''),
    );
  }
  const rounded = values.find(isRounded);
  if (rounded !== undefined) {
    return invalid(
      `must not be an integer beyond ±${Number.MAX_SAFE_INTEGER}, which a JavaScript number cannot hold ` +
        `exactly (its neighbours round to the same number); got ${String(rounded)}`,
    );
  }
  return Object.freeze({ claim, accepted: Object.freeze(values as AcceptedClaimValue[]) });
}

/**
 * Throws TokenRejectedError unless the payload holds an accepted value for every required claim. The message
 * names the claim but never its value, which may be personal data (an email address).
 */
export function assertRequiredClaims(payload: object, required: readonly RequiredClaim[]): void {
  for (const { claim, accepted } of required) {
    const value = readExactClaim(payload, claim);
    if (value === undefined) {
      throw new TokenRejectedError('MISSING_REQUIRED_CLAIM', `required claim "${claim.name}" is missing`);
    }
    if (!accepted.some((v) => v === value || sameJsonNumber(v, value))) {
      throw new TokenRejectedError(
        'WRONG_CLAIM_VALUE',
        `claim "${claim.name}" does not hold an accepted value`,
      );
    }
  }
}

function isNumeric(value: unknown): value is number | JsonNumber {
  return typeof value === 'number' || value instanceof JsonNumber;
}

/** Numbers compared by value where either side is a JsonNumber (`===` has decided every other case). */
function sameJsonNumber(accepted: AcceptedClaimValue, value: unknown): boolean {
  return (
    (accepted instanceof JsonNumber || value instanceof JsonNumber) &&
    isNumeric(accepted) &&
    isNumeric(value) &&
    sameNumber(accepted, value)
  );
}
