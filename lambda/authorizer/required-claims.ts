// Required claims per issuer (REQUIRED_CLAIMS, `requiredClaims`): a claim, or a dotted path to one, that must
// hold exactly one of the configured JSON values, such as `email_verified: true` or a tenant id `tid`.
import { parseClaimPath, readClaim, type ClaimPath } from './claim-path';
import { TokenRejectedError } from './errors';

export type RequiredClaimValue = string | number | boolean;

export interface RequiredClaim {
  readonly claim: ClaimPath;
  /** The token's value must be one of these, with the same JSON type (`"true"` is not `true`). */
  readonly accepted: readonly RequiredClaimValue[];
}

/** Checked already, by their own settings: requiring them here could only disagree with those. */
const CHECKED_ELSEWHERE: ReadonlySet<string> = new Set(['iss', 'aud', 'exp', 'nbf', 'iat']);

function isClaimValue(value: unknown): value is RequiredClaimValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/**
 * One entry of a required-claims object. `invalid` receives what is wrong, with the field's place in the
 * configuration already said by the caller (e.g. `.tid`), and must throw.
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
  return Object.freeze({ claim, accepted: Object.freeze(values as RequiredClaimValue[]) });
}

/**
 * Throws TokenRejectedError unless the payload holds an accepted value for every required claim. The message
 * names the claim but never its value, which may be personal data (an email address).
 */
export function assertRequiredClaims(payload: object, required: readonly RequiredClaim[]): void {
  for (const { claim, accepted } of required) {
    const value = readClaim(payload, claim);
    if (value === undefined) {
      throw new TokenRejectedError('MISSING_REQUIRED_CLAIM', `required claim "${claim.name}" is missing`);
    }
    if (!accepted.some((v) => v === value)) {
      throw new TokenRejectedError(
        'WRONG_CLAIM_VALUE',
        `claim "${claim.name}" does not hold an accepted value`,
      );
    }
  }
}
