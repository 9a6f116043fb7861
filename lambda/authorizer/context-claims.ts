// Claims copied into the authorizer context for integrations (CONTEXT_CLAIMS, `contextClaims`), under names a
// mapping template can address: `$context.authorizer.cognito_groups` works, `cognito:groups` cannot be mapped.
//
// A number is copied as a number only where a double holds it exactly and it is no integer beyond
// ±(2^53 - 1); any other number (1234567890123456789, 0.10000000000000001, 1e400) is copied as a string of
// its JSON text, so two users' ids never reach an integration as one number.
import { parseClaimPath, readExactClaim, type ClaimPath } from './claim-path';
import { JsonNumber } from './json-number';

/** What API Gateway accepts as a context value. */
export type ContextClaimValue = string | number | boolean;

export interface ContextClaim {
  readonly claim: ClaimPath;
  /** The context key: the claim name with every character but A-Z, a-z, 0-9 and _ made `_`. */
  readonly key: string;
}

/**
 * Keys the authorizer sets itself (authorizer.ts) or API Gateway adds (`principalId`, `integrationLatency`).
 * A copied claim may not take one: an integration must be able to trust `sub` and `issuer`.
 */
export const BUILT_IN_CONTEXT_KEYS: ReadonlySet<string> = new Set([
  'principalId',
  'integrationLatency',
  'sub',
  'issuer',
  'scope',
  'clientId',
  'tokenId',
  'expiresAt',
  // With DPoP server nonces on (dpop-nonce-policy.ts): the 403's WWW-Authenticate and the next nonce.
  'wwwAuthenticate',
  'dpopNonce',
]);

/** Joins the elements of an array claim (groups, roles), as `scope` joins scopes. */
export const CONTEXT_ARRAY_SEPARATOR = ' ';

/** The context key for a claim: `cognito:groups` -> `cognito_groups`, `realm_access.roles` -> `realm_access_roles`. */
export function contextKeyOf(claim: ClaimPath): string {
  return claim.segments.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Parses an issuer's list of context claims. `invalid` receives what is wrong with entry `index` and must
 * throw; the caller adds which variable or prop said it.
 */
export function parseContextClaims(
  names: readonly unknown[],
  invalid: (index: number, problem: string) => never,
): ContextClaim[] {
  const byKey = new Map<string, string>();
  return names.map((name, i) => {
    const claim = parseClaimPath(name, (problem) => invalid(i, problem));
    const key = contextKeyOf(claim);
    if (!/^[A-Za-z]/.test(key)) {
      return invalid(i, `gives the context key "${key}", which does not start with a letter`);
    }
    if (BUILT_IN_CONTEXT_KEYS.has(key)) {
      return invalid(i, `gives the context key "${key}", which the authorizer sets itself`);
    }
    const earlier = byKey.get(key);
    if (earlier !== undefined) {
      return invalid(i, `gives the context key "${key}", as "${earlier}" does already`);
    }
    byKey.set(key, claim.name);
    return Object.freeze({ claim, key });
  });
}

/**
 * A string, boolean or exact number as is; any other number as its JSON text; an array of strings without
 * white space joined; anything else not at all.
 */
function contextValue(value: unknown): ContextClaimValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // Unsafe integers that reach here were spelled as String spells them (json-number.ts keeps the others).
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '' && !/\s/.test(v))) {
    return value.join(CONTEXT_ARRAY_SEPARATOR);
  }
  return undefined;
}

/** The context entries for the claims this token carries in a copyable shape; the others are left out. */
export function contextClaimValues(
  payload: object,
  claims: readonly ContextClaim[],
): Record<string, ContextClaimValue> {
  const context: Record<string, ContextClaimValue> = {};
  for (const { claim, key } of claims) {
    const value = contextValue(readExactClaim(payload, claim));
    if (value !== undefined) context[key] = value;
  }
  return context;
}
