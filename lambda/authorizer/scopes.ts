// Reads what a token grants from any common claim layout. `scope` and `scp` always count, as a space-delimited
// string or an array:   Auth0, Cognito, Keycloak: scope: "a b"   Okta: scp: ["a", "b"]   Entra ID: scp: "a b"
// and an issuer's permission claims (PERMISSION_CLAIMS) count the same way, where configured:
//   Entra ID app-only: roles   Cognito: cognito:groups   Keycloak: realm_access.roles   Auth0: permissions
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { readClaim, type ClaimPath } from './claim-path';

function add(into: Set<string>, scope: string, prefix: string | undefined): void {
  into.add(scope);
  if (prefix !== undefined && scope.length > prefix.length && scope.startsWith(prefix)) {
    into.add(scope.slice(prefix.length));
  }
}

/** A string grants its space-separated names; an array its string elements; anything else grants nothing. */
function addScopes(into: Set<string>, claim: unknown, prefix: string | undefined): void {
  if (typeof claim === 'string') {
    for (const s of claim.split(' ')) if (s !== '') add(into, s, prefix);
  } else if (Array.isArray(claim)) {
    // An element that is not a single scope-token ("a b", "", 7, ["a"]) is ignored, not split: fail closed.
    for (const s of claim) if (typeof s === 'string' && s !== '' && !/\s/.test(s)) add(into, s, prefix);
  }
}

/**
 * The union of `scope`, `scp` and the permission claims, in first-seen order and without duplicates. With a
 * prefix (Cognito's `<resource server>/`), a prefixed `scope`/`scp` entry is granted under both names; the
 * prefix is the issuer's spelling of scopes only, so permission claims grant their names exactly.
 */
export function grantedScopes(
  payload: JwtPayload,
  prefix?: string,
  permissionClaims: readonly ClaimPath[] = [],
): ReadonlySet<string> {
  const scopes = new Set<string>();
  addScopes(scopes, payload.scope, prefix);
  addScopes(scopes, payload.scp, prefix);
  for (const claim of permissionClaims) addScopes(scopes, readClaim(payload, claim), undefined);
  return scopes;
}
