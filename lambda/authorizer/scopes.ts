// Reads granted scopes from any common claim layout: `scope` or `scp`, as a space-delimited string or an array.
//   Auth0, Cognito, Keycloak: scope: "a b"   Okta: scp: ["a", "b"]   Entra ID: scp: "a b"
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

function add(into: Set<string>, scope: string, prefix: string | undefined): void {
  into.add(scope);
  if (prefix !== undefined && scope.length > prefix.length && scope.startsWith(prefix)) {
    into.add(scope.slice(prefix.length));
  }
}

function addScopes(into: Set<string>, claim: unknown, prefix: string | undefined): void {
  if (typeof claim === 'string') {
    for (const s of claim.split(' ')) if (s !== '') add(into, s, prefix);
  } else if (Array.isArray(claim)) {
    // An element that is not a single scope-token ("a b", "") is ignored, not split: fail closed.
    for (const s of claim) if (typeof s === 'string' && s !== '' && !/\s/.test(s)) add(into, s, prefix);
  }
}

/**
 * The union of `scope` and `scp`, in first-seen order and without duplicates. With a prefix (Cognito's
 * `<resource server>/`), a prefixed scope is granted under both names.
 */
export function grantedScopes(payload: JwtPayload, prefix?: string): ReadonlySet<string> {
  const scopes = new Set<string>();
  addScopes(scopes, payload.scope, prefix);
  addScopes(scopes, payload.scp, prefix);
  return scopes;
}

export function holdsAll(granted: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const s of required) if (!granted.has(s)) return false;
  return true;
}
