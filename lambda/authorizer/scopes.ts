// Reads granted scopes from any common claim layout: `scope` or `scp`, as a space-delimited string or an array.
//   Auth0, Cognito, Keycloak: scope: "a b"   Okta: scp: ["a", "b"]   Entra ID: scp: "a b"
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

function addScopes(into: Set<string>, claim: unknown): void {
  if (typeof claim === 'string') {
    for (const s of claim.split(' ')) if (s !== '') into.add(s);
  } else if (Array.isArray(claim)) {
    // An element that is not a single scope-token ("a b", "") is ignored, not split: fail closed.
    for (const s of claim) if (typeof s === 'string' && s !== '' && !/\s/.test(s)) into.add(s);
  }
}

/** The union of `scope` and `scp`, in first-seen order and without duplicates. */
export function grantedScopes(payload: JwtPayload): ReadonlySet<string> {
  const scopes = new Set<string>();
  addScopes(scopes, payload.scope);
  addScopes(scopes, payload.scp);
  return scopes;
}

export function holdsAll(granted: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const s of required) if (!granted.has(s)) return false;
  return true;
}
